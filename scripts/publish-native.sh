#!/usr/bin/env bash
# Publishes the vhd tool as a native executable (Native AOT, linked with Debian's clang) plus its
# JIT companion for the commands that host an ActorSystem (Akka.NET cannot run ahead-of-time
# compiled):
#
#   OUT/vhd               native: every one-shot command (create, info, read, write, convert,
#                         snapshot, commit, check, repair, crashtest) starts in milliseconds
#   OUT/vhd-hosted/vhd    JIT build (ReadyToRun, framework-dependent): bench and serve;
#                         OUT/vhd hands those commands to it with the same arguments
#
#   bash scripts/publish-native.sh [OUT]     (default: artifacts/vhd)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-artifacts/vhd}
RID=linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v clang >/dev/null || { echo "publish-native: clang is missing (bash scripts/setup.sh installs it)" >&2; exit 1; }
mkdir -p "$OUT"
dotnet publish src/VhdTool/VhdTool.csproj -c Release -r "$RID" -p:VhdNative=true -o "$OUT" -v q -nologo
rm -f "$OUT"/*.pdb "$OUT"/*.xml "$OUT"/*.dbg
dotnet publish src/VhdTool/VhdTool.csproj -c Release -r "$RID" --self-contained false -p:PublishReadyToRun=true -o "$OUT/vhd-hosted" -v q -nologo
echo "publish-native: $OUT/vhd ($(du -h "$OUT/vhd" | cut -f1)), companion $OUT/vhd-hosted/vhd"
