#!/usr/bin/env bash
# Start the machine's PostgreSQL 15 and make sure the test role exists, idempotently.
# Prints the URL to export as WAYSTATION_TEST_DATABASE_URL.
set -euo pipefail
version="${PG_VERSION:-15}"
if ! command -v pg_ctlcluster >/dev/null; then
    echo "start-postgres.sh: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
    exit 1
fi
if ! pg_lsclusters --no-header | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
    # Only the URL may go to standard output: pg_ctlcluster prints notes such as
    # "Removed stale pid file." there. The daemon must not inherit the pipe either.
    pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 1 50); do
    if su postgres -c "pg_isready -q"; then break; fi
    sleep 0.2
done
su postgres -c "psql -v ON_ERROR_STOP=1 -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'waystation'\"" | grep -q 1 ||
    su postgres -c "psql -v ON_ERROR_STOP=1 -qc \"CREATE ROLE waystation LOGIN SUPERUSER PASSWORD 'waystation'\"" >&2
echo "postgres://waystation:waystation@127.0.0.1/postgres"
