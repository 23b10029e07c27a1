# The front door. Quick start: `make run` and `make test`. Every target installs the Debian packages
# it needs that are missing (scripts/deps.sh), then builds with CMake presets (CMakePresets.json)
# into build/<preset>; programs land in build/<preset>/bin.
#
#   make run             build (release) and run the demo (examples/demo); ARGS="..." for its flags
#   make test            build (debug) and run every test with ctest; CTEST_ARGS="-R core." to pick
#                        (make test-debug is the same)
#   make examples        build every example program into build/release/bin (example_*)
#   make install         build (release) and install headers, libraries, the CMake package and
#                        aiocpp.pc into PREFIX (/usr/local); DESTDIR=/staging for packaging
#   make docs            the API reference from the /// comments (Doxygen) into build/docs/html
#   make bench           build (release) and run the benchmarks against asyncio and uvloop (bench/)
#   make fuzz            build the HTTP parser's and the WebSocket reader's fuzzers (libFuzzer,
#                        build/fuzz) and run each for FUZZ_SECONDS (60) from its seeds in
#                        fuzz/corpus/
#   make build           build the RUN_PRESET (release) tree: library, examples, tests, benchmarks
#   make test-release    the tests built with -O2
#   make test-asan       the tests under AddressSanitizer + UBSan;  make test-tsan: ThreadSanitizer
#   make test-gcc        the tests built with g++ 12 (aio's own code stays g++-clean; the tests of
#                        code as users write it are left out, see docs/toolchain.md);
#                        make test-gcc-release, make test-gcc-asan, make test-gcc-tsan likewise
#   make format          clang-format the sources;  make format-check: fail on unformatted code
#   make deps            only install the missing Debian packages
#   make clean           remove build/
#   make help            this text
#
# The toolchain is clang++ (Debian 12's clang 14): g++ 12 miscompiles lambdas with captures and
# braced option structs written inside co_await (docs/toolchain.md has the measurements).
# Variables: ARGS, CTEST_ARGS, RUN_PRESET (preset for `make run`/`make build`/`make examples`),
# PREFIX and DESTDIR (for `make install`), FUZZ_SECONDS (per fuzzer, for `make fuzz`).
#
# The sanitizer presets build with line tables only (-g1): their reports still name each frame's
# function, file and line, and compiling the tests' coroutines under a sanitizer, most of CI's
# time, is a third faster than with full -g. The debug and ASan presets compile at -O0 (30-45 %
# less compile time than -Og, measured on ws_connection_test.cpp; coroutine symmetric transfer is
# still a tail call there: the million-await stack tests pass); TSan and g++ stay at -Og. clang's asan preset leaves out
# -fsanitize=function: clang 14 cannot compile it for coroutines ("Cannot represent a difference
# across sections", llvm/llvm-project#49689).

SHELL := /bin/bash
CMAKE ?= cmake
CTEST ?= ctest
RUN_PRESET ?= release
ARGS ?=
CTEST_ARGS ?=
PREFIX ?= /usr/local
DESTDIR ?=
FUZZ_SECONDS ?= 60

FORMAT_DIRS := include src tests bench examples

# ThreadSanitizer (gcc 12, clang 14) aborts at start ("unexpected memory mapping") when the kernel
# randomizes mmap with more bits than it supports; run its binaries with ASLR off then.
TSAN_WRAPPER = $(shell bash scripts/tsan_wrapper.sh)

.DEFAULT_GOAL := build
.PHONY: help deps build run examples install docs test test-debug test-release test-asan test-tsan \
        test-gcc test-gcc-release test-gcc-asan test-gcc-tsan bench fuzz format format-check clean

help:
	@awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' Makefile

deps:
	@bash scripts/deps.sh

# configure + build one preset (optionally only some targets), then run its tests
define build_preset
	$(CMAKE) --preset $(1)
	$(CMAKE) --build --preset $(1) $(2)
endef
define test_preset
	$(call build_preset,$(1))
	$(CTEST) --preset $(1) $(CTEST_ARGS)
endef
define tsan_preset
	$(TSAN_WRAPPER) $(CMAKE) --preset $(1)
	$(TSAN_WRAPPER) $(CMAKE) --build --preset $(1)
	$(TSAN_WRAPPER) $(CTEST) --preset $(1) $(CTEST_ARGS)
endef

build: deps
	$(call build_preset,$(RUN_PRESET))

# Builds only the demo (and the library), not the tests.
run: deps
	$(call build_preset,$(RUN_PRESET),--target example_demo)
	@demo=build/$(RUN_PRESET)/bin/example_demo; \
	if [[ ! -x $$demo ]]; then \
	    echo "make run: $$demo was not built (is there an examples/demo/ folder?)" >&2; exit 1; \
	fi; \
	echo "== $$demo $(ARGS)"; \
	$$demo $(ARGS)

examples: deps
	$(call build_preset,$(RUN_PRESET),--target examples)
	@echo "== the examples are in build/$(RUN_PRESET)/bin:"; ls build/$(RUN_PRESET)/bin | grep '^example_'

# The libraries only (not the tests), then cmake --install; DESTDIR is honoured by cmake itself.
install: deps
	$(call build_preset,$(RUN_PRESET),--target libraries)
	DESTDIR="$(DESTDIR)" $(CMAKE) --install build/$(RUN_PRESET) --prefix "$(PREFIX)"

docs: deps
	@bash scripts/docs.sh build/docs

test test-debug: deps
	$(call test_preset,debug)

test-release: deps
	$(call test_preset,release)

test-asan: deps
	$(call test_preset,asan)

test-tsan: deps
	$(call tsan_preset,tsan)

test-gcc: deps
	$(call test_preset,gcc-debug)

test-gcc-release: deps
	$(call test_preset,gcc-release)

test-gcc-asan: deps
	$(call test_preset,gcc-asan)

test-gcc-tsan: deps
	$(call tsan_preset,gcc-tsan)

bench:
	@bash scripts/deps.sh bench
	$(call build_preset,release)
	AIO_BUILD_DIR=build/release AIO_BIN_DIR=build/release/bin bash scripts/bench.sh $(ARGS)

fuzz: deps
	@bash fuzz/run.sh $(FUZZ_SECONDS)

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
