#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is empty (/docker-entrypoint-initdb.d of the postgres image):
# one role and one database per service, each owning its database; no service can read another's.
# Passwords come from the environment of the postgres container (docker-compose.yml, .env).
set -euo pipefail
for svc in users products orders notifications; do
  var=${svc^^}_DB_PASSWORD
  pass=${!var:?$var must be set}
  psql -X -q -v ON_ERROR_STOP=1 -U "${POSTGRES_USER:-postgres}" -d postgres -v name="$svc" -v pass="$pass" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'name', :'pass') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'name') \gexec
SQL
  echo "init-databases: role and database $svc"
done
