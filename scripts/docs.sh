#!/usr/bin/env bash
# Builds the API reference (HTML) from the /// comments of include/aio/ with doxygen and
# docs/Doxyfile, and prints the path of its index.html. Any doxygen warning fails the run, so a
# broken comment (an unknown command, a link that does not resolve) fails ctest (test api_docs).
#   scripts/docs.sh [output dir]    default: build/docs under the repository root; a relative
#                                   dir is taken from the current directory. Writes <dir>/html.
# DOXYGEN=/path/to/doxygen picks the program (ctest passes the one CMake found).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
doxygen=${DOXYGEN:-doxygen}

if ! command -v "$doxygen" >/dev/null; then
    echo "docs.sh: doxygen is not installed: apt-get install doxygen (or run scripts/deps.sh)" >&2
    exit 1
fi

out=${1:-$root/build/docs}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# Doxygen overwrites its files but never removes one: start clean, so no page of a removed
# class survives. Only html/, which is doxygen's, is removed.
rm -rf "$out/html"

log="$out/doxygen-warnings.log"
cd "$root"  # docs/Doxyfile names its inputs relative to the repository root
status=0
AIO_DOCS_OUT="$out" "$doxygen" docs/Doxyfile 2>"$log" || status=$?

# The Doxyfile makes warnings fatal (WARN_AS_ERROR = FAIL_ON_WARNINGS); the log is checked too,
# so that the run still fails if that setting is ever lost.
if [[ -s "$log" ]]; then
    cat "$log" >&2
    count=$(grep -cE ': (warning|error): ' "$log" || true)
    echo "docs.sh: doxygen reported ${count} warning(s), above and in $log" >&2
    exit 1
fi
if ((status != 0)); then
    echo "docs.sh: doxygen failed (exit status $status)" >&2
    exit "$status"
fi
if [[ ! -f "$out/html/index.html" ]]; then
    echo "docs.sh: doxygen wrote no $out/html/index.html" >&2
    exit 1
fi
echo "docs: $out/html/index.html"
