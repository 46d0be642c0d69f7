#!/usr/bin/env bash
# mlc installs beside the newest fastai without changing any installed package (issue: no downgrades).
# In a fresh venv: install the newest fastai (and whatever it pulls: fastcore, torch, ...), record `pip freeze`,
# then `pip install .` and `pip install -e .`; every package present before must keep its version.
# Run by .ci/run after `make test` (a few minutes: it builds a second venv); `make check-install` runs it by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
quiet() { "$@" 2>&1 | grep -vE "^WARNING: Location|BuildBackendWarning|^\s*$" || true; }
"$PY" -m venv "$tmp/venv"; V=$tmp/venv/bin
quiet $V/pip install -q --upgrade pip
echo "check_install: fresh venv with the newest fastai"
quiet $V/pip install -q fastai
$V/pip freeze --exclude-editable | sort > "$tmp/before.txt"
grep -iE '^(fastai|fastcore|torch|torchvision)==' "$tmp/before.txt" | tr '\n' ' '; echo
compare() {  # label
  $V/pip freeze --exclude-editable | sort > "$tmp/after.txt"
  $V/python - "$tmp/before.txt" "$tmp/after.txt" "$1" <<'PYEOF'
import sys, re
def read(fn): return dict(l.strip().split('==', 1) for l in open(fn) if '==' in l)
before, after, what = read(sys.argv[1]), read(sys.argv[2]), sys.argv[3]
norm = lambda n: re.sub(r'[-_.]+', '-', n).lower()
a = {norm(k): v for k, v in after.items()}
changed = {k: (v, a.get(norm(k))) for k, v in before.items() if a.get(norm(k)) != v}
added = sorted(set(a) - {norm(k) for k in before})
if changed:
    print(f"check_install: FAILED: {what} changed installed packages: " + ', '.join(f'{k} {o} -> {n}' for k, (o, n) in changed.items()))
    sys.exit(1)
print(f"check_install: ok: {what} kept all {len(before)} installed packages at their versions; added {len(added)}")
PYEOF
}
quiet $V/pip install -q .
compare "pip install ."
$V/python -c "import mlc.cli, mlc.data; print('check_install: import ok, mlc', mlc.__version__)"
quiet $V/pip uninstall -q -y mlc
quiet $V/pip install -q -e .
compare "pip install -e ."
