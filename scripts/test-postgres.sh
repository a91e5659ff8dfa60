#!/usr/bin/env bash
# Installs (if missing) and starts a throw-away PostgreSQL from Debian's packages on 127.0.0.1,
# for the test suites. Usage: scripts/test-postgres.sh start|stop. Prints the admin URL on start.
# fsync is off: this server is for tests only; benchmarks of durable paths use the defaults.
set -euo pipefail
PORT="${KANDO_TEST_PG_PORT:-5432}"
action="${1:-start}"
if ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PGVER=$(ls /usr/lib/postgresql | sort -n | tail -1)
case "$action" in
  start)
    pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PGVER main" || pg_createcluster "$PGVER" main >/dev/null
    printf "listen_addresses = '127.0.0.1'\nport = %s\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 300\n" "$PORT" \
      > "/etc/postgresql/$PGVER/main/conf.d/zz-kando-test.conf"
    pg_ctlcluster "$PGVER" main status >/dev/null 2>&1 || pg_ctlcluster "$PGVER" main start
    until pg_isready -q -h 127.0.0.1 -p "$PORT"; do sleep 0.5; done
    su postgres -c "psql -q -p $PORT -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
    echo "postgres://postgres:postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    pg_ctlcluster "$PGVER" main stop || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
