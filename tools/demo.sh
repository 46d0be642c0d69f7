#!/usr/bin/env bash
# The demo: the main job on the embedded default dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
V=.venv/bin
export MPLBACKEND=Agg
$V/mlc_data --source shapes
