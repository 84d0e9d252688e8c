#!/usr/bin/env bash
# Our sync against the PouchDB peer, on this machine, in this run: the same
# 10,000 intake-shaped records of about 1 KB, client and server on disk;
# initial push, a sync with nothing new, a sync after 100 changed records;
# at loopback and with 20 ms added per request (the peer's DELAY_MS; our
# proxy adds the same). Then our push against PostgreSQL when
# WAYSTATION_TEST_DATABASE_URL is set. Prints both figures and the ratio;
# and, at each delay and backend, our initial push with the service's case
# values sealed (as it runs) against unsealed (issue 19: what sealing costs;
# the service binary is built with the `unsealed-baseline` feature for that,
# which only the WAYSTATION_UNSEALED_BASELINE variable turns on).
#
#   tests/bench/sync-vs-pouchdb.sh            (from the repository root)
#   PEER=/path/to/peers/pouchdb N=10000 DELAYS="0 20" tests/bench/sync-vs-pouchdb.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${N:-10000}"
CHANGED="${CHANGED:-100}"
DELAYS="${DELAYS:-0 20}"
PEER="${PEER:-../shared/peers/pouchdb}"
target="${CARGO_TARGET_DIR:-target}"

if [ -n "${SYNC_BENCH_BIN:-}" ] && [ -n "${WAYSTATION_SERVER_BIN:-}" ]; then
  bench="$SYNC_BENCH_BIN"   # prebuilt binaries
else
  echo "== building (release): waystation-server, sync-bench" >&2
  cargo build --release --locked -q -p waystation-server -p waystation-system-tests --bin waystation-server --bin sync-bench \
    --features waystation-server/unsealed-baseline
  export WAYSTATION_SERVER_BIN="$target/release/waystation-server"
  bench="$target/release/sync-bench"
fi

work="$(mktemp -d -t waystation-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
if [ ! -f "$PEER/bench.js" ]; then
  echo "the PouchDB peer is not at $PEER (set PEER=…)" >&2
  exit 1
fi
cp -r "$PEER" "$work/pouchdb"
rm -rf "$work/pouchdb/node_modules"
echo "== installing the PouchDB peer (npm)" >&2
(cd "$work/pouchdb" && npm install --no-audit --no-fund --loglevel=error >&2)

num() { node -e "const j=JSON.parse(require('fs').readFileSync(0,'utf8')); console.log(j$1)"; }

for d in $DELAYS; do
  echo "== delay ${d} ms per request" >&2
  ours="$("$bench" --n "$N" --changed "$CHANGED" --delay-ms "$d")"
  unsealed="$("$bench" --n "$N" --changed "$CHANGED" --delay-ms "$d" --unsealed)"
  o_un=$(echo "$unsealed" | num '.initial_records_s')
  (cd "$work/pouchdb" && N="$N" CHANGED="$CHANGED" DELAY_MS="$d" RUNS=1 JSON_OUT="$work/peer-$d.json" node bench.js >&2)
  peer="$(cat "$work/peer-$d.json")"
  o_rs=$(echo "$ours" | num '.initial_records_s'); p_rs=$(echo "$peer" | num '.summary.initial_docs_s_median')
  o_noop=$(echo "$ours" | num '.noop_ms'); p_noop=$(echo "$peer" | num '.summary.noop_ms_median')
  o_nreq=$(echo "$ours" | num '.noop_requests')
  o_delta=$(echo "$ours" | num '.delta_ms'); p_delta=$(echo "$peer" | num '.summary.delta_ms_median')
  echo "ours  (delay $d ms): $ours"
  node -e "
    const f=(x)=>Number(x).toFixed(1);
    console.log('delay $d ms | initial push: ours ' + f($o_rs) + ' records/s, PouchDB ' + f($p_rs) + ' docs/s, ratio ' + f($o_rs/$p_rs) + 'x');
    console.log('delay $d ms | no-op sync:   ours ' + f($o_noop) + ' ms in $o_nreq request(s), PouchDB ' + f($p_noop) + ' ms, ratio ' + f($p_noop/$o_noop) + 'x');
    console.log('delay $d ms | $CHANGED changed: ours ' + f($o_delta) + ' ms, PouchDB ' + f($p_delta) + ' ms, ratio ' + f($p_delta/$o_delta) + 'x');
    console.log('delay $d ms | initial push, service sealed ' + f($o_rs) + ' records/s, unsealed ' + f($o_un) + ', ratio ' + ($o_rs/$o_un).toFixed(2) + 'x');
  "
done

if [ -n "${WAYSTATION_TEST_DATABASE_URL:-}" ]; then
  echo "== PostgreSQL" >&2
  for d in $DELAYS; do
    ours="$("$bench" --n "$N" --changed "$CHANGED" --delay-ms "$d" --postgres)"
    unsealed="$("$bench" --n "$N" --changed "$CHANGED" --delay-ms "$d" --postgres --unsealed)"
    echo "ours on PostgreSQL (delay $d ms): $ours"
    node -e "console.log('PostgreSQL, delay $d ms | initial push, service sealed ' + ($(echo "$ours" | num '.initial_records_s')).toFixed(1) + ' records/s, unsealed ' + ($(echo "$unsealed" | num '.initial_records_s')).toFixed(1) + ', ratio ' + ($(echo "$ours" | num '.initial_records_s') / $(echo "$unsealed" | num '.initial_records_s')).toFixed(2) + 'x')"
  done
fi
