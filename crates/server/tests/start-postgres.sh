#!/usr/bin/env bash
# Start the machine's PostgreSQL 15 and make sure the test role exists, idempotently.
# Drops the test databases that earlier runs left behind (more than an hour old).
# Prints the URL to export as WAYSTATION_TEST_DATABASE_URL; everything else goes to stderr.
set -euo pipefail
version="${PG_VERSION:-15}"
if ! command -v pg_ctlcluster >/dev/null; then
    echo "start-postgres.sh: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
    exit 1
fi
psql_as_postgres() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtAc \"$1\""; }

# A machine whose processes were killed (as at the end of every session here) leaves a cluster that
# must recover at start; by default PostgreSQL then fsyncs every file of every database one by one,
# which took more than the 60 s pg_ctl waits once the data directory held many test databases. One
# syncfs(2) of the file system does the same job at once.
conf_dir="/etc/postgresql/$version/main/conf.d"
if [ -d "$conf_dir" ] && [ ! -f "$conf_dir/waystation-tests.conf" ]; then
    echo "recovery_init_sync_method = syncfs" > "$conf_dir/waystation-tests.conf"
fi

if ! pg_lsclusters --no-header | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
    # Only the URL may go to standard output: pg_ctlcluster prints notes such as
    # "Removed stale pid file." there. The daemon must not inherit the pipe either.
    # Recovery after a kill may take minutes on a slow disk: wait up to 15.
    pg_ctlcluster "$version" main start -- -t 900 >&2
fi
ready=0
for _ in $(seq 1 1800); do # up to 15 minutes: a cluster started elsewhere may still be recovering
    if su postgres -c "pg_isready -q"; then ready=1; break; fi
    sleep 0.5
done
if [ "$ready" != 1 ]; then
    echo "start-postgres.sh: PostgreSQL $version did not accept connections within 15 minutes" >&2
    tail -n 20 "/var/log/postgresql/postgresql-$version-main.log" >&2 || true
    exit 1
fi
psql_as_postgres "SELECT 1 FROM pg_roles WHERE rolname = 'waystation'" | grep -q 1 ||
    psql_as_postgres "CREATE ROLE waystation LOGIN SUPERUSER PASSWORD 'waystation'" >&2

# Test and benchmark databases are named waystation_{test,bench}_<UUIDv7>[_restored]; the UUID's first
# 12 hex digits are its creation time in milliseconds. Those of runs that ended long ago are dropped,
# those of a run going on now are left alone. Those made more than a day ahead of the real clock come
# from the test run under a shifted clock (scripts/test), which starts after this script: dropped too.
stale=$(psql_as_postgres "SELECT datname FROM (SELECT datname,
    ('x' || lpad(substring(datname from '^waystation_[a-z]+_([0-9a-f]{12})'), 16, '0'))::bit(64)::bigint AS made
    FROM pg_database WHERE datname ~ '^waystation_(test|bench)_[0-9a-f]{32}') d,
    (SELECT (extract(epoch from now()) * 1000)::bigint AS now_ms) n
  WHERE made < now_ms - 3600 * 1000 OR made > now_ms + 86400 * 1000")
for db in $stale; do
    psql_as_postgres "DROP DATABASE IF EXISTS $db WITH (FORCE)" >&2 || true
done
[ -z "$stale" ] || echo "start-postgres.sh: dropped $(echo "$stale" | wc -l) test databases of earlier runs" >&2
echo "postgres://waystation:waystation@127.0.0.1/postgres"
