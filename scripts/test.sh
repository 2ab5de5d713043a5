#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine with the .NET SDK:
# installs what the tests need when it is missing, starts a throw-away PostgreSQL
# on a loopback port for the PostgreSQL variants, builds, tests, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

need_pkgs=()
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
command -v ZXingReader >/dev/null 2>&1 || need_pkgs+=(zxing-cpp-tools)
command -v dmtxread >/dev/null 2>&1 || need_pkgs+=(dmtx-utils)
command -v pdftotext >/dev/null 2>&1 || need_pkgs+=(poppler-utils)
command -v sqlite3 >/dev/null 2>&1 || need_pkgs+=(sqlite3)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_pkgs+=(postgresql)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_pkgs+=(fonts-dejavu-core)
# The statistics oracle: Debian's SciPy and statsmodels, seen by /usr/bin/python3.
/usr/bin/python3 -c "import scipy, statsmodels, pandas" >/dev/null 2>&1 || need_pkgs+=(python3-scipy python3-statsmodels python3-pandas)
# The ZPL oracle (tests/tools/zpl-render) runs on Node.js.
{ command -v node && command -v npm; } >/dev/null 2>&1 || need_pkgs+=(nodejs npm)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "Installing test tools: ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null || echo "warning: could not install ${need_pkgs[*]}; tests that need them will say so"
fi

# Zebrash, the ZPL renderer the label tests check our ZPL with, at the version the lock file pins.
if command -v npm >/dev/null 2>&1 && [ ! -d tests/tools/zpl-render/node_modules/zpl-renderer-js ]; then
  npm ci --prefix tests/tools/zpl-render --no-audit --no-fund >/dev/null || echo "warning: npm ci in tests/tools/zpl-render failed; the ZPL oracle test will say so"
fi

# Throw-away PostgreSQL on loopback (PostgreSQL refuses to run as root: run it as 'postgres').
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
PG_PORT=${BIOBANK_PG_PORT:-55432}
PG_DIR=""
stop_pg() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ -z "${BIOBANK_TEST_POSTGRES:-}" ] && [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ]; then
  PG_DIR=$(mktemp -d /tmp/biobank-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
  trap stop_pg EXIT
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
  export BIOBANK_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Pooling=true;Maximum Pool Size=50"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Biobank.sln -c Release -nologo -v q
# The command-line program as users run it (scripts/biobank publishes it ReadyToRun to artifacts/cli); the CLI tests start it.
scripts/biobank help >/dev/null
RESULTS="$ROOT/artifacts/test-results"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
set +e
# Extra arguments go to dotnet test (scripts/reliability.sh passes a filter and a logger).
dotnet test Biobank.sln -c Release --no-build --logger "trx" --results-directory "$RESULTS" "$@" -- RunConfiguration.TreatNoTestsAsError=false 2>&1 | tee "$RESULTS/console.log"
status=${PIPESTATUS[0]}
set -e
# One closing line in the plain form CI reads: totals across every test project.
python3 - "$RESULTS" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
p=f=s=0
for t in glob.glob(sys.argv[1]+"/*.trx"):
    c=ET.parse(t).getroot().find('.//{*}Counters')
    if c is None: continue
    p+=int(c.get('passed',0)); f+=int(c.get('failed',0))+int(c.get('error',0)); s+=int(c.get('notExecuted',0))
print(f"tests: {p} passed, {f} failed, {s} skipped")
PY
exit $status
