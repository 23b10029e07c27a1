#!/usr/bin/env bash
# Installs the Debian packages aio needs that are missing; does nothing when all are there.
#   scripts/deps.sh           build + test: compilers, cmake, ninja, GoogleTest, ...
#   scripts/deps.sh bench     also what the benchmarks compare against (uvloop, perf, hyperfine)
#   scripts/deps.sh format    also clang-format
#   scripts/deps.sh --list [group...]   print the packages, install nothing
# Non-interactive (CI runs it with no stdin). As root it calls apt-get; otherwise sudo if there is
# one; otherwise it prints what to install and fails.
set -euo pipefail

build_pkgs=(build-essential cmake ninja-build g++ clang libclang-rt-dev libgtest-dev libgmock-dev
            libbenchmark-dev pkg-config libssl-dev zlib1g-dev nlohmann-json3-dev doxygen python3 git
            curl python3-aiohttp python3-websockets nodejs redis-server redis-tools python3-redis)
bench_pkgs=(python3 python3-uvloop python3-aiohttp linux-perf hyperfine strace wrk libboost1.81-dev
            libhttp-parser-dev libhiredis-dev)
format_pkgs=(clang-format)

list_only=0
if [[ "${1:-}" == "--list" ]]; then
    list_only=1
    shift
fi

wanted=("${build_pkgs[@]}")
for group in "$@"; do
    case "$group" in
        build) ;;
        bench) wanted+=("${bench_pkgs[@]}") ;;
        format) wanted+=("${format_pkgs[@]}") ;;
        *) echo "deps.sh: unknown group '$group' (build, bench, format)" >&2; exit 2 ;;
    esac
done

if ((list_only)); then
    printf '%s\n' "${wanted[@]}"
    exit 0
fi

if ! command -v dpkg-query >/dev/null; then
    echo "deps.sh: not a Debian system; install the equivalents of: ${wanted[*]}" >&2
    exit 1
fi

missing=()
for pkg in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    echo "deps: all ${#wanted[@]} packages installed"
    exit 0
fi

echo "deps: installing missing packages: ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null && { [[ -t 0 ]] || sudo -n true 2>/dev/null; }; then
    as_root=(sudo)
    [[ -t 0 ]] || as_root=(sudo -n)
else
    echo "deps.sh: not root and no usable sudo; as root, run:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

apt_opts=(-y --no-install-recommends -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300
          -o Acquire::Retries=3)
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
    -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -q "${apt_opts[@]}" "${missing[@]}"

still=()
for pkg in "${missing[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || still+=("$pkg")
done
if ((${#still[@]})); then
    echo "deps.sh: still missing after apt-get install: ${still[*]}" >&2
    exit 1
fi
echo "deps: installed ${missing[*]}"
