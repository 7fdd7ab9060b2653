#!/usr/bin/env python3
"""check-digest.py: the demo's combined HTML digest in headless Chromium
(issue 16, item 13).

Usage: check-digest.py [--page FILE] VIGIL OUTDIR [CHROMIUM]

Builds the demo database in OUTDIR (examples/saas: schema, data, the three
nightly runs `make demo` makes), writes the combined digest
(`vigil digest --format html`), and opens it in headless Chromium (the
Debian package `chromium`) through the DevTools protocol over a pipe
(--remote-debugging-pipe: JSON messages ended by a NUL byte on fds 3 and 4;
python3's standard library only).  At each width, 1280 and 400 CSS pixels
(a laptop and a phone; the viewport is set with
Emulation.setDeviceMetricsOverride, since a headless window is never
narrower than 500 px), it checks:

- no horizontal overflow: the document is no wider than the viewport, and
  no element's content is wider than its box (a word too long for its line
  would stick out, as nothing in the page allows breaking inside a word);
- every in-page link (href="#...") names an element id that exists;
- the first screen holds the summary: its heading and its first line are
  inside the viewport's height, and it comes before every digest section;
- the page has no script of its own.

Screenshots of the first screen at both widths are written to
OUTDIR/digest-1280.png and OUTDIR/digest-400.png.  Exit status 0 when every
check passes, 1 otherwise (each failure printed), 2 on a usage error or
when Chromium cannot be run.  --page FILE checks FILE instead of the demo's
digest (tests/browser/run.sh shows each check failing on a page made to).
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

WIDTHS = ((1280, 800), (400, 800))

MEASURE = r"""
(() => {
  const out = {width: innerWidth, height: innerHeight,
               docWidth: document.documentElement.scrollWidth, overflow: [], broken: [], scripts: 0};
  out.scripts = document.querySelectorAll('script').length;
  for (const el of document.body.querySelectorAll('*')) {
    const cs = getComputedStyle(el);
    if (cs.wordBreak === 'break-all' || cs.overflowWrap === 'anywhere' || cs.overflowWrap === 'break-word')
      out.broken.push(el.tagName);
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
      out.overflow.push(el.tagName + (el.id ? '#' + el.id : '') + ' ' + el.scrollWidth + '>' + el.clientWidth +
                        ': ' + el.textContent.slice(0, 60));
  }
  out.links = 0; out.dangling = [];
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    out.links++;
    const id = decodeURIComponent(a.getAttribute('href').slice(1));
    if (!document.getElementById(id)) out.dangling.push(a.getAttribute('href'));
  }
  const s = document.getElementById('summary');
  out.summary = !!s;
  if (s) {
    const h = s.querySelector('h1'), p = s.querySelector('p');
    out.summaryH1Bottom = h ? h.getBoundingClientRect().bottom : 1e9;
    out.summaryPBottom = p ? p.getBoundingClientRect().bottom : 1e9;
    const first = document.querySelector('[id^="digest-"]');
    out.summaryFirst = !first || !!(s.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
  }
  out.sections = document.querySelectorAll('div[id^="digest-"]').length;
  return JSON.stringify(out);
})()
"""


class Cdp:
    """The DevTools protocol over Chromium's pipe."""

    def __init__(self, chromium, profile):
        self.r_ours, self.w_theirs = os.pipe()  # chromium writes fd 4
        self.r_theirs, self.w_ours = os.pipe()  # chromium reads fd 3
        def fds():
            os.dup2(self.r_theirs, 3)
            os.dup2(self.w_theirs, 4)
        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--remote-debugging-pipe", "--user-data-dir=" + profile, "--no-first-run",
             "--disable-extensions", "--mute-audio", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=fds)  # (kept open after preexec_fn)
        os.close(self.r_theirs)
        os.close(self.w_theirs)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.r_ours, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        m = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            m["sessionId"] = session
        os.write(self.w_ours, json.dumps(m).encode() + b"\0")
        while True:
            r = self._read()
            if r.get("id") == self.next_id:
                if "error" in r:
                    raise RuntimeError("%s: %s" % (method, r["error"]))
                return r.get("result", {})
            self.events.append(r)

    def wait_event(self, name, session):
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == name and e.get("sessionId") == session:
                    del self.events[i]
                    return e
            self.events.append(self._read())

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.r_ours)
        os.close(self.w_ours)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, **kw)
    if r.returncode != 0:
        sys.stderr.write("check-digest: %s failed (exit %d):\n%s" % (" ".join(cmd), r.returncode, r.stderr.decode()))
        sys.exit(1)
    return r


def main():
    args = sys.argv[1:]
    given = None
    if len(args) >= 2 and args[0] == "--page":  # check this page instead of the demo's
        given, args = args[1], args[2:]
    if len(args) not in (2, 3):
        sys.stderr.write("usage: check-digest.py [--page FILE] VIGIL OUTDIR [CHROMIUM]\n")
        return 2
    vigil, outdir = args[0], args[1]
    chromium = args[2] if len(args) == 3 else (shutil.which("chromium") or shutil.which("chromium-browser"))
    if not chromium:
        sys.stderr.write("check-digest: no chromium on PATH (the Debian package chromium; make deps installs it)\n")
        return 2
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    saas = os.path.join(root, "examples", "saas")
    os.makedirs(outdir, exist_ok=True)
    page = os.path.join(outdir, "digest.html")
    if given:
        shutil.copyfile(given, page)
    else:
        make_demo_digest(vigil, saas, outdir, page)
    url = "file://" + os.path.abspath(page)
    return check(chromium, url, outdir)


def make_demo_digest(vigil, saas, outdir, page):
    db = os.path.join(outdir, "saas.db")
    if os.path.exists(db):
        os.remove(db)
    for f in ("schema.sql", "demo.sql"):
        with open(os.path.join(saas, f), "rb") as fh:
            run(["sqlite3", db], input=fh.read())
    for as_of in ("2025-05-30", "2025-06-13", "2025-06-30"):
        subprocess.run([vigil, "run", "--db", db, "--as-of", as_of, saas], capture_output=True)
    run([vigil, "digest", "--db", db, "--format", "html", "-o", page])


def check(chromium, url, outdir):
    failures, seen = [], []
    profile = tempfile.mkdtemp(prefix="vigil-chromium-")
    cdp = None
    try:
        cdp = Cdp(chromium, profile)
        for width, height in WIDTHS:
            target = cdp.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            sess = cdp.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            cdp.call("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500}, sess)
            cdp.call("Page.enable", {}, sess)
            cdp.call("Page.navigate", {"url": url}, sess)
            cdp.wait_event("Page.loadEventFired", sess)
            r = cdp.call("Runtime.evaluate", {"expression": MEASURE, "returnByValue": True}, sess)
            m = json.loads(r["result"]["value"])
            shot = cdp.call("Page.captureScreenshot", {"format": "png"}, sess)
            png = os.path.join(outdir, "digest-%d.png" % width)
            with open(png, "wb") as fh:
                fh.write(base64.b64decode(shot["data"]))
            cdp.call("Target.closeTarget", {"targetId": target})
            w = "%d px" % width
            if m["width"] != width:
                failures.append("%s: the viewport is %d px wide, not %d" % (w, m["width"], width))
            if m["docWidth"] > m["width"]:
                failures.append("%s: the page is %d px wide: it scrolls sideways" % (w, m["docWidth"]))
            for o in m["overflow"][:10]:
                failures.append("%s: content wider than its box: %s" % (w, o))
            if m["broken"]:
                failures.append("%s: words may break inside: %s" % (w, ", ".join(sorted(set(m["broken"])))))
            if m["links"] == 0:
                failures.append("%s: no in-page link (the table of contents)" % w)
            for d in m["dangling"]:
                failures.append("%s: the link %s names no element" % (w, d))
            if m["scripts"]:
                failures.append("%s: the page has %d script elements" % (w, m["scripts"]))
            if m["sections"] < 2:
                failures.append("%s: %d digest sections (the demo has many)" % (w, m["sections"]))
            if not m["summary"]:
                failures.append("%s: no summary (id=summary)" % w)
            else:
                if not m["summaryFirst"]:
                    failures.append("%s: the summary does not come before the digests" % w)
                if m["summaryPBottom"] > m["height"]:
                    failures.append("%s: the summary's first line ends at %d px, below the first screen (%d px)"
                                    % (w, m["summaryPBottom"], m["height"]))
            seen.append("%s: %d sections, %d links" % (w, m["sections"], m["links"]))
    except (OSError, RuntimeError) as e:
        sys.stderr.write("check-digest: cannot drive chromium: %s\n" % e)
        return 2
    finally:
        if cdp:
            cdp.close()
        shutil.rmtree(profile, ignore_errors=True)
    for f in failures:
        print("check-digest: FAIL " + f)
    if not failures:
        print("check-digest: the demo digest in Chromium at %s: no sideways scrolling, every link resolves, "
              "the summary first; screenshots in %s" % ("; ".join(seen), outdir))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
