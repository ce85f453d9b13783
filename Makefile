# MLCardiac — the few commands a user needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CONFIG      ?= Release
DOTNET      ?= dotnet
RESULTS     := .artifacts/test-results
MLCARDIAC_BIN = src/MLCardiac.Cli/bin/$(CONFIG)/net10.0/mlcardiac
MLCARDIAC    = ./$(MLCARDIAC_BIN)
# Python with Debian's nibabel/numpy/scipy: the independent references the tests and benchmarks compare against.
PYTHON      ?= /usr/bin/python3
TEST_PKGS   := python3-nibabel python3-numpy python3-scipy

.PHONY: help setup build test bench fuzz run serve clean

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: ## Install what the tests need (Debian packages; uses apt-get when run as root)
	@if $(PYTHON) -c 'import nibabel, numpy, scipy' 2>/dev/null; then \
	  echo "setup: $(PYTHON) has nibabel, numpy and scipy"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_PKGS) >/dev/null && echo "setup: installed $(TEST_PKGS)"; \
	else \
	  echo "setup: install $(TEST_PKGS) (sudo apt-get install $(TEST_PKGS)); until then the nibabel cross-checks are skipped"; \
	fi
	@# The web page: npm bundles the NiiVue viewer at build time; headless Chromium runs the page test.
	@missing=""; command -v npm >/dev/null || missing="npm"; [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -z "$$missing" ]; then \
	  echo "setup: npm and chromium present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null && echo "setup: installed$$missing"; \
	else \
	  echo "setup: install$$missing (sudo apt-get install$$missing); until then the page has no viewer and the browser tests (web page, HTML reports) are skipped"; \
	fi
	@# The trial-store tests start private PostgreSQL servers from Debian's binaries (initdb in a temporary folder, loopback only).
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "setup: PostgreSQL server binaries present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null && echo "setup: installed postgresql"; \
	else \
	  echo "setup: install postgresql (sudo apt-get install postgresql); until then the PostgreSQL trial-store tests fail in CI and are inconclusive elsewhere"; \
	fi

build: ## Build everything (Release)
	$(DOTNET) build MLCardiac.sln -c $(CONFIG) -nologo -clp:ErrorsOnly

test: setup build ## Run the test suite; ends with 'N passed, N failed, N skipped'
	@rm -rf $(RESULTS)
	@$(DOTNET) test MLCardiac.sln -c $(CONFIG) --no-build -nologo \
	  --logger "trx" --logger "console;verbosity=minimal" --results-directory $(RESULTS); \
	  rc=$$?; $(PYTHON) build/test-summary.py $(RESULTS) || rc=1; exit $$rc

bench: setup build ## Benchmarks against the reference peers (not part of the tests)
	$(DOTNET) run -c $(CONFIG) --no-build --project bench/MLCardiac.Bench -- all

fuzz: build ## Fuzzing: 10 000 NIfTI and 2 000 model-file inputs (bench fuzz), then the suite's fuzz tests with line/branch coverage of the readers
	$(DOTNET) run -c $(CONFIG) --no-build --project bench/MLCardiac.Bench -- fuzz
	@rm -rf .artifacts/fuzz-coverage
	$(DOTNET) test tests/MLCardiac.Tests -c $(CONFIG) --no-build -nologo --filter "FullyQualifiedName~MLCardiac.Tests.Fuzzing" \
	  --collect "XPlat Code Coverage" --results-directory .artifacts/fuzz-coverage
	$(PYTHON) build/fuzz-coverage.py .artifacts/fuzz-coverage

PROFILE     ?= quick
run: build ## The main job: the generalization study (quick profile) -> reports/generalization-study/report.html
	$(MLCARDIAC) run pipelines/generalization-study.json --profile $(PROFILE)

MODEL       ?= models/unet-ab
URLS        ?= http://127.0.0.1:5080
SERVE_DATA  ?= data/synthetic
serve: build ## The HTTP service and web page on $(URLS) with $(MODEL) (trained on first use: U-Net on vendors A+B); CLASSIFIER=DIR adds the scanner check
	@if [ ! -f $(MODEL)/model.zip ]; then \
	  [ -f $(SERVE_DATA)/Synthetic_Dataset_information.csv ] || $(MLCARDIAC) synth --out $(SERVE_DATA) --subjects-per-vendor 10 --seed 1; \
	  $(MLCARDIAC) train --data $(SERVE_DATA) --train-vendors A,B --augment standard --epochs 5 --iterations 40 --out $(MODEL); fi
	$(MLCARDIAC) serve --model $(MODEL) --urls $(URLS) $(if $(CLASSIFIER),--classifier $(CLASSIFIER))

clean: ## Remove build outputs
	$(DOTNET) clean MLCardiac.sln -c $(CONFIG) -nologo -v q
	rm -rf .artifacts
