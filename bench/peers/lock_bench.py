"""The `lock` workload on asyncio (or uvloop): the twin of `lock_bench K N` (aio).

    /usr/bin/python3 lock_bench.py [K [N]] [--loop asyncio|uvloop]

K tasks (default 100) each acquire and release one asyncio.Lock N times (default
10,000), with `await asyncio.sleep(0)` inside the critical section, so the lock
is contended K ways and every acquisition but the first waits in its queue.

Prints one line, like bench/lock_bench.cpp:
    RESULT bench=lock n=<K*N acquisitions> secs=.. rss0_kb=.. hwm_kb=..
secs is measured inside the running loop around the workload only; rss0_kb is
VmRSS just before it, hwm_kb is VmHWM (peak RSS) right after it.
"""
import argparse
import asyncio
import sys
import time


def status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


class Shared:
    def __init__(self):
        self.lock = asyncio.Lock()
        self.inside = 0
        self.acquisitions = 0


async def worker(s, n):
    lock = s.lock
    sleep = asyncio.sleep
    for _ in range(n):
        async with lock:
            s.inside += 1
            if s.inside != 1:
                sys.exit(f"lock_bench: {s.inside} tasks inside the lock")
            s.acquisitions += 1
            await sleep(0)
            s.inside -= 1


async def main(k, n):
    s = Shared()
    rss0 = status_kb("VmRSS")
    t0 = time.perf_counter()
    await asyncio.gather(*[asyncio.create_task(worker(s, n)) for _ in range(k)])
    secs = time.perf_counter() - t0
    hwm = status_kb("VmHWM")
    if s.acquisitions != k * n or s.lock.locked():
        sys.exit(f"lock_bench: {s.acquisitions} acquisitions of {k * n}")
    print(f"RESULT bench=lock n={k * n} secs={secs:.4f} rss0_kb={rss0} hwm_kb={hwm}", flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("k", type=int, nargs="?", default=100)
    ap.add_argument("n", type=int, nargs="?", default=10000)
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    a = ap.parse_args()
    if a.loop == "uvloop":
        import uvloop
        uvloop.install()
    asyncio.run(main(a.k, a.n))
