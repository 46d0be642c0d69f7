#!/usr/bin/env bash
# Set up a development environment from a fresh clone: Debian data package, .venv, editable install with dev extras.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=${PYTHON:-python3}

if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian package dataset-fashion-mnist"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
  else
    echo "setup: WARNING: /usr/share/datasets/fashion-mnist is missing; run 'sudo apt-get install dataset-fashion-mnist'" >&2
  fi
fi

# the web app's browser test drives the system Chromium (Playwright cannot download its own browser offline);
# without it that test is skipped, so a failed install only warns
if [ ! -x /usr/bin/chromium ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian package chromium (for the app's browser test)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
      || echo "setup: WARNING: could not install chromium; the app's browser test will be skipped" >&2
  else
    echo "setup: note: chromium is missing, so the app's browser test will be skipped ('sudo apt-get install chromium')" >&2
  fi
fi

stamp="$VENV/.mlc-installed"
if [ ! -f "$stamp" ] || [ settings.ini -nt "$stamp" ] || [ setup.py -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  log="$VENV/pip-install.log"   # pip and the build backend talk a lot; the log is shown only when something fails
  echo "setup: installing mlc (editable) with dev extras into $VENV (first time: a few minutes; log: $log)"
  { "$VENV/bin/pip" install -q --upgrade pip && "$VENV/bin/pip" install -q -e ".[dev]"; } >"$log" 2>&1 \
    || { grep -v "^WARNING: Location" "$log" | tail -30; echo "setup: pip install failed (see $log)" >&2; exit 1; }
  "$VENV/bin/python" -c "import mlc, fastai, nbdev, torch, execnb.shell" \
    || { echo "setup: install failed" >&2; exit 1; }
  touch "$stamp"
fi

# the named Jupyter kernel the notebooks are tested and rendered with (this venv's python, whatever is on PATH).
# `import mlc` quiets the FutureWarning fastai's `torch.jit.script` decorators raise under torch >= 2.10, but the
# chapters import fastai before mlc (a module's imports come first), so the kernel quiets it from the start
kernel="$VENV/share/jupyter/kernels/mlc/kernel.json"
if [ ! -f "$kernel" ] || ! grep -q PYTHONWARNINGS "$kernel"; then
  "$VENV/bin/python" -m ipykernel install --sys-prefix --name mlc --display-name "Python 3 (mlc)" >/dev/null
  "$VENV/bin/python" - "$kernel" <<'PY'
import json, sys
k = json.load(open(sys.argv[1]))
k['env'] = {'PYTHONWARNINGS': 'ignore:`torch.jit.script` is deprecated:FutureWarning'}
json.dump(k, open(sys.argv[1], 'w'), indent=1)
PY
fi
