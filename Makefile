# The two commands a fresh machine needs: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test chat lint format validate bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: the Telegram bot; with no TELEGRAM_BOT_TOKEN it opens the lessons in this terminal
run: $(STAMP)
	$(BIN)/python -m bot run --console-fallback

## test: lint, lesson validation and the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set)
test: $(STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/python -m bot lessons validate
	$(BIN)/pytest -q

chat: $(STAMP)
	$(BIN)/python -m bot chat

validate: $(STAMP)
	$(BIN)/python -m bot lessons validate

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench

format: $(STAMP)
	$(BIN)/ruff format bot tests bench
	$(BIN)/ruff check --fix bot tests bench

## bench: benchmarks that print figures (never run by `make test`)
bench: $(STAMP)
	$(BIN)/python -m bench.bench_bot

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
