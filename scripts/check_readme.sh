#!/usr/bin/env bash
# Runs the README's quick start and its "Install and use" section as written, on a clean clone:
#   the quick start's `make run` (not `make test`: that is what runs this),
#   `make examples`, then `make install PREFIX=$HOME/.local` with HOME in a scratch folder, and the
#   consumer builds the README shows (find_package + aio::aio, pkg-config aiocpp, FetchContent),
#   each built from the README's own blocks and run. The FetchContent build uses g++ at -O3 (a
#   plain Release build) and fails on any warning from aio's sources.
# The blocks are found by their markers (<!-- readme-test: NAME --> above the fence).
# Run by ctest (readme, label `readme`: only in the debug preset, it builds a release tree), or:
#   scripts/check_readme.sh --source-dir . --work-dir /tmp/readme
set -euo pipefail

source_dir=""
work_dir=""
while (($#)); do
    case "$1" in
        --source-dir) source_dir=$(cd "$2" && pwd); shift 2 ;;
        --work-dir) work_dir=$2; shift 2 ;;
        *) echo "check_readme: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[[ -n "$source_dir" && -n "$work_dir" ]] || { echo "check_readme: --source-dir and --work-dir are required" >&2; exit 2; }
readme="$source_dir/README.md"

# block NAME: the lines of the code block under <!-- readme-test: NAME -->
block() {
    awk -v name="$1" '
        $0 ~ "<!-- readme-test: " name " -->" { armed = 1; next }
        armed && /^```/ { if (inside) exit; inside = 1; next }
        inside { print }
        armed && !inside && !/^<!--/ && !/^```/ && NF { armed = 0 }
    ' "$readme"
}
need_block() {
    local text
    text=$(block "$1")
    [[ -n "$text" ]] || { echo "check_readme: README.md has no block marked readme-test: $1" >&2; exit 1; }
    printf '%s\n' "$text"
}
step() { echo; echo "== check_readme: $*"; }
# run_block NAME DIR [FILTER]: runs the block's lines as a bash script in DIR, stdin closed.
run_block() {
    local script="$work_dir/block-$1.sh"
    need_block "$1" | grep -v "${3:-^\$^}" >"$script" || true
    [[ -s "$script" ]] || { echo "check_readme: no lines to run in the block readme-test: $1" >&2; exit 1; }
    (cd "$2" && bash -euxo pipefail "$script") </dev/null
}

rm -rf "$work_dir"
mkdir -p "$work_dir/home"
export HOME="$work_dir/home"
clone="$work_dir/aio"
step "clean clone of $source_dir"
git clone --quiet "$source_dir" "$clone"
if [[ -n "$(git -C "$source_dir" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
    echo "note: $source_dir has uncommitted changes; this checks the committed HEAD"
fi

step "quick start, as written (without make test)"
run_block quick-start "$clone" '^make test'

step "make examples"
(cd "$clone" && make examples) </dev/null
for dir in "$clone"/examples/*/; do
    compgen -G "$dir*.cpp" >/dev/null || continue  # a folder of shared headers is no program
    name=$(basename "$dir")
    [[ -x "$clone/build/release/bin/example_$name" ]] || { echo "check_readme: example_$name was not built" >&2; exit 1; }
done

step "install, as written"
run_block install "$clone"
[[ -f "$HOME/.local/include/aio/aio.hpp" ]] || { echo "check_readme: headers not installed under \$HOME/.local" >&2; exit 1; }
step "make install with DESTDIR (staging, as a package build does)"
(cd "$clone" && make install PREFIX=/usr/local DESTDIR="$work_dir/stage") </dev/null
for f in include/aio/aio.hpp lib/libaiocpp_core.a lib/cmake/aio/aioConfig.cmake lib/pkgconfig/aiocpp.pc; do
    [[ -f "$work_dir/stage/usr/local/$f" ]] || { echo "check_readme: DESTDIR install lacks usr/local/$f" >&2; exit 1; }
done

consumer="$work_dir/hello"
mkdir -p "$consumer"
need_block consumer-main >"$consumer/main.cpp"
need_block consumer-cmakelists >"$consumer/CMakeLists.txt"
step "find_package(aio) consumer, as written"
run_block consumer-cmake-build "$consumer"
step "pkg-config consumer, as written"
run_block consumer-pkg-config "$consumer"

step "FetchContent consumer (the README's lines, in a minimal project)"
fetch="$work_dir/fetch"
mkdir -p "$fetch/third_party"
ln -s "$clone" "$fetch/third_party/aio"
cp "$consumer/main.cpp" "$fetch/main.cpp"
{
    echo "cmake_minimum_required(VERSION 3.22)"
    echo "project(hello LANGUAGES CXX)"
    echo "add_executable(hello main.cpp)"
    need_block consumer-fetchcontent
} >"$fetch/CMakeLists.txt"
# With g++ and a plain Release build (-O3): aio's sources must build without a single warning in a
# user's build, with the compiler a user is most likely to have (the header's warning about that
# compiler is accepted deliberately here; main.cpp has none of the forms g++ 12 breaks).
(
    cd "$fetch"
    CXX=g++ CXXFLAGS=-DAIO_ACCEPT_GCC_COAWAIT_BUG cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DAIO_ACCEPT_GCC_COAWAIT_BUG=ON >cmake.log
    cmake --build build 2>&1 | tee build.log
    if grep -n "warning:" build.log; then
        echo "check_readme: aio's sources print warnings in a user's g++ Release build (above)" >&2
        exit 1
    fi
    ./build/hello
) </dev/null

step "passed"
