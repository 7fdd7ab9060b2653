#!/usr/bin/python3
"""Check what the HTTP test receiver recorded against the outbox it came from.

usage: check_hooks.py DIR DB

For every message vigil_delivery says was sent to a webhook: exactly one
request with its Idempotency-Key was answered 200 (others, answered 429,
500 or not at all, may come before it), at the path /NAME of its webhook,
as application/json, with the body of the webhook's format (the path names
the format: /gen generic, /slack, /teams, /feishu, /ding, /wecom) holding
the subject and the digest, cut with a note where the service has a limit
(WeCom 4096 bytes).  Every request belongs to such a message.  Prints
"ok N" (N requests) or one line per problem, and exits 1 on any.
"""
import glob, json, sqlite3, sys

d, db = sys.argv[1:]
con = sqlite3.connect(db)
want = {}
for key, run, rcp, addr in con.execute(
        "SELECT key, run_id, recipient, address FROM vigil_delivery WHERE status = 'sent' AND channel = 'webhook'"):
    rows = {fmt: (subj, body) for fmt, subj, body in con.execute(
        "SELECT format, subject, body FROM vigil_outbox WHERE run_id = ? AND recipient IS ? ORDER BY id", (run, rcp))}
    want[key] = (addr, rows)
problems, ok200 = [], {}
files = sorted(glob.glob(d + "/*.json"))
NOTE = "[... cut here: the whole digest is longer than this service takes]"
for path in files:
    r = json.load(open(path))
    key = r["idempotency_key"]
    if key not in want:
        problems.append("%s: Idempotency-Key %s is not a sent message" % (path, key))
        continue
    addr, rows = want[key]
    if r["path"] != "/" + addr:
        problems.append("%s: posted to %s, not /%s" % (path, r["path"], addr))
    if not r["content_type"].startswith("application/json"):
        problems.append("%s: %s" % (path, r["content_type"]))
    if r["status"] == 200 and r["step"] != "hang":
        ok200[key] = ok200.get(key, 0) + 1
    subj, plain = (rows.get("text") or rows.get("markdown") or rows.get("html"))
    html = rows.get("html", (None, None))[1]
    b = r["body"]
    full = subj + "\n\n" + plain

    def cut_ok(text, limit):
        if len(full.encode()) <= limit:
            return text == full
        return len(text.encode()) <= limit and text.endswith(NOTE) and full.startswith(text[:-len(NOTE)].rstrip("\n"))

    fmt = addr
    good = {
        "gen": lambda: b == {"key": key, "run_id": b["run_id"], "recipient": b["recipient"], "subject": subj,
                             "text": plain, "html": html} if html else b.get("text") == plain,
        "slack": lambda: set(b) == {"text"} and cut_ok(b["text"], 40000),
        "teams": lambda: b.get("@type") == "MessageCard" and b.get("title") == subj and b.get("summary") == subj
                         and b.get("text") == plain,
        "feishu": lambda: b.get("msg_type") == "text" and cut_ok(b["content"]["text"], 18000),
        "ding": lambda: b.get("msgtype") == "markdown" and b["markdown"]["title"] == subj
                        and cut_ok(b["markdown"]["text"], 18000),
        "wecom": lambda: b.get("msgtype") == "markdown" and cut_ok(b["markdown"]["content"], 4096),
    }.get(fmt, lambda: False)
    try:
        if not good():
            problems.append("%s: not the %s body of %s: %s" % (path, fmt, key, json.dumps(b)[:200]))
    except (KeyError, TypeError) as e:
        problems.append("%s: %s body without %s" % (path, fmt, e))
for key in want:
    if ok200.get(key, 0) != 1:
        problems.append("%s: accepted %d times" % (key, ok200.get(key, 0)))
for p in problems:
    print(p)
if not problems:
    print("ok %d" % len(files))
sys.exit(1 if problems else 0)
