#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL server on 127.0.0.1, then stops it.
# The command sees the server's SQLAlchemy URL in SCAPULA_TEST_POSTGRES_URL.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "with-postgres: PostgreSQL is not installed (make system-deps)" >&2
  exit 1
fi

workdir=$(mktemp -d /tmp/scapula-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_owner=()
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$workdir"
  as_owner=(runuser -u postgres --)
fi

stop() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap stop EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$workdir/data" -U scapula -A trust --no-sync >/dev/null
"${as_owner[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/log" -w -t 60 start \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=off" >/dev/null

export SCAPULA_TEST_POSTGRES_URL="postgresql+psycopg://scapula@127.0.0.1:$port/postgres"
"$@"
