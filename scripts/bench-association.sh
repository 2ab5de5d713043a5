#!/usr/bin/env bash
# The association-scan benchmark of issue #8: 2,600 miRNAs × 2,300 patients, change BASELINE → M3 against the mean
# heart dose with age, sex and modality as covariates, from the embedded SQLite database.
#   ./scripts/bench-association.sh                       full scale (the seed takes about 2.5 min the first time)
#   BENCH_PATIENTS=300 BENCH_MIRNAS=400 ./scripts/bench-association.sh     a quick look
# Prints, per run, the split the CLI reports (loading / computing) and the whole process's wall time and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
PATIENTS=${BENCH_PATIENTS:-2300}
MIRNAS=${BENCH_MIRNAS:-2600}
RUNS=${BENCH_RUNS:-3}
DIR=${BENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/biobank-bench}
DB="$DIR/association-$PATIENTS-$MIRNAS.db"
mkdir -p "$DIR"
if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (for peak memory)…"
  apt-get install -y -qq time >/dev/null 2>&1 || sudo apt-get install -y -qq time >/dev/null
fi
scripts/biobank help >/dev/null   # publishes artifacts/cli when a source changed
CLI=artifacts/cli/biobank
export ConnectionStrings__Biobank="Data Source=$DB"
if [ ! -f "$DB" ]; then
  echo "seeding $DB: $PATIENTS patients, $MIRNAS miRNAs measured at BASELINE, EOT and M3…"
  "$CLI" seed-demo --patients "$PATIENTS" --mirnas "$MIRNAS" | head -1
fi
ARGS=(associate --biomarkers class:mirna --response change:BASELINE:M3 --dose heart:mean --covariates age,sex,modality --out "$DIR/results.csv")
# One untimed run first: it warms the OS file cache and packs any run still without its matrix (a database
# seeded before migration 0009).
"$CLI" "${ARGS[@]}" >/dev/null
for i in $(seq 1 "$RUNS"); do
  /usr/bin/time -f "process: wall %e s, peak RSS %M KB" "$CLI" "${ARGS[@]}" 2>&1 | grep -E "biomarkers,|Loading|process:" | sed "s/^/run $i: /"
done
echo "top of $DIR/results.csv:"
head -4 "$DIR/results.csv" | cut -d, -f1-2,6,10
