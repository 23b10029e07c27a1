#!/usr/bin/env bash
# Checks that no include goes up the layers (docs/design.md, "Layers"): a header or source
# of one layer includes only its own layer and the layers beneath it, and no public header includes
# a private one (src/backend, src/sys are never installed). The static libraries alone do not catch
# this: every program links all the layers, so a wrong-direction call would still link.
# Also checks the backend seam (docs/io-layer.md): only src/backend/ knows epoll; the library,
# its tests and the examples use backend::Interest / backend::Event bits, so that a second
# backend (io_uring) changes nothing above src/backend/.
# Run by ctest (tests layering and layering_self_test) and by hand:
#   scripts/check_layers.sh [source dir]
#   scripts/check_layers.sh --self-test     (each rule fails on a tree made to break it)
set -euo pipefail
script=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

if [[ "${1:-}" == "--self-test" ]]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    status=0
    # expect <pass|fail> <what> <file> <content>: a tree holding only that file.
    expect() {
        local want=$1 what=$2 file=$3 content=$4 tree got
        tree=$(mktemp -d "$tmp/tree.XXXX")
        mkdir -p "$tree/$(dirname "$file")"
        printf '%s\n' "$content" >"$tree/$file"
        if bash "$script" "$tree" >"$tree.log" 2>&1; then got=pass; else got=fail; fi
        # A failure must name the file that broke the rule, not come from something else.
        if [[ "$got" == fail ]] && ! grep -q "^layering: $file:" "$tree.log"; then got="fail for another reason"; fi
        if [[ "$got" != "$want" ]]; then
            echo "layering self-test: $what: expected $want, got $got" >&2
            cat "$tree.log" >&2
            status=1
        fi
    }
    expect fail "an include up the layers" include/aio/core/x.hpp '#include "aio/io/streams.hpp"'
    expect fail "a public header including a private one" include/aio/io/x.hpp '#include "backend/backend.hpp"'
    expect fail "<sys/epoll.h> outside src/backend" src/io/x.cpp '#include <sys/epoll.h>'
    expect fail "an EPOLL constant outside src/backend" src/process/x.cpp 'int events = EPOLLIN;'
    expect fail "an EPOLL constant in a test" tests/unit/io/x_test.cpp 'FdWait(fd, EPOLLOUT);'
    expect pass "epoll inside src/backend" src/backend/x.cpp $'#include <sys/epoll.h>\nint e = EPOLLIN;'
    expect pass "an include down the layers" include/aio/io/x.hpp '#include "aio/core/task.hpp"'
    ((status == 0)) && echo "layering self-test: every rule fails when broken"
    exit "$status"
fi

root=${1:-$(dirname "$(dirname "$script")")}
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

files=$( { find include/aio -mindepth 2 -type f \( -name '*.hpp' -o -name '*.h' \) 2>/dev/null || true
           find src -mindepth 2 -type f \( -name '*.hpp' -o -name '*.h' -o -name '*.cpp' \) 2>/dev/null || true
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

# The backend seam: <sys/epoll.h> and EPOLL* names only in src/backend/ (comments included, so
# that what the code relies on is said in the backend's words).
seam_files=$( { find src include tests examples -type f \( -name '*.hpp' -o -name '*.h' -o -name '*.cpp' -o -name '*.c' \) 2>/dev/null || true; } \
              | { grep -v '^src/backend/' || true; } | sort)
for file in $seam_files; do
    while IFS=: read -r line text; do
        fail "$file:$line: only src/backend/ may use epoll (use backend::Interest / backend::Event): ${text#"${text%%[![:space:]]*}"}"
    done < <(grep -nE '#[[:space:]]*include[[:space:]]*<sys/epoll\.h>|\<EPOLL[A-Z0-9_]*' "$file" || true)
done

if ((errors)); then
    echo "layering: $errors violation(s)" >&2
    exit 1
fi
echo "layering: $(wc -w <<<"$files") files checked, no include goes up the layers;" \
     "$(wc -w <<<"$seam_files") checked, epoll only in src/backend/"
