#!/usr/bin/env bash
# The figures of issue #9 in one command: 32 scanner clients against the scan and receive APIs on SQLite and on
# PostgreSQL with every custody event counted, SIGKILL of the web process at 20 random moments per database during
# assay imports, label batches and receiving, two web nodes on one PostgreSQL, the bad-input corpus and the importer fuzz.
#   ./scripts/reliability.sh           the CI variant: 60 s of load per database (about 10 minutes in all)
#   ./scripts/reliability.sh --full    10 minutes of load per database (about 30 minutes in all)
# Installs and starts what it needs through scripts/test.sh; the figures land in artifacts/reliability/report.md,
# each web process's log next to it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--full" ]; then
  export BIOBANK_RELIABILITY_SECONDS=${BIOBANK_RELIABILITY_SECONDS:-600}
fi
mkdir -p artifacts/reliability
rm -f artifacts/reliability/report.md artifacts/reliability/*.log
status=0
./scripts/test.sh --filter "FullyQualifiedName~Reliability" || status=$?
echo
echo "== artifacts/reliability/report.md"
cat artifacts/reliability/report.md 2>/dev/null || echo "(no figures: see the test output above)"
exit $status
