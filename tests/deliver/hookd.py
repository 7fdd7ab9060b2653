#!/usr/bin/python3
"""An HTTP receiver for the deliver tests: records every request, answers on cue.

usage: hookd.py --dir DIR --port-file FILE [--plan A,B,...] [--reply TEXT] [--hang S]
                [--dingtalk-secret S] [--feishu-secret S]

Listens on 127.0.0.1 (a free port, written to FILE once it listens).  Each
POST is answered by the next entry of the plan, then 200 when the plan is
used up: a status code (429 comes with Retry-After: 1), "429date" (429
with Retry-After as an HTTP date 3 seconds ahead, RFC 9110), or "hang" (no
answer for S seconds, default 5, then 200).  A 200 answer's body is TEXT
(default "ok").  Every request is saved as DIR/NNNN.json: {"path", "status"
(what it was answered), "idempotency_key", "content_type", "body" (the
request's JSON, or its text when it is not JSON), "sig"}.  Runs until SIGTERM.

Signed robots: with --dingtalk-secret, a request whose path starts with
/ding must carry timestamp (ms) and sign in its query, sign being
base64(HMAC-SHA256(key SECRET, "TIMESTAMP\nSECRET")) (DingTalk's custom
robot security settings); with --feishu-secret, one whose path starts with
/feishu must carry "timestamp" (s) and "sign" in its JSON body, sign being
base64(HMAC-SHA256(key "TIMESTAMP\nSECRET", empty message)) (Feishu/Lark's
custom bot signature).  The timestamp must be within an hour of now.  "sig"
is "ok", "bad" or "missing" (null for other paths); a request that is not
"ok" is answered 200 with the service's error code (DingTalk errcode 310000,
Feishu code 19021), as the services do.
"""
import argparse, base64, email.utils, hashlib, hmac, json, os, signal, socket, sys, threading, time
from urllib.parse import parse_qs, urlsplit
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--dir", required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--plan", default="")
ap.add_argument("--reply", default="ok")
ap.add_argument("--hang", type=float, default=5)
ap.add_argument("--dingtalk-secret")
ap.add_argument("--feishu-secret")
a = ap.parse_args()


def b64hmac(key, msg):
    return base64.b64encode(hmac.new(key.encode(), msg.encode(), hashlib.sha256).digest()).decode()


def check_sig(path, body):
    """"ok", "bad", "missing", or None when the path is not a signed robot's."""
    if a.dingtalk_secret and path.startswith("/ding"):
        q = parse_qs(urlsplit(path).query)
        if "timestamp" not in q or "sign" not in q:
            return "missing"
        ts, sign, unit = q["timestamp"][0], q["sign"][0], 1000
        want = b64hmac(a.dingtalk_secret, ts + "\n" + a.dingtalk_secret)
    elif a.feishu_secret and path.startswith("/feishu"):
        if not isinstance(body, dict) or "timestamp" not in body or "sign" not in body:
            return "missing"
        ts, sign, unit = str(body["timestamp"]), str(body["sign"]), 1
        want = b64hmac(ts + "\n" + a.feishu_secret, "")
    else:
        return None
    try:
        fresh = abs(int(ts) / unit - time.time()) < 3600
    except ValueError:
        fresh = False
    return "ok" if fresh and hmac.compare_digest(sign, want) else "bad"
plan = [p for p in a.plan.split(",") if p]
lock = threading.Lock()
count = [0]


class H(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        with lock:
            step = plan.pop(0) if plan else "200"
            count[0] += 1
            k = count[0]
        try:
            body = json.loads(raw)
        except Exception:
            body = raw.decode("utf-8", "replace")
        status = 200 if step == "hang" else 429 if step == "429date" else int(step)
        sig = check_sig(self.path, body)
        rec = {"path": self.path, "status": status, "step": step, "idempotency_key": self.headers.get("Idempotency-Key"),
               "content_type": self.headers.get("Content-Type"), "body": body, "sig": sig}
        path = os.path.join(a.dir, "%04d.json" % k)
        with open(path + ".tmp", "w") as f:
            json.dump(rec, f)
        os.rename(path + ".tmp", path)
        if step == "hang":
            time.sleep(a.hang)
        out = (a.reply if status == 200 else "busy" if status == 429 else "error %d" % status).encode()
        if status == 200 and sig in ("bad", "missing"):
            out = json.dumps({"errcode": 310000, "errmsg": "sign not match"} if self.path.startswith("/ding") else
                             {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}).encode()
        try:
            self.send_response(status)
            if step == "429date":
                self.send_header("Retry-After", email.utils.formatdate(time.time() + 3, usegmt=True))
            elif status == 429:
                self.send_header("Retry-After", "1")
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
        except Exception:
            pass


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
with open(a.port_file + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(a.port_file + ".tmp", a.port_file)
threading.Thread(target=srv.serve_forever, daemon=True).start()
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
signal.signal(signal.SIGINT, lambda *_: stop.set())
while not stop.wait(0.2):
    pass
sys.exit(0)
