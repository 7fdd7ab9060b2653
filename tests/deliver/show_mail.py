#!/usr/bin/python3
"""A received mail, briefly: its headers (the subject decoded), its parts,
and the first lines of its text part.  Used by tests/deliver/demo.sh.

usage: show_mail.py FILE.eml [LINES]
"""
import email, email.policy, sys

with open(sys.argv[1], "rb") as f:
    msg = email.message_from_binary_file(f, policy=email.policy.default)
lines = int(sys.argv[2]) if len(sys.argv) > 2 else 8
for h in ("From", "To", "Subject", "Date", "Message-ID"):
    print("  %s: %s" % (h, msg[h]))
parts = [p for p in msg.walk() if not p.is_multipart()]
print("  parts: " + ", ".join("%s (%d bytes)" % (p.get_content_type(), len(p.get_content().encode())) for p in parts))
text = next((p.get_content() for p in parts if p.get_content_type() == "text/plain"), "")
body = text.splitlines()
for l in body[:lines]:
    print("  | " + l)
if len(body) > lines:
    print("  | ... (%d more lines)" % (len(body) - lines))
