# previz: the two commands of the README's quick start, and a few helpers.
#   make demo   create .venv, install previz, run the bundled example script to every deliverable
#   make test   install the test extras and run the whole suite (what .ci/run runs)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check
OUT    ?= demo-out
EXAMPLE := previz/examples/brick_and_steel.fountain
# pytest-xdist workers: CI machines have 2 cores.
WORKERS ?= auto

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# Base install: no torch, no GPU libraries.
$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(PIP) install -q -e .
	@touch $@

# Test extras: the suite runs the diffusion backends on tiny random models, so it needs torch.
# Where there is no GPU the CPU build of torch goes in first (torch==2.13.0 is on local disk),
# since a bare `torch` requirement would pull a multi-GB CUDA build.
EXTRAS ?= dev,diffusion
$(VENV)/.test-$(EXTRAS): pyproject.toml | $(BIN)/python
	@case ",$(EXTRAS)," in *,diffusion,*) \
	  if command -v nvidia-smi >/dev/null 2>&1; then echo "GPU present: torch from the index"; \
	  else $(PIP) install -q "torch==2.13.0"; fi ;; esac
	$(PIP) install -q -e ".[$(EXTRAS)]"
	@touch $@

demo: $(VENV)/.base
	$(BIN)/previz run $(EXAMPLE) -o $(OUT)

test: $(VENV)/.test-$(EXTRAS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(WORKERS) -p no:cacheprovider

lint: $(VENV)/.test-$(EXTRAS)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(VENV)/.test-$(EXTRAS)
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/plan.py
	$(BIN)/python bench/plan_llm.py --scenes 40
	$(BIN)/python bench/render_sketch.py
	$(BIN)/python bench/animatic.py
	$(BIN)/python bench/e2e.py
	$(BIN)/python bench/web_load.py
	$(BIN)/python bench/gpu_render.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .hypothesis build *.egg-info
