# wfhost — build, test and demo.
#   make        relocatable install tree in dist/
#   make test   every test (Swift tests, then checks of the built dist/ tree)
#   make demo   the main job as it exists today, from dist/
#   make bench  benchmarks (figures printed, never timed assertions)

# The Swift 6.3 toolchain: SWIFT=..., else `swift` on PATH, else /opt/swift/usr/bin/swift (SWIFT_FALLBACK), else stop.
SWIFT_FALLBACK ?= /opt/swift/usr/bin/swift
SWIFT ?= $(or $(shell command -v swift 2>/dev/null),$(wildcard $(SWIFT_FALLBACK)),$(error no Swift toolchain found: \
  neither `swift` on PATH nor $(SWIFT_FALLBACK); install Swift 6.3 from https://www.swift.org/install/linux/ \
  and put its usr/bin on PATH, or run make SWIFT=/path/to/usr/bin/swift))
DIST ?= dist
# dist/ binaries are stripped (`make dist STRIP=` keeps their symbols, for a debugger or perf).
STRIP ?= strip
DEB_PACKAGES := libyaml-dev libsqlite3-dev libffi-dev libseccomp-dev pkg-config libcurl4-openssl-dev
RELEASE_BIN = $(shell $(SWIFT) build -c release --show-bin-path 2>/dev/null)
CC ?= cc
# The worker and the C plugins are built with cc, not through SwiftPM's Swift driver, so that they carry no Swift
# runtime (see Package.swift).
C_FLAGS := -std=gnu99 -O2 -g -Wall -Wextra -fPIC -ISDK/include -ISources/CSupport/include -ISources/CJSON/include -ISources/CSha256/include -IPlugins/support/include
C_JSON := Sources/CJSON/json_reader.c Sources/CJSON/json_writer.c
C_PLUGIN_SUPPORT := Plugins/support/plugin_support.c

.PHONY: all deps dist test swift-test docs-test dist-test demo bench clean

all: dist

# Installs the Debian packages the build needs when any is missing (CI may start on a fresh machine).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi

dist: deps
	$(SWIFT) build -c release --static-swift-stdlib
	rm -rf $(DIST)
	mkdir -p $(DIST)/bin $(DIST)/libexec/wfhost $(DIST)/lib/wfhost/plugins $(DIST)/include/wfhost \
	         $(DIST)/lib/pkgconfig $(DIST)/share/wfhost/workflows $(DIST)/share/wfhost/schemas
	install -m 755 $(RELEASE_BIN)/wfhost $(DIST)/bin/wfhost
	install -m 755 $(RELEASE_BIN)/wfhost-mcp $(DIST)/libexec/wfhost/wfhost-mcp
	$(CC) $(C_FLAGS) -o $(DIST)/libexec/wfhost/wfhost-worker Sources/wfhost-worker/*.c $(C_JSON) -ldl -lffi -lseccomp -lm
	$(CC) $(C_FLAGS) -shared -o $(DIST)/lib/wfhost/plugins/core.so Plugins/core/core.c $(C_PLUGIN_SUPPORT) $(C_JSON) Sources/CSha256/sha256.c
	$(CC) $(C_FLAGS) -shared -o $(DIST)/lib/wfhost/plugins/chaos.so Plugins/chaos/chaos.c $(C_PLUGIN_SUPPORT) $(C_JSON)
	install -m 644 SDK/include/wfhost/plugin.h $(DIST)/include/wfhost/plugin.h
	install -m 644 SDK/include/wfhost/json.h $(DIST)/include/wfhost/json.h
	install -m 644 SDK/wfhost-plugin.pc $(DIST)/lib/pkgconfig/wfhost-plugin.pc
	if ls examples/*.yaml >/dev/null 2>&1; then install -m 644 examples/*.yaml $(DIST)/share/wfhost/workflows/; fi
	install -m 644 $(RELEASE_BIN)/libcontainerization.so $(DIST)/lib/wfhost/plugins/containerization.so
	install -m 644 workflows/*.yaml $(DIST)/share/wfhost/workflows/
	scripts/install-sdk.sh $(DIST)
	install -m 644 share/schemas/*.schema.json $(DIST)/share/wfhost/schemas/
	mkdir -p $(DIST)/share/bash-completion/completions $(DIST)/share/zsh/site-functions $(DIST)/share/fish/vendor_completions.d
	$(DIST)/bin/wfhost --generate-completion-script bash > $(DIST)/share/bash-completion/completions/wfhost
	$(DIST)/bin/wfhost --generate-completion-script zsh > $(DIST)/share/zsh/site-functions/_wfhost
	$(DIST)/bin/wfhost --generate-completion-script fish > $(DIST)/share/fish/vendor_completions.d/wfhost.fish
	# Manual pages from the built binary, by argument-parser's generate-manual tool (built here as a product of the
	# dependency: its SwiftPM plugin rebuilds the whole package in another configuration, which took over ten minutes).
	$(SWIFT) build -c release --static-swift-stdlib --product generate-manual
	scripts/make-manual.sh $(DIST) $(RELEASE_BIN)/generate-manual
	if [ -n "$(STRIP)" ]; then $(STRIP) --strip-unneeded $(DIST)/bin/wfhost $(DIST)/libexec/wfhost/wfhost-mcp $(DIST)/libexec/wfhost/wfhost-worker; fi
	@echo "built $(DIST)/: $$($(DIST)/bin/wfhost --version)"

test: deps swift-test docs-test dist-test

# The Python clients the tests drive (the official MCP client, junitparser) are installed before the tests run, in
# .build/test-venvs (scripts/test-venvs.sh), never by a test that would hold a thread of the cooperative pool.
# The isolation tests check that no child of the test process is left after each test, so they run in a process
# of their own; everything else runs in parallel in another.
# --explicit-target-dependency-import-check error fails the build when a target imports a module of the package
# that is not among its dependencies; it lets a module reachable through a dependency pass, so the CLI's
# "WorkflowHost and ArgumentParser only" is checked by ImportBoundaryTests.
swift-test:
	$(SWIFT) build --build-tests --explicit-target-dependency-import-check error
	scripts/test-venvs.sh
	SWIFT_BACKTRACE=enable=no $(SWIFT) test --skip-build --filter IsolationTests
	SWIFT_BACKTRACE=enable=no $(SWIFT) test --skip-build --skip IsolationTests

# The WorkflowHost DocC catalog builds with no warning (broken links, undocumented parameters).
docs-test:
	scripts/check-docs.sh $(SWIFT)

dist-test: dist
	scripts/check-dist.sh $(DIST)

demo: dist
	scripts/demo.sh $(DIST)

# The peers the benchmarks compare with (the benchmark itself installs nothing and says what is missing).
BENCH_PACKAGES := ninja-build make

bench: dist
	@missing=""; for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the benchmarks' peers:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing || echo "(not installed: the benchmarks skip those peers)"; \
	fi
	$(SWIFT) build -c release --product wfhost-bench
	$(RELEASE_BIN)/wfhost-bench --wfhost $(DIST)/bin/wfhost

clean:
	rm -rf .build $(DIST)
