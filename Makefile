# Shortcuts for working on frontdesk. The README's two commands need none of this.

VENV ?= .venv
PY := $(VENV)/bin/python

$(PY):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -e '.[test]'

# The app on the demo clinic, built once in the user data directory.
run: $(PY)
	$(VENV)/bin/frontdesk --demo

# A fresh demo database in ./demo.db, printing the staff accounts.
demo: $(PY)
	rm -f demo.db demo.db-wal demo.db-shm
	$(VENV)/bin/frontdesk demo --db demo.db

# Textual's dev console shows log lines and messages: run `textual console` first.
debug: $(PY)
	TEXTUAL=devtools,debug $(VENV)/bin/frontdesk --demo

# The default test run (the same as CI).
test: $(PY)
	$(VENV)/bin/pytest -n 3

# Review and accept changed snapshots: open every SVG in the report first.
snapshots: $(PY)
	$(VENV)/bin/pytest tests/snapshots --snapshot-update

# Benchmarks print their figures; they are never part of the test run.
bench: $(PY)
	$(PY) tests/perf/bench_startup.py
	$(PY) tests/perf/bench_day.py
	$(PY) tests/perf/bench_demo.py
	$(PY) tests/perf/bench_audit.py
	$(PY) tests/perf/bench_backup.py

.PHONY: run demo debug test snapshots bench
