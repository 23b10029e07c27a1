#!/usr/bin/env bash
# Checks aio's guard against the g++ co_await bug (docs/toolchain.md), for every C++ compiler on
# this machine:
#   - compile time: including an aio header with g++ 10-12 prints the warning, with any other
#     compiler it does not, and -DAIO_ACCEPT_GCC_COAWAIT_BUG silences it;
#   - configure time: find_package(aio) from a build tree warns with a compiler whose probe fails,
#     not with one whose probe passes, and -DAIO_ACCEPT_GCC_COAWAIT_BUG=ON silences it.
# Run by ctest (toolchain_guard), or by hand:
#   scripts/check_toolchain_guard.sh --source-dir . --build-dir build/debug --work-dir /tmp/guard
set -euo pipefail

source_dir=""
build_dir=""
work_dir=""
cmake_bin=cmake
while (($#)); do
    case "$1" in
        --source-dir) source_dir=$2; shift 2 ;;
        --build-dir) build_dir=$2; shift 2 ;;
        --work-dir) work_dir=$2; shift 2 ;;
        --cmake) cmake_bin=$2; shift 2 ;;
        *) echo "check_toolchain_guard: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[[ -n "$source_dir" && -n "$build_dir" && -n "$work_dir" ]] \
    || { echo "check_toolchain_guard: --source-dir, --build-dir and --work-dir are required" >&2; exit 2; }
rm -rf "$work_dir"
mkdir -p "$work_dir"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }
marker="GCC PR 100611"

compilers=()
seen=" "
for c in g++ g++-10 g++-11 g++-12 g++-13 g++-14 clang++ clang++-14 clang++-15 clang++-16; do
    path=$(command -v "$c" 2>/dev/null) || continue
    real=$(readlink -f "$path")  # g++ and g++-12 are one compiler: check it once
    [[ "$seen" == *" $real "* ]] && continue
    seen+="$real "
    compilers+=("$c")
done
((${#compilers[@]})) || { echo "check_toolchain_guard: no C++ compiler found" >&2; exit 1; }

echo '#include <aio/aio.hpp>' >"$work_dir/tu.cpp"
for cxx in "${compilers[@]}"; do
    affected=0
    if "$cxx" --version | head -n1 | grep -q -v clang; then
        major=$("$cxx" -dumpversion | cut -d. -f1)
        ((major >= 10 && major <= 12)) && affected=1
    fi
    out=$("$cxx" -std=c++20 -fsyntax-only -I"$source_dir/include" "$work_dir/tu.cpp" 2>&1) \
        || { fail "$cxx: <aio/aio.hpp> does not compile: $out"; continue; }
    if ((affected)); then
        grep -q "$marker" <<<"$out" && pass "$cxx: the header warns" || fail "$cxx: the header is silent"
        quiet=$("$cxx" -std=c++20 -fsyntax-only -DAIO_ACCEPT_GCC_COAWAIT_BUG -I"$source_dir/include" \
            "$work_dir/tu.cpp" 2>&1)
        grep -q "$marker" <<<"$quiet" && fail "$cxx: AIO_ACCEPT_GCC_COAWAIT_BUG does not silence it" \
            || pass "$cxx: AIO_ACCEPT_GCC_COAWAIT_BUG silences it"
    else
        grep -q "$marker" <<<"$out" && fail "$cxx: the header warns but this compiler is not affected" \
            || pass "$cxx: the header is silent"
    fi
done

# Configure time, through the real package config of the build tree.
consumer="$work_dir/consumer"
mkdir -p "$consumer"
cat >"$consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.22)
project(aio_guard_consumer LANGUAGES CXX)
find_package(aio REQUIRED)
CMAKE
for cxx in "${compilers[@]}"; do
    probe_dir="$work_dir/probe-$cxx"
    mkdir -p "$probe_dir"
    if "$cxx" -std=c++20 -O2 "$source_dir/cmake/aio_coawait_probe.cpp" -o "$probe_dir/probe" 2>"$probe_dir/log" \
        && "$probe_dir/probe"; then
        miscompiles=0
    else
        miscompiles=1
    fi
    for accept in OFF ON; do
        log="$work_dir/configure-$cxx-$accept.log"
        "$cmake_bin" -S "$consumer" -B "$work_dir/build-$cxx-$accept" -DCMAKE_CXX_COMPILER="$cxx" \
            -Daio_DIR="$build_dir" -DAIO_ACCEPT_GCC_COAWAIT_BUG="$accept" >"$log" 2>&1 \
            || { fail "$cxx: find_package(aio) failed:"; cat "$log"; continue; }
        warned=0
        grep -q "$marker" "$log" && warned=1
        want=$miscompiles
        [[ "$accept" == ON ]] && want=0
        if ((warned == want)); then
            pass "$cxx (probe: $( ((miscompiles)) && echo miscompiles || echo correct), accept=$accept): configure $( ((warned)) && echo warns || echo is silent)"
        else
            fail "$cxx (accept=$accept): configure warned=$warned, expected $want"
            cat "$log"
        fi
    done
done

((failures == 0)) || { echo "check_toolchain_guard: $failures failure(s)"; exit 1; }
echo "check_toolchain_guard: all checks passed"
