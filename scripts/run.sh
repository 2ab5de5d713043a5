#!/usr/bin/env bash
# Runs the web app on the embedded SQLite default, migrated and filled with demo data,
# and prints the URL and the demo sign-ins. Data lives in ~/.local/share/biobank unless
# Biobank__DataFolder or ConnectionStrings__Biobank say otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
export Biobank__SeedDemo=${Biobank__SeedDemo:-true}
URL=${BIOBANK_URL:-http://127.0.0.1:5080}
exec dotnet run --project src/Biobank.Web -c Release -- --urls "$URL"
