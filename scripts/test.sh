#!/usr/bin/env bash
# Run the whole test suite, on SQLite and on a real PostgreSQL started here (and stopped after).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "→ installation de PostgreSQL (paquet Debian)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi
cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  as_root pg_createcluster 15 main >/dev/null
  cluster="15 main"
fi
started_pg=0
if ! pg_lsclusters --no-header | awk 'NR==1 {print $4}' | grep -q online; then
  as_root pg_ctlcluster $cluster start
  started_pg=1
fi
stop_pg() { if [ "$started_pg" = 1 ]; then as_root pg_ctlcluster $cluster stop || true; fi; }
trap stop_pg EXIT
port=$(pg_lsclusters --no-header | awk 'NR==1 {print $3}')
role=$(id -un)
as_postgres psql -q -p "$port" -c "do \$\$ begin if not exists (select from pg_roles where rolname='$role') then create role \"$role\" superuser login password 'salescoach'; else alter role \"$role\" with login superuser password 'salescoach'; end if; end \$\$;" >/dev/null

export SALESCOACH_TEST_PG="postgresql+psycopg://$role:salescoach@127.0.0.1:$port/postgres"
export SALESCOACH_REQUIRE_PG=1
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "Aucun test collecté : c'est un échec." >&2
  status=1
fi
exit "$status"
