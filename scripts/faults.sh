#!/bin/sh
# Proof under faults, repeatable (docs/BENCHMARKS.md, "Faults"). Everything runs on 127.0.0.1.
#   scripts/faults.sh            kill -9 under intake load on SQLite and, with $PGURL, PostgreSQL,
#                                plus a PostgreSQL restart under load ($PGRESTART)
#   SMS=1 scripts/faults.sh      also the SMS gateway down for ten minutes (about 25 minutes)
# $PGURL names a database of the bench's own (it is dropped and created again), e.g.
#   PGURL='postgres://postgres@127.0.0.1:5432/faults_bench?sslmode=disable'
# The PostgreSQL restart stops the whole server for a few seconds: run it when nobody else uses it.
set -eu
cd "$(dirname "$0")/.."
bin=${BIN:-/tmp/banhao-faults}
go build -o "$bin" ./cmd/banhao
"$bin" bench faults --kills 3 --every 3s
if [ -n "${PGURL:-}" ]; then
	db=$(echo "$PGURL" | sed 's|.*/\([^/?]*\).*|\1|')
	admin=$(echo "$PGURL" | sed "s|/$db|/postgres|")
	psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	"$bin" bench faults --db "$PGURL" --kills 3 --every 3s --pg-restart "${PGRESTART:-pg_ctlcluster 15 main restart}"
fi
if [ -n "${SMS:-}" ]; then
	"$bin" bench faults --sms-down 10m --sms-wait 16m
fi
