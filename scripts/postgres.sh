#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 on 127.0.0.1 and a random port, in a temp data dir.
# Usage: source scripts/postgres.sh  → exports SHIPYARD_PG_URL and BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING,
#        and defines shipyard_pg_stop.
PG_BIN=""
for d in /usr/lib/postgresql/15/bin /usr/local/bin /usr/bin; do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PG_BIN="$d"; break; fi
done
if [ -z "$PG_BIN" ]; then echo "postgres.sh: initdb/pg_ctl not found" >&2; return 1; fi
SHIPYARD_PG_DIR="$(mktemp -d /tmp/shipyard-pg.XXXXXX)"
SHIPYARD_PG_PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
AS_PG=()
if [ "$(id -u)" = 0 ]; then chown postgres "$SHIPYARD_PG_DIR"; AS_PG=(runuser -u postgres --); fi
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$SHIPYARD_PG_DIR/data" -U postgres --auth=trust -E UTF8 >"$SHIPYARD_PG_DIR/initdb.log" 2>&1
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$SHIPYARD_PG_DIR/data" -l "$SHIPYARD_PG_DIR/server.log" -w \
  -o "-h 127.0.0.1 -p $SHIPYARD_PG_PORT -k $SHIPYARD_PG_DIR -c max_connections=300 -c fsync=off" start >/dev/null
export SHIPYARD_PG_URL="postgresql://postgres@127.0.0.1:$SHIPYARD_PG_PORT"
export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="$SHIPYARD_PG_URL"
shipyard_pg_stop() {
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$SHIPYARD_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$SHIPYARD_PG_DIR"
}
