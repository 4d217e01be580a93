#!/usr/bin/env bash
# Runs every fuzzer of a fuzz build for a bounded time from its committed seed corpus; fails on
# the first crash, sanitizer report, leak or time-out of an input. CI runs it after
# `cmake --preset fuzz && cmake --build --preset fuzz --target offload_fuzzers`.
#
#   tests/fuzz/run_all.sh [BUILD_DIR] [SECONDS_PER_FUZZER] [PARALLEL]
#
# New inputs go to a scratch folder, never into tests/fuzz/corpus; a crashing input is kept in
# BUILD_DIR/tests/fuzz/artifacts with the fuzzer's log beside it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-build/fuzz}"
seconds="${2:-30}"
parallel="${3:-$(nproc)}"
list="$build/tests/fuzz/FUZZERS"
[[ -f "$list" ]] || { echo "run_all.sh: $list not found (configure the fuzz preset first)" >&2; exit 2; }

artifacts="$build/tests/fuzz/artifacts"
rm -rf "$artifacts" && mkdir -p "$artifacts"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

run_one() { # NAME CORPUS
    local exe="$build/tests/fuzz/$1" seeds="$here/corpus/$2" log="$artifacts/$1.log"
    [[ -x "$exe" ]] || { echo "FAIL $1: $exe not built" >&2; return 1; }
    [[ -d "$seeds" ]] || { echo "FAIL $1: no seed corpus $seeds" >&2; return 1; }
    mkdir -p "$scratch/$1"
    local start=$SECONDS
    if "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$artifacts/$1-" "$scratch/$1" "$seeds" > "$log" 2>&1; then
        echo "ok   $1: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') inputs in $((SECONDS - start)) s"
    else
        echo "FAIL $1 (log: $log)" >&2
        tail -n 40 "$log" >&2
        return 1
    fi
}
export -f run_one
export build seconds here artifacts scratch

# Two columns per line: executable, corpus folder. xargs exits non-zero if any run failed.
xargs -P "$parallel" -L 1 bash -c 'run_one "$0" "$1"' < "$list"
echo "every fuzzer ran ${seconds} s without a failure"
