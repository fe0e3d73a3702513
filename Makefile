# The course's two commands: `make book` builds the site, `make test` runs every check.
# Both create .venv and install the pinned dependencies first; nothing else is needed but
# python3, node/npm (for the site's offline assets) and, for the browser check, Chromium
# (installed with apt-get when this runs as root on Debian).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEPS_STAMP := $(VENV)/.deps-installed
NODE_STAMP := node_modules/.deps-installed
ASSETS := _assets/vendor
ASSETS_STAMP := _assets/.copied
CHROMIUM ?= /usr/bin/chromium
SITE := _build/html
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0

JUPYTERLAB := jupyterlab==4.6.6

.PHONY: book test unit notebooks site browser execute bench serve lab clean help

help:
	@echo "make book     build the website into $(SITE) (from the notebooks' stored outputs)"
	@echo "make test     unit tests, nbval on every lecture, strict site build, browser check"
	@echo "make execute  re-run every notebook in place, storing outputs and widget state"
	@echo "make bench    print the performance figures of bench/"
	@echo "make serve    serve the built site on http://127.0.0.1:8000"
	@echo "make lab      open the lectures in JupyterLab, widgets live"

# --- set-up ---------------------------------------------------------------------------

$(DEPS_STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(NODE_STAMP): package.json
	npm install --no-audit --no-fund --ignore-scripts --no-package-lock --loglevel=error
	@touch $@

# Copy MathJax, require.js and the widget manager into a folder that Sphinx copies to the
# site root (html_extra_path); not `_static`, where Jupyter Book would inject every .js.
$(ASSETS_STAMP): $(NODE_STAMP) _ext/widgets-setup.js
	rm -rf _assets && mkdir -p $(ASSETS)/mathjax $(ASSETS)/requirejs $(ASSETS)/html-manager
	cp node_modules/mathjax/es5/tex-chtml.js $(ASSETS)/mathjax/
	cp -r node_modules/mathjax/es5/{input,output,ui,a11y,adaptors,sre} $(ASSETS)/mathjax/
	cp node_modules/requirejs/require.js $(ASSETS)/requirejs/
	mkdir -p $(ASSETS)/axe && cp node_modules/axe-core/axe.min.js $(ASSETS)/axe/  # for the browser check's audit
	cp _ext/widgets-setup.js $(ASSETS)/
	cd node_modules/@jupyter-widgets/html-manager/dist && \
	  cp $$(ls | grep -v -e '\.map$$' -e '^embed\.js') ../../../../$(ASSETS)/html-manager/
	@touch $@

# --- the site -------------------------------------------------------------------------

site: $(DEPS_STAMP) $(ASSETS_STAMP)
	$(BIN)/jupyter-book build . --all --builder html -W -n --keep-going
	@echo "Site built: $$(du -sh $(SITE) | cut -f1) in $(SITE)"

book: site
	@echo
	@echo "Open file://$(CURDIR)/$(SITE)/index.html in a browser, or run 'make serve'."

serve: $(DEPS_STAMP)
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory $(SITE)

# --- checks ---------------------------------------------------------------------------

unit: $(DEPS_STAMP)
	$(BIN)/pytest tests --ignore=tests/browser -q

notebooks: $(DEPS_STAMP)
	$(BIN)/pytest $(NBVAL) lectures/ -q

# Chromium from Debian's package (playwright's own browser download is not used).
browser: $(DEPS_STAMP)
	@if [ ! -x "$(CHROMIUM)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser check ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	fi
	@if [ -x "$(CHROMIUM)" ]; then \
	  COURSE_SITE=$(SITE) COURSE_CHROMIUM=$(CHROMIUM) COURSE_REQUIRE_BROWSER=1 \
	    $(BIN)/pytest tests/browser -q; \
	elif [ -n "$${CI:-}" ]; then \
	  echo "ERROR: no Chromium at $(CHROMIUM) and it could not be installed; CI requires the browser check." >&2; exit 1; \
	else \
	  echo; echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!!  BROWSER CHECK SKIPPED: no Chromium at $(CHROMIUM), and this is not root on Debian."; \
	  echo "!!  Install it (Debian: apt-get install chromium) or set CHROMIUM=/path/to/chromium."; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; echo; \
	fi

test: $(DEPS_STAMP) $(ASSETS_STAMP)
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory notebooks
	$(MAKE) --no-print-directory site
	$(MAKE) --no-print-directory browser

# JupyterLab is not needed by the checks; installed on demand, pinned. ipywidgets 8 brings
# its JupyterLab extension (jupyterlab_widgets), so the widgets work with no further step.
lab: $(DEPS_STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(JUPYTERLAB)
	$(BIN)/jupyter lab lectures/

# --- authoring ------------------------------------------------------------------------

execute: $(DEPS_STAMP)
	$(BIN)/python -m lecturelib._execute lectures/*.ipynb

bench: $(DEPS_STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf _build _assets
