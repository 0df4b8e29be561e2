# dropgate — two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libsqlite3-dev libxml2-dev libxml2-utils libssh2-1-dev openssh-server openssh-client python3-venv time
CONFIG ?= gateway.yaml

FUZZ_SECONDS ?= 300
FUZZ_TEST_SECONDS ?= 20

.PHONY: deps build release run test fuzz bench clean-var

## Install the Debian packages the build and tests need (as root), or say which are missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages; run: sudo apt-get install -y$$missing"; exit 1; fi; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "swift not found on PATH (Swift 6.x toolchain required)"; exit 1; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Build, drop the bundled samples into inbox/, and run the gateway on gateway.yaml (Ctrl-C stops it).
run: build
	@mkdir -p var
	@cp -R samples/. inbox/
	@echo "samples copied into inbox/; records appear in outbox/records/ — Ctrl-C to stop"
	$$($(SWIFT) build --show-bin-path)/dropgate run --config $(CONFIG)

## Build and run every test (unit, conformance over ../shared/corpus when present, sshd, crash),
## then each fuzz target for FUZZ_TEST_SECONDS (a crash, a timeout or a failed fuzz build fails make).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	bash Tests/Fuzz/fuzz.sh $(FUZZ_TEST_SECONDS)

## libFuzzer over every reader (+ default mapping + canonical JSON), FUZZ_SECONDS each (default 300).
fuzz: deps
	bash Tests/Fuzz/fuzz.sh $(FUZZ_SECONDS)

## Benchmarks (release build; not tests). Each script prints its figures.
bench: release
	@export DROPGATE_BIN="$$($(SWIFT) build -c release --show-bin-path)/dropgate"; \
	for b in Benchmarks/*.sh; do echo "== $$b"; bash $$b || exit 1; done

clean-var:
	rm -rf var outbox/records/*.jsonl
