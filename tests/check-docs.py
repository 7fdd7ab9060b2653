#!/usr/bin/env python3
"""check-docs: replay the examples of the documentation against the built vigil.

    python3 tests/check-docs.py [--vigil PATH] [--update] [--keep] [-v] [FILE.md...]

jq tests its manual by turning the examples into tests (docs/build_mantests.py,
tests/man.test); this does the same for README.md, docs/LANGUAGE.md,
docs/CLI.md, docs/DIAGNOSTICS.md and docs/API.md (the default FILEs): every command they
show is run again, and what it prints must be exactly what they show.  It also
checks the links between the documents and their numbered contents.  When all
is well it prints one line, "check-docs: N examples (C commands) checked, M
marked not checkable: ...", and exits 0; otherwise it prints, for each
difference, the file and line, the command and a diff, and exits 1.

THE MARKUP
==========

All of it is either ordinary Markdown or an HTML comment (which GitHub does
not show), so a reader sees the examples exactly as before.

Fenced code blocks
------------------
```LANG file=NAME
    The block's text is written to the file NAME (a path relative to the
    scene's folder, see below), with a final newline.  LANG (rules, sql, ...)
    is for the reader only.  The file stays until the scene ends, so the
    commands below it can read it; a later block with the same NAME replaces
    it.

A block whose first line starts with "$ " is a session:
    $ COMMAND
    OUTPUT LINE
    ...
    $ NEXT COMMAND
    Each "$ " line is a command (a line ending in " \\" goes on with the next
    one, as in a shell), and the lines up to the next "$ " line are what it
    prints (blank lines just before that "$ " line only set it apart).  The
    command is run with /bin/sh in the scene's folder, with the vigil under
    test first on PATH (as `vigil`), standard input empty, and NO_COLOR=1,
    TZ=UTC, LC_ALL=C.UTF-8 and VIGIL_ROOT (the repository) set.  What it
    writes to standard output and standard error must be exactly the lines
    shown, in the order a terminal shows them: both streams go to one pipe,
    with standard output line-buffered by coreutils' stdbuf (as on a
    terminal).  Without stdbuf (or with --separate) the two streams are
    compared each on its own, and any merge of them that keeps each in its
    order is accepted.  A line that is exactly "..." stands for any number of
    lines (none included).  `$ echo $?` prints the exit status of the command
    before it.

```sh (or shell) blocks without "$ " lines are scripts: each command is
    run as above and must exit 0; what it prints is not shown, so it is not
    compared.

Any other block is text (a grammar, a table's SQL, a format) and is not run.

After a session
---------------
A paragraph "Exit status N." right after the block checks the exit status
of the block's last command (DIAGNOSTICS.md writes one under each example).

HTML comments that start with "check:"
---------------------------------------
<!-- check: scene NAME -->
    Starts a new scene: an empty temporary folder, where the files and
    databases of the following examples are made.  Each document starts
    with a scene of its own, so documents never share files.
<!-- check: setup
COMMANDS
-->
    Runs the shell commands (one script, the lines between the first line
    and the line "-->") in the scene's folder, now; they must succeed.  For what a reader is told in prose ("a database made from
    the fixture above") or what is made elsewhere (the demo database of
    `make demo`): $VIGIL_ROOT/examples/... holds the packs.
<!-- check: [A NOTE]
$ COMMAND
OUTPUT
-->
    A hidden session, checked as a shown one: for what the prose claims
    (DIAGNOSTICS.md: every fixed example checks clean).  It starts on the
    line after "<!-- check:", and "-->" is a line of its own.
<!-- check: quote
$ COMMAND
-->
    The Markdown blockquote that follows ("> " before each line, ">" alone
    for an empty one) is what COMMAND prints: for an output shown rendered,
    as README.md shows a digest in Markdown.
<!-- check: skip REASON -->
    The next session or script is not run: it is counted as not checkable,
    with REASON, in the summary line (an example that needs today's date, a
    second process holding a lock, a full disk...).  Nothing is skipped
    without saying so: a block of commands without this comment is run.
<!-- check: normalize /REGEX/REPLACEMENT/ -->
    For the next session only: replaces REGEX (Python syntax) by
    REPLACEMENT in what each command prints, before comparing (a temporary
    path, a time).  Shown outputs hold no volatile part today, so none is
    normalized by default.

<!-- contents --> ... <!-- /contents -->
    The numbered contents of the document: a list made from its "## N" and
    deeper headings, checked (and rewritten by --update).

Links
-----
Every relative link [text](FILE#anchor) or [text](#anchor) in the checked
documents (and in DESIGN.md, SECURITY.md, BYTECODE.md and the packs'
READMEs) must name a file that exists and, for a Markdown file, a heading
with that anchor (GitHub's rule: lower case, punctuation dropped, spaces as
hyphens).

--update rewrites every shown output (and "Exit status N.") with what vigil
prints now, and regenerates the contents.  Use it when an output is meant to
change (a reworded message), then read the diff as you would a golden file's.
"""

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_FILES = ["README.md", "docs/LANGUAGE.md", "docs/CLI.md", "docs/DIAGNOSTICS.md", "docs/API.md"]
# Documents whose links and contents are checked, though they show no commands.
LINK_FILES = ["docs/DESIGN.md", "docs/BYTECODE.md", "SECURITY.md", "examples/saas/README.md",
              "examples/hardware/README.md", "examples/distributor/README.md",
              "examples/startup/README.md"]
# Link targets another branch of issue 13 adds (the docs point to them already).
PENDING_FILES = {}
TIMEOUT = 120


class Example:
    """One session (shown or hidden) or one script block."""

    def __init__(self, path, line, kind):
        self.path, self.line, self.kind = path, line, kind
        self.commands = []      # [Command]
        self.skip = None        # the reason, when marked not checkable
        self.normalize = []     # [(regex, replacement)]
        self.status_line = None  # index of its "Exit status N." line
        self.status = None


class Command:
    def __init__(self, line, text):
        self.line = line        # the line of its "$ " in the file (1-based)
        self.text = text        # the command, continuation lines joined
        self.out_first = None   # index of its first output line in the file
        self.expected = []      # its output lines as shown
        self.actual = None
        self.indent = ""
        self.quote = False      # shown as a Markdown blockquote


def slug(heading):
    h = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return h.replace(" ", "-")


def anchors(lines):
    """GitHub's anchors for a document's headings (outside code blocks)."""
    seen, out, fence = {}, set(), None
    for line in lines:
        m = re.match(r"^\s*(```+|~~~+)", line)
        if m:
            if fence is None:
                fence = m.group(1)
            elif line.strip() == fence:
                fence = None
            continue
        if fence is None:
            m = re.match(r"^#{1,6} (.*)$", line)
            if m:
                s = slug(m.group(1))
                n = seen.get(s, 0)
                seen[s] = n + 1
                out.add(s if n == 0 else "%s-%d" % (s, n))
    return out


def contents(lines):
    """The numbered contents made from the '## N' .. '#### N.N.N' headings."""
    out, fence = [], None
    for line in lines:
        m = re.match(r"^\s*(```+)", line)
        if m:
            fence = None if fence else m.group(1)
            continue
        m = re.match(r"^(#{2,4}) ((?:Appendix )?[0-9A-Z][0-9.]*) (.*)$", line) if not fence else None
        if not m or not re.match(r"^(Appendix [A-Z]|[0-9]+(\.[0-9]+)*|[A-Z](\.[0-9]+)+)$", m.group(2)):
            continue
        title = "%s %s" % (m.group(2), m.group(3))
        link = "[%s](#%s)" % (title, slug(title))
        if len(m.group(1)) == 2:
            out.append("- " + link)
        elif out:
            out[-1] += (": " if out[-1].count("](") == 1 else " · ") + link
    return out


def parse(path, lines):
    """The document's examples and its contents block, in order."""
    items, i, n = [], 0, len(lines)
    pending_skip, pending_norm = None, []

    def new_example(line, kind):
        nonlocal pending_skip, pending_norm
        ex = Example(path, line, kind)
        ex.skip, ex.normalize = pending_skip, pending_norm
        pending_skip, pending_norm = None, []
        return ex

    while i < n:
        line = lines[i]
        m = re.match(r"^(\s*)(```+)\s*(.*)$", line)
        if m:
            indent, fence, info = m.groups()
            j = i + 1
            while j < n and lines[j].strip() != fence:
                j += 1
            body = [l[len(indent):] if l.startswith(indent) else l.lstrip() for l in lines[i + 1:j]]
            words = info.split()
            attrs = dict(w.split("=", 1) for w in words[1:] if "=" in w)
            lang = words[0] if words else ""
            if "file" in attrs:
                items.append(("file", i + 1, attrs["file"], body))
            elif body and body[0].startswith("$ "):
                ex = new_example(i + 1, "session")
                session(ex, body, i + 1, indent)
                k = j + 1
                while k < n and not lines[k].strip():
                    k += 1
                sm = re.match(r"^Exit status (\d+)\.$", lines[k].strip()) if k < n else None
                if sm:
                    ex.status_line, ex.status = k, int(sm.group(1))
                items.append(("example", ex))
            elif lang in ("sh", "shell"):
                ex = new_example(i + 1, "script")
                script(ex, body, i + 1)
                items.append(("example", ex))
            elif any(l.startswith("$ ") for l in body):
                items.append(("error", i + 1, "a block with '$ ' commands must start with one "
                              "(a session), or be marked <!-- check: skip REASON -->"))
            i = j + 1
            continue
        m = re.match(r"^\s*<!-- check:(.*)$", line)
        if m:
            j = i
            while "-->" not in lines[j]:
                j += 1
            first = m.group(1).split("-->")[0].strip()
            word = first.split(" ", 1)[0]
            rest = first[len(word):].strip()
            if word == "scene":
                items.append(("scene", i + 1, rest))
            elif word == "setup":
                items.append(("setup", i + 1, "\n".join(lines[i + 1:j])))
            elif word == "skip":
                pending_skip = rest or "no reason given"
            elif word == "quote":
                # the blockquote after the comment is what the command prints, rendered
                k = j + 1
                while k < n and not lines[k].strip():
                    k += 1
                q = k
                while q < n and lines[q].startswith(">"):
                    q += 1
                ex = new_example(i + 1, "quote")
                cmd = Command(i + 2, re.sub(r"^\$ ", "", "\n".join(lines[i + 1:j]).strip()))
                cmd.out_first, cmd.quote = k, True
                cmd.expected = [l[2:] if l.startswith("> ") else l[1:] for l in lines[k:q]]
                ex.commands.append(cmd)
                items.append(("example", ex))
                j = q - 1
            elif word == "keywords":
                items.append(("keywords", i + 1))
            elif word == "normalize":
                nm = re.match(r"^/(.*)/(.*)/$", rest)
                if not nm:
                    items.append(("error", i + 1, "normalize takes /REGEX/REPLACEMENT/"))
                else:
                    pending_norm.append((nm.group(1), nm.group(2)))
            elif j > i and lines[i + 1].startswith("$ ") and lines[j].strip() == "-->":
                # a hidden session; the rest of the first line is a note for the reader of the source
                ex = new_example(i + 1, "hidden")
                session(ex, lines[i + 1:j], i + 1)
                items.append(("example", ex))
            else:
                items.append(("error", i + 1, "not a check directive (scene, setup, skip, normalize, "
                              "or a hidden session: '$ ' lines from the next line on, and '-->' on a line "
                              "of its own)"))
            i = j + 1
            continue
        if line.strip() == "<!-- contents -->":
            j = i + 1
            while j < n and lines[j].strip() != "<!-- /contents -->":
                j += 1
            items.append(("contents", i + 1, j))
            i = j + 1
            continue
        i += 1
    return items


def session(ex, body, first, indent=""):
    """Commands and expected outputs of a session: body[0] is the file's line first (0-based)."""
    k = 0
    while k < len(body):
        if body[k].startswith("$ "):
            text, start = body[k][2:], k
            while text.endswith("\\") and k + 1 < len(body):
                k += 1
                text = text[:-1].rstrip() + " " + body[k].strip()
            cmd = Command(first + start + 1, text)
            cmd.indent = indent  # a block inside a list item: its lines are indented
            k += 1
            cmd.out_first = first + k  # 0-based index in the file of its first output line
            while k < len(body) and not body[k].startswith("$ "):
                cmd.expected.append(body[k])
                k += 1
            if k < len(body):  # blank lines before the next command only set it apart
                while cmd.expected and not cmd.expected[-1].strip():
                    cmd.expected.pop()
            ex.commands.append(cmd)
        else:
            k += 1


def script(ex, body, first):
    """The commands of a script block: body[0] is the file's line first (0-based)."""
    k = 0
    while k < len(body):
        text, start = body[k], k
        while text.endswith("\\") and k + 1 < len(body):
            k += 1
            text = text[:-1].rstrip() + " " + body[k].strip()
        k += 1
        if text.strip() and not text.lstrip().startswith("#"):
            ex.commands.append(Command(first + start + 1, text))


def matches(exp, out, err):
    """Is exp a merge of the lines out and err, each kept in order ('...' matches any lines)?"""
    memo = {}

    def go(i, a, b):
        key = (i, a, b)
        if key in memo:
            return memo[key]
        if i == len(exp):
            r = a == len(out) and b == len(err)
        elif exp[i] == "...":
            r = go(i + 1, a, b) or (a < len(out) and go(i, a + 1, b)) or (b < len(err) and go(i, a, b + 1))
        else:
            r = (a < len(out) and out[a] == exp[i] and go(i + 1, a + 1, b)) or \
                (b < len(err) and err[b] == exp[i] and go(i + 1, a, b + 1))
        memo[key] = r
        return r

    sys.setrecursionlimit(max(10000, 4 * (len(exp) + len(out) + len(err))))
    return go(0, 0, 0)


def merge(exp, out, err):
    """The two streams merged the way exp shows them, as far as it can tell: for diffs and --update.

    Each shown line is matched with the next line of either stream that equals it, or failing
    that is much like it (a reworded message stays where it was); what is left comes at the end,
    standard error first (a pipe does not tell which came first)."""
    a = b = 0
    res = []
    like = lambda x, y: difflib.SequenceMatcher(None, x, y).ratio() >= 0.6
    for e in exp:
        if e == "...":
            continue
        if a < len(out) and out[a] == e:
            res.append(out[a]); a += 1
        elif b < len(err) and err[b] == e:
            res.append(err[b]); b += 1
        elif e in out[a:] and (e not in err[b:] or out[a:].index(e) <= err[b:].index(e)):
            k = out[a:].index(e) + a
            res.extend(out[a:k + 1]); a = k + 1
        elif e in err[b:]:
            k = err[b:].index(e) + b
            res.extend(err[b:k + 1]); b = k + 1
        elif b < len(err) and like(e, err[b]):
            res.append(err[b]); b += 1
        elif a < len(out) and like(e, out[a]):
            res.append(out[a]); a += 1
    res.extend(err[b:])
    res.extend(out[a:])
    return res


class Runner:
    def __init__(self, vigil, keep, verbose):
        self.top = tempfile.mkdtemp(prefix="vigil-check-docs-")
        self.keep, self.verbose = keep, verbose
        bindir = os.path.join(self.top, "bin")
        os.mkdir(bindir)
        os.symlink(vigil, os.path.join(bindir, "vigil"))
        self.env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
                        NO_COLOR="1", TZ="UTC", LC_ALL="C.UTF-8", VIGIL_ROOT=ROOT,
                        GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="docs", GIT_AUTHOR_EMAIL="docs@vigil.invalid",
                        GIT_COMMITTER_NAME="docs", GIT_COMMITTER_EMAIL="docs@vigil.invalid",
                        HOME=self.top)
        self.env.pop("VIGIL", None)
        # stdbuf preloads a library; a sanitizer's runtime then does not come first, which is fine
        asan = self.env.get("ASAN_OPTIONS", "")
        self.env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "verify_asan_link_order=0"
        self.merged = False
        self.merged = self.probe_merged()
        self.scenes = 0
        self.scene = None

    def new_scene(self, name):
        self.scenes += 1
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)[:40]
        self.scene = os.path.join(self.top, "%02d-%s" % (self.scenes, safe))
        os.mkdir(self.scene)

    def run(self, text, status=0):
        """(exit status, output, error output); in merged mode the output holds both, in order,
        and the error output is empty."""
        argv = ["/bin/sh", "-c", "(exit %d); %s" % (status, text)]
        if self.merged:
            argv = [self.stdbuf, "-oL"] + argv
        p = subprocess.run(argv, cwd=self.scene, env=self.env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT if self.merged else subprocess.PIPE, timeout=TIMEOUT)
        dec = lambda b: b.decode("utf-8", "surrogateescape") if b else ""
        return p.returncode, dec(p.stdout), dec(p.stderr)

    def probe_merged(self):
        """Can standard output be line-buffered (coreutils' stdbuf), so that one pipe gets both
        streams in the order vigil wrote them, as a terminal shows them?"""
        self.stdbuf = shutil.which("stdbuf")
        if not self.stdbuf:
            return False
        self.scene = self.top
        self.merged = True
        try:
            st, out, _ = self.run("vigil --version")
        except (OSError, subprocess.SubprocessError):
            st, out = 1, ""
        self.merged = False
        return st == 0 and out.startswith("vigil ")

    def close(self):
        if self.keep:
            print("check-docs: scenes kept in " + self.top, file=sys.stderr)
        else:
            shutil.rmtree(self.top, ignore_errors=True)


def lines_of(s):
    return s.split("\n")[:-1] if s.endswith("\n") else (s.split("\n") if s else [])


def check_file(rel, runner, failures, skipped, counts, updates):
    path = os.path.join(ROOT, rel)
    lines = open(path, encoding="utf-8").read().split("\n")
    runner.new_scene(rel)
    for item in parse(rel, lines):
        kind = item[0]
        if kind == "error":
            failures.append("%s:%d: %s" % (rel, item[1], item[2]))
        elif kind == "scene":
            runner.new_scene(item[2] or "scene")
        elif kind == "file":
            _, line, name, body = item
            dest = os.path.join(runner.scene, name)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "w", encoding="utf-8") as f:
                f.write("\n".join(body) + "\n")
        elif kind == "setup":
            st, out, err = runner.run(item[2])
            if st != 0:
                failures.append("%s:%d: the setup failed (exit %d):\n%s%s" % (rel, item[1], st, out, err))
        elif kind == "keywords":
            check_keywords(rel, lines, item[1], failures)
        elif kind == "contents":
            _, line, end = item
            want = contents(lines)
            have = lines[line:end]
            if have != want:
                updates.append((line, end, want))
                failures.append("%s:%d: the contents do not list the sections as they are:\n%s" % (
                    rel, line, "".join(difflib.unified_diff([h + "\n" for h in have], [w + "\n" for w in want],
                                                            "shown", "the headings"))))
        elif kind == "example":
            check_example(item[1], runner, failures, skipped, counts, updates)


def check_example(ex, runner, failures, skipped, counts, updates):
    where = "%s:%d" % (ex.path, ex.line)
    if ex.skip:
        skipped.append("%s (%s)" % (where, ex.skip))
        return
    counts[0] += 1
    status, bad = 0, False
    for cmd in ex.commands:
        counts[1] += 1
        try:
            st, out, err = runner.run(cmd.text, status)
        except subprocess.TimeoutExpired:
            failures.append("%s:%d: $ %s\ntook more than %d s" % (ex.path, cmd.line, cmd.text, TIMEOUT))
            return
        for rx, rep in ex.normalize:
            out, err = re.sub(rx, rep, out), re.sub(rx, rep, err)
        status = st
        if runner.verbose:
            print("%s:%d: $ %s (exit %d)" % (ex.path, cmd.line, cmd.text, st), file=sys.stderr)
        if ex.kind == "script":
            if st != 0:
                bad = True
                failures.append("%s:%d: $ %s\nexited %d (a script's commands must succeed):\n%s%s" % (
                    ex.path, cmd.line, cmd.text, st, err, out))
            continue
        o, e = lines_of(out), lines_of(err)
        cmd.actual = merge(cmd.expected, o, e)
        if not matches(cmd.expected, o, e):
            bad = True
            shown = ["> " + x if x else ">" for x in cmd.actual] if cmd.quote else \
                [cmd.indent + x if x else x for x in cmd.actual]
            updates.append((cmd.out_first, cmd.out_first + len(cmd.expected), shown))
            diff = difflib.unified_diff([x + "\n" for x in cmd.expected], [x + "\n" for x in cmd.actual],
                                        "shown", "printed", n=2)
            failures.append("%s:%d: $ %s\n%s" % (ex.path, cmd.line, cmd.text, "".join(diff)))
    if ex.status is not None and status != ex.status:
        updates.append((ex.status_line, ex.status_line + 1, ["Exit status %d." % status]))
        failures.append("%s:%d: the last command exited %d, and the text says %d" % (
            ex.path, ex.status_line + 1, status, ex.status))
    if bad:
        counts[2] += 1


def lexer_keywords():
    """The reserved words of grammar/lexer.l: its rules '"word" { return TOKEN; }' (or
    DECL_KEYWORD(TOKEN), a declaration's keyword)."""
    text = open(os.path.join(ROOT, "grammar", "lexer.l"), encoding="utf-8").read()
    return re.findall(r'^"([a-z_]+)"\s+\{ (?:return [A-Z]+;|DECL_KEYWORD\([A-Z]+\);) \}', text, re.M)


def check_keywords(rel, lines, line, failures):
    """<!-- check: keywords --> at line (1-based): the next block lists the lexer's keywords, and a
    "These N words" just before it counts them."""
    want = lexer_keywords()
    k = line
    while k < len(lines) and not lines[k].lstrip().startswith("```"):
        k += 1
    j = k + 1
    while j < len(lines) and not lines[j].lstrip().startswith("```"):
        j += 1
    shown = " ".join(lines[k + 1:j]).split()
    if sorted(shown) != sorted(want) or len(set(shown)) != len(shown):
        failures.append("%s:%d: the keywords shown are not grammar/lexer.l's: missing %s, extra %s" % (
            rel, k + 1, sorted(set(want) - set(shown)), sorted(set(shown) - set(want))))
    for back in range(line - 1, max(0, line - 6), -1):
        m = re.search(r"These (\d+) words", lines[back - 1])
        if m and int(m.group(1)) != len(want):
            failures.append("%s:%d: it says %s words; grammar/lexer.l has %d" % (
                rel, back, m.group(1), len(want)))


def check_links(rel, failures):
    path = os.path.join(ROOT, rel)
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    fence, comment = None, False
    for no, line in enumerate(lines, 1):
        m = re.match(r"^\s*(```+)", line)
        if m and not comment:
            fence = None if fence else m.group(1)
            continue
        if fence:
            continue
        if comment or "<!--" in line:  # an HTML comment (a setup's SQL) holds no links
            comment = "-->" not in line
            continue
        line = re.sub(r"`[^`]*`", "", line)
        for target in re.findall(r"\]\(([^)\s]+)\)", line):
            if re.match(r"^[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
            drel = os.path.relpath(dest, ROOT)
            if not os.path.exists(dest):
                if drel not in PENDING_FILES:
                    failures.append("%s:%d: a link to %s, which does not exist" % (rel, no, target))
                continue
            if anchor and dest.endswith(".md"):
                if anchor not in anchors(open(dest, encoding="utf-8").read().split("\n")):
                    failures.append("%s:%d: a link to %s: %s has no heading with that anchor" % (
                        rel, no, target, drel))


def apply_updates(rel, updates):
    path = os.path.join(ROOT, rel)
    lines = open(path, encoding="utf-8").read().split("\n")
    for first, end, new in sorted(updates, key=lambda u: -u[0]):
        lines[first:end] = new
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description="Replay the documentation's examples against vigil.")
    ap.add_argument("--vigil", default=os.environ.get("VIGIL", os.path.join(ROOT, "vigil")))
    ap.add_argument("--update", action="store_true", help="rewrite shown outputs with what vigil prints")
    ap.add_argument("--keep", action="store_true", help="keep the scenes' folders")
    ap.add_argument("-v", "--verbose", action="store_true", help="name each command as it runs")
    ap.add_argument("--separate", action="store_true",
                    help="compare standard output and standard error each on its own (as without stdbuf)")
    ap.add_argument("files", nargs="*", default=DEFAULT_FILES)
    args = ap.parse_args()
    vigil = os.path.abspath(args.vigil)
    if not os.access(vigil, os.X_OK):
        print("check-docs: %s is not an executable vigil (build it, or give --vigil PATH)" % vigil,
              file=sys.stderr)
        return 2
    runner = Runner(vigil, args.keep, args.verbose)
    if args.separate:
        runner.merged = False
    failures, skipped, counts = [], [], [0, 0, 0]
    try:
        for rel in args.files:
            updates = []
            check_file(rel, runner, failures, skipped, counts, updates)
            if args.update and updates:
                apply_updates(rel, updates)
        for rel in args.files + [f for f in LINK_FILES if f not in args.files]:
            if os.path.exists(os.path.join(ROOT, rel)):
                check_links(rel, failures)
                if rel not in args.files:
                    lines = open(os.path.join(ROOT, rel), encoding="utf-8").read().split("\n")
                    for item in parse(rel, lines):
                        if item[0] == "contents" and lines[item[1]:item[2]] != contents(lines):
                            failures.append("%s:%d: the contents do not list the sections as they are" % (
                                rel, item[1]))
                            if args.update:
                                apply_updates(rel, [(item[1], item[2], contents(lines))])
    finally:
        runner.close()
    for f in failures:
        print(f.rstrip("\n") + "\n")
    summary = "check-docs: %d examples (%d commands) checked, %d marked not checkable" % (
        counts[0], counts[1], len(skipped))
    if skipped:
        summary += ": " + "; ".join(skipped)
    if failures:
        summary += "; %d problem%s%s" % (len(failures), "" if len(failures) == 1 else "s",
                                         " (the files were updated: review the diff)" if args.update else
                                         " (python3 tests/check-docs.py --update rewrites the outputs)")
    print(summary)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
