# opsauth.tokens: `make demo` and `make test` are the whole set-up; both build .venv from the pinned files.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
# ansible-test only works inside ansible_collections/<namespace>/<name>: we stage a copy there.
# make test stages a copy per lane that runs ansible-test beside another (STAGE=build/lane2/..., build/lane3/...).
STAGE ?= $(CURDIR)/build/ansible_collections
COLLECTION := $(STAGE)/opsauth/tokens
SIM_STATE := $(CURDIR)/build/simulators
ANSIBLE_TEST := cd $(COLLECTION) && PATH=$(BIN):$$PATH $(BIN)/ansible-test
export ANSIBLE_COLLECTIONS_PATH := $(patsubst %/,%,$(dir $(STAGE)))
LANE2 := STAGE=$(CURDIR)/build/lane2/ansible_collections
LANE3 := STAGE=$(CURDIR)/build/lane3/ansible_collections
# make test: three lanes side by side (tests/harness/make/run_steps.py) on a 2-core machine. An integration run keeps
# about 0.8 of a core busy (it also waits: on its modules' processes, on retries' back-off, on pauses), so two lanes
# left a fifth of the machine idle; the integration targets are split over all three lanes, the second lane running
# its few after sanity, units, examples, lint and tooling. make test-all: the slow, environment-heavy checks make test
# leaves out, in two lanes: integration-compat first makes the target Pythons' venvs (build/target-venvs) that the
# cells' integration runs then reuse.
TEST_LANES := "integration-lane1" "sanity:$(LANE2) units:$(LANE2) examples:$(LANE2) lint:$(LANE2) tooling integration-lane2:$(LANE2)" \
	"integration-lane3:$(LANE3)"
# The integration targets of make test's second and third lanes (the first runs the others but compat_target_pythons),
# chosen so that the lanes take about as long (each target's seconds: target-times.txt in the simulators' state
# directory). Each lane has its own simulators and its own secret scan, which fails closed unless the lane's targets
# used every simulator (jms, jms_tls, jms_v3, deepflow).
INTEGRATION_LANE2 := module_jms_info filter_deepflow_page_url role_jumpserver_private_token role_credential_rotation_gap
INTEGRATION_LANE3 := module_jms_access_key module_jms_request playbooks_no_secrets module_deepflow_login \
	module_deepflow_permanent_token module_jms_private_token role_deepflow_permanent_token role_credential_rotation_v3
TEST_ALL_LANES = "integration-compat cell-$(firstword $(MATRIX_INTEGRATION))" "package ee awx docs-test cell-$(lastword $(MATRIX_INTEGRATION))"
STEP_LOGS := $(CURDIR)/build/test-logs
export ANSIBLE_FORCE_COLOR := 0

.PHONY: help venv stage demo test test-all integration-core integration-lane1 integration-lane2 integration-lane3 integration-compat sanity units integration examples lint docs benchmark benchmark-load benchmark-private-tokens benchmark-rotation clean \
	test-matrix test-cells tooling package ee awx docs-test release-changelog benchmark-cache benchmark-tokens
# make test-matrix: every ansible-core version the collection supports (tests/harness/requirements/ansible-core-<v>.txt say
# which controller Python each cell uses); integration runs in the oldest and the newest cell.
MATRIX := 2.16 2.17 2.18 2.19 2.20 2.21
MATRIX_INTEGRATION := $(firstword $(MATRIX)) $(lastword $(MATRIX))
# make test-cells CELLS="2.16 2.21": some cells only (.ci/run)
CELLS ?= $(MATRIX_INTEGRATION)

help:
	@echo "make demo   - start the simulators on 127.0.0.1, run the example playbooks, show what you get"
	@echo "make test   - sanity, unit, integration, examples, lint and tooling tests (run before every change)"
	@echo "make test-all - the slow checks make test leaves out: package, EE, AWX, docs in Chromium, the 2.16 and 2.21 cells"
	@echo "make examples - run every example of the plugins and docs against the simulators"
	@echo "make benchmark - the lookup cache, load and token benchmarks (benchmarks/README.md; not part of make test)"
	@echo "make benchmark-cache, benchmark-load, benchmark-tokens - one of them"
	@echo "make benchmark-private-tokens - N private tokens in one exec against N execs (benchmarks/README.md)"
	@echo "make benchmark-rotation - the credential_rotation role over 50 users' access keys (benchmarks/README.md)"
	@echo "make docs   - the HTML docs site in build/docs/build/html (make docs-test checks it in headless Chromium)"
	@echo "make test-matrix - sanity and units on ansible-core $(MATRIX), integration on $(MATRIX_INTEGRATION)"

$(BIN)/ansible-test: requirements-dev.txt requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/ansible-test
	@# ansible-test bootstraps pip in its venvs with a script from a host CI cannot reach: give it ours.
	@v=$$($(BIN)/python -c 'from ansible_test._internal.python_requirements import get_venv_packages as g; print(g(type("P", (), {"version": "3.11"})())["pip"])') && \
	  mkdir -p $$HOME/.ansible/test/cache && cp tests/harness/staging/get_pip.py $$HOME/.ansible/test/cache/get_pip_$${v//./_}.py

# STAGED=1: the copy is already there (run_steps.py runs steps of one staged tree side by side).
stage: venv
ifndef STAGED
	rm -rf $(STAGE) && mkdir -p $(COLLECTION)
	$(BIN)/python tests/harness/staging/stage_collection.py $(CURDIR) $(COLLECTION)
endif

demo: stage
	PATH=$(BIN):$$PATH tests/harness/make/demo.sh $(COLLECTION) $(SIM_STATE)

test: venv
	$(MAKE) --no-print-directory stage
	$(MAKE) --no-print-directory stage $(LANE2)
	$(MAKE) --no-print-directory stage $(LANE3)
	STAGED=1 $(BIN)/python tests/harness/make/run_steps.py $(STEP_LOGS)/test $(TEST_LANES)

test-all: venv
	$(MAKE) --no-print-directory stage
	STAGED=1 $(BIN)/python tests/harness/make/run_steps.py $(STEP_LOGS)/test-all $(TEST_ALL_LANES)

# Tests of the repository's own tooling, and the changelog fragment check (tests/harness/make/check_fragments.py).
tooling: stage
	$(BIN)/python tests/harness/make/check_fragments.py $(CURDIR)
	$(BIN)/python tests/harness/make/check_changelog.py $(CURDIR) $(CURDIR)/build/changelog
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/harness/tooling

# A maintainer's release: the fragments go into changelogs/changelog.yaml and CHANGELOG.md, and the fragment check's
# base (changelogs/fragment-base) moves to the commit the release was cut from. Commit the result.
release-changelog: venv
	PATH=$(BIN):$$PATH antsibull-changelog release --version $$($(BIN)/python -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')
	{ sed -n '/^#/p' changelogs/fragment-base; git rev-parse HEAD; } > changelogs/fragment-base.new && mv changelogs/fragment-base.new changelogs/fragment-base

# Build the tarball from the repository, check its file list, install it into a clean path, run the demo from there.
package: venv
	PATH=$(BIN):$$PATH tests/harness/make/package.sh $(CURDIR) $(CURDIR)/build/package

# The AWX path: credential types rendered as AWX does, jobs run through ansible-runner with the installed tarball.
awx: package
	PATH=$(BIN):$$PATH $(BIN)/python tests/harness/awx/run_jobs.py $(CURDIR)/build/awx $(CURDIR)/build/package/installed

# The HTML docs site (antsibull-docs sphinx-init + sphinx-build): build/docs/build/html/index.html
docs: stage
	PATH=$(BIN):$$PATH tests/harness/make/docs.sh $(CURDIR) $(CURDIR)/build/docs

# Every page of the site opened in headless Chromium (Debian's package; installed here when missing and root).
docs-test: docs
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } || \
	  { echo "make docs-test: could not install Debian's chromium package with apt-get" >&2; exit 1; }
	$(BIN)/python tests/harness/make/check_docs_site.py $(CURDIR)/build/docs/build/html $(COLLECTION)

# ansible-builder introspect and create (docs/execution-environment.yml) with the tarball make package built.
ee: package
	$(BIN)/python tests/harness/make/check_ee.py $(CURDIR) $(CURDIR)/build/package/dist/opsauth-tokens-*.tar.gz $(CURDIR)/build/ee

sanity: stage
	$(ANSIBLE_TEST) sanity --venv --python 3.11 --color no
	$(BIN)/python tests/harness/make/check_target_syntax.py $(COLLECTION)

units: stage
	$(ANSIBLE_TEST) units --local --python 3.11 --color no

integration: stage
	PATH=$(BIN):$$PATH tests/harness/make/integration.sh $(COLLECTION) $(SIM_STATE)

# The integration targets but compat_target_pythons, which first makes a venv for each target Python 3.8-3.13 (an
# environment matrix, like the cells: make test-all runs it as integration-compat). integration-core runs them in one
# go; make test runs them as integration-lane1, -lane2 and -lane3, one in each of its lanes.
INTEGRATION_CORE := PATH=$(BIN):$$PATH OPSAUTH_SECRET_SCAN=always OPSAUTH_TARGET_PYTHONS=skip tests/harness/make/integration.sh
integration-core: stage
	$(INTEGRATION_CORE) $(COLLECTION) $(SIM_STATE) --exclude compat_target_pythons

integration-lane1: stage
	$(INTEGRATION_CORE) $(COLLECTION) $(SIM_STATE) --exclude compat_target_pythons \
	  $(addprefix --exclude ,$(INTEGRATION_LANE2) $(INTEGRATION_LANE3))

integration-lane2: stage
	$(INTEGRATION_CORE) $(COLLECTION) $(CURDIR)/build/simulators-lane2 $(INTEGRATION_LANE2)

integration-lane3: stage
	$(INTEGRATION_CORE) $(COLLECTION) $(CURDIR)/build/simulators-lane3 $(INTEGRATION_LANE3)

integration-compat: stage
	PATH=$(BIN):$$PATH OPSAUTH_SECRET_SCAN=always tests/harness/make/integration.sh $(COLLECTION) $(CURDIR)/build/simulators-compat compat_target_pythons

# Every example of the plugins, README.md, docs/*.md and the roles' READMEs, run against the simulators
# (tests/harness/make/examples.py says how they are found; docs/examples.md which variables they get).
examples: stage
	PATH=$(BIN):$$PATH tests/harness/make/examples.sh $(COLLECTION) $(CURDIR)/build/examples-sim

lint: stage
	cd $(COLLECTION) && PATH=$(BIN):$$PATH antsibull-changelog lint
	cd $(COLLECTION) && PATH=$(BIN):$$PATH antsibull-docs lint-collection-docs --plugin-docs .
	@# ansible-lint installs the collection it lints into $$ANSIBLE_HOME/collections: keep that copy inside build/.
	cd $(COLLECTION) && PATH=$(BIN):$$PATH ANSIBLE_HOME=$(CURDIR)/build/ansible-home ansible-lint --profile production

test-matrix:
	MATRIX_INTEGRATION="$(MATRIX_INTEGRATION)" tests/harness/make/matrix.sh $(MATRIX)

test-cells:
	MATRIX_INTEGRATION="$(MATRIX_INTEGRATION)" tests/harness/make/matrix.sh $(CELLS)

# One cell with its integration run (make test-all: the oldest and the newest).
cell-%:
	MATRIX_INTEGRATION="$*" tests/harness/make/matrix.sh $*

benchmark: benchmark-cache benchmark-load benchmark-tokens benchmark-rotation

benchmark-cache: stage
	PATH=$(BIN):$$PATH benchmarks/lookup_cache/run.sh $(COLLECTION) $(SIM_STATE)

benchmark-load: stage
	PATH=$(BIN):$$PATH benchmarks/load/run.sh $(COLLECTION) $(SIM_STATE)

# A cache hit's imports, the modules' logins in a 70-host play, and a cached lookup next to a plain string;
# BENCHMARK_TOKENS passes options, e.g. BENCHMARK_TOKENS="lookups --sizes 20:5 --pairs 5".
benchmark-tokens: stage
	PATH=$(BIN):$$PATH $(BIN)/python benchmarks/tokens.py $(COLLECTION) $(SIM_STATE) $(BENCHMARK_TOKENS)

benchmark-private-tokens: stage
	PATH=$(BIN):$$PATH benchmarks/private_tokens/run.sh $(COLLECTION) $(SIM_STATE)

# The role opsauth.tokens.credential_rotation over USERS (default 50) users' access keys: create, rotate, nothing due.
benchmark-rotation: stage
	PATH=$(BIN):$$PATH benchmarks/rotation/run.sh $(COLLECTION) $(SIM_STATE)

clean:
	rm -rf build .venv
