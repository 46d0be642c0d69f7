#!/usr/bin/env bash
# The demo: the main job on the embedded default dataset: data -> train -> tune thresholds -> export -> predict.
set -euo pipefail
cd "$(dirname "$0")/.."
V=.venv/bin
export MPLBACKEND=Agg PYTHONWARNINGS=ignore OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
OUT=${MLC_DEMO_OUT:-models/demo}

echo "== 1. the default dataset (synthetic shapes, grouped style + layout labels)"
$V/mlc_data --source shapes --n 1000
echo; echo "== 2. train tf_efficientnet_lite0 (offline ImageNet weights), tune per-label thresholds, save"
$V/mlc_train --source shapes --n 1000 --epochs ${MLC_DEMO_EPOCHS:-3} --size 64 --out "$OUT"
echo; echo "== 3. predict new images (a different seed) plus a broken file, with the safe artifact"
$V/mlc_data --source shapes --n 12 --seed 7 --out "$OUT/new_images" >/dev/null
printf 'not an image' > "$OUT/new_images/train/broken.png"
$V/mlc_predict "$OUT/model.json" "$OUT/new_images/train" --out "$OUT/predictions.csv"
head -5 "$OUT/predictions.csv" | cut -c1-150
echo; echo "   true labels of the first images:"; head -5 "$OUT/new_images/train.csv"
