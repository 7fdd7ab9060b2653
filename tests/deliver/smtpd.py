#!/usr/bin/python3
"""A local SMTP server for the deliver tests (Debian's python3-aiosmtpd).

usage: smtpd.py --dir DIR --port-file FILE [--tls CERT KEY] [--auth USER:PASS]
                [--fail N] [--fail-always] [--delay S]

Listens on 127.0.0.1 (a free port, written to FILE once it accepts mail),
saves each accepted message to DIR/NNNN.eml (written whole, then renamed),
and answers 451 to the first N messages' DATA (--fail N) or to all of them
(--fail-always).  --tls: STARTTLS with this certificate, required before
MAIL; --auth: AUTH PLAIN/LOGIN required with these credentials (over TLS
when --tls is given).  --delay: wait S seconds after saving a message and
before answering 250 (the moment a client may die between the server's
acceptance and its own record of it).  Runs until SIGTERM or SIGINT.
"""
import argparse, asyncio, os, signal, socket, ssl, sys, threading
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

ap = argparse.ArgumentParser()
ap.add_argument("--dir", required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--tls", nargs=2)
ap.add_argument("--auth")
ap.add_argument("--fail", type=int, default=0)
ap.add_argument("--fail-always", action="store_true")
ap.add_argument("--delay", type=float, default=0)
a = ap.parse_args()


class Handler:
    def __init__(self):
        self.n = 0
        self.fails = a.fail
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if a.fail_always or self.fails > 0:
                self.fails -= 1
                return "451 4.3.0 try again later"
            self.n += 1
            n = self.n
        path = os.path.join(a.dir, "%04d.eml" % n)
        with open(path + ".tmp", "wb") as f:
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content if envelope.original_content is not None else envelope.content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(path + ".tmp", path)
        if a.delay:
            await asyncio.sleep(a.delay)
        return "250 2.0.0 queued as %04d" % n


def authenticator(server, session, envelope, mechanism, auth_data):
    user, pw = a.auth.split(":", 1)
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and auth_data.password == pw.encode()
    return AuthResult(success=ok, handled=False)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


kw = {}
if a.tls:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(a.tls[0], a.tls[1])
    kw.update(tls_context=ctx, require_starttls=True)
if a.auth:
    kw.update(auth_required=True, auth_require_tls=bool(a.tls), authenticator=authenticator)

port = free_port()
c = Controller(Handler(), hostname="127.0.0.1", port=port, **kw)
c.start()
with open(a.port_file + ".tmp", "w") as f:
    f.write("%d\n" % port)
os.rename(a.port_file + ".tmp", a.port_file)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
signal.signal(signal.SIGINT, lambda *_: stop.set())
while not stop.wait(0.2):
    pass
c.stop()
sys.exit(0)
