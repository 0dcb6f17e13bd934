# Tool-N1 Studio. `make demo` and `make test` do all set-up themselves on a fresh machine.
SHELL := /bin/bash
PY_BASE ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NODE_TESTS := node scripts/run-node-tests.mjs
# BFCL's checker runs in its own environment: bfcl-eval pins numpy 1.26.4 and pulls many API clients.
VENV_BFCL := .venv-bfcl
# soundfile: qwen-agent (a bfcl-eval dependency) imports it without declaring it, and BFCL's
# eval runner imports every model handler, qwen-agent's included.
BFCL_EVAL := bfcl-eval==2026.3.23 soundfile==0.14.0

.PHONY: all setup debs npm venv venv-bfcl build typecheck lint test test-unit test-server test-python test-webview test-e2e bench package package-all demo clean

all: build

setup: debs npm venv

debs:
	@scripts/ensure-debs.sh

npm: node_modules/.stamp
# onnxruntime-node's install script (when npm runs it) would download CUDA binaries: skip it.
node_modules/.stamp: package.json package-lock.json
	ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
	@touch $@

venv: $(VENV)/.stamp
$(VENV)/.stamp: trainer/pyproject.toml
	@test -x $(PY) || $(PY_BASE) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e "trainer[train,export,test]"
	@touch $@

# Rebuilt when the pinned version changes (the stamp holds it).
venv-bfcl:
	@grep -qxF '$(BFCL_EVAL)' $(VENV_BFCL)/.stamp 2>/dev/null || { \
	  { test -x $(VENV_BFCL)/bin/python || $(PY_BASE) -m venv $(VENV_BFCL); } && \
	  $(VENV_BFCL)/bin/python -m pip install -q --upgrade pip && \
	  $(VENV_BFCL)/bin/python -m pip install -q $(BFCL_EVAL) && \
	  echo '$(BFCL_EVAL)' > $(VENV_BFCL)/.stamp; }

build: npm
	node scripts/build.mjs

typecheck: npm
	npx tsc --noEmit -p .
	npx tsc --noEmit -p webview

lint: npm
	npx eslint .

test: setup build lint typecheck test-unit test-server test-python test-webview test-e2e
	@echo "make test: all suites passed"

test-unit: build
	$(NODE_TESTS) out/test/unit

test-server: build
	$(NODE_TESTS) out/test/server

test-python: venv venv-bfcl
	TOOLN1_REQUIRE_BFCL=1 $(PY) -m pytest trainer/tests -q

test-webview: build debs
	$(NODE_TESTS) out/test/webview

test-e2e: build debs venv venv-bfcl
	scripts/test-e2e.sh

bench: setup build venv-bfcl
	@for f in out/bench/*.bench.js; do [ -f "$$f" ] && node "$$f" || exit 1; done
	@for f in trainer/bench/*_bench.py; do [ -f "$$f" ] && $(PY) "$$f" || exit 1; done
	node scripts/merge-bench.mjs

# The .vsix for this machine's platform (dist-vsix/tool-n1-studio.vsix); package-all: one per platform.
package: npm
	node scripts/package.mjs

package-all: npm
	node scripts/package.mjs --all

demo: setup build
	scripts/demo.sh $(ARGS)

clean:
	rm -rf dist out dist-vsix .e2e test-output
