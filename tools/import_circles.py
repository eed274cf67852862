#!/usr/bin/env python3
"""File-level import graph of src/: edges from `crate::a::b` / `super::` paths; prints cycles (SCCs)."""
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
# Tarjan
idx = {}; low = {}; st = []; on = set(); sccs = []; c = [0]
sys.setrecursionlimit(10000)
def sc(v):
    idx[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
    for w in edges[v]:
        if w not in idx: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        comp = []
        while True:
            w = st.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(comp)
for v in mods:
    if v not in idx: sc(v)
for comp in sccs:
    names = sorted('::'.join(x) for x in comp)
    print(f'cycle of {len(comp)}:', ', '.join(names))
    cs = set(comp)
    for x in sorted(comp):
        print('   ', '::'.join(x), '->', ', '.join(sorted('::'.join(y) for y in edges[x] & cs)))
print(f'{len(sccs)} cycle(s)')
sys.exit(1 if sccs else 0)
