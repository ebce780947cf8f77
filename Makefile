# mailauth.rollout — the two commands a newcomer needs.
#   make demo   roll the sample portfolio out into zone files under .demo/zones (run it twice: no change)
#   make test   sanity, unit, integration (real BIND/PowerDNS on loopback) and lint; non-zero on any failure
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# ansible-test lists files with git when it runs inside a checkout, so the copy lives outside it.
COLLECTIONS := $(shell tests/utils/build_dir.sh)

.PHONY: demo test venv test-venv clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.requirements: requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.test-requirements: requirements.txt tests/requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt -r tests/requirements.txt
	touch $@

venv: $(VENV)/.requirements

test-venv: $(VENV)/.test-requirements

demo: venv
	@tests/utils/install_collection.sh $(COLLECTIONS)
	@ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_DISPLAY_SKIPPED_HOSTS=false \
	  ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
	  $(BIN)/ansible-playbook -i playbooks/demo_inventory.yml playbooks/demo.yml

test: test-venv
	@tests/utils/run_all.sh

clean:
	rm -rf $(COLLECTIONS) .demo tests/output
