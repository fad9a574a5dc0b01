# The two commands: `make run` (the bot) and `make test` (mypy over bot/, then the suite).
# Each builds the virtual environment first when pyproject.toml changed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench quality clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/digestbot run

test: $(STAMP)
	$(BIN)/python -m mypy bot
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/keypoints.py
	$(BIN)/python benchmarks/commands.py
	$(BIN)/python benchmarks/broadcast.py

SET ?= cnn_world
quality: $(STAMP)
	cd ../shared/eval && $(CURDIR)/$(BIN)/python score_summaries.py $(SET) --callable bot.keypoints:key_points

clean:
	rm -rf $(VENV) build *.egg-info
