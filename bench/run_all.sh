#!/usr/bin/env bash
# Run every mlc benchmark, one after the other; each prints its table and writes bench/results/NAME.json.
#
#   bash bench/run_all.sh            # full versions (~60 min on 2 idle cores; longer when the machine is shared)
#   bash bench/run_all.sh --quick    # short versions (~5 min, plus `make test`)
#   bash bench/run_all.sh --quick --no-tests   # without bench/test_suite.sh (make test)
#
# Timings are noisy on a shared 2-core machine: every script interleaves the variants it compares and reports ratios
# measured in the same run; each result JSON records the load average at start and end.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
quick=""; tests=1
for a in "$@"; do
  case "$a" in
    --quick) quick=--quick ;;
    --no-tests) tests=0 ;;
    *) echo "usage: bash bench/run_all.sh [--quick] [--no-tests]"; exit 2 ;;
  esac
done
export MPLBACKEND=Agg PYTHONWARNINGS=ignore
mkdir -p bench/results
t0=$(date +%s); status=()
run() {  # name, command...
  local name=$1; shift
  local s=$(date +%s)
  echo; echo "=== $name $quick  ($(date +%H:%M:%S), load $(cut -d' ' -f1 /proc/loadavg))"
  if "$@"; then status+=("$name: ok, $(( $(date +%s) - s ))s")
  else status+=("$name: FAILED (exit $?), $(( $(date +%s) - s ))s"); fi
}
for name in thresholds confusion_counts predict_speed preprocess_vs_fastai inference_knobs onnx_speed onnx_footprint first_row \
            train_phases train_data_pipeline train_memory_format train_workers time_to_quality quality_curve recipes \
            losses calibration streaming scaling; do
  run $name $PY bench/$name.py $quick
done
[ $tests = 1 ] && run test_suite bash bench/test_suite.sh
echo; echo "=== summary ($(( ($(date +%s) - t0) / 60 )) min in all)"
printf '  %s\n' "${status[@]}"
echo "results: bench/results/*.json; the README table: make bench-table"
