#!/usr/bin/env bash
# Start the machine's PostgreSQL 15 and make sure the test role exists, idempotently.
# Drops the test databases that earlier runs left behind (more than an hour old).
# Prints the URL to export as WAYSTATION_TEST_DATABASE_URL (TLS, verify-full, with the CA made here);
# everything else goes to stderr.
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

# TLS with a certificate made here for "localhost" only, signed by a CA made here: the tests connect
# with sslmode=verify-full and that CA (and prove that a connection to 127.0.0.1, a name the
# certificate does not hold, is refused). Made once; PostgreSQL reloads its TLS files on reload.
tls_dir=/var/lib/postgresql/waystation-tls
if [ ! -f "$tls_dir/server.pem" ]; then
    mkdir -p "$tls_dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Waystation test CA" \
        -keyout "$tls_dir/ca.key" -out "$tls_dir/ca.pem" >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
        -keyout "$tls_dir/server.key" -out "$tls_dir/server.csr" >/dev/null 2>&1
    printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
        > "$tls_dir/server.ext"
    openssl x509 -req -in "$tls_dir/server.csr" -CA "$tls_dir/ca.pem" -CAkey "$tls_dir/ca.key" -CAcreateserial \
        -days 3650 -extfile "$tls_dir/server.ext" -out "$tls_dir/server.pem" >/dev/null 2>&1
    chown -R postgres:postgres "$tls_dir"
    chmod 600 "$tls_dir/server.key" "$tls_dir/ca.key"
    chmod 644 "$tls_dir/ca.pem" "$tls_dir/server.pem"
fi
tls_conf="$conf_dir/waystation-tls.conf"
want_tls="ssl = on
ssl_cert_file = '$tls_dir/server.pem'
ssl_key_file = '$tls_dir/server.key'"
reload_tls=0
if [ -d "$conf_dir" ] && [ "$(cat "$tls_conf" 2>/dev/null)" != "$want_tls" ]; then
    echo "$want_tls" > "$tls_conf"
    reload_tls=1
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
if [ "$reload_tls" = 1 ]; then
    pg_ctlcluster "$version" main reload >&2
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
echo "postgres://waystation:waystation@localhost/postgres?sslmode=verify-full&sslrootcert=$tls_dir/ca.pem"
