# libu — top-level entry points. `make test` and `make demo` work on a fresh Debian machine.
PRESET ?= release
BUILD_DIR ?= build
JOBS ?= 2
# `make test` runs every test but the slow-labelled ones (the three-seed demo checks, about
# 16 min, and bench quality --size small, about 11 min); `make test-slow` runs those; CI (.ci/run) runs both. CTEST_ARGS adds ctest flags.
CTEST_ARGS ?=
DEMO_OUT ?= demo-out

.PHONY: all deps configure build test test-fast test-slow test-all demo bench bench-quality asan clean python fuzz check-torch2

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then cmake --preset $(PRESET); fi

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -LE slow $(CTEST_ARGS)

test-fast: test

test-slow: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L slow $(CTEST_ARGS)

test-all: test test-slow

# The Python package: build/python/libu (PYTHONPATH=build/python python3 -c "import libu").
python: configure
	cmake --build $(BUILD_DIR) --target python -j $(JOBS)

demo: build
	$(BUILD_DIR)/bin/libu demo --out $(DEMO_OUT)

bench: build
	scripts/run-bench.sh $(BUILD_DIR)

# The real-text unlearning benchmark (docs/benchmark.md): SemEval documents from ../shared,
# every method on 3 draws (under 30 min here once the models are built, ~10 min once per output
# folder). BENCH_QUALITY_ARGS adds flags (e.g. --size long).
BENCH_QUALITY_OUT ?= bench-quality
BENCH_QUALITY_ARGS ?=
bench-quality: build
	$(BUILD_DIR)/bin/libu bench quality --out $(BENCH_QUALITY_OUT) $(BENCH_QUALITY_ARGS)

asan: deps
	cmake --preset asan
	cmake --build build-asan -j $(JOBS)
	ctest --preset asan -LE slow

# Build and run the fast suite against Debian trixie's libtorch 2.6 in a chroot under
# build-torch2/ (made on the first call, reused after; needs root). docs/BENCHMARKS.md has its time.
check-torch2:
	scripts/check-torch2.sh

# libFuzzer campaign on every parser (clang, ASan + UBSan); updates tests/fuzz/corpus/.
FUZZ_SECONDS ?= 600
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

clean:
	rm -rf build build-dev build-asan build-fuzz
