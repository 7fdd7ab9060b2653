#!/usr/bin/env python3
"""check-pack-refs.py -- every `FILE.rules:LINE` a pack's README cites points at
what the README names just before it.

A pack README maps the method to the rules with references such as
"`activity_backfill` yellow `10-reps.rules:78`" or "`rollup team`
`00-saas.rules:201`".  Lines move when a pack is edited; this check keeps
the references true.  For each reference, the word just before it (a tier
word, or the last code span) must occur on the cited line (for `A`-`B`, on
one of lines A..B), or be the rule whose block holds that line.  Exit 1
with one line per stale reference; --fix moves each to the nearest line
that holds what it names.
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REF = re.compile(r"`([\w./-]+\.rules):(\d+)`(?:-`(\d+)`)?")
TIERS = ("yellow", "orange", "red")


def expected(before):
    """What the cited line must hold: the nearest tier word or code span."""
    m = re.search(r"(\b(?:%s)\b|`[^`]+`)\s*(?:\([^()]*\)\s*)?$" % "|".join(TIERS), before)
    if not m:
        return None
    w = m.group(1).strip("`")
    return w + " when" if w in TIERS else w


def rule_at(lines, i):
    """The rule whose block holds line i (0-based), or None."""
    for k in range(i, -1, -1):
        m = re.match(r"rule\s+(\w+)\s+on\b", lines[k])
        if m:
            return m.group(1)
        if lines[k].startswith("}") and k != i:
            return None
    return None


def holds(want, lines, i):
    """Line i says want: it holds the words (spaces as in the source may be
    wider), or want is the rule whose block holds the line."""
    if i < 0 or i >= len(lines):
        return False
    if re.search(r"\s+".join(map(re.escape, want.split())), lines[i]):
        return True
    return rule_at(lines, i) == want


def main():
    fix = "--fix" in sys.argv[1:]
    bad, n = [], 0
    for readme in sorted(glob.glob(os.path.join(ROOT, "examples", "*", "README.md"))):
        pack = os.path.dirname(readme)
        out = []
        for lineno, text in enumerate(open(readme, encoding="utf-8"), 1):
            fixed = text
            for m in reversed(list(REF.finditer(text))):
                path = os.path.join(pack, m.group(1))
                n += 1
                if not os.path.exists(path):
                    bad.append("%s:%d: %s: no such file" % (os.path.relpath(readme, ROOT), lineno, m.group(1)))
                    continue
                lines = open(path, encoding="utf-8").read().split("\n")
                a = int(m.group(2))
                b = int(m.group(3)) if m.group(3) else a
                want = expected(text[: m.start()])
                if want is None:
                    continue
                if not any(holds(want, lines, i) for i in range(a - 1, min(b, len(lines)))):
                    where = [i + 1 for i in range(len(lines)) if holds(want, lines, i)]
                    bad.append("%s:%d: %s:%d does not hold '%s'%s" % (
                        os.path.relpath(readme, ROOT), lineno, m.group(1), a, want,
                        " (it is on line %s)" % ", ".join(map(str, where[:3])) if where else ""))
                    if fix and where:  # the nearest line that holds it; a range moves with it
                        to = min(where, key=lambda w: abs(w - a))
                        ref = "`%s:%d`" % (m.group(1), to) + ("-`%d`" % (b + to - a) if m.group(3) else "")
                        fixed = fixed[: m.start()] + ref + fixed[m.end():]
            out.append(fixed)
        if fix:
            open(readme, "w", encoding="utf-8").write("".join(out))
    for b in bad:
        print(b)
    print("check-pack-refs: %d references checked, %d stale" % (n, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
