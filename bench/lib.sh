# Shell helpers shared by the bench scripts (sourced from the repository root, not run).
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
RID=linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')

need_pkg() { # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "installing $2 (for $1)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "$2" >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq "$2" >/dev/null; fi
}
need_dotnet() {
  command -v dotnet >/dev/null || { echo "bench: the .NET 10 SDK must be on PATH" >&2; exit 1; }
}

# The "== machine" block; the arguments are the "tool: version" lines of the tools compared.
machine() {
  echo "== machine"
  echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu:       $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory:    $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel:    $(uname -sr)"
  printf '%s\n' "$@"
  echo "dotnet:    $(dotnet --version)"
  echo "load:      $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
}

median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "nan"; exit} if (NR%2) print v[(NR+1)/2]; else printf "%.6g\n", (v[NR/2]+v[NR/2+1])/2}'; }

# The median of a space-separated list of numbers ("" for none: "nan").
median_of() { tr ' ' '\n' <<<"$1" | grep . | median; }

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The JIT build of the tool (serve and bench host an ActorSystem), ReadyToRun as it ships, into
# ART (the first argument); sets VHD to it.
publish_hosted() {
  mkdir -p "$1"
  echo "== build (Release)"
  dotnet publish src/VhdTool/VhdTool.csproj -c Release -r "$RID" --self-contained false -p:PublishReadyToRun=true \
    --artifacts-path "$1" -v q -nologo >"$1.build.log" 2>&1 || { tail -30 "$1.build.log" >&2; exit 1; }
  VHD=$1/publish/VhdTool/release_$RID/vhd
}
