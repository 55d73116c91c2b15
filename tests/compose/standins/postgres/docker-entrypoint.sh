#!/usr/bin/env bash
# The official postgres image's start-up, reduced to what the compose file uses: an empty $PGDATA is
# initialised with POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB, then /docker-entrypoint-initdb.d runs
# against a server listening on the unix socket only (so a TCP health check cannot pass too early).
set -euo pipefail
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
export POSTGRES_USER=${POSTGRES_USER:-postgres}
export POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
if [[ ! -s $PGDATA/PG_VERSION ]]; then
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -k /var/run/postgresql" start >/dev/null
  psql=(psql -X -v ON_ERROR_STOP=1 -h /var/run/postgresql -U "$POSTGRES_USER" --no-password)
  if [[ $POSTGRES_DB != postgres ]]; then
    "${psql[@]}" -d postgres -q -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    [[ -e $f ]] || continue
    case $f in
      *.sh) echo "running $f"; PGHOST=/var/run/postgresql PGUSER=$POSTGRES_USER bash "$f" ;;
      *.sql) echo "running $f"; "${psql[@]}" -d "$POSTGRES_DB" -f "$f" ;;
      *) echo "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "PostgreSQL init process complete; ready for start up."
fi
if [[ ${1:-} == postgres ]]; then
  shift
  exec postgres -D "$PGDATA" -c listen_addresses='*' -k /var/run/postgresql "$@"
fi
exec "$@"
