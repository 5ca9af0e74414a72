# Reelgate: `make run` starts the server on the embedded default (SQLite + local disk +
# built-in renderer) at http://127.0.0.1:8080; `make test` runs every test.
# Both install what is missing first (Debian packages, via scripts/install-deps.sh).

DOTNET ?= dotnet
CONFIG ?= Release
RUNTIME_PACKAGES = ffmpeg fonts-dejavu-core
TEST_PACKAGES := $(RUNTIME_PACKAGES) tmux chromium redis-server postgresql swift swift-proxy swift-account swift-container swift-object nodejs

.PHONY: run build test deps test-deps clean

run: deps build
	$(DOTNET) src/Reelgate.Server/bin/$(CONFIG)/net10.0/reelgate-server.dll $(ARGS)

build:
	scripts/check-dotnet.sh
	$(DOTNET) build Reelgate.slnx -c $(CONFIG) -nologo -clp:ErrorsOnly

deps:
	scripts/install-deps.sh $(RUNTIME_PACKAGES)

test-deps:
	scripts/install-deps.sh $(TEST_PACKAGES)
	@# Debian's nodejs comes without npm (NodeSource's bundles it): add it only when missing.
	command -v npm >/dev/null || scripts/install-deps.sh npm

test: test-deps
	scripts/check-dotnet.sh
	scripts/run-tests.sh

clean:
	$(DOTNET) clean Reelgate.slnx -nologo -v q
	rm -rf artifacts
