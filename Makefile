# Balie: `make run` starts everything, `make test` checks everything.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
PYTHON310 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.10*/bin/python3.10) $(shell command -v python3.10 2>/dev/null))
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/balie.tar.gz
TRAIN_INPUTS := $(shell find data -name '*.yml' 2>/dev/null) config.yml domain.yml
CLUSTER_DATABASE ?= postgresql+psycopg2://postgres@127.0.0.1:5432/balie
CLUSTER_REDIS ?= redis://127.0.0.1:6379/0
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: run cluster test test-fast install train validate shell bench eval-escalation clean

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found: install it with 'pyenv install 3.10' (Rasa 3.6 needs 3.10)"; exit 1; }
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON310)"; $(PYTHON310) -m venv $(VENV); }
	@echo "Installing pinned dependencies (constraints.txt) ..."
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	@touch $@

install: $(VENV)/.installed

# Retrains only when data, config or domain changed (make compares times; rasa compares fingerprints).
$(MODEL): $(TRAIN_INPUTS) | $(VENV)/.installed
	@mkdir -p var models
	@echo "Training the assistant (log: var/train.log) ..."
	@start=$$(date +%s); \
	if $(RASA) train --fixed-model-name balie --out models > var/train.log 2>&1; then \
	  echo "Trained in $$(( $$(date +%s) - start )) s."; tail -n 2 var/train.log; touch $(MODEL); \
	else tail -n 40 var/train.log; exit 1; fi

train: $(MODEL)

validate: $(VENV)/.installed
	@mkdir -p var
	@$(RASA) data validate --fail-on-warnings > var/validate.log 2>&1 || { tail -n 40 var/validate.log; exit 1; }
	@grep -h "UserWarning" var/validate.log | sed 's/.*UserWarning: //' || true
	@echo "rasa data validate: OK"
	@$(PY) -m bot nlu check --no-rasa

run: $(MODEL)
	@$(PY) -m bot run

# The production topology on this machine: nginx, 2 desk replicas, 2 Rasa, 2 action servers,
# PostgreSQL and Redis (override CLUSTER_DATABASE / CLUSTER_REDIS).
cluster: $(MODEL)
	@$(PY) -m bot run --replicas 2 --database $(CLUSTER_DATABASE) --redis $(CLUSTER_REDIS)

test: $(MODEL)
	@$(PY) -m pytest

# Units and the desk API on SQLite and PostgreSQL, without Rasa processes, a browser or a cluster.
test-fast: $(VENV)/.installed
	@$(PY) -m pytest -m "not e2e and not browser and not rasa_eval and not cluster"

shell: $(MODEL)
	@SANIC_HOST=127.0.0.1 $(RASA) run actions --actions actions > var/shell-actions.log 2>&1 & \
	trap "kill $$!" EXIT; $(RASA) shell -i 127.0.0.1 -m $(MODEL) --endpoints endpoints.yml

eval-escalation: $(VENV)/.installed
	@$(PY) -m bot.escalation.evaluate

bench: $(MODEL)
	@$(PY) -m bench.run

clean:
	rm -rf var models results .pytest_cache
