#!/usr/bin/python3
"""aio's benchmark driver: runs every workload on aio and its peers, interleaved, pinned to core 0,
and prints medians as `<figure> <runtime> <value> <unit>` lines, then ratios and goals.

    /usr/bin/python3 bench/run_bench.py [--bin-dir build/release/bin] [--reps N] [--quick]
                                        [--workloads spawn,timers] [--runtimes aio,asyncio]
                                        [--with-peers] [--peers-dir /tmp/peers] [--out FILE]

Runtimes: aio (build/release/bin/tasks_bench), asyncio and uvloop (Debian's /usr/bin/python3 with
python3-uvloop), and, where already built, the shared peers: asio (<peers-dir>/build/
asio_tasks_bench), tokio (<peers-dir>/tokio/target/release/tasks_bench), node (node on PATH).
`--with-peers` copies ../shared/peers to --peers-dir and runs its build.sh first (slow: installs
Boost and the Tokio crates, compiles Asio and Tokio).

Workloads and figures follow shared/BENCHMARKS.md. Every program prints one line
`RESULT bench=.. n=.. secs=.. rss0_kb=.. hwm_kb=..`, timed inside its running loop; bytes/task =
(hwm_kb - rss0_kb) * 1024 / n. Reps are interleaved (rep 1 of every workload and runtime, then
rep 2, ...) with the runtime order rotated each rep. Medians over reps are printed; the spread
(max-min)/median and the CPU load of other processes during the samples go to stderr.

Adding a workload (pingpong, echo, http, ...): append a Workload to WORKLOADS with its figures and,
per runtime, the command and N; the rest (reps, interleaving, medians, ratios, goals) is generic.
"""
import argparse
import dataclasses
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED_PEERS = os.path.normpath(os.path.join(ROOT, "..", "shared", "peers"))
if not os.path.isdir(SHARED_PEERS):
    SHARED_PEERS = "/work/shared/peers"
PY = "/usr/bin/python3"  # Debian's: the one that sees python3-uvloop
CORE = "0"
RUNTIMES = ["aio", "asyncio", "uvloop", "asio", "tokio", "node"]
LOWER_IS_BETTER = True


# ---------------------------------------------------------------------------------------------
# Where the programs are


@dataclasses.dataclass
class Paths:
    aio_bin: str      # directory holding aio's bench programs
    peers_dir: str    # a built copy of shared/peers (for asio/tokio), may not exist

    def aio(self, prog):
        return os.path.join(self.aio_bin, prog)

    def asyncio_tasks(self):
        return os.path.join(SHARED_PEERS, "asyncio", "tasks_bench.py")

    def timers_py(self):
        return os.path.join(HERE, "peers", "timers_bench.py")

    def asio_tasks(self):
        return os.path.join(self.peers_dir, "build", "asio_tasks_bench")

    def tokio_tasks(self):
        return os.path.join(self.peers_dir, "tokio", "target", "release", "tasks_bench")

    def node_tasks(self):
        return os.path.join(SHARED_PEERS, "node", "tasks_bench.js")


def runtime_available(rt: str, paths: Paths) -> Optional[str]:
    """None if `rt` can run here, else why not."""
    if rt == "aio":
        return None if os.access(paths.aio("tasks_bench"), os.X_OK) else f"no {paths.aio('tasks_bench')}"
    if rt in ("asyncio", "uvloop"):
        if not os.access(PY, os.X_OK):
            return f"no {PY}"
        if rt == "uvloop" and subprocess.run([PY, "-c", "import uvloop"], capture_output=True).returncode:
            return "python3-uvloop not installed (scripts/deps.sh bench)"
        return None
    if rt == "asio":
        return None if os.access(paths.asio_tasks(), os.X_OK) else "not built (--with-peers)"
    if rt == "tokio":
        return None if os.access(paths.tokio_tasks(), os.X_OK) else "not built (--with-peers)"
    if rt == "node":
        return None if shutil.which("node") else "node not on PATH"
    return "unknown runtime"


# ---------------------------------------------------------------------------------------------
# The workloads


@dataclasses.dataclass
class Figure:
    name: str                              # BENCHMARKS.md figure name
    unit: str
    value: Callable[[dict], float]         # from one parsed RESULT line
    goal: Optional[tuple] = None           # ("<=", 50) absolute, or ("x", "asyncio", 20): >= 20x better
    lower_is_better: bool = True
    note: str = ""


@dataclasses.dataclass
class Cmd:
    argv: Callable[[Paths], List[str]]
    n: int


@dataclasses.dataclass
class Workload:
    id: str
    figures: List[Figure]
    cmds: Dict[str, Cmd]                   # runtime -> command
    reps: int = 5                          # default reps (--reps overrides)
    timeout: float = 180.0
    enabled: bool = True                   # off: only with --workloads
    note: str = ""


def per_task_ns(r):
    return r["secs"] * 1e9 / r["n"]


def bytes_per_task(r):
    return (r["hwm_kb"] - r["rss0_kb"]) * 1024.0 / r["n"]


def wall_ms(r):
    return r["secs"] * 1e3


def cpu_ms(r):
    return r["cpu_secs"] * 1e3


def tasks_cmds(bench, n_native, n_python, aio_bench=None):
    """The W3 task programs: aio's tasks_bench and the shared peers' tasks_bench programs."""
    return {
        "aio": Cmd(lambda p: [p.aio("tasks_bench"), aio_bench or bench, str(n_native)], n_native),
        "asyncio": Cmd(lambda p: [PY, p.asyncio_tasks(), bench, str(n_python), "--loop", "asyncio"], n_python),
        "uvloop": Cmd(lambda p: [PY, p.asyncio_tasks(), bench, str(n_python), "--loop", "uvloop"], n_python),
        "asio": Cmd(lambda p: [p.asio_tasks(), bench, str(n_native)], n_native),
        "tokio": Cmd(lambda p: [p.tokio_tasks(), bench, str(n_native)], n_native),
        "node": Cmd(lambda p: ["node", p.node_tasks(), bench, str(n_native)], n_native),
    }


# Python peers run spawn/spawn_batch at 200k instead of 1M (per-task figures stay comparable;
# 1M would take ~13 s per sample on asyncio).
N_SPAWN, N_SPAWN_PY, N_SLEEP, N_TIMERS = 1_000_000, 200_000, 100_000, 1_000_000
N_LOCK, N_LOCK_PY = 1_000_000, 100_000  # lock: 100 tasks x 10,000 (Python: x 1,000)
N_PINGPONG, N_PINGPONG_PY = 1_000_000, 200_000  # round trips (Python: ~8 s per 1M on asyncio)

WORKLOADS: List[Workload] = [
    Workload("spawn", [Figure("spawn", "ns/task", per_task_ns, ("<=", 50))],
             tasks_cmds("spawn", N_SPAWN, N_SPAWN_PY)),
    Workload("spawn_batch",
             [Figure("spawn_batch", "ns/task", per_task_ns, ("<=", 150)),
              Figure("spawn_batch_mem", "bytes/task", bytes_per_task, ("<=", 128))],
             tasks_cmds("spawn_batch", N_SPAWN, N_SPAWN_PY),
             note="aio: N handles in a vector, co_await each in turn (cheaper than aio::gather)"),
    Workload("spawn_batch_gather",
             [Figure("spawn_batch_gather", "ns/task", per_task_ns),
              Figure("spawn_batch_gather_mem", "bytes/task", bytes_per_task)],
             {"aio": Cmd(lambda p: [p.aio("tasks_bench"), "spawn_batch_gather", str(N_SPAWN)], N_SPAWN)},
             enabled=False, note="aio only: the same batch awaited with one aio::gather(vector)"),
    Workload("sleepers",
             [Figure("sleepers", "ms", wall_ms, ("<=", 60)),
              Figure("sleepers_mem", "bytes/task", bytes_per_task, ("<=", 256))],
             tasks_cmds("sleep", N_SLEEP, N_SLEEP)),
    Workload("timers",
             [Figure("timers", "ms", wall_ms, ("x", "asyncio", 20),
                     note="total wall; 1000 ms of it is the spread of the delays"),
              Figure("timers_cpu", "ms", cpu_ms, ("x", "asyncio", 20),
                     note="extra: process CPU time of the same run (the loop sleeps between timers)")],
             {"aio": Cmd(lambda p: [p.aio("tasks_bench"), "timers", str(N_TIMERS)], N_TIMERS),
              "asyncio": Cmd(lambda p: [PY, p.timers_py(), str(N_TIMERS), "--loop", "asyncio"], N_TIMERS),
              "uvloop": Cmd(lambda p: [PY, p.timers_py(), str(N_TIMERS), "--loop", "uvloop"], N_TIMERS)},
             reps=3),
    Workload("lock",
             [Figure("lock", "ns/acquire", per_task_ns,
                     note="100 tasks x N acquisitions of one aio::Lock, sleep(0) inside (bench/lock_bench.cpp)")],
             {"aio": Cmd(lambda p: [p.aio("lock_bench"), "100", str(N_LOCK // 100)], N_LOCK),
              "asyncio": Cmd(lambda p: [PY, os.path.join(HERE, "peers", "lock_bench.py"), "100",
                                        str(N_LOCK_PY // 100), "--loop", "asyncio"], N_LOCK_PY),
              "uvloop": Cmd(lambda p: [PY, os.path.join(HERE, "peers", "lock_bench.py"), "100",
                                       str(N_LOCK_PY // 100), "--loop", "uvloop"], N_LOCK_PY)},
             reps=3),
    Workload("pingpong",
             [Figure("pingpong", "ns/roundtrip", per_task_ns, ("<=", 100),
                     note="two tasks bounce an int over two unbounded queues (bench/pingpong_bench.cpp)")],
             {**tasks_cmds("pingpong", N_PINGPONG, N_PINGPONG_PY),
              "aio": Cmd(lambda p: [p.aio("pingpong_bench"), str(N_PINGPONG)], N_PINGPONG)}),
    # Later: Workload("echo", ...), Workload("http", ...).
]


# ---------------------------------------------------------------------------------------------
# Running one sample


def cpu_jiffies():
    """(busy, total) jiffies over all CPUs."""
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    vals = [int(x) for x in parts]
    idle = vals[3] + vals[4]
    return sum(vals) - idle, sum(vals)


def parse_result(out: str) -> Optional[dict]:
    for line in out.splitlines():
        if line.startswith("RESULT "):
            rec = {}
            for kv in line.split()[1:]:
                k, _, v = kv.partition("=")
                try:
                    rec[k] = float(v) if "." in v else int(v)
                except ValueError:
                    rec[k] = v
            return rec
    return None


def wait_quiet(max_wait: float, threshold: float = 15.0) -> float:
    """Waits (at most max_wait s) until the other processes use < threshold % of one core over a
    0.25 s window; returns the seconds waited. The machine may be shared with other builds."""
    hz = os.sysconf("SC_CLK_TCK")
    t0 = time.monotonic()
    while True:
        b0 = cpu_jiffies()[0]
        time.sleep(0.25)
        pct = (cpu_jiffies()[0] - b0) / hz / 0.25 * 100.0
        waited = time.monotonic() - t0
        if pct < threshold or waited >= max_wait:
            return waited


def children_cpu_secs():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_sample(argv: List[str], timeout: float):
    """Runs argv pinned to CORE. Returns (RESULT dict or None, CPU % of one core used by other
    processes during the sample, error or None)."""
    hz = os.sysconf("SC_CLK_TCK")
    busy0, cpu0, t0 = cpu_jiffies()[0], children_cpu_secs(), time.monotonic()
    proc = subprocess.Popen(["taskset", "-c", CORE] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None, 0.0, f"timeout after {timeout:.0f} s"
    wall = time.monotonic() - t0
    # communicate() has reaped the child, so RUSAGE_CHILDREN now includes it.
    own = children_cpu_secs() - cpu0
    busy = (cpu_jiffies()[0] - busy0) / hz
    foreign = max(0.0, (busy - own) / wall * 100.0) if wall > 0 else 0.0
    if proc.returncode != 0:
        return None, foreign, f"exit {proc.returncode}: {err.strip()[-300:]}"
    rec = parse_result(out)
    if rec is None:
        return None, foreign, f"no RESULT line in output: {out.strip()[-300:]}"
    rec["proc_cpu_secs"] = round(own, 4)  # whole process, start-up included (for --out)
    rec["proc_wall_secs"] = round(wall, 4)
    return rec, foreign, None


# ---------------------------------------------------------------------------------------------
# Reporting


def fmt(v: float) -> str:
    if v != v:  # nan
        return "n/a"
    a = abs(v)
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def goal_text(fig: Figure, aio_v: float, med: Dict[str, float]) -> str:
    g = fig.goal
    if not g:
        return ""
    if g[0] == "<=":
        ok = aio_v <= g[1]
        how = f"{aio_v / g[1]:.2f}x the goal" if g[1] else ""
        return f"goal <= {g[1]} {fig.unit}: {'MET' if ok else 'MISSED'} ({how})"
    if g[0] == "x":
        ref = med.get(g[1])
        if ref is None:
            return f"goal >= {g[2]}x {g[1]}: no {g[1]} sample"
        x = ref / aio_v if aio_v else float("inf")
        return f"goal >= {g[2]}x {g[1]}: {'MET' if x >= g[2] else 'MISSED'} ({x:.1f}x)"
    return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", default=os.environ.get("AIO_BIN_DIR", os.path.join(ROOT, "build/release/bin")))
    ap.add_argument("--peers-dir", default="/tmp/peers")
    ap.add_argument("--with-peers", action="store_true",
                    help="copy shared/peers to --peers-dir and build Asio/Tokio there first (slow)")
    ap.add_argument("--reps", type=int, help="reps for every workload (default: 5, timers 3)")
    ap.add_argument("--quick", action="store_true", help="1 rep of everything")
    ap.add_argument("--workloads", help="comma-separated ids (default: all enabled): "
                    + ",".join(w.id for w in WORKLOADS))
    ap.add_argument("--runtimes", help="comma-separated subset of " + ",".join(RUNTIMES))
    ap.add_argument("--max-wait", type=float, default=5.0,
                    help="before each sample, wait at most this many seconds for an idle machine (default 5)")
    ap.add_argument("--wait-budget", type=float, default=60.0,
                    help="total seconds spent waiting for an idle machine, then stop waiting (default 60)")
    ap.add_argument("--out", help="append every raw sample as a JSON line to this file")
    a = ap.parse_args()

    paths = Paths(os.path.abspath(a.bin_dir), a.peers_dir)
    if a.with_peers:
        if not os.path.isdir(a.peers_dir):
            shutil.copytree(SHARED_PEERS, a.peers_dir)
            os.chmod(a.peers_dir, 0o755)
            for dp, dns, fns in os.walk(a.peers_dir):  # the shared copy is read-only
                for x in dns + fns:
                    os.chmod(os.path.join(dp, x), 0o755)
        print(f"# building the peers in {a.peers_dir} (build.sh)", file=sys.stderr, flush=True)
        subprocess.run(["bash", os.path.join(a.peers_dir, "build.sh")], check=True)

    if a.workloads:
        wanted = a.workloads.split(",")
        unknown = [w for w in wanted if w not in {x.id for x in WORKLOADS}]
        if unknown:
            ap.error(f"unknown workload(s) {unknown}")
        workloads = [w for w in WORKLOADS if w.id in wanted]
    else:
        workloads = [w for w in WORKLOADS if w.enabled]
    runtimes = a.runtimes.split(",") if a.runtimes else RUNTIMES
    available = []
    for rt in runtimes:
        why = runtime_available(rt, paths)
        if why:
            print(f"# skipping {rt}: {why}", file=sys.stderr)
        else:
            available.append(rt)
    if "aio" not in available:
        sys.exit("run_bench: aio's tasks_bench is missing; build first (cmake --build --preset release)")

    def reps_of(w):
        return 1 if a.quick else (a.reps or w.reps)

    max_reps = max(reps_of(w) for w in workloads)
    samples: Dict[tuple, List[dict]] = {}
    foreign: Dict[tuple, List[float]] = {}
    outf = open(a.out, "a") if a.out else None
    t_start = time.monotonic()
    waited_total = 0.0
    missing = set()
    print(f"# core {CORE}; reps: " + ", ".join(f"{w.id} {reps_of(w)}" for w in workloads)
          + f"; runtimes: {' '.join(available)}", file=sys.stderr, flush=True)
    for rep in range(max_reps):
        order = available[rep % len(available):] + available[:rep % len(available)]
        for w in workloads:
            if rep >= reps_of(w):
                continue
            for rt in order:
                cmd = w.cmds.get(rt)
                if not cmd:
                    continue
                argv = cmd.argv(paths)
                if os.sep in argv[0] and not os.access(argv[0], os.X_OK):
                    if (w.id, rt) not in missing:
                        missing.add((w.id, rt))
                        print(f"# skipping {w.id} on {rt}: no {argv[0]}", file=sys.stderr, flush=True)
                    continue
                if a.max_wait > 0 and waited_total < a.wait_budget:
                    waited_total += wait_quiet(min(a.max_wait, a.wait_budget - waited_total))
                rec, fpct, err = run_sample(argv, w.timeout)
                key = (w.id, rt)
                if err:
                    print(f"# rep{rep + 1} {w.id} {rt}: FAILED {err}", file=sys.stderr, flush=True)
                    continue
                samples.setdefault(key, []).append(rec)
                foreign.setdefault(key, []).append(fpct)
                vals = " ".join(f"{f.name}={fmt(f.value(rec))}" for f in w.figures)
                print(f"# rep{rep + 1} {w.id:12s} {rt:8s} n={rec.get('n')} {vals} (foreign cpu {fpct:.0f}%)",
                      file=sys.stderr, flush=True)
                if outf:
                    outf.write(json.dumps({"workload": w.id, "runtime": rt, "rep": rep, "foreign_pct": fpct,
                                           "argv": argv, **rec}) + "\n")
                    outf.flush()

    # ---- medians -------------------------------------------------------------------------
    med: Dict[str, Dict[str, float]] = {}  # figure -> runtime -> median
    print()
    print(f"# medians (taskset -c {CORE}); N: aio/asio/tokio/node spawn & spawn_batch {N_SPAWN:,}, "
          f"asyncio/uvloop spawn & spawn_batch {N_SPAWN_PY:,} (per-task figures stay comparable); "
          f"sleepers {N_SLEEP:,}; timers {N_TIMERS:,}")
    for w in workloads:
        for f in w.figures:
            med[f.name] = {}
            for rt in available:
                recs = samples.get((w.id, rt))
                if not recs:
                    continue
                vals = [f.value(r) for r in recs]
                m = statistics.median(vals)
                med[f.name][rt] = m
                spread = (max(vals) - min(vals)) / m * 100 if m else 0.0
                worst_foreign = max(foreign[(w.id, rt)])
                flag = f" (foreign cpu up to {worst_foreign:.0f}%: noisy)" if worst_foreign > 15 else ""
                print(f"{f.name} {rt} {fmt(m)} {f.unit}")
                print(f"#   {f.name} {rt}: {len(vals)} reps, spread {spread:.0f}%{flag}", file=sys.stderr)

    # ---- ratios and goals ----------------------------------------------------------------
    print()
    print("# ratios: peer / aio (> 1: aio is better; lower is better for every figure), and aio's goal")
    peers = [rt for rt in available if rt != "aio"]
    head = f"{'figure':24s} {'aio':>10s} " + " ".join(f"{p:>10s}" for p in peers) + "  goal"
    print(head)
    for w in workloads:
        for f in w.figures:
            m = med.get(f.name, {})
            aio_v = m.get("aio")
            if aio_v is None:
                continue
            cells = []
            for p in peers:
                if p in m and aio_v:
                    cells.append(f"{m[p] / aio_v:>9.1f}x")
                else:
                    cells.append(f"{'-':>10s}")
            line = f"{f.name:24s} {fmt(aio_v):>10s} " + " ".join(cells) + "  " + goal_text(f, aio_v, m)
            print(line)
            if f.note:
                print(f"#   {f.name}: {f.note}")
        if w.note:
            print(f"#   {w.id}: {w.note}")
    print(f"# total {time.monotonic() - t_start:.0f} s, of which {waited_total:.0f} s waiting for an idle machine",
          file=sys.stderr)


if __name__ == "__main__":
    main()
