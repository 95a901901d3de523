# opsauth.tokens: `make demo` and `make test` are the whole set-up; both build .venv from the pinned files.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
# ansible-test only works inside ansible_collections/<namespace>/<name>: we stage a copy there.
STAGE := $(CURDIR)/build/ansible_collections
COLLECTION := $(STAGE)/opsauth/tokens
SIM_STATE := $(CURDIR)/build/simulators
ANSIBLE_TEST := cd $(COLLECTION) && PATH=$(BIN):$$PATH $(BIN)/ansible-test
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/build
export ANSIBLE_FORCE_COLOR := 0

.PHONY: help venv stage demo test sanity units integration lint docs benchmark benchmark-cache benchmark-load benchmark-tokens \
	benchmark-private-tokens clean

help:
	@echo "make demo   - start the simulators on 127.0.0.1, run the example playbooks, show what you get"
	@echo "make test   - sanity, unit, integration and lint tests (what CI runs)"
	@echo "make benchmark - the lookup cache, load and token benchmarks (benchmarks/README.md; not part of make test)"
	@echo "make benchmark-cache, benchmark-load, benchmark-tokens - one of them"
	@echo "make benchmark-private-tokens - N private tokens in one exec against N execs (benchmarks/README.md)"

$(BIN)/ansible-test: requirements-dev.txt requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/ansible-test
	@# ansible-test bootstraps pip in its venvs with a script from a host CI cannot reach: give it ours.
	@v=$$($(BIN)/python -c 'from ansible_test._internal.python_requirements import get_venv_packages as g; print(g(type("P", (), {"version": "3.11"})())["pip"])') && \
	  mkdir -p $$HOME/.ansible/test/cache && cp tests/utils/get_pip.py $$HOME/.ansible/test/cache/get_pip_$${v//./_}.py

stage: venv
	rm -rf $(STAGE) && mkdir -p $(COLLECTION)
	$(BIN)/python tests/utils/stage_collection.py $(CURDIR) $(COLLECTION)

demo: stage
	PATH=$(BIN):$$PATH tests/utils/demo.sh $(COLLECTION) $(SIM_STATE)

test: sanity units integration lint

sanity: stage
	$(ANSIBLE_TEST) sanity --venv --python 3.11 --color no
	$(BIN)/python tests/utils/check_target_syntax.py $(COLLECTION)

units: stage
	$(ANSIBLE_TEST) units --local --python 3.11 --color no

integration: stage
	PATH=$(BIN):$$PATH tests/utils/integration.sh $(COLLECTION) $(SIM_STATE)

lint: stage
	cd $(COLLECTION) && PATH=$(BIN):$$PATH antsibull-changelog lint
	cd $(COLLECTION) && PATH=$(BIN):$$PATH antsibull-docs lint-collection-docs --plugin-docs .
	@# ansible-lint installs the collection it lints into $$ANSIBLE_HOME/collections: keep that copy inside build/.
	cd $(COLLECTION) && PATH=$(BIN):$$PATH ANSIBLE_HOME=$(CURDIR)/build/ansible-home ansible-lint --profile production

benchmark: benchmark-cache benchmark-load benchmark-tokens

benchmark-cache: stage
	PATH=$(BIN):$$PATH tests/utils/benchmark.sh $(COLLECTION) $(SIM_STATE)

benchmark-load: stage
	PATH=$(BIN):$$PATH tests/utils/load_benchmark.sh $(COLLECTION) $(SIM_STATE)

# A cache hit's imports, the modules' logins in a 70-host play, and a cached lookup next to a plain string;
# BENCHMARK_TOKENS passes options, e.g. BENCHMARK_TOKENS="lookups --sizes 20:5 --pairs 5".
benchmark-tokens: stage
	PATH=$(BIN):$$PATH $(BIN)/python tests/utils/benchmark_tokens.py $(COLLECTION) $(SIM_STATE) $(BENCHMARK_TOKENS)

benchmark-private-tokens: stage
	PATH=$(BIN):$$PATH tests/utils/benchmark_private_tokens.sh $(COLLECTION) $(SIM_STATE)

clean:
	rm -rf build .venv
