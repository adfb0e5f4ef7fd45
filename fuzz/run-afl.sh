#!/usr/bin/env bash
# Builds, instruments and runs the AFL++ fuzzer on the VHD engine (see README.md).
#   fuzz/run-afl.sh [SECONDS]    (default: until interrupted; resumes fuzz/findings if it exists)
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:$HOME/.dotnet/tools" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v afl-fuzz >/dev/null || { echo "install afl++: apt-get install -y afl++" >&2; exit 1; }
command -v sharpfuzz >/dev/null || dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
rm -rf out
dotnet publish Storage.Fuzz.csproj -c Release -o out -v q -nologo
sharpfuzz out/Storage.VhdEngine.dll
input=corpus
[ -d findings/default/queue ] && input=-
timeout_args=()
[ $# -gt 0 ] && timeout_args=(-V "$1")
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=${AFL_NO_UI:-1}
exec afl-fuzz -i "$input" -o findings -t 10000 -m none "${timeout_args[@]}" -- dotnet out/Storage.Fuzz.dll afl
