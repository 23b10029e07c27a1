#!/usr/bin/env bash
# Runs aio's benchmarks against its peers and prints `<figure> <runtime> <value> <unit>` medians,
# then ratios and goals (see shared/BENCHMARKS.md). `make bench` calls it after a release build:
#
#   scripts/bench.sh [BUILD_DIR] [run_bench.py options...]
#       BUILD_DIR     a build tree (its bin/ holds tasks_bench) or the bin/ folder itself;
#                     default: $AIO_BIN_DIR, else $AIO_BUILD_DIR/bin, else build/release/bin
#       --quick       1 rep of everything (smoke run, ~1 min)
#       --reps N      reps per workload (default 5; timers 3)
#       --with-peers  also build the Asio/Tokio peers in /tmp/peers first (slow)
#       --workloads spawn,timers   --runtimes aio,uvloop   --out samples.jsonl
#   make bench ARGS="--quick"
#
# Everything runs pinned to core 0 with Debian's /usr/bin/python3 (it sees python3-uvloop).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bin_dir=""
if [[ $# -gt 0 && "$1" != -* ]]; then
    if [[ -x "$1/bin/tasks_bench" ]]; then
        bin_dir="$1/bin"
    elif [[ -x "$1/tasks_bench" ]]; then
        bin_dir="$1"
    else
        echo "bench.sh: no tasks_bench in $1 or $1/bin" >&2
        exit 1
    fi
    shift
elif [[ -n "${AIO_BIN_DIR:-}" ]]; then
    bin_dir="$AIO_BIN_DIR"
elif [[ -n "${AIO_BUILD_DIR:-}" ]]; then
    bin_dir="$AIO_BUILD_DIR/bin"
else
    bin_dir="build/release/bin"
fi
if [[ ! -x "$bin_dir/tasks_bench" ]]; then
    echo "bench.sh: $bin_dir/tasks_bench not found; build first: cmake --preset release && cmake --build --preset release" >&2
    exit 1
fi

for tool in taskset /usr/bin/python3; do
    command -v "$tool" >/dev/null || { echo "bench.sh: $tool is missing (scripts/deps.sh bench)" >&2; exit 1; }
done

echo "== aio benchmarks: $bin_dir/tasks_bench vs peers (core 0)"
/usr/bin/python3 "$root/bench/run_bench.py" --bin-dir "$bin_dir" "$@"

# The HTTP client workload: ClientSession with 64 concurrent requests vs wrk, Node, aiohttp
# (bench/http_client_bench.py; the raw C server on core 1, the clients on core 0).
echo
echo "== http_client_c64: aio ClientSession vs wrk -t1 -c64, Node, aiohttp"
/usr/bin/python3 "$root/bench/http_client_bench.py" --bin-dir "$bin_dir" $([[ " $* " == *" --quick "* ]] && echo --quick) || true

# The HTTP/1.1 parser choice (docs/http.md): aio's parser vs Boost.Beast and http-parser, on core 0.
echo
if [[ -x "$bin_dir/http_parser_bench" ]]; then
    parser_runs=7
    for a in "$@"; do [[ "$a" == --quick ]] && parser_runs=1; done
    taskset -c 0 "$bin_dir/http_parser_bench" --runs "$parser_runs"
else
    echo "== http_parser_bench: not built"
fi

# The echo workload: servers on core 0, the load generator on core 1 (bench/echo_bench.py).
echo
echo "== echo: aio streams and Protocol vs raw C epoll, asyncio, uvloop"
echo_args=()
for a in "$@"; do [[ "$a" == --quick ]] && echo_args+=(--quick); done
/usr/bin/python3 "$root/bench/echo_bench.py" --bin-dir "$bin_dir" --syscalls "${echo_args[@]}"

# The http workload: wrk -t1 against example_http_hello and its peers, server on core 0, wrk on
# core 1 (bench/http_bench.py); also the memory of 10,000 idle keep-alive connections.
echo
echo "== http: aio::http::Server vs raw C epoll, aiohttp, node, Beast (wrk -t1 -c64/-c256)"
/usr/bin/python3 "$root/bench/http_bench.py" --bin-dir "$bin_dir" --syscalls "${echo_args[@]}"

# The WebSocket workloads: 64-byte text ping-pong on 64 connections (bench/ws_load.cpp on core 1)
# against aio, Node's ws, python3-websockets and aiohttp, and aio's own TCP streams echo at c=64;
# also the memory of 10,000 idle websockets (bench/ws_bench.py).
echo
echo "== ws_echo_c64: aio::ws vs Node ws, websockets, aiohttp, aio TCP streams echo"
/usr/bin/python3 "$root/bench/ws_bench.py" --bin-dir "$bin_dir" "${echo_args[@]}"

# Seed 002's comment counter over a 10,000-item tree against the fixture server (core 1): aio's
# example_hn_comments beside its aiohttp twin (bench/crawl_bench.py).
echo
echo "== crawl: seed 002 on aio vs its aiohttp twin, 10,000 items"
/usr/bin/python3 "$root/bench/crawl_bench.py" --bin-dir "$bin_dir" "${echo_args[@]}"

# PING from 64 tasks on one pipelined connection to a redis-server of its own, beside
# redis-benchmark -P 1 -c 64 and python3-redis's asyncio client (bench/redis_bench.py).
echo
echo "== redis_ping_c64: aio::redis vs redis-benchmark, redis-py"
exec /usr/bin/python3 "$root/bench/redis_bench.py" --bin-dir "$bin_dir" "${echo_args[@]}"
