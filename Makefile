# Every target creates .venv when it is missing; only Python 3.11+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test model compare bench clean-venv

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "tamiz needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev,compare,datatrove,dask,hf,report]'
	touch $(STAMP)

SHARED_EXAMPLE := ../shared/examples/elpais-usa-article.txt

demo: $(STAMP)
	@echo "== tamiz clean examples/mixed-page.txt: a Spanish article on a page with English chrome =="
	$(BIN)/tamiz clean examples/mixed-page.txt
	@if [ -f $(SHARED_EXAMPLE) ]; then \
	  echo; echo "== tamiz clean $(SHARED_EXAMPLE): an English article with a Spanish notice =="; \
	  $(BIN)/tamiz clean $(SHARED_EXAMPLE); fi
	@echo
	@echo "== tamiz score: one paragraph per line on stdin =="
	printf 'Suscríbete para seguir leyendo\nThe minister said on Tuesday that the plan would be approved by parliament.\n' | $(BIN)/tamiz score

test: $(STAMP)
	$(BIN)/python -m pytest

# Retrain the shipped model from training_data/ alone (threshold chosen on the frozen validation split).
model: $(STAMP)
	$(BIN)/tamiz train training_data/train --validation training_data/validation --out model --force

compare: $(STAMP)
	$(BIN)/python scripts/compare_peers.py ../shared/bench/paragraphs.jsonl

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean-venv:
	rm -rf $(VENV)
