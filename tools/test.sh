#!/usr/bin/env bash
# The test suite (what CI runs): installing mlc changes no package, the library is in sync with the notebooks,
# the notebooks are clean, every notebook runs in a real Jupyter kernel (with its committed outputs checked), and the
# HTML pages build. Ends with 'N passed, M failed'.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh || exit 1
V=.venv/bin
export MPLBACKEND=Agg
# torch's OpenMP threads spin-wait when processes share the 2 cores (notebooks run 2 at a time): 5-9x slower
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0; failed=0
ok()   { passed=$((passed+1)); echo "ok: $1"; }
fail() { failed=$((failed+1)); echo "FAILED: $1"; }
t0=$(date +%s)

# 0. what is installed (the newest fastai/fastcore/torch pip serves) meets mlc's requirements: a dry-run install
#    changes nothing but mlc itself (tools/check_install.sh checks the same in a fresh venv; .ci/run calls it)
if $V/pip install --dry-run -q --report "$tmp/report.json" -e . >"$tmp/pip.log" 2>&1 && $V/python tools/no_changes.py "$tmp/report.json"
then ok "pip install -e . changes no installed package ($($V/python -c 'import fastai, fastcore, torch; print("fastai", fastai.__version__, "fastcore", fastcore.__version__, "torch", torch.__version__)'))"
else grep -v Location "$tmp/pip.log" | tail -5; fail "pip install -e . would change installed packages"; fi

# 1. mlc/ is exactly what nbdev-export makes of nbs/
cp -r mlc "$tmp/mlc_before"
$V/nbdev-export
if diff -r -x __pycache__ "$tmp/mlc_before" mlc >"$tmp/export.diff"; then ok "mlc/ in sync with nbs/"
else head -40 "$tmp/export.diff"; fail "mlc/ differs from nbdev-export output (edit the notebooks, run nbdev-export, commit both)"; fi

# 2. notebooks are clean (no execution counts or stray metadata; outputs are kept: they are part of the course)
cp -r nbs "$tmp/nbs_before"
$V/nbdev-clean
if diff -r -x .ipynb_checkpoints "$tmp/nbs_before" nbs >/dev/null; then ok "notebooks clean"
else diff -rq "$tmp/nbs_before" nbs; fail "notebooks were not clean (nbdev-clean changed them)"; fi

# 3. every notebook, once, in a real Jupyter kernel (the `mlc` kernelspec) as a learner runs it, skipping the cells
#    nbdev-test skips (#| slow: `make slow`), and its committed outputs. `make test-nbdev` runs nbdev's own executor
#    too (CI does both)
$V/python tools/run_nbs.py --workers ${MLC_TEST_WORKERS:-2} 2>&1 | tee "$tmp/run_nbs.log"
passed=$((passed+$(grep -c '^ok: ' "$tmp/run_nbs.log"))); failed=$((failed+$(grep -c '^FAILED: ' "$tmp/run_nbs.log")))

# 4. the prose quotes only what the reader can see: a figure in markdown is printed by an output of its notebook
#    or names its source (tools/check_prose.py)
if $V/python tools/check_prose.py >"$tmp/prose.log" 2>&1; then ok "prose: $(tail -1 "$tmp/prose.log")"
else cat "$tmp/prose.log"; fail "prose quotes figures no output prints (print, cite or drop them)"; fi

# 5. the HTML pages build, every notebook is in the reading order, no page shows an error
if $V/python tools/docs.py --out "$tmp/docs" >"$tmp/docs.log" 2>&1; then ok "$(tail -1 "$tmp/docs.log")"
else cat "$tmp/docs.log"; fail "make docs"; fi

echo "make test: $(( $(date +%s) - t0 )) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
