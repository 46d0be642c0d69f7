"""Check that every figure the prose of a notebook quotes is one the reader can see, or names its source.

    .venv/bin/python tools/check_prose.py [NB ...]

A figure is a number in a markdown cell with a decimal point or an exponent (0.724, 6e-5, 1.6e-2), a percentage
(65%), or a count of seconds or minutes ("8 to 12 seconds", "about a minute" is not a figure). It is fine when

- a committed output of the same notebook prints it (rounded to the prose's decimals: prose 0.03 matches a printed
  0.0261 only if it rounds to it; a percentage matches p% or p/100), or
- the notebook's code has it (a learning rate, a threshold the code sets), or
- it is a version (fastai 2.8), or its sentence names a source: a link, a `bench/` script, a paper (et al., a year, arXiv), or says it is a
  definition or example rather than a measurement (e.g., "say", "for example", "suppose", "if").

Ends with 'N figures unsourced in M notebooks' (and the list); exit 1 if any. `make test` runs it.
"""
import argparse, math, re, sys
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parent.parent
NUM = r'[-+−]?\d[\d,]*(?:\.\d+)?(?:e[-+−]?\d+)?'
FIGURE = re.compile(rf'(?<![\w.\-/])({NUM})(\s?%|\s?(?:s|seconds?|min|minutes?)\b)?(?![\w.]*\d)', re.I)
SOURCE = re.compile(r'\]\(|https?://|bench/|et al\.|\b(19|20)\d\d\b|arxiv|\bpaper\b|\bfor example\b|\be\.g\.|'
                    r'\bsay\b|\bsuppose\b|\bimagine\b|\bif\b|\bwould\b|\bdefault\b|\bREADME\b', re.I)
NUMBERS = re.compile(NUM)
SENTENCE = re.compile(r'(?<=[.!?:])\s+(?=[A-Z*(`])|\n\s*[-*\d]+[.)]?\s+|\n\n')

def _val(s:str) -> float: return float(s.replace(',', '').replace('−', '-'))

def _decimals(s:str) -> int:
    "Decimals of a prose figure; for 6e-5 those of its mantissa plus the exponent"
    m = re.match(r'[-+]?[\d,]*(?:\.(\d+))?(?:e([-+]?\d+))?$', s.replace('−', '-'), re.I)
    d = len(m[1] or '')
    return d - int(m[2]) if m[2] else d

def _strip(md:str) -> str:
    "Markdown without code spans, code blocks, HTML tags and link targets (their numbers are not figures)"
    md = re.sub(r'```.*?```', ' ', md, flags=re.S)
    md = re.sub(r'`[^`]*`', ' CODE ', md)
    md = re.sub(r'<[^>]+>', ' ', md)
    return re.sub(r'\]\([^)]*\)', '](link)', md)

def outputs_text(nb) -> str:
    "All text the committed outputs and the code show"
    parts = []
    for c in nb.cells:
        if c.cell_type != 'code': continue
        parts.append(c.source)
        for o in c.get('outputs', []):
            if o.output_type == 'stream': parts.append(o.get('text', ''))
            else:
                d = o.get('data', {})
                parts.append(d.get('text/plain', '') + d.get('text/html', '') + d.get('text/markdown', ''))
    return '\n'.join(parts)

def seen(fig:str, unit:str, shown:set) -> bool:
    "Is prose figure `fig` (with `unit`) among the numbers `shown`, at the prose's precision?"
    v, d = _val(fig), _decimals(fig)
    cands = {v, -v}
    if unit.strip() == '%': cands |= {v/100, -v/100}
    for c in cands:
        dd = d + 2 if unit.strip() == '%' and c != v and c != -v else d
        tol = 0.5 * 10**(-dd) + 1e-12
        if any(abs(x - c) <= tol * (1 + 1e-9) or (dd <= 0 and abs(x - c) < 0.5 * 10**(-dd)) for x in shown): return True
    return False

def is_figure(fig:str, unit:str) -> bool:
    "Decimal, exponent, percentage or a time: the numbers that are measurements"
    return bool(unit) or '.' in fig or 'e' in fig.lower()

VERSION = re.compile(r'\b(fastai|fastcore|torch|accelerate|python|timm|nbdev|onnx\w*|gradio|jupyterlab|ipywidgets|'
                     r'numpy|pandas|scikit-learn|sklearn|pillow|PIL|ray|pyarrow|version|v)\s*$', re.I)

def check(fn:Path) -> list:
    "(cell, figure, sentence) for each figure of `fn`'s prose that no output prints and no source backs"
    nb = nbformat.read(fn, as_version=4)
    shown = set()
    for s in NUMBERS.findall(outputs_text(nb)):
        try: shown.add(_val(s))
        except ValueError: pass
    bad = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != 'markdown': continue
        for sent in SENTENCE.split(_strip(c.source)):
            if not sent or SOURCE.search(sent): continue
            for m in FIGURE.finditer(sent):
                fig, unit = m[1], m[2] or ''
                if fig.count('.') > 1 or not is_figure(fig, unit) or VERSION.search(sent[:m.start()]): continue
                try:
                    if seen(fig, unit, shown): continue
                except (ValueError, TypeError, AttributeError): continue
                bad.append((i, fig + unit, ' '.join(sent.split())[:160]))
    return bad

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('nbs', nargs='*', help='notebooks (default: nbs/*.ipynb)')
    a = p.parse_args()
    fns = [Path(f) for f in a.nbs] or sorted((ROOT/'nbs').glob('*.ipynb'))
    n = nbs = 0
    for fn in fns:
        bad = check(fn)
        if bad: nbs += 1
        for i, fig, sent in bad:
            n += 1
            print(f'{fn.name} cell #{i}: {fig!r} is printed by no output and names no source: "{sent}"')
    print(f'{n} figures unsourced in {nbs} notebooks')
    sys.exit(1 if n else 0)

if __name__ == '__main__': main()
