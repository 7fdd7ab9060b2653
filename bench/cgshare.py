#!/usr/bin/env python3
"""cgshare.py CALLGRIND.OUT [TOP] -- where a vigil run's instructions go.

Reads a callgrind profile (valgrind --tool=callgrind) of a `vigil run` and
splits its instructions into shares:

  SQLite        code in libsqlite3 (stepping queries, reading columns,
                its mutexes), with the libc it calls
  VM            runtime/vm.c (the interpreter) and stdlib/lib_fmt.c,
                lib_func.c (message formatting, functions), with their libc
                (printf of numbers)
  runtime       the rest of runtime/ (exec.c, run.c, ...) and
                stdlib/lib_date.c: turning SQLite values into Vigil values,
                the windows, key texts, alerts
  CLI output    cli/ (JSON lines)
  compile       compiler/, core/bc.c (compiling and verifying the pack)
  other         the rest (process start, the dynamic loader)

Each function's own instructions count for its bucket; a libc function's
are split among its callers' buckets in proportion to the calls' costs.
Prints the shares, then the TOP functions by own instructions (default 25)
with their bucket.
"""
import collections
import re
import sys


def bucket_of(obj, file, name):
    if 'libsqlite3' in obj:
        return 'SQLite'
    if '.so' not in obj and obj != '???':  # the program itself
        f = file
        if 'runtime/vm.c' in f or 'lib_fmt.c' in f or 'lib_func.c' in f:
            return 'VM'
        if 'compiler/' in f or 'core/bc.c' in f or 'build/gen/' in f or 'grammar/' in f or 'opcodes.c' in f:
            return 'compile'
        if 'runtime/' in f or 'lib_date.c' in f:
            return 'runtime'
        if '/cli/' in f or f.startswith('cli/'):
            return 'CLI output'
        return 'other'
    return None  # libc, libm, the loader: split among callers


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    names = {'ob': {}, 'fl': {}, 'fn': {}}
    comp = re.compile(r'^\((\d+)\)(?: (.*))?$')

    def name(kind, text):
        kind = {'cob': 'ob', 'cfl': 'fl', 'cfi': 'fl', 'fi': 'fl', 'fe': 'fl', 'cfn': 'fn'}.get(kind, kind)
        m = comp.match(text)
        if not m:
            return text
        if m.group(2) is not None:
            names[kind][m.group(1)] = m.group(2)
            return m.group(2)
        return names[kind].get(m.group(1), text)

    self_cost = collections.Counter()      # fn key -> own Ir
    info = {}                              # fn key -> (obj, file, name)
    edges = collections.Counter()          # (caller key, callee key) -> inclusive Ir
    total = 0
    ob = fl = fn = None
    cob = cfl = cfn = None
    in_call = False
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            if line.startswith('summary:'):
                total = int(line.split()[1])
                continue
            if '=' in line and not line[0].isdigit() and line[0] not in '+-*':
                key, _, val = line.partition('=')
                if key == 'ob':
                    ob = name('ob', val)
                elif key == 'fl':
                    fl = name('fl', val)
                elif key in ('fi', 'fe'):
                    name(key, val)
                elif key == 'fn':
                    fn = (ob, fl, name('fn', val))
                    info[fn] = fn
                    cob, cfl = ob, fl
                elif key == 'cob':
                    cob = name('cob', val)
                elif key in ('cfl', 'cfi'):
                    cfl = name(key, val)
                elif key == 'cfn':
                    cfn_name = name('cfn', val)
                    cfn = (cob, cfl, cfn_name)
                elif key == 'calls':
                    in_call = True
                continue
            if line[0].isdigit() or line[0] in '+-*':
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                if in_call:
                    edges[(fn, cfn)] += cost
                    in_call = False
                    cob, cfl = ob, fl
                else:
                    self_cost[fn] += cost
    # callee identity: a callee's file in a call line may differ from its
    # fn= line (cfi); match callees to functions by (object, name)
    by_objname = {}
    for k in info:
        by_objname.setdefault((k[0], k[2]), k)
    callers = collections.defaultdict(list)  # callee key -> [(caller key, cost)]
    for (a, b), c in edges.items():
        b = by_objname.get((b[0], b[2]), b)
        callers[b].append((a, c))

    memo = {}

    def split(fnkey, depth=0):
        """bucket -> fraction, for a function with no bucket of its own"""
        if fnkey in memo:
            return memo[fnkey]
        b = bucket_of(*fnkey)
        if b:
            return {b: 1.0}
        if depth > 30:
            return {'other': 1.0}
        memo[fnkey] = {'other': 1.0}  # cycle guard
        acc = collections.Counter()
        tot = 0
        for caller, c in callers.get(fnkey, []):
            if c <= 0:
                continue
            for bb, fr in split(caller, depth + 1).items():
                acc[bb] += c * fr
            tot += c
        res = {bb: v / tot for bb, v in acc.items()} if tot else {'other': 1.0}
        memo[fnkey] = res
        return res

    shares = collections.Counter()
    for k, c in self_cost.items():
        for b, fr in split(k).items():
            shares[b] += c * fr
    if not total:
        total = sum(self_cost.values())
    print('instructions: %d' % total)
    for b in ('SQLite', 'VM', 'runtime', 'CLI output', 'compile', 'other'):
        print('  %-13s %5.1f%%' % (b, 100.0 * shares[b] / total))
    print('top functions by own instructions:')
    for k, c in self_cost.most_common(top):
        b = bucket_of(*k) or 'libc -> ' + max(split(k).items(), key=lambda x: x[1])[0]
        print('  %5.1f%%  %-40s %-18s %s' % (100.0 * c / total, k[2][:40], b, k[1]))


if __name__ == '__main__':
    main()
