#!/usr/bin/env bash
# The test suite: library in sync with the notebooks, notebooks clean, every notebook run by nbdev_test,
# and the data notebook executed in a real Jupyter kernel. Ends with 'N passed, M failed'.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh || exit 1
V=.venv/bin
export MPLBACKEND=Agg
# torch's OpenMP threads spin-wait when processes share the 2 cores (nbdev_test runs notebooks in parallel): 5-9x slower
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0; failed=0
ok()   { passed=$((passed+1)); echo "ok: $1"; }
fail() { failed=$((failed+1)); echo "FAILED: $1"; }

# 1. mlc/ is exactly what nbdev_export makes of nbs/
cp -r mlc "$tmp/mlc_before"
$V/nbdev_export
if diff -r -x __pycache__ "$tmp/mlc_before" mlc >"$tmp/export.diff"; then ok "mlc/ in sync with nbs/"
else cat "$tmp/export.diff" | head -40; fail "mlc/ differs from nbdev_export output (edit the notebooks, run nbdev_export, commit both)"; fi

# 2. notebooks are clean (no outputs, execution counts or stray metadata)
cp -r nbs "$tmp/nbs_before"
$V/nbdev_clean
if diff -r -x .ipynb_checkpoints "$tmp/nbs_before" nbs >/dev/null; then ok "notebooks clean"
else diff -rq "$tmp/nbs_before" nbs; fail "notebooks were not clean (nbdev_clean changed them)"; fi

# 3. every notebook, in-process (cells flagged #| slow are skipped; run them with: nbdev_test --flags slow)
n_nbs=$(ls nbs/*.ipynb | wc -l)
$V/nbdev_test --n_workers ${MLC_TEST_WORKERS:-2} --timing 2>&1 | tee "$tmp/nbdev_test.log"
n_bad=$(awk '/nbdev Tests Failed On The Following Notebooks/{f=1;next} f&&/^\t/{n++} END{print n+0}' "$tmp/nbdev_test.log")
if grep -q "^Success" "$tmp/nbdev_test.log"; then passed=$((passed+n_nbs)); echo "ok: $n_nbs notebooks (nbdev_test)"
else passed=$((passed+n_nbs-n_bad)); failed=$((failed+(n_bad>0?n_bad:1))); echo "FAILED: nbdev_test"; fi

# 4. the data notebook in a real Jupyter kernel, as a learner runs it
for nb in nbs/00_data.ipynb; do
  if $V/jupyter nbconvert --to notebook --execute "$nb" --output-dir "$tmp" --ExecutePreprocessor.timeout=600 >/dev/null 2>"$tmp/nbconvert.log"
  then ok "$nb in a Jupyter kernel"; else tail -30 "$tmp/nbconvert.log"; fail "$nb in a Jupyter kernel"; fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
