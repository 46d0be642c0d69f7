#!/usr/bin/env bash
# The demo: the main job on the embedded default dataset: data -> train -> tune thresholds -> export -> predict.
set -euo pipefail
cd "$(dirname "$0")/.."
V=.venv/bin
export MPLBACKEND=Agg PYTHONWARNINGS=ignore OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
OUT=${MLC_DEMO_OUT:-models/demo}

echo "== 1. the default dataset (synthetic shapes, grouped style + layout labels)"
$V/mlc_data --source shapes --n 1000
echo; echo "== 2. train tf_efficientnet_lite0 (offline ImageNet weights), choose calibration and thresholds held out, save"
$V/mlc_train --source shapes --n 1000 --epochs ${MLC_DEMO_EPOCHS:-3} --size 64 --out "$OUT"
# what was kept is never worse, by the held-out estimate scores.json records, than a simpler kind
$V/python - "$OUT/scores.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
for part, held, sign in (('calibration', s['calibration']['held_out_ece'], -1),
                         ('thresholds', {k: c['f1_macro'] for k, c in s['thresholds']['candidates'].items()}, 1)):
    kinds, kept = list(held), s[part]['kind']
    worse = [k for k in kinds[:kinds.index(kept)] if sign*held[k] >= sign*held[kept]]
    if worse and s[part]['chosen_by'] == 'auto': sys.exit(f"demo: error: {part} kept {kept}, not better held out than {worse}")
    simpler = kinds[:kinds.index(kept)]
    print(f"   check: {part} kept {kept}: " + (f"better held out than {' and '.join(simpler)}" if simpler else "the simplest kind"))
EOF
echo; echo "== 3. predict new images (a different seed) plus a broken file, with the safe artifact"
$V/mlc_data --source shapes --n 12 --seed 7 --out "$OUT/new_images" >/dev/null
printf 'not an image' > "$OUT/new_images/train/broken.png"
$V/mlc_predict "$OUT/model.json" "$OUT/new_images/train" --out "$OUT/predictions.csv"
head -5 "$OUT/predictions.csv" | cut -c1-150
echo; echo "   true labels of the first images:"; head -5 "$OUT/new_images/train.csv"
