#!/usr/bin/env bash
# Checks that no include goes up the layers (DESIGN.md, "Layers and layout"): a header or source
# of one layer includes only its own layer and the layers beneath it, and no public header includes
# a private one (src/backend, src/sys are never installed). The static libraries alone do not catch
# this: every program links all the layers, so a wrong-direction call would still link.
# Run by ctest (test layering) and by hand: scripts/check_layers.sh [source dir]
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root"

# Folder -> rank; a folder may include folders of equal or lower rank. Keep in step with
# src/CMakeLists.txt (aio_add_layer). testing is shipped test support: it may use every layer,
# and no library layer may use it.
declare -A rank=(
    [core]=1 [backend]=1 [sys]=1
    [time]=2
    [tasks]=3
    [sync]=4 [queues]=4 [exec]=4 [gen]=4
    [io]=5 [process]=5
    [aio.hpp]=5
    [http]=6 [ws]=6 [web]=6 [redis]=6
    [testing]=7
)
private_dirs="backend|sys"

errors=0
warned=""
fail() { echo "layering: $*" >&2; errors=$((errors + 1)); }

files=$( { find include/aio -mindepth 2 -type f \( -name '*.hpp' -o -name '*.h' \) 2>/dev/null
           find src -mindepth 2 -type f \( -name '*.hpp' -o -name '*.h' -o -name '*.cpp' \) 2>/dev/null
         } | sort)

for file in $files; do
    case "$file" in
        include/aio/*) own=${file#include/aio/}; public=1 ;;
        *) own=${file#src/}; public=0 ;;
    esac
    own=${own%%/*}
    own_rank=${rank[$own]:-}
    if [[ -z "$own_rank" ]]; then
        [[ " $warned " == *" $own "* ]] || echo "layering: note: folder '$own' has no rank in $0; not checked" >&2
        warned+=" $own"
        continue
    fi
    while IFS=: read -r line text; do
        if [[ "$text" =~ \#[[:space:]]*include[[:space:]]*[\<\"]aio/([A-Za-z0-9_.]+) ]]; then
            dep=${BASH_REMATCH[1]}
            dep_rank=${rank[$dep]:-}
            [[ -n "$dep_rank" ]] || continue
            if ((dep_rank > own_rank)); then
                fail "$file:$line: layer '$own' includes aio/$dep, a layer above it"
            fi
        elif [[ "$text" =~ \#[[:space:]]*include[[:space:]]*\"($private_dirs)/ ]]; then
            if ((public)); then
                fail "$file:$line: public header includes private src/${BASH_REMATCH[1]}/ (not installed)"
            fi
        fi
    done < <(grep -nE '^[[:space:]]*#[[:space:]]*include' "$file" || true)
done

if ((errors)); then
    echo "layering: $errors include(s) in the wrong direction" >&2
    exit 1
fi
echo "layering: $(wc -w <<<"$files") files checked, no include goes up the layers"
