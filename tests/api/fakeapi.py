"""A scripted stand-in for the Tailscale API, on loopback, for relaygate's tests.

Routes map (METHOD, path-with-query) to a list of responses served in order
(the last one repeats). Every request is recorded. Unknown routes get 404.
The server runs in a daemon thread of the test process: stop() (or the end of
the process) takes it down.
"""
import http.server
import json
import ssl
import threading
import time


class Response:
    def __init__(self, status=200, body=b"", headers=None, delay=0.0, json_body=None):
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers = dict(headers or {})
            headers.setdefault("Content-Type", "application/json")
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.headers = headers or {}
        self.delay = delay


class Request:
    def __init__(self, method, path, headers, body, when):
        self.method = method
        self.path = path
        self.headers = headers  # lower-cased names
        self.body = body
        self.when = when

    def __repr__(self):
        return "%s %s" % (self.method, self.path)


class FakeAPI:
    def __init__(self, tls_context=None):
        self.routes = {}
        self.requests = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                req = Request(self.command, self.path,
                              {k.lower(): v for k, v in self.headers.items()}, body,
                              time.monotonic())
                with fake.lock:
                    fake.requests.append(req)
                    queue = fake.routes.get((self.command, self.path))
                    if queue:
                        resp = queue.pop(0) if len(queue) > 1 else queue[0]
                    else:
                        resp = Response(404, json_body={"message": "no such route in the fake"})
                deadline = time.monotonic() + resp.delay
                while time.monotonic() < deadline and not fake.stopping.is_set():
                    time.sleep(0.02)
                try:
                    self.send_response(resp.status)
                    for k, v in resp.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(resp.body)))
                    self.end_headers()
                    self.wfile.write(resp.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = _serve
            do_POST = _serve
            do_PUT = _serve
            do_DELETE = _serve

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        if tls_context is not None:
            self.httpd.socket = tls_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, scheme="http"):
        return "%s://127.0.0.1:%d" % (scheme, self.port)

    def route(self, method, path, *responses):
        with self.lock:
            self.routes[(method, path)] = list(responses)

    def reset(self):
        with self.lock:
            self.routes.clear()
            self.requests.clear()

    def stop(self):
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def tls_context(certfile, keyfile):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certfile, keyfile)
    return ctx
