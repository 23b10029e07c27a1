"""The `timers` workload on asyncio (or uvloop): the twin of `tasks_bench timers N` (aio).

    /usr/bin/python3 timers_bench.py N [--loop asyncio|uvloop]

N loop.call_later callbacks with delays i/N s (spread evenly over 0..1 s); every odd one is
cancelled (TimerHandle.cancel) right after all are scheduled, before any can fire; the run
ends when the last one has fired.

Prints one line, like the peers' tasks_bench.py:
    RESULT bench=timers n=.. secs=.. rss0_kb=.. hwm_kb=.. cpu_secs=..
secs is measured inside the running loop around the workload only; rss0_kb is VmRSS just
before it, hwm_kb is VmHWM (peak RSS) right after it; cpu_secs is the process CPU time spent
in between (the loop sleeps while it waits for the timers, so wall time has a 1 s floor).
"""
import argparse
import asyncio
import time


def status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


async def bench_timers(n):
    loop = asyncio.get_running_loop()
    all_fired = loop.create_future()
    expected = n - n // 2  # the even indexes fire
    fired = 0

    def on_timer():
        nonlocal fired
        fired += 1
        if fired == expected:
            all_fired.set_result(None)

    call_later = loop.call_later
    handles = [call_later(i / n, on_timer) for i in range(n)]
    for h in handles[1::2]:
        h.cancel()
    if expected:
        await all_fired
    assert fired == expected, (fired, expected)


async def main(n):
    rss0 = status_kb("VmRSS")
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    await bench_timers(n)
    secs = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    print(f"RESULT bench=timers n={n} secs={secs:.4f} rss0_kb={rss0} "
          f"hwm_kb={status_kb('VmHWM')} cpu_secs={cpu:.4f}", flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    a = ap.parse_args()
    if a.loop == "uvloop":
        import uvloop
        uvloop.install()
    asyncio.run(main(a.n))
