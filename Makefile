# Two entry points for a fresh machine (see README):
#   make site   set up, then build the sample vault in notes/ into site/
#   make test   set up (with browser test needs), then run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: site test setup browser bench clean

site: $(STAMP)
	$(BIN)/kbgen setup
	$(BIN)/kbgen build

test: $(STAMP) browser
	$(BIN)/kbgen setup
	$(BIN)/python -m pytest -q

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# Browser tests drive Debian's Chromium (Playwright's own browser download does not work
# offline); Hangul needs the CJK fonts to render as glyphs rather than boxes.
browser:
	@if ! dpkg -s chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null; \
	fi

bench: $(STAMP)
	$(BIN)/python bench/build_bench.py 1000 5000

clean:
	rm -rf site .kbgen-cache
