# libu — top-level entry points. `make test` and `make demo` work on a fresh Debian machine.
PRESET ?= release
BUILD_DIR ?= build
JOBS ?= 2
# CTEST_ARGS="-LE slow" skips the slow-labelled cases locally; CI runs everything.
CTEST_ARGS ?=
DEMO_OUT ?= demo-out

.PHONY: all deps configure build test test-fast demo bench asan clean python

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then cmake --preset $(PRESET); fi

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

test-fast: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -LE slow

# The Python package: build/python/libu (PYTHONPATH=build/python python3 -c "import libu").
python: configure
	cmake --build $(BUILD_DIR) --target python -j $(JOBS)

demo: build
	$(BUILD_DIR)/bin/libu demo --out $(DEMO_OUT)

bench: build
	scripts/run-bench.sh $(BUILD_DIR)

asan: deps
	cmake --preset asan
	cmake --build build-asan -j $(JOBS)
	ctest --preset asan -LE slow

clean:
	rm -rf build build-dev build-asan
