"Exit 1 naming the packages a `pip install --dry-run --report FILE` would install or change, other than mlc itself."
import json, sys
r = [(i['metadata']['name'], i['metadata']['version']) for i in json.load(open(sys.argv[1]))['install']]
other = [f'{n}=={v}' for n, v in r if n.lower() != 'mlc']
if other: sys.exit(f"pip would install or change: {', '.join(other)}")
