#!/usr/bin/env bash
# Builds the parsers' fuzzers (HTTP, and the WebSocket reader) into build/fuzz and runs each
# for SECONDS (default 60), one after the other, from its committed seeds (fuzz/corpus/<target>,
# read only) plus what earlier runs found (build/fuzz/corpus/<target>, where libFuzzer writes). A finding stops the run: libFuzzer
# leaves the input as build/fuzz/crash-* (or leak-*, timeout-*) and this script exits non-zero.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     (`make fuzz FUZZ_SECONDS=600`)
#   FUZZ_RUNS=10000000 fuzz/run.sh        a number of executions instead of a time
#   FUZZ_MAX_LEN=4096 fuzz/run.sh          shorter inputs (default 16384: past the 8 KiB limits)
# -timeout is generous (60 s of wall time per input) because a busy machine can stall a process
# for seconds; every input in the seeds runs in well under a millisecond.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(request_parser response_parser chunked_decoder ws_reader multipart_parser resp_parser)

command -v clang++ >/dev/null || { echo "fuzz/run.sh: clang++ is needed (libFuzzer)" >&2; exit 1; }
cmake -S fuzz -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build/fuzz

for t in "${targets[@]}"; do
    mkdir -p "build/fuzz/corpus/$t"
    limit=(-max_total_time="$seconds")
    [[ -n "${FUZZ_RUNS:-}" ]] && limit=(-runs="$FUZZ_RUNS")
    echo "== fuzz_$t: ${limit[*]}"
    log="build/fuzz/fuzz_$t.log"
    status=0
    (cd build/fuzz && exec "./fuzz_$t" "corpus/$t" "$root/fuzz/corpus/$t" "${limit[@]}" -max_len="${FUZZ_MAX_LEN:-16384}" \
        -timeout=60 -rss_limit_mb=2048 -print_final_stats=1) >"$log" 2>&1 || status=$?
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
    if ((status != 0)); then
        echo "fuzz/run.sh: fuzz_$t found something (exit $status); the input is in build/fuzz/; log: $log" >&2
        tail -n 40 "$log" >&2
        exit "$status"
    fi
done
