# The course's two commands: `make book` builds the site, `make test` runs every check.
# Both create .venv and install the pinned dependencies first; nothing else is needed but
# python3, node/npm (for the site's offline assets) and, for the browser checks, Chromium
# (installed with apt-get when this runs as root on Debian). `make lab` opens the lectures
# in JupyterLab (pinned in requirements-lab.txt), on working copies in my-lectures/.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEPS_STAMP := $(VENV)/.deps-installed
LAB_STAMP := $(VENV)/.lab-installed
NODE_STAMP := node_modules/.deps-installed
ASSETS := _assets/vendor
ASSETS_STAMP := _assets/.copied
CHROMIUM ?= /usr/bin/chromium
SITE := _build/html
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0
# Students' working copies of the lectures (git-ignored); `make lab LAB_DIR=lectures` opens
# the tracked notebooks themselves, for authors.
LAB_DIR ?= my-lectures
# Jupyter refuses to start as root without this flag; containers and CI machines run as root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
STATUS_BEFORE := _build/.git-status-before-test
# The whole course as one PDF (make pdf), through Jupyter Book's LaTeX builder and XeLaTeX.
PDF := _build/pdf/online-sgd-in-high-dimension.pdf
TEX_PACKAGES := texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
  fonts-freefont-otf latexmk xindy poppler-utils

.PHONY: book test unit notebooks site browser lab-check committed execute bench serve lab clean help sweeps sweeps-list \
  pdf pdf-build pdf-check

help:
	@echo "make book     build the website into $(SITE) (from the notebooks' stored outputs)"
	@echo "make test     unit tests, nbval on every lecture, strict site build, browser checks"
	@echo "make lab-check  run every lecture in JupyterLab in headless Chromium (part of make test)"
	@echo "make pdf      the whole course as one PDF: $(PDF) (TeX Live from Debian's packages)"
	@echo "make pdf-check  build the PDF and check it against the notebooks and the site (part of make test)"
	@echo "make execute  re-run every notebook in place, storing outputs and widget state"
	@echo "make bench    print the performance figures of bench/"
	@echo "make sweeps   compute the stored sweeps that are missing or stale (SWEEP=name for one,"
	@echo "              FORCE=1 to recompute; DASK_SCHEDULER=tcp://host:8786 for a running cluster)"
	@echo "make serve    serve the built site on http://127.0.0.1:8000"
	@echo "make lab      open your copies of the lectures (my-lectures/) in JupyterLab, widgets live"

# --- set-up ---------------------------------------------------------------------------

$(DEPS_STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "dask[distributed]==2026.8.0" "distributed==2026.8.0"  # the [cluster] extra
	@touch $@

# JupyterLab and its MyST extension, on top of the course's environment (adds, upgrades none).
$(LAB_STAMP): requirements-lab.txt $(DEPS_STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-lab.txt
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
	@if [ -f $(PDF) ]; then cp $(PDF) $(SITE)/ && echo "Copied the course's PDF into the site ($(SITE)/$(notdir $(PDF)))"; fi
	@echo "Site built: $$(du -sh $(SITE) | cut -f1) in $(SITE)"

book: site
	@echo
	@echo "Open file://$(CURDIR)/$(SITE)/index.html in a browser, or run 'make serve'."

serve: $(DEPS_STAMP)
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory $(SITE)

# --- checks ---------------------------------------------------------------------------

unit: $(DEPS_STAMP)
	$(BIN)/pytest tests --ignore=tests/browser --ignore=tests/lab -q

# The checks read the notebooks in the work tree; they must be the ones git has (committed
# or staged), not a copy someone ran and saved: nbval compares against the stored outputs.
committed:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  bad=$$( { git diff --name-only -- 'lectures/*.ipynb'; \
	            git ls-files --others --exclude-standard -- 'lectures/*.ipynb'; } | sort -u); \
	  if [ -n "$$bad" ]; then \
	    echo "ERROR: these notebooks differ from what git has (committed or staged):" >&2; \
	    for f in $$bad; do echo "    $$f" >&2; done; \
	    echo "  A copy you ran and saved by mistake: git restore <file>; a new lecture: git add <file>." >&2; \
	    echo "  An edit you mean to keep: make execute, git add <file>, then make test." >&2; \
	    exit 1; \
	  fi; \
	fi

notebooks: $(DEPS_STAMP)
	$(BIN)/pytest $(NBVAL) lectures/ -q

# Chromium from Debian's package (playwright's own browser download is not used), installed
# with apt-get when missing and this runs as root. Without it the browser checks fail under
# CI and are skipped loudly elsewhere. $(call in_chromium,what,command)
define in_chromium
if [ ! -x "$(CHROMIUM)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
  echo "Installing Debian's chromium for the browser checks ..."; \
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
fi; \
if [ -x "$(CHROMIUM)" ]; then \
  COURSE_CHROMIUM=$(CHROMIUM) COURSE_REQUIRE_BROWSER=1 $(2); \
elif [ -n "$${CI:-}" ]; then \
  echo "ERROR: no Chromium at $(CHROMIUM) and it could not be installed; CI requires the $(1)." >&2; exit 1; \
else \
  echo; echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
  echo "!!  $(1) SKIPPED: no Chromium at $(CHROMIUM), and this is not root on Debian."; \
  echo "!!  Install it (Debian: apt-get install chromium) or set CHROMIUM=/path/to/chromium."; \
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; echo; \
fi
endef

browser: $(DEPS_STAMP)
	@$(call in_chromium,browser check,COURSE_SITE=$(SITE) $(BIN)/pytest tests/browser -q)

# Every lecture notebook in JupyterLab: a throwaway server on 127.0.0.1 serving copies of the
# notebooks, autosave off (tests/lab). Screenshots in _build/screenshots/lab/.
lab-check: $(LAB_STAMP)
	@$(call in_chromium,JupyterLab check,COURSE_LAB_CHECK=1 PYTHONPATH=$(CURDIR) $(BIN)/pytest tests/lab -q)

test: $(DEPS_STAMP) $(ASSETS_STAMP)
	$(MAKE) --no-print-directory committed
	@mkdir -p _build && (git status --porcelain 2>/dev/null || true) > $(STATUS_BEFORE)
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory notebooks
	$(MAKE) --no-print-directory site
	$(MAKE) --no-print-directory pdf-check
	$(MAKE) --no-print-directory browser
	$(MAKE) --no-print-directory lab-check
	@(git status --porcelain 2>/dev/null || true) | diff $(STATUS_BEFORE) - >&2 || \
	  { echo "ERROR: make test changed the work tree (git status above)." >&2; exit 1; }

# JupyterLab on your own copies of the lectures: each notebook is copied into $(LAB_DIR)/ the
# first time (your saved work is never overwritten: delete a copy to get the current lecture
# back). The course's notebooks are trusted (so their stored widgets show) in the same
# Jupyter data folder the server then reads. MPLBACKEND is unset so that pyplot draws inline.
lab: $(LAB_STAMP)
	@mkdir -p $(LAB_DIR)
	@for nb in lectures/*.ipynb; do \
	  if [ ! -e "$(LAB_DIR)/$${nb##*/}" ]; then cp "$$nb" "$(LAB_DIR)/" && echo "new copy: $(LAB_DIR)/$${nb##*/}"; fi; \
	done
	@$(BIN)/jupyter trust lectures/*.ipynb >/dev/null
	env -u MPLBACKEND PYTHONPATH=$(CURDIR) $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 \
	  --ServerApp.root_dir=$(LAB_DIR) $(ALLOW_ROOT)

# --- the PDF ----------------------------------------------------------------------------

# TeX Live and poppler-utils from Debian's packages (not texlive-fonts-extra, 1.4 GB), installed
# with apt-get when one is missing and this runs as root on Debian, as Chromium is. Without them
# the PDF fails under CI and is skipped loudly elsewhere. $(call with_tex,what,command)
define with_tex
missing=; \
if command -v dpkg-query >/dev/null; then \
  for p in $(TEX_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
else \
  for c in xelatex latexmk pdftotext pdfimages pdftoppm; do command -v $$c >/dev/null || missing="$$missing $$c"; done; \
fi; \
if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
  echo "Installing TeX Live and poppler-utils from Debian's packages for the PDF:$$missing ..."; \
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES) >/dev/null; \
  missing=; for c in xelatex latexmk pdftotext pdfimages pdftoppm; do command -v $$c >/dev/null || missing="$$missing $$c"; done; \
fi; \
if [ -z "$$missing" ]; then \
  $(2); \
elif [ -n "$${CI:-}" ]; then \
  echo "ERROR: missing$$missing and it could not be installed; CI requires the $(1)." >&2; exit 1; \
else \
  echo; echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
  echo "!!  $(1) SKIPPED: missing$$missing, and this is not root on Debian."; \
  echo "!!  Install them (Debian: apt-get install $(TEX_PACKAGES))."; \
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; echo; \
fi
endef

# Jupyter Book's LaTeX builder (sphinx-jupyterbook-latex, XeLaTeX through latexmk) with the
# course's additions in _ext/course_latex.py; strict like the site. The PDF is copied into the
# site when the site exists (the intro page links to it).
pdf: $(DEPS_STAMP)
	@$(call with_tex,PDF,$(MAKE) --no-print-directory pdf-build)

pdf-build:
	@# The site's html_extra_path (_assets, copied from npm for `make book`) must exist even for
	@# LaTeX, or Sphinx warns (-W) in a fresh clone; `make site` still fills it (its stamp is a file).
	@mkdir -p _build _assets; start=$$(date +%s); \
	$(BIN)/jupyter-book build . --all --builder pdflatex -W -n --keep-going > _build/pdf-build.log 2>&1 || \
	  { tail -40 _build/pdf-build.log >&2; echo "ERROR: the PDF build failed (log: _build/pdf-build.log, _build/latex/book.log)" >&2; exit 1; }; \
	mkdir -p $(dir $(PDF)) && cp _build/latex/book.pdf $(PDF); \
	if [ -d $(SITE) ]; then cp $(PDF) $(SITE)/; fi; \
	echo "PDF built in $$(( $$(date +%s) - start )) s: $(PDF), $$(pdfinfo $(PDF) | awk '/^Pages/ {print $$2}') pages, $$(du -h $(PDF) | cut -f1)"

# The PDF against the notebooks and the built site (tests/pdf); page renders in
# _build/screenshots/pdf/.
pdf-check: $(DEPS_STAMP)
	@if [ ! -f $(SITE)/lectures/00-intro.html ]; then $(MAKE) --no-print-directory site; fi
	@$(call with_tex,PDF check,$(MAKE) --no-print-directory pdf-build && COURSE_PDF=$(PDF) COURSE_SITE=$(SITE) $(BIN)/pytest tests/pdf -q)

# --- authoring ------------------------------------------------------------------------

execute: $(DEPS_STAMP)
	$(BIN)/python -m lecturelib._execute lectures/*.ipynb

# The stored sweeps (lecturelib/sweeps/): a Dask LocalCluster on every core, or the scheduler
# named by DASK_SCHEDULER; results go to data/sweeps/ (commit them).
sweeps: $(DEPS_STAMP)
	$(BIN)/python -m lecturelib.sweeps $(if $(SWEEP),--sweep $(SWEEP)) $(if $(FORCE),--force)

sweeps-list: $(DEPS_STAMP)
	@$(BIN)/python -m lecturelib.sweeps --list

bench: $(DEPS_STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf _build _assets
