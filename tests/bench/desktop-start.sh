#!/usr/bin/env bash
# Issue 5's desktop benchmark: start to the unlock screen painted, and memory
# (PSS of the app and its WebKit processes), for the Waystation app with N
# cases in its store, against an empty Tauri window built the same way
# (tests/bench/empty-window: same tauri, custom-protocol, release), in the
# same run, RUNS launches each; then, in ours, the time from unlock to the
# case list painted and from typing a search to the filtered list. Target:
# ours within 1.5x of the empty window for start and memory.
#
#   bash scripts/build-ui.sh                 (once: the app embeds ui/dist)
#   tests/bench/desktop-start.sh             (from the repository root)
#   N=10000 RUNS=5 tests/bench/desktop-start.sh
#   START_ONLY=1 RUNS=20 tests/bench/desktop-start.sh   (start and memory only: no unlock, list, search)
#
# Needs Xvfb (used when DISPLAY is unset), tauri-driver and WebKitWebDriver,
# as ui/e2e does. Prints a table; JSON_OUT=file keeps every launch's figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${N:-10000}"
RUNS="${RUNS:-5}"
target="${CARGO_TARGET_DIR:-target}"

if [ ! -f ui/dist/index.html ]; then
  echo "ui/dist is missing: run bash scripts/build-ui.sh first" >&2
  exit 1
fi
for tool in Xvfb tauri-driver WebKitWebDriver node; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (see ui/README.md)" >&2; exit 1; }
done

echo "== building (release, custom-protocol): waystation-desktop, waystation-empty-window, waystation-cli" >&2
cargo build --release --locked -q \
  -p waystation-desktop -p waystation-empty-window -p waystation-cli \
  --features waystation-desktop/custom-protocol,waystation-empty-window/custom-protocol
ours="$target/release/waystation-desktop"
empty="$target/release/waystation-empty-window"
cli="$target/release/waystation-cli"

work="$(mktemp -d -t waystation-desktop-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
store="$work/store"
# A fictional passphrase for a throw-away store; the real key derivation (no --kdf fast).
pass="fictional bench passphrase 7f3a"
echo "== store: $N cases (real key derivation)" >&2
meta="$(node tests/bench/desktop/gen-cases.mjs "$N" "$work/cases.jsonl")"
WAYSTATION_PASSPHRASE="$pass" "$cli" --store "$store" --user bench.user init >&2
WAYSTATION_PASSPHRASE="$pass" "$cli" --store "$store" --user bench.user case import "$work/cases.jsonl" >/dev/null
rm -f "$work/cases.jsonl"
field() { node -e "console.log(JSON.parse(process.argv[1])[process.argv[2]])" "$meta" "$1"; }

echo "== launching each app $RUNS times (after one warm-up), interleaved; load: $(uptime)" >&2
BENCH_OURS_APP="$ours" BENCH_EMPTY_APP="$empty" BENCH_STORE="$store" \
  BENCH_USER=bench.user BENCH_PASSPHRASE="$pass" BENCH_CASES="$N" \
  BENCH_SEARCH="$(field search)" BENCH_HITS="$(field hits)" BENCH_RUNS="$RUNS" \
  BENCH_JSON_OUT="${JSON_OUT:-}" BENCH_START_ONLY="${START_ONLY:-0}" \
  node tests/bench/desktop/bench.mjs
echo "load after: $(uptime)"
