#!/usr/bin/env python3
"""lsp.py VIGIL [N] — the latency of `vigil lsp` on a 2,000-rule pack (issue 18).

The pack is bench/genrules.sh's (2,000 rules in two files of 1,000, with
its schema.sql).  The server opens the second rules file; then N times
(default 50) a change comes in (the whole text, as editors send it with full
sync), alternately planting a typo in a column name and removing it, and the
time from writing the change to reading its publishDiagnostics is measured.
Prints the median, the 95th percentile and the largest, in milliseconds
(the target: diagnostics within 100 ms), the server's CPU time per change
(from /proc: what the wall times are on an idle machine) and the load.  See bench/README.md."""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lsp"))
from lsp import Server, uri  # noqa: E402


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    vigil = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    here = os.path.dirname(os.path.abspath(__file__))
    tmp = tempfile.mkdtemp(prefix="vigil-lsp-bench-")
    try:
        pack = os.path.join(tmp, "pack")
        subprocess.run(["sh", os.path.join(here, "genrules.sh"), "2000", pack], check=True, stdout=subprocess.DEVNULL)
        path = os.path.join(pack, "11-rules.rules")
        text = open(path).read()
        bad = text.replace("contract_amount < 90%", "contract_amout < 90%", 1)
        assert bad != text
        rules = subprocess.run([vigil, "check", pack], capture_output=True, text=True)
        assert rules.returncode == 0, rules.stderr
        s = Server(vigil)
        s.request("initialize", {"capabilities": {}})
        s.notify("initialized", {})
        u = uri(path)
        t0 = time.perf_counter()
        s.notify("textDocument/didOpen", {"textDocument": {"uri": u, "languageId": "vigil", "version": 1, "text": text}})
        assert s.diagnostics(u) == []
        opened = (time.perf_counter() - t0) * 1000
        def cpu():  # the server's CPU time (user + system), ms
            f = open("/proc/%d/stat" % s.p.pid).read().rsplit(")", 1)[1].split()
            return (int(f[11]) + int(f[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")
        times = []
        cpu0 = cpu()
        for i in range(n):
            body = bad if i % 2 == 0 else text
            t0 = time.perf_counter()
            s.notify("textDocument/didChange", {"textDocument": {"uri": u, "version": i + 2}, "contentChanges": [{"text": body}]})
            d = s.diagnostics(u)
            times.append((time.perf_counter() - t0) * 1000)
            assert (len(d) > 0) == (i % 2 == 0), d
        cpu_ms = (cpu() - cpu0) / n
        s.request("shutdown")
        s.notify("exit")
        s.close()
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        print("vigil lsp, 2,000-rule pack (%d bytes in the edited file): open %.1f ms; change -> diagnostics over %d changes: "
              "median %.1f ms, p95 %.1f ms, max %.1f ms; the server's CPU time %.1f ms a change; load %.2f"
              % (len(text), opened, n, statistics.median(times), p95, times[-1], cpu_ms, os.getloadavg()[0]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
