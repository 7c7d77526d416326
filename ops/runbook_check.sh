#!/bin/sh
# Follow docs/operations.md on this machine: PostgreSQL with TLS, two replicas, nginx, a 15 MB upload, a
# 30-second PostgreSQL outage while a browser sends a note, a backup and a restore; then check that nothing
# was lost or stored twice. Run by `make ops-test`, which installs nginx and postgresql first. The steps and
# checks are in ops/runbook_check.py; everything runs on the loopback and is stopped at the end.
set -eu
cd "$(dirname "$0")/.."
exec .venv/bin/python ops/runbook_check.py
