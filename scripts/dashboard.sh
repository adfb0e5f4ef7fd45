#!/usr/bin/env bash
# A real OpenTelemetry dashboard for the vhd tool: the Aspire dashboard (NuGet package
# Aspire.Dashboard.Sdk.linux-x64, a self-contained binary that runs offline), OTLP/gRPC on 4317,
# OTLP/HTTP on 4318, the UI on http://127.0.0.1:18888 (anonymous: for local use only).
#
#   bash scripts/dashboard.sh                 start it, run the demo exporting to it, leave it running
#   bash scripts/dashboard.sh --start         only start it (waits until it answers)
#   bash scripts/dashboard.sh --stop          stop the dashboard this script started
#   bash scripts/dashboard.sh --fetch         only download the package (scripts/setup.sh does this)
#   bash scripts/dashboard.sh --screenshot F  a PNG of the newest `vhd write` trace (headless Chromium
#                                             driven by playwright-core from npm)
#
#   VHD_DASHBOARD_UI_PORT, VHD_DASHBOARD_GRPC_PORT, VHD_DASHBOARD_HTTP_PORT  other ports
#   VHD_DASHBOARD_PID                                                       pid file (default /tmp/vhd-dashboard.pid)
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=13.6.5
UI=${VHD_DASHBOARD_UI_PORT:-18888}
GRPC=${VHD_DASHBOARD_GRPC_PORT:-4317}
HTTP=${VHD_DASHBOARD_HTTP_PORT:-4318}
PIDFILE=${VHD_DASHBOARD_PID:-/tmp/vhd-dashboard.pid}
PACKAGES=${NUGET_PACKAGES:-$HOME/.nuget/packages}
BIN=$PACKAGES/aspire.dashboard.sdk.linux-x64/$VERSION/tools/Aspire.Dashboard
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

fetch() {
  [ -x "$BIN" ] && return 0
  local dir; dir=$(mktemp -d)
  cat > "$dir/fetch.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
  <ItemGroup><PackageDownload Include="Aspire.Dashboard.Sdk.linux-x64" Version="[$VERSION]" /></ItemGroup>
</Project>
PROJ
  dotnet restore "$dir/fetch.csproj" -v q -nologo >/dev/null
  rm -rf "$dir"
  chmod u+x "$BIN"
}

start() {
  fetch
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then echo "dashboard: already running (pid $(cat "$PIDFILE"))"; return 0; fi
  local log=${PIDFILE%.pid}.log
  ASPNETCORE_URLS=http://127.0.0.1:$UI \
  ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:$GRPC \
  ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://127.0.0.1:$HTTP \
  ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true \
  DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    setsid "$BIN" > "$log" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 120); do
    if curl -fs -o /dev/null "http://127.0.0.1:$UI/api/telemetry/traces"; then
      echo "dashboard: http://127.0.0.1:$UI (OTLP/gRPC :$GRPC, OTLP/HTTP :$HTTP), pid $(cat "$PIDFILE"), log $log"
      return 0
    fi
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { cat "$log" >&2; echo "dashboard: exited" >&2; exit 1; }
    sleep 0.5
  done
  echo "dashboard: no answer on :$UI after 60 s" >&2; stop; exit 1
}

stop() {
  [ -f "$PIDFILE" ] || return 0
  kill "$(cat "$PIDFILE")" 2>/dev/null || true
  rm -f "$PIDFILE"
}

screenshot() { # file
  local trace out=$1 profile
  trace=$(curl -fs "http://127.0.0.1:$UI/api/telemetry/traces" | python3 -c '
import json, sys
spans = [s for r in json.load(sys.stdin)["data"]["resourceSpans"] for ss in r["scopeSpans"] for s in ss["spans"]]
roots = [s for s in spans if s["name"] == "vhd write" and not s.get("parentSpanId")]
print(max(roots, key=lambda s: int(s["startTimeUnixNano"]))["traceId"] if roots else "")')
  [ -n "$trace" ] || { echo "dashboard: no 'vhd write' trace yet" >&2; exit 1; }
  profile=$(mktemp -d)
  # playwright-core (npm) drives Debian's Chromium; nothing else is downloaded.
  npm install --silent --no-audit --no-fund --prefix "$profile/node" playwright-core@1 >/dev/null
  NODE_PATH=$profile/node/node_modules node scripts/dashboard-shot.js "http://127.0.0.1:$UI/traces/detail/$trace" "$out" "$profile/chromium"
  rm -rf "$profile"
  echo "dashboard: trace $trace -> $out"
}

case "${1:-}" in
  --fetch) fetch ;;
  --start) start ;;
  --stop) stop ;;
  --screenshot) screenshot "${2:?usage: dashboard.sh --screenshot FILE}" ;;
  "")
    start
    OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$GRPC OTEL_EXPORTER_OTLP_PROTOCOL=grpc bash scripts/demo.sh
    echo "dashboard: open http://127.0.0.1:$UI (traces, metrics); stop it with: bash scripts/dashboard.sh --stop"
    ;;
  *) sed -n '2,17p' "$0"; exit 2 ;;
esac
