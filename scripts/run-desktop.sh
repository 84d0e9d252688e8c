#!/usr/bin/env bash
# One-command demo of the desktop app against a real sync service:
#   builds waystation-server, waystation-cli and the desktop app (release, UI embedded),
#   starts the service on SQLite in a temporary folder on 127.0.0.1 (a free port),
#   creates the organization border-station-7, the user demo.agent and an enrollment code,
#   enrolls a demo store with waystation-cli, adds examples/*.json, syncs, and opens the app
#   on that store. The service stops when the app closes (or on Ctrl+C).
# Without a display it does everything but open the window, says how to run it under Xvfb,
# and exits 0 (the service is stopped; the demo folder is kept for a look).
# Environment: KEEP_RUNNING=1 (no display) keeps the service up until Ctrl+C;
# SKIP_BUILD=1 uses the binaries already built; CARGO_TARGET_DIR as usual.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/release"
# SKIP_BUILD=1 PROFILE=debug uses debug binaries (slower: Argon2 unoptimized).
[ "${PROFILE:-release}" = debug ] && BIN="$TARGET/debug"
ORG="border-station-7"
AGENT="demo.agent"
ADMIN="demo.admin"
PASSWORD="${DEMO_PASSWORD:-field demo passphrase 7}"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== building the UI, waystation-server, waystation-cli and the desktop app (release)"
  scripts/build-ui.sh
  cargo build --release -p waystation-server -p waystation-cli
  cargo build --release -p waystation-desktop --features custom-protocol
fi
for b in waystation-server waystation-cli waystation-desktop; do
  [ -x "$BIN/$b" ] || { echo "run-desktop: $BIN/$b is missing (build first, or unset SKIP_BUILD)" >&2; exit 1; }
done

DEMO="$(mktemp -d -t waystation-demo.XXXXXX)"
chmod 700 "$DEMO"
DATA="$DEMO/server"
STORE="$DEMO/store"
PWFILE="$DEMO/password"
( umask 077; printf '%s\n' "$PASSWORD" > "$PWFILE" )
SERVER_PID=""
stop_service() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    echo "== stopped the sync service"
  fi
  SERVER_PID=""
}
trap stop_service EXIT
trap 'exit 130' INT TERM

# The service's database key: a new one for this demo, in its folder (a real
# service keeps its key apart from its data: README, "Operating the service").
"$BIN/waystation-server" key new --file "$DEMO/database.key" >/dev/null
export WAYSTATION_KEY_FILE="$DEMO/database.key"
unset WAYSTATION_KEY WAYSTATION_KEY_COMMAND
server() { "$BIN/waystation-server" --data "$DATA" "$@"; }

echo "== starting the sync service (SQLite in $DATA)"
WAYSTATION_LOG="${WAYSTATION_LOG:-warn}" "$BIN/waystation-server" --data "$DATA" serve --listen 127.0.0.1:0 \
  > "$DEMO/server.out" 2> "$DEMO/server.log" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 300); do
  URL="$(sed -n 's/^listening on \(http[s]*:\/\/[^ ]*\).*$/\1/p' "$DEMO/server.out" | head -n1)"
  [ -n "$URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "run-desktop: the service did not start:" >&2; cat "$DEMO/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { echo "run-desktop: the service did not say where it listens" >&2; exit 1; }
echo "   listening on $URL"
# The console is part of the service: its page must be there.
node -e '
  fetch(process.argv[1]).then(async (r) => {
    const text = await r.text();
    if (!r.ok || !text.includes("<div id=\"root\"")) { console.error("run-desktop: the console is not served at " + process.argv[1] + ": " + r.status + " " + text.slice(0, 200)); process.exit(1); }
  }, (e) => { console.error("run-desktop: " + e.message); process.exit(1); });' "${URL%/}/admin/"

echo "== organization $ORG (and the four its example cases are referred to), user $AGENT, enrollment code"
server org add "$ORG" >/dev/null
# The organizations the example cases are referred to: a referral shares the
# case with its organization, and the service refuses a share to one it does not know.
for partner in placement-office casa-esperanza-legal houston-victim-services gulf-coast-immigrant-justice; do
  server org add "$partner" >/dev/null
done
server user add --org "$ORG" --role agent --password-file "$PWFILE" "$AGENT" >/dev/null
# The console's demo sync administrator (same demo password).
server user add --org "$ORG" --role sync_admin --password-file "$PWFILE" "$ADMIN" >/dev/null
CODE="$(server device code --org "$ORG" --role agent | tail -n1 | tr -d '[:space:]')"

echo "== enrolling a demo store in $STORE"
cli() { "$BIN/waystation-cli" --store "$STORE" "$@"; }
cli enroll --server "$URL" --code "$CODE" --user "$AGENT" --passphrase-file "$PWFILE" --device-name demo-laptop
# The examples are written by several organizations: an agent's device adds
# each without the notes of classes agents may not read (legal notes), which
# the CLI and the service refuse from it (write rules match read rules).
for f in examples/*.json; do
  printf '   case add %s: ' "$f"
  mine="$DEMO/agent-$(basename "$f")"
  node -e '
    const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    c.notes = (c.notes ?? []).filter((n) => ["general", "law_enforcement_sensitive", "medical"].includes(n.sensitivity));
    process.stdout.write(JSON.stringify(c));' "$f" > "$mine"
  cli --user "$AGENT" --passphrase-file "$PWFILE" case add "$mine"
done
echo "== syncing"
cli --user "$AGENT" --passphrase-file "$PWFILE" sync
echo "   the service now knows these devices:"
server device list | sed 's/^/   /'

cat <<MSG

Demo ready.
  service:    $URL  (data in $DATA)
  store:      $STORE
  sign in as: $AGENT
  passphrase: $PASSWORD
  console:    ${URL%/}/admin/  (sync administrators, in a browser)
    sign in as $ADMIN, password: $PASSWORD
MSG

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  cat <<MSG

There is no display (DISPLAY is not set), so the app window cannot open here.
Run the whole demo under a virtual display instead:
    xvfb-run -a scripts/run-desktop.sh
or open the app yourself on this store (with the service running, KEEP_RUNNING=1):
    WAYSTATION_STORE=$STORE $BIN/waystation-desktop
MSG
  if [ "${KEEP_RUNNING:-0}" = 1 ]; then
    echo "KEEP_RUNNING=1: the service stays up until Ctrl+C."
    wait "$SERVER_PID"
  fi
  exit 0
fi

echo "== opening the app (close its window to stop the service)"
WAYSTATION_STORE="$STORE" "$BIN/waystation-desktop" || echo "run-desktop: the app exited with status $?" >&2
