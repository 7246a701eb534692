# Set-up is automatic: every target below first builds the virtual environment if it is missing.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# On our machines this version resolves to a local CPU-only wheel; an unpinned torch would pull
# several GB of CUDA packages. Override with TORCH_SPEC="torch" to let pip choose.
TORCH_SPEC ?= torch==2.13.0

.PHONY: setup demo test lint bench bench-sheet clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q "$(TORCH_SPEC)"
	$(VENV)/bin/pip install -q -e ".[dev,ray,vpype,webtest]"
	@$(PY) -c "import cairosvg" 2>/dev/null || { echo "error: the cairo library is missing (Debian/Ubuntu: apt-get install libcairo2; macOS: brew install cairo)"; exit 1; }
	@touch $(STAMP)

# The bundled sample is scikit-image's cat photo (installed with the package, nothing downloaded).
demo: $(STAMP)
	$(PY) -c "import imageio.v3 as iio, skimage.data as d; iio.imwrite('outputs/chelsea.png', d.chelsea())"
	$(VENV)/bin/paint outputs/chelsea.png --brush oilpaint
	@echo "open outputs/chelsea-oilpaint/painting.png (also painting.svg, strokes.json, process.gif)"

test: $(STAMP)
	$(PY) -m pytest -q

# Run it alone on the machine (hours: every case on the 15 photos of benchmarks/photos.py, primitive side
# by side, found by $$PRIMITIVE or on PATH). Interrupted, the same command goes on where it stopped.
# Pick cases and photos with BENCH_ARGS="--cases rectangle-300 oil-1000 --photos astronaut rocket".
bench: $(STAMP)
	$(PY) benchmarks/renderers.py
	$(PY) benchmarks/paint_photos.py $(BENCH_ARGS)

# Contact sheets of the last `make bench` (photo, primitive, paint): docs/benchmark-sheet-<case>.png
bench-sheet: $(STAMP)
	$(PY) benchmarks/contact_sheet.py

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
