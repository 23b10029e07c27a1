#!/usr/bin/env python3
"""Issue 15's `crawl` workload: seed 002's comment counter over a 10,000-item tree, aio beside its
aiohttp twin, on the same fixture server, side by side in one run:

  crawl   ms to count the comments of story 8863 in a 10,000-item tree (the program's own
          "Calculating comments took X seconds and N fetches" line: the crawl, not the start of
          the interpreter), and fetches/s

The fixture (example_fixtures --items N, no added latency) runs on core 1, the crawler on core 0.
Both crawlers fetch through a pooled client with the same connection limit (100: aiohttp's
TCPConnector default and aio's). Reps are interleaved, so drift on the shared machine hits both.

    bench/crawl_bench.py --bin-dir build/release/bin [--reps 5] [--items 10000] [--quick]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

from bench_procs import PY, ROOT, stop_server

HERE = os.path.dirname(os.path.abspath(__file__))
TWIN = os.path.join(HERE, "peers", "seeds", "hn_comments.py")
TOOK = re.compile(r"Calculating comments took ([0-9.]+) seconds and ([0-9]+) fetches")
STORY = 8863


def start_fixture(bin_dir, items):
    proc = subprocess.Popen(["taskset", "-c", "1", os.path.join(bin_dir, "example_fixtures"), "--host", "127.0.0.1",
                             "--port", "0", "--items", str(items)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.match(r"listening on (http://\S+)", line)
    if not m:
        proc.kill()
        raise RuntimeError(f"example_fixtures: {line!r} {proc.stderr.read()[:300]}")
    return proc, m.group(1)


def crawl(argv, items):
    """(seconds, fetches) from one run of a crawler."""
    out = subprocess.run(["taskset", "-c", "0"] + argv, capture_output=True, text=True, timeout=600)
    m = TOOK.search(out.stderr) or TOOK.search(out.stdout)
    if out.returncode != 0 or not m:
        raise RuntimeError(f"{argv[0]} exited {out.returncode}: {out.stderr.strip()[-300:]}")
    secs, fetches = float(m.group(1)), int(m.group(2))
    if fetches != items:
        raise RuntimeError(f"{argv[0]}: {fetches} fetches for a {items}-item tree")
    return secs, fetches


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, "build", "release", "bin"))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.reps, a.items = 1, 2000

    fixture, base = start_fixture(a.bin_dir, a.items)
    runtimes = {"aio": [os.path.join(a.bin_dir, "example_hn_comments"), "--base-url", base, "--id", str(STORY), "--timing-decimals", "4"]}
    if os.path.exists(PY) and subprocess.run([PY, "-c", "import aiohttp"], capture_output=True).returncode == 0:
        runtimes["aiohttp"] = [PY, TWIN, "--base-url", base, "--id", str(STORY), "--timing-decimals", "4"]
    else:
        print("# aiohttp twin skipped: /usr/bin/python3 cannot import aiohttp", file=sys.stderr)
    samples = {name: [] for name in runtimes}
    try:
        for rep in range(a.reps):
            for name, argv in runtimes.items():
                secs, fetches = crawl(argv, a.items)
                samples[name].append(secs)
                print(f"# rep{rep} {name:8} {secs * 1000:9.1f} ms  {fetches / secs:9.0f} fetches/s", flush=True)
    finally:
        stop_server(fixture)

    print()
    med = {name: statistics.median(s) for name, s in samples.items()}
    for name, secs in med.items():
        print(f"crawl {name} {secs * 1000:.1f} ms")
    for name, secs in med.items():
        print(f"crawl_fetches_per_s {name} {a.items / secs:.0f} fetches/s")
    if "aiohttp" in med:
        ratio = med["aiohttp"] / med["aio"]
        print(f"\n# ratio (same run): aiohttp's crawl time over aio's: {ratio:.1f}x")
        print(f"# bar: aio >= 10x faster than the aiohttp twin: {'met' if ratio >= 10 else 'NOT met'} ({ratio:.1f}x)")


if __name__ == "__main__":
    main()
