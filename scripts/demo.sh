#!/usr/bin/env bash
# The main job in one go: set up, build the `vhd` tool, then create an image, write to it,
# snapshot it, write to the child, read both back, check them, and crash-test the engine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/VhdTool -c Release -v q -nologo >/dev/null
vhd() { dotnet src/VhdTool/bin/Release/net10.0/vhd.dll "$@"; }
out=demo-out
rm -rf "$out" && mkdir -p "$out"
set -x
vhd create "$out/base.vhd" --size 64M
printf 'hello from the base image' | vhd write "$out/base.vhd" --offset 1048576
vhd snapshot "$out/base.vhd" "$out/child.vhd"
printf 'HELLO FROM THE CHILD DISK' | vhd write "$out/child.vhd" --offset 1048576
vhd read "$out/base.vhd" --offset 1048576 --length 25; echo
vhd read "$out/child.vhd" --offset 1048576 --length 25; echo
vhd info "$out/child.vhd"
vhd check "$out/child.vhd"
vhd crashtest
