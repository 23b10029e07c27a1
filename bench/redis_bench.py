#!/usr/bin/env python3
"""redis_ping_c64: PING ops/s from 64 concurrent clients against one redis-server (core 0), the
client on core 1, side by side in one run:

  aio            bench/redis_load.cpp: 64 tasks on ONE pipelined aio::redis connection
  redis-benchmark  redis-tools' C client: -P 1 -c 64 -t ping (64 connections, PING_MBULK)
  redis-py       python3-redis's redis.asyncio: 64 tasks sharing one client (its pool)

Bar (issue 15): aio >= 0.8x redis-benchmark. Reps are interleaved so drift hits all alike; the
median is printed.

    bench/redis_bench.py --bin-dir build/release/bin [--reps 3] [--duration 5]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench_procs import PY, free_port

PY_CLIENT = r'''
import asyncio, sys, time
import redis.asyncio as redis
async def main(port, duration):
    r = redis.Redis(host="127.0.0.1", port=port, max_connections=64)
    await r.ping()
    ops = 0
    stop = time.monotonic() + duration
    async def worker():
        nonlocal ops
        while time.monotonic() < stop:
            await r.ping()
            ops += 1
    t0 = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(64)))
    took = time.monotonic() - t0
    print(ops, took, ops / took)
    await r.aclose() if hasattr(r, "aclose") else await r.close()
asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))
'''


def taskset(core, argv):
    return (["taskset", "-c", str(core)] if shutil.which("taskset") else []) + argv


def start_redis(port, tmp):
    proc = subprocess.Popen(taskset(0, ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                        "--appendonly", "no", "--dir", tmp, "--logfile", os.path.join(tmp, "log")]))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG":
            return proc
        time.sleep(0.02)
    proc.kill()
    sys.exit("redis-server did not start")


def run_aio(bin_dir, port, duration):
    out = subprocess.run(taskset(1, [os.path.join(bin_dir, "redis_load"), "--port", str(port), "--duration",
                                     str(duration)]), capture_output=True, text=True, check=True, timeout=duration + 30)
    return float(out.stdout.split()[2])


def run_redis_benchmark(port, duration):
    # -n sized to last about `duration` at ~20k ops/s (a loaded 2-core box); the rate is compared.
    n = int(20000 * duration)
    out = subprocess.run(taskset(1, ["redis-benchmark", "-p", str(port), "-P", "1", "-c", "64", "-t", "ping", "-n",
                                     str(n), "--csv"]), capture_output=True, text=True, check=True,
                         timeout=duration * 60 + 60)
    for line in out.stdout.splitlines():
        if line.startswith('"PING_MBULK"'):
            return float(line.split(",")[1].strip('"'))
    raise RuntimeError("no PING_MBULK line in redis-benchmark's output:\n" + out.stdout)


def run_redis_py(port, duration):
    out = subprocess.run(taskset(1, [PY, "-c", PY_CLIENT, str(port), str(duration)]), capture_output=True, text=True,
                         check=True, timeout=duration + 60)
    return float(out.stdout.split()[2])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--quick", action="store_true", help="1 rep of 1 s (a smoke run)")
    args = ap.parse_args()
    if args.quick:
        args.reps, args.duration = 1, 1.0
    results = {"aio": [], "redis-benchmark": [], "redis-py": []}
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_redis(port, tmp)
        try:
            for _ in range(args.reps):
                results["aio"].append(run_aio(args.bin_dir, port, args.duration))
                results["redis-benchmark"].append(run_redis_benchmark(port, args.duration))
                results["redis-py"].append(run_redis_py(port, args.duration))
        finally:
            server.terminate()
            server.wait(timeout=10)
    med = {k: statistics.median(v) for k, v in results.items()}
    for k, v in med.items():
        print(f"redis_ping_c64 {k} {v:.0f}")
    ratio = med["aio"] / med["redis-benchmark"]
    print(f"redis_ping_c64 aio/redis-benchmark {ratio:.2f}x (bar >= 0.8x: {'met' if ratio >= 0.8 else 'NOT met'})")
    print(f"redis_ping_c64 aio/redis-py {med['aio'] / med['redis-py']:.2f}x")


if __name__ == "__main__":
    main()
