#!/usr/bin/env bash
# Install (from Debian's packages) and start a PostgreSQL server on 127.0.0.1:5432 with the
# role and database the test suite uses. Idempotent: safe to run when it already runs.
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
    pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
    pg_ctlcluster "$version" main start
fi

for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
done
pg_isready -h 127.0.0.1 -p 5432

su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'campus') THEN
        CREATE ROLE campus LOGIN PASSWORD 'campus';
    END IF;
END $$;
SQL
if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'campus_test'\"" | grep -q 1; then
    su postgres -c "createdb -O campus campus_test"
fi
echo "PostgreSQL $version ready on 127.0.0.1:5432 (database campus_test, role campus)"
