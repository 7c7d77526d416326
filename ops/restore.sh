#!/bin/sh
# Restore the shared store from a folder ops/backup.sh made. docs/operations.md, "Restore".
#   usage: ops/restore.sh BACKUP_FOLDER
# Stop every replica first (systemctl stop finance-dashboard on each machine): this refuses while any
# dashboard process is attached to the catalog. Run as the service user with the replicas' environment.
# The data files come back first (a file already there is the same file: DuckLake never rewrites one), then
# the catalog, replaced in one transaction in the database that is there (no dropdb or createdb, so no
# other database and no extra privilege is needed). Files written after the backup are no longer named by
# the catalog: the daily expiry deletes them as orphans once they are a day old.
set -eu
backup="$1"
test -f "$backup/catalog.dump" && test -f "$backup/data.tar" || {
    echo "error: $backup holds no catalog.dump and data.tar from ops/backup.sh; nothing was changed" >&2
    exit 2
}
attached=$(psql --dbname="$FINANCE_CATALOG" --no-psqlrc -Atc \
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'finance-dashboard/%'")
if [ "$attached" != 0 ]; then
    echo "error: $attached dashboard process(es) are still attached to the catalog: stop every replica, then run this again; nothing was changed" >&2
    exit 1
fi
exec 9>"${FINANCE_LOCK:-/run/lock/finance-dashboard-store.lock}"
flock 9
tar -C "$FINANCE_DATA_PATH" -xpf "$backup/data.tar" --skip-old-files
pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \
    --dbname="$FINANCE_CATALOG" "$backup/catalog.dump"
echo "restored $backup; start the replicas"
