#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster, then stops and removes the cluster, whatever
# the command's outcome (and on Ctrl-C). The command gets the cluster's URL in
# QUELLE_TEST_DATABASE_URL (role `quelle`, not a superuser, owner of database `quelle`, allowed to
# create databases: each test file makes its own) and the data folder in QUELLE_TEST_DATABASE_DIR
# (the retention test reads the cluster's files). Exits with the command's status.
#
#   bash tools/postgres/with-throwaway-postgres.sh npx vitest run test/storage
#
# Needs PostgreSQL's server programs (Debian: apt-get install postgresql): initdb and pg_ctl on
# PATH, or in PG_BIN, or the newest /usr/lib/postgresql/*/bin. The server refuses to run as root,
# so as root the cluster belongs to the user `postgres` (or `nobody`). It listens on 127.0.0.1 on a
# free port and keeps its socket in its own temporary folder: nothing of a system cluster is used.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

find_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return; fi
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then dirname "$(readlink -f "$(command -v initdb)")"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$newest" ]]; then echo "$newest"; return; fi
  echo "No PostgreSQL server programs found (initdb, pg_ctl). Install them (Debian: apt-get install postgresql) or set PG_BIN to their folder." >&2
  exit 2
}
BIN=$(find_bin)

WORK=$(mktemp -d -t quelle-pg.XXXXXX)
DATA="$WORK/data"
SOCKET="$WORK/socket"
mkdir -p "$SOCKET"
RUN_AS=()
if [[ $(id -u) -eq 0 ]]; then
  OWNER=postgres
  id "$OWNER" >/dev/null 2>&1 || OWNER=nobody
  chown -R "$OWNER" "$WORK"
  RUN_AS=(runuser -u "$OWNER" --)
fi

stop_cluster() {
  local status=$?
  if [[ -f "$DATA/postmaster.pid" ]]; then
    "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ADMIN_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
printf '%s\n' "$ADMIN_PASSWORD" >"$WORK/admin-password"
[[ ${#RUN_AS[@]} -gt 0 ]] && chown "$OWNER" "$WORK/admin-password"
"${RUN_AS[@]}" "$BIN/initdb" -D "$DATA" -U quelle_admin --pwfile="$WORK/admin-password" --auth=scram-sha-256 \
  --encoding=UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; exit 1; }
rm -f "$WORK/admin-password"

# A free port, as the kernel hands one out (released again before the server binds it).
PORT=$(node -e 'const s=require("node:net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
# Durability settings off: the cluster is thrown away, and the tests kill clients, not the server.
"${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$WORK/server.log" -w -t 60 start \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$SOCKET -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  >/dev/null || { cat "$WORK/server.log" >&2; exit 1; }

PGPASSWORD="$ADMIN_PASSWORD" "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U quelle_admin -d postgres \
  -c "CREATE ROLE quelle LOGIN CREATEDB PASSWORD '$PASSWORD'" \
  -c "CREATE DATABASE quelle OWNER quelle"

export QUELLE_TEST_DATABASE_URL="postgres://quelle:$PASSWORD@127.0.0.1:$PORT/quelle"
export QUELLE_TEST_DATABASE_DIR="$DATA"
echo "Throwaway PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data in $DATA); it is removed when the command ends." >&2
set +e
"$@"
STATUS=$?
set -e
exit "$STATUS"
