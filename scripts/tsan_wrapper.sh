#!/usr/bin/env bash
# Prints the command prefix that ThreadSanitizer binaries need on this machine, or nothing.
# The TSan runtimes of gcc 12 and clang 14 abort at start ("FATAL: ThreadSanitizer: unexpected
# memory mapping") when the kernel randomizes mmap with more than 28 bits (vm.mmap_rnd_bits, 32 on
# some newer kernels); with ASLR off for the process tree (setarch -R) they run (checked here with
# vm.mmap_rnd_bits=32). Used by `make test-tsan` and `make test-clang-tsan`.
set -euo pipefail
bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)
if ((bits > 28)) && setarch "$(uname -m)" -R true 2>/dev/null; then
    echo "setarch $(uname -m) -R"
fi
