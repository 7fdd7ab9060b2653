#!/usr/bin/env python3
"""client.py VIGIL [TEST...] — a scripted JSON-RPC client for `vigil lsp`.

Each test starts the server on a fresh copy of a small pack (a temporary
folder), talks to it as an editor would, and checks the answers: every
method the server offers and the error paths of JSON-RPC.  Prints one line
per test ("ok NAME" or "FAIL NAME: why") and exits 1 when one failed.
tests/unit/test_lsp.c runs each test as a CUnit test (suite "lsp")."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp import Server, uri  # noqa: E402

VIGIL = None

SCHEMA = "CREATE TABLE deals (deal_id INTEGER, snapshot_date DATE, amount REAL, stage TEXT, owner_id INTEGER);\n"
PACK = """pack sales "Sales"

tiers yellow, red

param drop = 10%

def shrank(x, y) = x < y * (1 - drop)

source deal {
  table deals
  key   deal_id
  time  snapshot_date
}
"""
RULES = """rule amount_drop on deal {
  let before = prev(amount)
  yellow when shrank(amount, before)
  red    when amount < before / 2
  message "deal {deal_id}: {amount} after {before}, more than {drop:pct} down"
}
"""


class Pack:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="vigil-lsp-")
        self.write("schema.sql", SCHEMA)
        self.write("00-pack.rules", PACK)
        self.write("10-rules.rules", RULES)

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(text)

    def path(self, name):
        return os.path.join(self.dir, name)

    def uri(self, name):
        return uri(self.path(name))

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def start(*args):
    s = Server(VIGIL, *args)
    r = s.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    expect("capabilities" in r["result"], "initialize: no capabilities: %r" % r)
    s.notify("initialized", {})
    return s


def stop(s):
    r = s.request("shutdown")
    expect("result" in r and r["result"] is None, "shutdown: %r" % r)
    s.notify("exit")
    rc = s.close()
    expect(rc == 0, "exit after shutdown: status %r" % rc)


def open_doc(s, pk, name, text=None):
    if text is None:
        text = open(pk.path(name)).read()
    s.notify("textDocument/didOpen", {"textDocument": {"uri": pk.uri(name), "languageId": "vigil", "version": 1,
                                                        "text": text}})
    return s.diagnostics(pk.uri(name))


def at(text, needle, nth=0, delta=0):
    """The 0-based LSP position of the nth occurrence of needle (+delta characters)."""
    off = -1
    for _ in range(nth + 1):
        off = text.index(needle, off + 1)
    off += delta
    line = text.count("\n", 0, off)
    return {"line": line, "character": off - (text.rfind("\n", 0, off) + 1)}


def td(pk, name):
    return {"uri": pk.uri(name)}


# ---- the tests ---------------------------------------------------------------------


def test_lifecycle(pk):
    s = Server(VIGIL)
    r = s.request("textDocument/hover", {"textDocument": {"uri": "file:///x.rules"}, "position": {"line": 0, "character": 0}})
    expect(r.get("error", {}).get("code") == -32002, "a request before initialize: %r" % r)
    r = s.request("initialize", {"capabilities": {}})
    caps = r["result"]["capabilities"]
    for k in ("completionProvider", "hoverProvider", "definitionProvider", "referencesProvider",
              "documentFormattingProvider", "documentSymbolProvider", "codeActionProvider"):
        expect(k in caps, "capability %s missing: %r" % (k, caps))
    expect(caps["textDocumentSync"]["change"] == 1, "full sync: %r" % caps)
    stop(s)
    # exit without shutdown: status 1
    s = start()
    s.notify("exit")
    expect(s.close() == 1, "exit without shutdown must end with status 1")
    # after shutdown, requests are refused
    s = start()
    s.request("shutdown")
    r = s.request("textDocument/documentSymbol", {"textDocument": {"uri": pk.uri("00-pack.rules")}})
    expect(r.get("error", {}).get("code") == -32600, "a request after shutdown: %r" % r)
    s.notify("exit")
    expect(s.close() == 0, "exit after shutdown")


def test_diagnostics(pk):
    bad = RULES.replace("shrank(amount, before)", "shrank(amout, before)")
    pk.write("10-rules.rules", bad)  # on disk too, for vigil check
    s = start()
    diags = open_doc(s, pk, "10-rules.rules")
    check = json.loads(subprocess.run([VIGIL, "check", "--format", "json", pk.dir], capture_output=True).stdout)
    expect(len(check) == len(diags) == 2, "diagnostics %r, vigil check %r" % (diags, check))
    for d, c in zip(diags, check):
        expect(d["message"] == c["message"], "message %r, vigil check %r" % (d["message"], c["message"]))
        expect(d.get("code") == c["code"], "code %r, vigil check %r" % (d.get("code"), c["code"]))
        expect(d["range"]["start"] == {"line": c["line"] - 1, "character": c["column"] - 1}, "start %r vs %r" % (d, c))
        expect(d["range"]["end"] == {"line": c["line"] - 1, "character": c["end_column"] - 1}, "end %r vs %r" % (d, c))
    expect(diags[0]["severity"] == 1 and diags[0]["code"] == "E-unknown-column", "the error: %r" % diags[0])
    expect(diags[1]["severity"] == 3 and "did you mean 'amount'" in diags[1]["message"], "the note: %r" % diags[1])
    expect(diags[0]["range"]["start"] == at(bad, "amout"), "the span: %r" % diags[0])
    # a change: full text; fixed, the diagnostics are empty
    s.notify("textDocument/didChange", {"textDocument": {"uri": pk.uri("10-rules.rules"), "version": 2},
                                        "contentChanges": [{"text": RULES}]})
    expect(s.diagnostics(pk.uri("10-rules.rules")) == [], "after the fix")
    # an error in another file of the pack shows in that file only (the pack is the folder)
    s.notify("textDocument/didChange", {"textDocument": {"uri": pk.uri("10-rules.rules"), "version": 3},
                                        "contentChanges": [{"text": RULES.replace("drop:pct", "dorp:pct")}]})
    d = s.diagnostics(pk.uri("10-rules.rules"))
    expect(any(x.get("code") == "E-unknown-name" or "dorp" in x["message"] for x in d), "message name: %r" % d)
    # columns in UTF-16 code units: é is one, 😀 two (vigil check counts characters: one each)
    text = RULES.replace('"deal {deal_id}:', '"é😀 {dael_id}:')
    s.notify("textDocument/didChange", {"textDocument": {"uri": pk.uri("10-rules.rules"), "version": 4},
                                        "contentChanges": [{"text": text}]})
    d = s.diagnostics(pk.uri("10-rules.rules"))
    line = text.split("\n")[4]
    u16 = len(line[:line.index("dael_id")].encode("utf-16-le")) // 2
    expect(d and d[0]["range"]["start"] == {"line": 4, "character": u16} and
           d[0]["range"]["end"]["character"] == u16 + 7, "UTF-16 columns: %r (want %d)" % (d, u16))
    r = s.request("textDocument/hover", {"textDocument": td(pk, "10-rules.rules"), "position": {"line": 4, "character": u16 + 1}})
    expect(r["result"] is None, "hover on an unknown name: %r" % r)
    r = s.request("textDocument/hover", {"textDocument": td(pk, "10-rules.rules"),
                                         "position": {"line": 4, "character": len(line[:line.index("amount")].encode("utf-16-le")) // 2}})
    expect("column amount" in r["result"]["contents"]["value"], "hover after 😀: %r" % r)
    s.notify("textDocument/didClose", {"textDocument": {"uri": pk.uri("10-rules.rules")}})
    expect(s.diagnostics(pk.uri("10-rules.rules")) == [], "didClose clears the diagnostics")
    stop(s)


def test_code_action(pk):
    bad = RULES.replace("shrank(amount, before)", "shrank(amout, before)")
    s = start()
    diags = open_doc(s, pk, "10-rules.rules", bad)
    line = diags[0]["range"]["start"]["line"]
    r = s.request("textDocument/codeAction", {"textDocument": td(pk, "10-rules.rules"),
                                              "range": {"start": {"line": line, "character": 0},
                                                        "end": {"line": line, "character": 0}},
                                              "context": {"diagnostics": diags}})["result"]
    expect(len(r) == 1 and r[0]["kind"] == "quickfix" and r[0]["title"] == "Change to 'amount'", "actions: %r" % r)
    edits = r[0]["edit"]["changes"][pk.uri("10-rules.rules")]
    expect(edits == [{"range": diags[0]["range"], "newText": "amount"}], "edit: %r" % edits)
    # none on a line without a note
    r = s.request("textDocument/codeAction", {"textDocument": td(pk, "10-rules.rules"),
                                              "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                                              "context": {"diagnostics": []}})["result"]
    expect(r == [], "no action on line 0: %r" % r)
    stop(s)


def labels(r):
    return {i["label"]: i for i in r["result"]["items"]}


def test_completion(pk):
    s = start()
    open_doc(s, pk, "10-rules.rules")
    items = labels(s.request("textDocument/completion", {"textDocument": td(pk, "10-rules.rules"),
                                                          "position": at(RULES, "amount < before")}))
    for name in ("amount", "stage", "owner_id", "before", "drop", "yellow", "red", "deal", "shrank", "prev",
                 "days", "weeks", "when", "and"):
        expect(name in items, "completion in the rule lacks %s: %s" % (name, sorted(items)))
    expect("column amount (number) of table deals" == items["amount"]["detail"], "amount: %r" % items["amount"])
    expect(items["prev"]["detail"].startswith("prev("), "prev's synopsis: %r" % items["prev"])
    expect(items["before"]["sortText"] < items["drop"]["sortText"] < items["prev"]["sortText"] < items["when"]["sortText"],
           "the order: lets and columns, the pack's names, functions, keywords: %r" % items)
    expect(items["amount"]["kind"] == 5 and items["when"]["kind"] == 14, "kinds: %r %r" % (items["amount"], items["when"]))
    # outside a rule: no columns, no lets
    pack_items = labels(s.request("textDocument/completion", {"textDocument": td(pk, "10-rules.rules"),
                                                               "position": {"line": 6, "character": 0}}))
    expect("amount" not in pack_items and "before" not in pack_items and "rule" in pack_items,
           "outside a rule: %s" % sorted(pack_items))
    # after SOURCE[KEY]. : that source's columns only
    text = RULES.replace("  red    when", "  red    when deal[owner_id].")
    s.notify("textDocument/didChange", {"textDocument": {"uri": pk.uri("10-rules.rules"), "version": 2},
                                        "contentChanges": [{"text": text}]})
    s.diagnostics(pk.uri("10-rules.rules"))
    items = labels(s.request("textDocument/completion", {"textDocument": td(pk, "10-rules.rules"),
                                                          "position": at(text, "deal[owner_id].", delta=15)}))
    expect(set(items) == {"deal_id", "snapshot_date", "amount", "stage", "owner_id"}, "after deal[owner_id].: %s" % sorted(items))
    stop(s)


def test_db(pk):
    db = pk.path("data.db")
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE deals (deal_id INTEGER, snapshot_date DATE, amount REAL, region TEXT)")
    con.commit()
    con.close()
    s = start("--db", db)
    diags = open_doc(s, pk, "10-rules.rules")
    expect(diags == [], "against --db: %r" % diags)
    items = labels(s.request("textDocument/completion", {"textDocument": td(pk, "10-rules.rules"),
                                                          "position": at(RULES, "amount < before")}))
    expect("region" in items and "stage" not in items, "columns of --db: %s" % sorted(items))
    stop(s)
    # --schema FILE.sql
    pk.write("other.sql", "CREATE TABLE deals (deal_id INTEGER, snapshot_date DATE, amount REAL, quota REAL);\n")
    s = start("--schema", pk.path("other.sql"))
    open_doc(s, pk, "10-rules.rules")
    items = labels(s.request("textDocument/completion", {"textDocument": td(pk, "10-rules.rules"),
                                                          "position": at(RULES, "amount < before")}))
    expect("quota" in items, "columns of --schema: %s" % sorted(items))
    stop(s)


def test_hover(pk):
    s = start()
    open_doc(s, pk, "10-rules.rules")

    def hover(needle, nth=0):
        r = s.request("textDocument/hover", {"textDocument": td(pk, "10-rules.rules"), "position": at(RULES, needle, nth)})
        return r["result"]["contents"]["value"] if r["result"] else None

    expect("param drop = 10%" in hover("drop:pct") and "--set drop=VALUE" in hover("drop:pct"), "param: %r" % hover("drop:pct"))
    expect("column amount (number) of table deals" in hover("amount", 1), "column: %r" % hover("amount", 1))
    expect("let before = prev(amount) (in rule amount_drop)" in hover("before", 1), "let: %r" % hover("before", 1))
    expect("def shrank(x, y) = x < y * (1 - drop)" in hover("shrank"), "def: %r" % hover("shrank"))
    expect(hover("prev").startswith("```vigil\nprev("), "function: %r" % hover("prev"))
    expect("source deal: table deals" in hover("deal {"), "source: %r" % hover("deal {"))
    expect(hover("message") is None, "a keyword has no hover")
    stop(s)


def test_definition_references(pk):
    s = start()
    open_doc(s, pk, "10-rules.rules")
    pack_text = open(pk.path("00-pack.rules")).read()
    r = s.request("textDocument/definition", {"textDocument": td(pk, "10-rules.rules"), "position": at(RULES, "drop:pct")})
    expect(r["result"] == {"uri": pk.uri("00-pack.rules"), "range": {"start": at(pack_text, "drop ="),
                                                                     "end": at(pack_text, "drop =", delta=4)}},
           "definition of drop: %r" % r)
    r = s.request("textDocument/definition", {"textDocument": td(pk, "10-rules.rules"), "position": at(RULES, "before", 2)})
    expect(r["result"]["uri"] == pk.uri("10-rules.rules") and r["result"]["range"]["start"] == at(RULES, "before"),
           "definition of the let: %r" % r)
    r = s.request("textDocument/definition", {"textDocument": td(pk, "10-rules.rules"), "position": at(RULES, "deal {")})
    expect(r["result"]["range"]["start"] == at(pack_text, "deal {"), "definition of the source: %r" % r)
    r = s.request("textDocument/references", {"textDocument": td(pk, "10-rules.rules"), "position": at(RULES, "drop:pct"),
                                              "context": {"includeDeclaration": True}})
    got = sorted((x["uri"], x["range"]["start"]["line"], x["range"]["start"]["character"]) for x in r["result"])
    want = sorted([(pk.uri("00-pack.rules"), at(pack_text, "drop =")["line"], at(pack_text, "drop =")["character"]),
                   (pk.uri("00-pack.rules"), at(pack_text, "drop)")["line"], at(pack_text, "drop)")["character"]),
                   (pk.uri("10-rules.rules"), at(RULES, "drop:pct")["line"], at(RULES, "drop:pct")["character"])])
    expect(got == want, "references of drop: %r, want %r" % (got, want))
    r = s.request("textDocument/references", {"textDocument": td(pk, "10-rules.rules"), "position": at(RULES, "drop:pct"),
                                              "context": {"includeDeclaration": False}})
    expect(len(r["result"]) == 2, "without the declaration: %r" % r)
    stop(s)


def test_formatting(pk):
    ugly = RULES.replace("  let before = prev(amount)", "let   before=prev( amount )").replace("red    when", "red when")
    pk.write("ugly.rules", ugly)
    want = subprocess.run([VIGIL, "fmt", pk.path("ugly.rules")], capture_output=True, text=True).stdout
    expect(want and want != ugly, "vigil fmt changes the text")
    s = start()
    open_doc(s, pk, "10-rules.rules", ugly)
    r = s.request("textDocument/formatting", {"textDocument": td(pk, "10-rules.rules"),
                                              "options": {"tabSize": 2, "insertSpaces": True}})["result"]
    expect(len(r) == 1 and r[0]["newText"] == want and r[0]["range"]["start"] == {"line": 0, "character": 0},
           "formatting: %r" % r)
    # formatted text: no edit; syntax errors: null
    s.notify("textDocument/didChange", {"textDocument": {"uri": pk.uri("10-rules.rules"), "version": 2},
                                        "contentChanges": [{"text": want}]})
    r = s.request("textDocument/formatting", {"textDocument": td(pk, "10-rules.rules"), "options": {}})
    expect(r["result"] == [], "formatted already: %r" % r)
    s.notify("textDocument/didChange", {"textDocument": {"uri": pk.uri("10-rules.rules"), "version": 3},
                                        "contentChanges": [{"text": "rule { {"}]})
    r = s.request("textDocument/formatting", {"textDocument": td(pk, "10-rules.rules"), "options": {}})
    expect(r["result"] is None, "syntax errors: %r" % r)
    stop(s)


def test_symbols(pk):
    s = start()
    open_doc(s, pk, "00-pack.rules")
    r = s.request("textDocument/documentSymbol", {"textDocument": td(pk, "00-pack.rules")})["result"]
    got = [(x["name"], x["kind"]) for x in r]
    expect(got == [("sales", 4), ("yellow", 22), ("red", 22), ("drop", 14), ("shrank", 12), ("deal", 5)], "symbols: %r" % got)
    open_doc(s, pk, "10-rules.rules")
    r = s.request("textDocument/documentSymbol", {"textDocument": td(pk, "10-rules.rules")})["result"]
    expect(len(r) == 1 and r[0]["name"] == "amount_drop" and [c["name"] for c in r[0]["children"]] == ["before"],
           "a rule and its lets: %r" % r)
    expect(r[0]["range"]["start"] == {"line": 0, "character": 0} and r[0]["range"]["end"]["line"] == 5, "range: %r" % r[0])
    stop(s)


def error_code(m):
    return m.get("error", {}).get("code")


def test_errors(pk):
    s = start()
    cases = [
        (b"{not json", -32700),
        (b"\xff\xfe", -32700),
        (b"[" * 100000, -32700),
        (b"[1, 2]", -32600),
        (b"{\"jsonrpc\": \"2.0\", \"id\": 5}", -32600),
        (b"{\"jsonrpc\": \"2.0\", \"id\": {\"a\": 1}, \"method\": \"shutdown\"}", -32600),
        (b"{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": 12}", -32600),
        (b"{\"jsonrpc\": \"2.0\", \"id\": 8, \"method\": \"no/such\"}", -32601),
        (b"{\"jsonrpc\": \"2.0\", \"id\": 9, \"method\": \"textDocument/hover\"}", -32602),
        (b"{\"jsonrpc\": \"2.0\", \"id\": 10, \"method\": \"textDocument/hover\", \"params\": {\"textDocument\": {\"uri\": 3}}}", -32602),
    ]
    for body, code in cases:
        s.raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        m = s.get()
        expect(error_code(m) == code, "%r: %r, want %d" % (body[:60], m, code))
    open_doc(s, pk, "10-rules.rules")
    for pos in ({"line": -1, "character": 0}, {"line": "x", "character": 0}, {"line": 1e12, "character": 0}, None):
        r = s.request("textDocument/hover", {"textDocument": td(pk, "10-rules.rules"), "position": pos})
        expect(error_code(r) == -32602, "position %r: %r" % (pos, r))
    # positions past the end of the text are answered
    r = s.request("textDocument/completion", {"textDocument": td(pk, "10-rules.rules"), "position": {"line": 999, "character": 999}})
    expect("result" in r, "past the end: %r" % r)
    # an unknown notification is ignored; a message in pieces and two at once work
    s.notify("$/cancelRequest", {"id": 1})
    def symbols(i):  # (made for each id: the text around it, the folder's name too, may hold its digits)
        body = json.dumps({"jsonrpc": "2.0", "id": i, "method": "textDocument/documentSymbol",
                           "params": {"textDocument": td(pk, "10-rules.rules")}}).encode()
        return b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    msg = symbols(77)
    for i in range(len(msg)):
        s.raw(msg[i:i + 1])
    expect(s.wait_id(77)["result"][0]["name"] == "amount_drop", "a message sent byte by byte")
    s.raw(symbols(78) + symbols(79))
    expect(s.wait_id(78)["result"] and s.wait_id(79)["result"], "two messages in one write")
    # didChange of a document not open, didOpen without text: ignored
    s.notify("textDocument/didChange", {"textDocument": {"uri": "file:///nowhere/x.rules"}, "contentChanges": [{"text": "x"}]})
    s.notify("textDocument/didOpen", {"textDocument": {"uri": pk.uri("x.rules")}})
    r = s.request("textDocument/hover", {"textDocument": {"uri": pk.uri("x.rules")}, "position": {"line": 0, "character": 0}})
    expect(error_code(r) == -32602, "a document never opened: %r" % r)
    stop(s)
    # a header without Content-Length, or too large: the session ends, status 1, a message on stderr
    for head in (b"Content-Type: x\r\n\r\n{}", b"Content-Length: 99999999999\r\n\r\n"):
        s = Server(VIGIL)
        s.raw(head)
        rc = s.close()
        err = s.p.stderr
        expect(rc == 1, "%r: status %r" % (head, rc))


TESTS = {name[5:]: fn for name, fn in globals().items() if name.startswith("test_")}


def main():
    global VIGIL
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    VIGIL = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or list(TESTS)
    failed = 0
    for name in names:
        pk = Pack()
        try:
            TESTS[name](pk)
            print("ok", name)
        except Exception as e:  # a failed test, whatever it raised
            failed += 1
            print("FAIL %s: %s" % (name, e))
            traceback.print_exc()
        finally:
            pk.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
