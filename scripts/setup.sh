#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine: the interop oracles
# (qemu-img/qemu-io, libvhdi's tools and Python binding, the NBD clients nbdinfo/nbdcopy and
# python3-libnbd), bzip2 for the sample images, clang and zlib for the Native AOT build of vhd
# (scripts/publish-native.sh), Chromium for screenshots of the dashboard and the crash report's
# rendering test, curl for scripts/dashboard.sh; then the NuGet packages, the Aspire dashboard's too.
set -euo pipefail
need=()
command -v qemu-img >/dev/null 2>&1 || need+=(qemu-utils)
command -v qemu-io >/dev/null 2>&1 || need+=(qemu-utils)
command -v vhdiinfo >/dev/null 2>&1 || need+=(libvhdi-utils)
/usr/bin/python3 -c 'import pyvhdi' >/dev/null 2>&1 || need+=(python3-libvhdi)
command -v nbdinfo >/dev/null 2>&1 || need+=(libnbd-bin)
command -v nbdcopy >/dev/null 2>&1 || need+=(libnbd-bin)
/usr/bin/python3 -c 'import nbd' >/dev/null 2>&1 || need+=(python3-libnbd)
command -v bzcat >/dev/null 2>&1 || need+=(bzip2)
command -v clang >/dev/null 2>&1 || need+=(clang)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v curl >/dev/null 2>&1 || need+=(curl)
if ((${#need[@]})); then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "setup: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v dotnet >/dev/null 2>&1 || { echo "setup: the .NET 10 SDK (dotnet) must be on PATH" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet restore Storage.sln -v q >/dev/null
bash "$(dirname "$0")/dashboard.sh" --fetch
