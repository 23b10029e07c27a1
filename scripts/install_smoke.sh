#!/usr/bin/env bash
# Installs a built aio into a fresh prefix and builds + runs tests/install_consumer against it,
# twice: through find_package(aio) and through pkg-config (aiocpp.pc). Run by ctest
# (test install_smoke), or by hand:
#   scripts/install_smoke.sh --build-dir build/debug [--cxx clang++] [--cxx-flags "-fsanitize=..."]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

build_dir=""
work_dir=""
consumer="$root/tests/install_consumer"
cmake_bin=cmake
generator=""
cxx=${CXX:-c++}
cxx_flags=""

while (($#)); do
    case "$1" in
        --build-dir) build_dir=$2; shift 2 ;;
        --work-dir) work_dir=$2; shift 2 ;;
        --consumer) consumer=$2; shift 2 ;;
        --cmake) cmake_bin=$2; shift 2 ;;
        --generator) generator=$2; shift 2 ;;
        --cxx) cxx=$2; shift 2 ;;
        --cxx-flags) cxx_flags=$2; shift 2 ;;
        *) echo "install_smoke: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[[ -n "$build_dir" ]] || { echo "install_smoke: --build-dir is required" >&2; exit 2; }
build_dir=$(cd "$build_dir" && pwd)
[[ -n "$work_dir" ]] || work_dir="$build_dir/install_smoke"

prefix="$work_dir/prefix"
rm -rf "$work_dir"
mkdir -p "$work_dir"

step() { echo "== install_smoke: $*"; }

step "install into $prefix"
"$cmake_bin" --install "$build_dir" --prefix "$prefix" >"$work_dir/install.log" \
    || { cat "$work_dir/install.log"; exit 1; }

# Nothing private or misnamed may be installed.
if find "$prefix" -name 'libaio.*' -o -name 'libaio_*' | grep -q .; then
    echo "install_smoke: a library named libaio* was installed (clashes with Linux's libaio)" >&2
    exit 1
fi
[[ -f "$prefix/include/aio/aio.hpp" ]] || { echo "install_smoke: include/aio/aio.hpp missing" >&2; exit 1; }
config=$(find "$prefix" -name aioConfig.cmake | head -n1)
pc=$(find "$prefix" -name aiocpp.pc | head -n1)
[[ -n "$config" ]] || { echo "install_smoke: aioConfig.cmake not installed" >&2; exit 1; }
[[ -n "$pc" ]] || { echo "install_smoke: aiocpp.pc not installed" >&2; exit 1; }
[[ -f "$(dirname "$config")/aioConfigVersion.cmake" ]] \
    || { echo "install_smoke: aioConfigVersion.cmake not installed" >&2; exit 1; }

# Sanitizer flags must reach the consumer's link too (the libraries were built with them).
step "find_package(aio) consumer"
gen_args=()
[[ -n "$generator" ]] && gen_args=(-G "$generator")
"$cmake_bin" -S "$consumer" -B "$work_dir/cmake-consumer" "${gen_args[@]}" \
    -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_CXX_FLAGS="$cxx_flags" \
    -DCMAKE_BUILD_TYPE=Release >"$work_dir/cmake-consumer.log" 2>&1 \
    || { cat "$work_dir/cmake-consumer.log"; exit 1; }
"$cmake_bin" --build "$work_dir/cmake-consumer" >>"$work_dir/cmake-consumer.log" 2>&1 \
    || { cat "$work_dir/cmake-consumer.log"; exit 1; }
"$work_dir/cmake-consumer/consumer"
echo "find_package(aio): consumer ran and returned 0"

step "pkg-config aiocpp consumer"
command -v pkg-config >/dev/null || { echo "install_smoke: pkg-config not installed" >&2; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
pc_flags=$(pkg-config --cflags --libs aiocpp)
echo "pkg-config --cflags --libs aiocpp: $pc_flags"
# shellcheck disable=SC2086  # flags are word lists
"$cxx" $cxx_flags -std=c++20 "$consumer/main.cpp" $pc_flags -o "$work_dir/pkg-config-consumer"
"$work_dir/pkg-config-consumer"
echo "pkg-config aiocpp: consumer ran and returned 0"

step "passed"
