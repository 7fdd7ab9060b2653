"""lsp.py — a small JSON-RPC client for `vigil lsp` (python3 stdlib only):
start the server, frame messages with Content-Length, read its messages."""
import json
import os
import subprocess
import threading
import queue


class Server:
    def __init__(self, vigil, *args):
        self.p = subprocess.Popen([vigil, "lsp", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.q = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        f = self.p.stdout
        while True:
            headers = {}
            while True:
                line = f.readline()
                if not line:
                    self.q.put(None)
                    return
                line = line.decode("ascii").strip()
                if not line:
                    break
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
            body = f.read(int(headers["content-length"]))
            self.q.put(json.loads(body))

    def raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def send(self, obj):
        body = json.dumps(obj).encode("utf-8")
        self.raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method, params=None):
        m = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            m["params"] = params
        self.send(m)

    def request(self, method, params=None):
        self.next_id += 1
        m = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            m["params"] = params
        self.send(m)
        return self.wait_id(self.next_id)

    def get(self, timeout=20):
        m = self.q.get(timeout=timeout)
        if m is None:
            raise EOFError("the server closed its output")
        return m

    def wait_id(self, id_):
        while True:
            m = self.get()
            if m.get("id") == id_ and "method" not in m:
                return m
            self.pending.append(m)

    pending = []

    def diagnostics(self, uri):
        """The next publishDiagnostics for uri (after those already pending)."""
        for i, m in enumerate(self.pending):
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                del self.pending[i]
                return m["params"]["diagnostics"]
        while True:
            m = self.get()
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                return m["params"]["diagnostics"]
            self.pending.append(m)

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            return self.p.wait(timeout=20)
        finally:
            if self.p.poll() is None:
                self.p.kill()
            self.p.stdout.close()
            self.p.stderr.close()


def uri(path):
    return "file://" + os.path.abspath(path)
