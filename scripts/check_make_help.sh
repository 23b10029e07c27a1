#!/usr/bin/env bash
# `make help` must name every target the Makefile declares .PHONY: a target nobody can discover
# might as well not exist. Run by ctest (make_help, label lint).
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
help=$(make --no-print-directory -C "$root" help)
targets=$(awk '/^\.PHONY:/ { phony = 1 }
    phony { more = /\\$/; line = $0; gsub(/\.PHONY:|\\/, "", line); print line; if (!more) phony = 0 }' \
    "$root/Makefile" | tr -s ' \t' '\n' | grep -v '^$')
missing=0
for t in $targets; do
    grep -Eq "make $t([ :,]|$)" <<<"$help" || { echo "make help does not mention 'make $t'"; missing=1; }
done
((missing == 0)) && echo "make help names all $(wc -w <<<"$targets") targets"
exit "$missing"
