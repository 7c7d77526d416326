#!/bin/sh
# Back up the shared store: its catalog (pg_dump), then its data folder (tar). docs/operations.md, "Back up".
#   usage: ops/backup.sh DEST_FOLDER      prints the backup's folder: DEST_FOLDER/finance-<UTC time>
# Run as the service user with the replicas' environment (FINANCE_CATALOG, FINANCE_DATA_PATH), e.g.
#   sudo -u finance sh -c 'set -a; . /etc/finance-dashboard/env; /opt/finance-dashboard/ops/backup.sh /backup'
# Replicas may keep running. The catalog is copied first: DuckLake never rewrites a data file, so a catalog
# copied before the folder never names a file the folder copy lacks, unless snapshots are expired in between;
# the lock (taken by the daily expiry too) keeps that from happening.
set -eu
dest="$1/finance-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dest"
exec 9>"${FINANCE_LOCK:-/run/lock/finance-dashboard-store.lock}"
flock 9
pg_dump --format=custom --file="$dest/catalog.dump" --dbname="$FINANCE_CATALOG"
tar -C "$FINANCE_DATA_PATH" -cf "$dest/data.tar" .
echo "$dest"
