# The two commands a fresh machine needs: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-clock chat lint format validate bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: the bot (Telegram and/or Zalo); with neither TELEGRAM_BOT_TOKEN nor ZALO_APP_ID it opens the lessons in this terminal
run: $(STAMP)
	$(BIN)/python -m bot run --console-fallback

## test: lint, lesson validation and the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set)
test: $(STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/python -m bot lessons validate
	$(BIN)/pytest -q

## test-clock: the suite on SQLite under faked clocks where the UTC and Vietnamese dates differ (needs
## Debian's faketime): two Sunday evenings in UTC (already Monday in Vietnam, one across a year's end)
## and New Year's Eve in UTC (already New Year's Day), that one on a machine whose own time zone is
## neither UTC nor Vietnam's.
CLOCKS := "2026-12-06 20:45:00|" "2027-01-03 17:30:00|" "2026-12-31 17:30:00|Pacific/Kiritimati"
test-clock: $(STAMP)
	@command -v faketime >/dev/null || { echo "test-clock needs faketime: apt-get install faketime"; exit 2; }
	@for clock in $(CLOCKS); do \
	  instant=$${clock%|*}; zone=$${clock#*|}; \
	  echo "== suite at $$instant UTC$${zone:+, machine time zone $$zone}"; \
	  env -u TEST_DATABASE_URL $${zone:+TZ=$$zone} FAKETIME_DONT_FAKE_MONOTONIC=1 \
	    faketime "$$instant" $(BIN)/pytest -q -p no:cacheprovider || exit 1; \
	done

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
