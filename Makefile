# The front door. Quick start: `make run` and `make test`.
#
#   make run          install missing Debian packages, build (release), run examples/demo
#   make test         build (debug) and run every test with ctest
#   make test-asan    ... with AddressSanitizer + UBSan;  make test-tsan: ThreadSanitizer
#   make test-clang   ... built with clang++ (debug);  test-clang-asan, test-clang-tsan also exist
#   make bench        build (release) and run scripts/bench.sh
#   make format       clang-format the sources;  make format-check: fail on unformatted code
#   make clean        remove build/
#
# Variables: ARGS="..." (arguments for the demo or bench.sh), CTEST_ARGS="..." (e.g. -R core.),
# RUN_PRESET=debug (preset for `make run`/`make build`). Presets: CMakePresets.json;
# build trees: build/<preset>, programs in build/<preset>/bin.

# Symmetric transfer and g++: g++ makes the resume of the next coroutine a tail call only with
# -foptimize-sibling-calls (on from -O2; aio::core adds it for g++ users), and not at all under
# g++'s ASan (stack instrumentation) or TSan (function entry/exit hooks). aio's Coro resumes
# synchronous completions inline, so its tests do not depend on that; if a test ever does, the
# clang-asan / clang-tsan presets (clang emits musttail) are the ones to use. clang-asan leaves out
# -fsanitize=function: clang 14 cannot compile it for coroutines ("Cannot represent a difference
# across sections", llvm/llvm-project#49689).
#
# The sanitizer presets build with -Og and line tables only (-g1): their reports still name each
# frame's function, file and line. Compiling the test files' coroutines under a sanitizer is most
# of CI's time; -Og instead of -O1 cuts the slowest test file from 46 s to 32 s under ASan and
# from 19 s to 16 s under TSan, which keeps CI under its 30 minutes. The debug preset keeps
# full -g for debuggers.

SHELL := /bin/bash
CMAKE ?= cmake
CTEST ?= ctest
RUN_PRESET ?= release
ARGS ?=
CTEST_ARGS ?=

FORMAT_DIRS := include src tests bench examples

# ThreadSanitizer (gcc 12, clang 14) aborts at start ("unexpected memory mapping") when the kernel
# randomizes mmap with more bits than it supports; run its binaries with ASLR off then.
TSAN_WRAPPER = $(shell bash scripts/tsan_wrapper.sh)

.DEFAULT_GOAL := build
.PHONY: help deps build run test test-debug test-release test-asan test-tsan test-clang \
        test-clang-release test-clang-asan test-clang-tsan bench format format-check clean

help:
	@awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' Makefile

deps:
	@bash scripts/deps.sh

# configure + build one preset
define build_preset
	$(CMAKE) --preset $(1)
	$(CMAKE) --build --preset $(1)
endef

build: deps
	$(call build_preset,$(RUN_PRESET))

# Builds only the demo (and the library), not the tests.
run: deps
	$(CMAKE) --preset $(RUN_PRESET)
	$(CMAKE) --build --preset $(RUN_PRESET) --target example_demo
	@demo=build/$(RUN_PRESET)/bin/example_demo; \
	if [[ ! -x $$demo ]]; then \
	    echo "make run: $$demo was not built (is there an examples/demo/ folder?)" >&2; exit 1; \
	fi; \
	echo "== $$demo $(ARGS)"; \
	$$demo $(ARGS)

test test-debug: deps
	$(call build_preset,debug)
	$(CTEST) --preset debug $(CTEST_ARGS)

test-release: deps
	$(call build_preset,release)
	$(CTEST) --preset release $(CTEST_ARGS)

test-asan: deps
	$(call build_preset,asan)
	$(CTEST) --preset asan $(CTEST_ARGS)

test-tsan: deps
	$(TSAN_WRAPPER) $(CMAKE) --preset tsan
	$(TSAN_WRAPPER) $(CMAKE) --build --preset tsan
	$(TSAN_WRAPPER) $(CTEST) --preset tsan $(CTEST_ARGS)

test-clang: deps
	$(call build_preset,clang-debug)
	$(CTEST) --preset clang-debug $(CTEST_ARGS)

test-clang-release: deps
	$(call build_preset,clang-release)
	$(CTEST) --preset clang-release $(CTEST_ARGS)

test-clang-asan: deps
	$(call build_preset,clang-asan)
	$(CTEST) --preset clang-asan $(CTEST_ARGS)

test-clang-tsan: deps
	$(TSAN_WRAPPER) $(CMAKE) --preset clang-tsan
	$(TSAN_WRAPPER) $(CMAKE) --build --preset clang-tsan
	$(TSAN_WRAPPER) $(CTEST) --preset clang-tsan $(CTEST_ARGS)

bench:
	@bash scripts/deps.sh bench
	$(call build_preset,release)
	@if [[ -f scripts/bench.sh ]]; then \
	    AIO_BUILD_DIR=build/release AIO_BIN_DIR=build/release/bin bash scripts/bench.sh $(ARGS); \
	else \
	    echo "make bench: scripts/bench.sh is not written yet; the benchmarks are in build/release/bin"; \
	fi

format:
	@bash scripts/deps.sh format
	@files=$$(find $(FORMAT_DIRS) -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' \) 2>/dev/null); \
	if [[ -n "$$files" ]]; then clang-format -i $$files; echo "formatted $$(wc -w <<<"$$files") files"; fi

format-check:
	@bash scripts/deps.sh format
	@files=$$(find $(FORMAT_DIRS) -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' \) 2>/dev/null); \
	if [[ -n "$$files" ]]; then clang-format --dry-run -Werror $$files; fi

clean:
	rm -rf build
