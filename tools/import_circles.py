#!/usr/bin/env python3
"""The import graph of src/, from `crate::a::b` / `super::` paths, checked at two levels.

Files: no circle between files (prints each strongly connected component).
Capabilities (each top-level module of src/ that is neither kit nor app below): no circle
between capabilities; no capability imports the app (the pages, the routes' assembly, the CLI);
the kit imports no capability and no app. A new top-level module is a capability unless it is
named below. Exits 1 on any finding.
"""
import os, re, sys
root = sys.argv[1] if len(sys.argv) > 1 else 'src'
files = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith('.rs'):
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)[:-3]
            parts = rel.split('/')
            if parts[-1] == 'mod': parts = parts[:-1]
            if parts == ['lib'] or parts == ['main']: parts = ['<' + parts[0] + '>']
            files[tuple(parts)] = p
mods = set(files)
def resolve(path):
    # longest prefix that is a module file
    for i in range(len(path), 0, -1):
        if tuple(path[:i]) in mods: return tuple(path[:i])
    return None
edges = {m: set() for m in mods}
for m, p in files.items():
    src = open(p).read()
    src = re.sub(r'//[^\n]*', '', src)
    # expand use groups crudely: crate::a::{b, c::d}
    for mt in re.finditer(r'\b(crate|super)((?:::\w+)+)(::\{([^}]*)\})?', src):
        base = mt.group(1); segs = [s for s in mt.group(2).split('::') if s]
        if base == 'super':
            cur = list(m) if files[m].endswith('mod.rs') else list(m)
            cur = cur[:-1]
            full = cur + segs
        else:
            full = segs
        targets = []
        if mt.group(4):
            for item in mt.group(4).split(','):
                item = item.strip().split(' as ')[0]
                if not item: continue
                sub = [s for s in item.split('::') if s and s != 'self']
                targets.append(full + sub)
        targets.append(full)
        for t in targets:
            r = resolve(t)
            if r and r != m:
                # a parent module is not an import of its child's declaration
                edges[m].add(r)
def sccs_of(graph):
    """Tarjan's strongly connected components of more than one node."""
    idx = {}; low = {}; st = []; on = set(); found = []; c = [0]
    def sc(v):
        idx[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
        for w in graph[v]:
            if w not in idx: sc(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], idx[w])
        if low[v] == idx[v]:
            comp = []
            while True:
                w = st.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: found.append(comp)
    for v in sorted(graph):
        if v not in idx: sc(v)
    return found
sys.setrecursionlimit(10000)
sccs = sccs_of(edges)
for comp in sccs:
    names = sorted('::'.join(x) for x in comp)
    print(f'cycle of {len(comp)}:', ', '.join(names))
    cs = set(comp)
    for x in sorted(comp):
        print('   ', '::'.join(x), '->', ', '.join(sorted('::'.join(y) for y in edges[x] & cs)))
print(f'{len(sccs)} file cycle(s)')

# Below the capabilities: knows no capability.
KIT = {'error', 'db', 'metrics', 'deliveries', 'http', 'clock', 'export', 'json', 'text', 'ident', 'config', 'webhook', 'reference',
       'vocabulary', 'labels', 'index', 'state'}
# Above them: assembles, serves pages, parses commands, measures.
APP = {'web', 'startup', 'openapi', 'cli', 'ops', 'telemetry', 'demo', 'bench', 'eval', 'load', 'documentation', '<main>', '<lib>'}
layer = lambda top: 'kit' if top in KIT else 'app' if top in APP else 'capability'
cap_edges = {}
wrong = []
for m, targets in edges.items():
    for t in targets:
        a, b = m[0], t[0]
        if a == b:
            continue
        la, lb = layer(a), layer(b)
        if lb == 'app' and la != 'app':
            wrong.append(f"{'::'.join(m)} -> {'::'.join(t)}: a {la} imports the app")
        elif la == 'kit' and lb == 'capability':
            wrong.append(f"{'::'.join(m)} -> {'::'.join(t)}: the kit imports a capability")
        elif la == lb == 'capability':
            cap_edges.setdefault(a, {}).setdefault(b, set()).add('::'.join(m))
caps = {m[0] for m in mods if layer(m[0]) == 'capability'}
graph = {c: set(cap_edges.get(c, {})) for c in caps}
cap_sccs = sccs_of(graph)
for comp in cap_sccs:
    cs = set(comp)
    print(f'capability cycle of {len(comp)}:', ', '.join(sorted(comp)))
    for x in sorted(comp):
        for y in sorted(graph[x] & cs):
            print(f'    {x} -> {y} (in {", ".join(sorted(cap_edges[x][y]))})')
for w in sorted(wrong):
    print(w)
print(f'{len(caps)} capabilities, {len(cap_sccs)} capability cycle(s), {len(wrong)} import(s) across layers the wrong way')
sys.exit(1 if sccs or cap_sccs or wrong else 0)
