"""What the benchmark drivers share (echo_bench.py, http_bench.py, http_client_bench.py): where the
peers are, building the raw C programs of shared/peers/common, starting and stopping a server,
and reading a process's CPU time, RSS and strace summary."""
import os
import signal
import socket
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(os.path.dirname(ROOT), "shared", "peers")
if not os.path.isdir(PEERS):
    PEERS = "/work/shared/peers"
PY = "/usr/bin/python3"  # Debian's: the one that sees python3-uvloop and python3-aiohttp


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_peer_tool(out_dir, name, compiler):
    """Compiles shared/peers/common/<name>.c or .cpp (read-only there) into out_dir/<name>, unless
    an up-to-date binary is already there. `compiler` is the command and its flags."""
    os.makedirs(out_dir, exist_ok=True)
    ext = ".cpp" if compiler[0].endswith("++") else ".c"
    src = os.path.join(PEERS, "common", name + ext)
    exe = os.path.join(out_dir, name)
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        subprocess.run(list(compiler) + [src, "-o", exe], check=True)
    return exe


def proc_cpu_secs(pid):
    """User + system CPU seconds of a process so far (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def wait_listening(port, proc, timeout=10.0):
    """Returns once 127.0.0.1:port accepts; RuntimeError if `proc` exits or the time runs out."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace")[:200] if proc.stderr else ""
            raise RuntimeError(f"server exited with {proc.returncode}: {err}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    proc.kill()
    proc.wait()
    raise RuntimeError("server did not start listening")


def stop_server(proc):
    """SIGTERM, then SIGKILL after 10 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def strace_counts(path):
    """The calls column of an `strace -c` summary file, by syscall name (the file is removed)."""
    calls = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 5 and parts[-1].isidentifier() and parts[3].isdigit():
                calls[parts[-1]] = int(parts[3])
    os.unlink(path)
    calls.pop("total", None)
    return calls
