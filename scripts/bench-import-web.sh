#!/usr/bin/env bash
# Issue #15: does Hangfire cost the 1M-row NPX import more than 5 %? The same file, into fresh copies of the same
# seeded SQLite database, through the built CLI (process start included) and through the web app's upload and its
# Hangfire job (from the start of the upload's POST until the job row says succeeded).
#   scripts/bench-import-web.sh [RUNS]      seeds $BIOBANK_BENCH_DIR (~/.cache/biobank-import-bench) once
# Needs the Release build (dotnet build Biobank.sln -c Release) and sqlite3, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
B=${BIOBANK_BENCH_DIR:-$HOME/.cache/biobank-import-bench}
CLI=$PWD/src/Biobank.Cli/bin/Release/net10.0/biobank.dll
WEB=$PWD/src/Biobank.Web/bin/Release/net10.0/Biobank.Web.dll
GEN=$PWD/tests/Biobank.Benchmarks/bin/Release/net10.0/Biobank.Benchmarks.dll
for f in "$CLI" "$WEB" "$GEN"; do [ -f "$f" ] || { echo "build first: dotnet build Biobank.sln -c Release ($f)"; exit 2; }; done
mkdir -p "$B"
if [ ! -f "$B/npx-1m.csv" ]; then
  rm -f "$B"/seed.db*
  ConnectionStrings__Biobank="Data Source=$B/seed.db" dotnet "$CLI" seed-demo --patients 200 >/dev/null
  sqlite3 "$B/seed.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  dotnet "$GEN" generate-npx --db "Data Source=$B/seed.db" --out "$B/npx-1m.csv" --rows 1000000
fi
fresh() { rm -f "$1" "$1-wal" "$1-shm" "${1%.db}.hangfire.db"*; sqlite3 "$B/seed.db" ".backup '$1'"; }
now() { date +%s.%N; }
port=${BIOBANK_BENCH_PORT:-5391}
url=http://127.0.0.1:$port
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
  fresh "$B/cli.db"
  t0=$(now)
  ConnectionStrings__Biobank="Data Source=$B/cli.db" dotnet "$CLI" import-assay "$B/npx-1m.csv" --format npx --run BENCH-CLI > "$B/cli.out"
  t1=$(now)
  printf 'cli %d: %.2f s wall (%s)\n' "$i" "$(echo "$t1 - $t0" | bc)" "$(tail -1 "$B/cli.out")"

  fresh "$B/web.db"
  ( cd src/Biobank.Web && exec env ${BIOBANK_BENCH_WEB_ENV:-} ASPNETCORE_ENVIRONMENT=Development Database__Provider=Sqlite ConnectionStrings__Biobank="Data Source=$B/web.db" \
      Biobank__SeedDemo=false Biobank__DataFolder="$B" dotnet "$WEB" --urls "$url" > "$B/web.log" 2>&1 ) &
  web=$!
  until curl -sf "$url/health" >/dev/null; do sleep 0.2; done
  jar="$B/cookies"; rm -f "$jar"
  token() { curl -s -c "$jar" -b "$jar" "$url$1" | grep -oP 'name="__RequestVerificationToken" type="hidden" value="\K[^"]+' | head -1; }
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "__RequestVerificationToken=$(token /Account/Login)" \
    --data-urlencode "Input.UserName=biologist" --data-urlencode "Input.Password=biobank-demo-2026" "$url/Account/Login"
  tok=$(token /Assays)
  sleep 2   # the app idle, as an upload finds it
  t0=$(now)
  curl -s -o /dev/null -c "$jar" -b "$jar" -F "__RequestVerificationToken=$tok" -F Format=npx -F RunCode=BENCH-WEB -F ConsumeUl=10 \
    -F "Upload=@$B/npx-1m.csv;type=text/csv" "$url/Assays"
  t1=$(now)
  # The web log's line for the job's end, not a poll of the database: a poller would compete for the two cores.
  until grep -q "Import job .* \(succeeded\|failed\|cancelled\)" "$B/web.log"; do sleep 0.1; done
  t2=$(now)
  row=$(sqlite3 "$B/web.db" "SELECT state, created_utc, started_utc, finished_utc, message FROM import_job ORDER BY id DESC LIMIT 1")
  printf 'web %d: %.2f s from POST to %s (upload answered after %.2f s); job row: %s\n' "$i" "$(echo "$t2 - $t0" | bc)" "${row%%|*}" "$(echo "$t1 - $t0" | bc)" "$row"
  grep -E "Assay import job .* starting|Import job .* succeeded" "$B/web.log" | cut -c1-24 | paste -sd' ' | sed 's/^/  hangfire started the job, the job succeeded: /'
  kill "$web"; wait "$web" 2>/dev/null || true
done
