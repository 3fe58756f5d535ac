#!/usr/bin/env bash
# Where a real run spends its time, by function: samples a benchmark run with Linux perf (timer
# sampling, so it works in a VM without hardware counters) and prints the functions with the most
# samples, their .NET signatures shortened to Class::Method.
#
#   tools/profile/perf-functions.sh [top-N] -- <Cnn.Benchmarks arguments>
#   tools/profile/perf-functions.sh 30 -- --scaling --models resnet8 --threads 2 --repeat 1
#
# Needs `perf` (Debian: linux-perf) and a Release build of Cnn.Benchmarks. The runtime writes its
# JIT symbols to /tmp/perf-PID.map (DOTNET_PerfMapEnabled); W^X is turned off so that perf sees the
# code at the addresses the map names. Self time only: a kernel inlined into its caller counts there.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=40
if [[ $# -gt 0 && $1 != -- ]]; then top=$1; shift; fi
[[ ${1:-} == -- ]] && shift
command -v perf > /dev/null || { echo "perf is not installed (Debian: apt-get install linux-perf)" >&2; exit 1; }
dll=Cnn.Benchmarks/bin/Release/net10.0/Cnn.Benchmarks.dll
[[ -f $dll ]] || { echo "$dll is missing: run dotnet build CnnDsl.sln -c Release first" >&2; exit 1; }
data=$(mktemp /tmp/perf-functions.XXXXXX)
trap 'rm -f "$data"' EXIT
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 \
  perf record -q -F 1999 -e cpu-clock -o "$data" -- dotnet "$dll" "$@" >&2
perf report -i "$data" --no-children --sort symbol 2>/dev/null |
  grep -Ev '^(#|$)' |
  sed -E 's/\(.*//; s/ +- +- *$//' |
  awk '{ name = $NF; if (split(name, part, "::") == 2) { sub(/^.*\./, "", part[1]); name = part[1] "::" part[2] }; printf "%7s  %s\n", $1, name }' |
  head -n "$top"
