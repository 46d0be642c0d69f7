"""Render the course as static HTML pages, without quarto: `make docs` -> _docs/index.html.

    .venv/bin/python tools/docs.py [--out _docs]

The reading order is the order of the notebook links in nbs/index.ipynb (one source for the README-like home page
and the site). Every notebook is rendered with its committed outputs (nbconvert's HTML exporter, images embedded),
links between notebooks point at their pages, and each page gets 'previous / home / next' links. The build fails
(exit 1, one line each) when a page would show an error output, when a notebook is missing from the index, or when
an index link names a notebook that does not exist.
"""
import argparse, re, shutil, sys, time
from pathlib import Path
import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'
LINK = re.compile(r'\]\(([\w.-]+)\.ipynb\)')

def reading_order(index:Path) -> list:
    "Notebook names (without .ipynb) in the order nbs/index.ipynb links them, each once"
    names = []
    for c in nbformat.read(index, as_version=4).cells:
        if c.cell_type == 'markdown': names += [n for n in LINK.findall(c.source) if n not in names]
    return names

def problems(nb, name:str) -> list:
    "What a reader of the rendered page should never see: error outputs"
    return [f'{name}.ipynb cell #{i}: error output ({o.get("ename", "")}: {str(o.get("evalue", ""))[:120]})'
            for i, c in enumerate(nb.cells) if c.cell_type == 'code' for o in c.get('outputs', []) if o.output_type == 'error']

def nav(order:list, i:int) -> str:
    "Links to the previous page, the home page and the next page"
    link = lambda n, label: f'<a href="{n}.html">{label}</a>'
    parts = [link(order[i-1], f'&larr; {order[i-1]}') if i > 0 else '', link('index', 'home'),
             link(order[i+1], f'{order[i+1]} &rarr;') if i + 1 < len(order) else '']
    return '<nav style="display:flex;justify-content:space-between;padding:8px 16px;font-family:sans-serif">' + ''.join(
        f'<span>{p}</span>' for p in parts) + '</nav>'

def render(name:str, exporter, order:list, out:Path) -> list:
    "Write `out/name.html` from nbs/name.ipynb; return its problems"
    nb = nbformat.read(NBS/f'{name}.ipynb', as_version=4)
    body, _ = exporter.from_notebook_node(nb, resources={'metadata': {'name': name}})
    body = re.sub(r'href="([\w.-]+)\.ipynb(#[^"]*)?"', lambda m: f'href="{m[1]}.html{m[2] or ""}"', body)
    if name != 'index':
        bar = nav(order, order.index(name))
        body = re.sub(r'(<body[^>]*>)', lambda m: m[1] + bar, body, count=1).replace('</body>', bar + '</body>', 1)
    (out/f'{name}.html').write_text(body)
    return problems(nb, name)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default=str(ROOT/'_docs'))
    a = p.parse_args()
    t0, out = time.time(), Path(a.out)
    shutil.rmtree(out, ignore_errors=True); out.mkdir(parents=True)
    order = reading_order(NBS/'index.ipynb')
    errs = [f'index.ipynb links {n}.ipynb, which does not exist' for n in order if not (NBS/f'{n}.ipynb').exists()]
    errs += [f'{f.stem}.ipynb is not linked from index.ipynb (add it to the reading order)'
             for f in sorted(NBS.glob('*.ipynb')) if f.stem != 'index' and f.stem not in order]
    exporter = HTMLExporter(template_name='lab', embed_images=True)
    for name in ['index'] + [n for n in order if (NBS/f'{n}.ipynb').exists()]: errs += render(name, exporter, order, out)
    for e in errs: print(f'docs: {e}')
    print(f'docs: {len(order) + 1} pages in {out} ({time.time() - t0:.0f} s), {len(errs)} problems')
    sys.exit(1 if errs else 0)

if __name__ == '__main__': main()
