#!/usr/bin/python3
"""Check the mail an SMTP test server saved against the outbox it came from.

usage: check_mail.py DIR DB

For every message (run, recipient) of DB's vigil_outbox that vigil_delivery
says is sent: exactly one mail in DIR with its Message-ID (more copies are
allowed only with --dups, and then must be byte-identical apart from Date),
that parses as MIME (Python's email module) with the subject decoded to the
outbox's subject, the envelope and To address the delivery's address, and
parts text/plain and text/html equal to the outbox bodies.  Every mail in
DIR must belong to such a message.  Prints "ok N" (N mails checked) or
one line per problem, and exits 1 on any.
"""
import email, email.policy, glob, sqlite3, sys

dups = "--dups" in sys.argv
args = [x for x in sys.argv[1:] if x != "--dups"]
d, db = args
con = sqlite3.connect(db)
problems = []
want = {}
for key, run, rcp, addr in con.execute(
        "SELECT key, run_id, recipient, address FROM vigil_delivery WHERE status = 'sent'"):
    rows = {fmt: (subj, body) for fmt, subj, body in con.execute(
        "SELECT format, subject, body FROM vigil_outbox WHERE run_id = ? AND recipient IS ? ORDER BY id", (run, rcp))}
    plain = rows.get("text") or rows.get("markdown")
    want[key] = (addr, plain, rows.get("html"))
seen = {}
files = sorted(glob.glob(d + "/*.eml"))
for path in files:
    raw = open(path, "rb").read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    mid = m["Message-ID"]
    key = mid.strip("<>").split("@")[0] if mid else None
    if key not in want:
        problems.append("%s: Message-ID %s is not a sent message" % (path, mid))
        continue
    seen[key] = seen.get(key, 0) + 1
    addr, plain, html = want[key]
    if m["X-Envelope-To"] != addr or m["To"].addresses[0].addr_spec != addr:
        problems.append("%s: to %s / %s, not %s" % (path, m["X-Envelope-To"], m["To"], addr))
    if m["Date"] is None or m["From"] is None:
        problems.append("%s: no Date or From" % path)
    subj = (plain or html)[0]
    if str(m["Subject"]) != subj:
        problems.append("%s: subject %r, not %r" % (path, str(m["Subject"]), subj))
    got = {}
    for part in m.walk():
        if part.get_content_maintype() == "text":
            got[part.get_content_type()] = part.get_content()
    if plain and got.get("text/plain") != plain[1]:
        problems.append("%s: the text/plain part differs from the outbox's" % path)
    if html and got.get("text/html") != html[1]:
        problems.append("%s: the text/html part differs from the outbox's" % path)
    if plain and html and m.get_content_type() not in ("multipart/mixed", "multipart/alternative"):
        problems.append("%s: %s, not multipart" % (path, m.get_content_type()))
    if plain and html and not any(p.get_content_type() == "multipart/alternative" for p in m.walk()):
        problems.append("%s: no multipart/alternative" % path)
for key in want:
    if key not in seen:
        problems.append("%s: sent, but never arrived" % key)
    elif seen[key] > 1 and not dups:
        problems.append("%s: arrived %d times" % (key, seen[key]))
for p in problems:
    print(p)
if not problems:
    print("ok %d" % len(files))
sys.exit(1 if problems else 0)
