# corridor — two commands on a fresh machine: `make demo` and `make test`.
# `make demo` installs what a user installs (`pip install .`: the CLI, serve and batch);
# `make test` adds the test tool chain (`.[test]`: pytest, the reference peers, ruff, mypy,
# Playwright) and chromium. Each install has its own stamp, so either may come first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
USER_STAMP := $(VENV)/.installed-user
STAMP  := $(VENV)/.installed-test

.PHONY: install install-user demo test test-thorough fuzz lint typecheck pytest bench bench-quick clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(USER_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(USER_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install-user: $(USER_STAMP)

install: $(STAMP)

demo: $(USER_STAMP)
	mkdir -p out
	$(BIN)/corridor timeline
	$(BIN)/corridor compare --plan corridor --plan encircle
	$(BIN)/corridor timeline --json > out/mosul-2016-timeline.json
	$(BIN)/corridor timeline --mover civilians --csv > out/mosul-2016-civilians.csv
	$(BIN)/corridor timeline --chart out/mosul-2016-timeline.png > /dev/null
	$(BIN)/corridor compare --plan corridor --plan encircle --chart out/mosul-2016-plans.png > /dev/null
	$(BIN)/corridor map -o out/mosul-2016.html
	$(BIN)/corridor scenario check mosul-2016
	$(BIN)/corridor timeline helsinki-bridges
	$(BIN)/corridor timeline helsinki-bridges --chart out/helsinki-bridges-timeline.png > /dev/null
	$(BIN)/corridor compare helsinki-bridges --plan keep-bridge --chart out/helsinki-bridges-plans.png > /dev/null
	$(BIN)/corridor map helsinki-bridges -o out/helsinki-bridges.html
	$(BIN)/corridor scenario check helsinki-bridges
	@echo "Written: out/mosul-2016.html (open it in a browser; works offline),"
	@echo "         out/mosul-2016-timeline.png, out/mosul-2016-plans.png,"
	@echo "         out/mosul-2016-timeline.json, out/mosul-2016-civilians.csv,"
	@echo "         out/helsinki-bridges.html, out/helsinki-bridges-timeline.png, out/helsinki-bridges-plans.png"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools examples
	$(BIN)/ruff format --check src tests bench tools examples

typecheck: $(STAMP)
	$(BIN)/mypy

# two processes (pytest-xdist; worksteal: an idle worker takes tests queued for the other, as
# the costly property tests sit together); the hypothesis profile ``ci`` (tests/conftest.py):
# the same examples on every run
XDIST ?= -n 2 --dist worksteal
pytest: $(STAMP)
	$(BIN)/pytest src tests $(XDIST)

# not part of `make test` or CI: 1000 fresh random examples per property (profile ``thorough``)
# under a seed printed first; `make test-thorough SEED=<seed>` runs the same examples again
test-thorough: $(STAMP)
	@seed='$(SEED)'; seed=$${seed:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	echo "hypothesis seed $$seed (to run these examples again: make test-thorough SEED=$$seed)"; \
	HYPOTHESIS_PROFILE=thorough $(BIN)/pytest src tests $(XDIST) --hypothesis-seed=$$seed

# not part of `make test`: the fuzz harness (tests/fuzz) long, FUZZ_EXAMPLES mutated inputs per
# test (7 tests: 35,000 runs by default), fresh random ones each time; the statistics at the end
# say how many ran
FUZZ_EXAMPLES ?= 5000
fuzz: $(STAMP)
	CORRIDOR_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) HYPOTHESIS_PROFILE=thorough \
		$(BIN)/pytest tests/fuzz $(XDIST) -p no:cacheprovider --hypothesis-show-statistics

# the browser tests drive Debian's chromium (Playwright with executable_path; no browser download)
chromium:
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

test: chromium lint typecheck pytest

bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick

bench: $(STAMP)
	$(BIN)/python -m bench.run

# numba's cached machine code (*.nbi, *.nbc) is checked only against its own module's file:
# after editing a kernel that another kernel module calls, clean
clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
	find src -name '*.nb[ic]' -delete
