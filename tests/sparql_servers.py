"""The SPARQL engines the server tests run against, started on free loopback ports, and a small proxy in
front of them for what an engine will not do on demand (ask for a password, answer HTML, cut an answer
short, be busy for a moment).

- Oxigraph: the `oxigraph` command (the `oxigraph` package on PyPI), `oxigraph serve --location DIR`.
- Apache Jena Fuseki: `java -jar fuseki-server.jar --mem --update /litgraph`, the jar at
  $LITGRAPH_FUSEKI_JAR or ~/.cache/litgraph-ci/fuseki-server.jar (.ci/run fetches it with Maven).
Readiness is polled (a request every 50 ms until the engine answers), never waited for by the clock.
"""

from __future__ import annotations

import base64
import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

FUSEKI_JAR = Path(os.environ.get("LITGRAPH_FUSEKI_JAR", Path.home() / ".cache" / "litgraph-ci" / "fuseki-server.jar"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Engine:
    """A SPARQL engine in a process of its own; `url` is its base URL as a user gives it to litgraph."""

    def __init__(self, name: str, folder: Path):
        self.name, self.folder = name, folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        if name == "oxigraph":
            self.url = f"http://127.0.0.1:{self.port}"
            self.ready_url = f"{self.url}/query?query=ASK%7B%7D"
        else:
            self.url = f"http://127.0.0.1:{self.port}/litgraph"
            self.ready_url = f"http://127.0.0.1:{self.port}/$/ping"

    def command(self) -> list[str]:
        if self.name == "oxigraph":
            beside = Path(sys.executable).parent / "oxigraph"  # (a venv's, when it is not on PATH)
            binary = str(beside) if beside.is_file() else shutil.which("oxigraph")
            assert binary, "the oxigraph command is missing (pip install oxigraph: it is in the test extra)"
            return [binary, "serve", "--location", str(self.folder / "oxigraph"), "--bind", f"127.0.0.1:{self.port}"]
        return ["java", "-Xmx1g", "-jar", str(FUSEKI_JAR), "--mem", "--update", "--port", str(self.port), "/litgraph"]

    def start(self) -> None:
        with (self.folder / f"{self.name}.log").open("ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=self.folder)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} stopped at start: {(self.folder / f'{self.name}.log').read_text()[-2000:]}"
                )
            try:
                if requests.get(self.ready_url, timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)  # the next poll
        raise RuntimeError(f"{self.name} did not answer within 120 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


class Proxy:
    """A loopback HTTP proxy in front of an engine. `mode`: "auth" (basic auth as user/password, else 401),
    "html" (an HTML page for every request), "cut" (the engine's answer cut in the middle), "busy" (429 with
    Retry-After: `retry_after` for the first `busy` requests), "pass"."""

    def __init__(self, target: str, mode: str = "pass", busy: int = 0, retry_after: int = 0):
        self.target, self.mode, self.busy, self.retry_after = target.rstrip("/"), mode, busy, retry_after
        self.requests = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                proxy.requests += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if (
                    proxy.mode == "auth"
                    and self.headers.get("Authorization") != "Basic " + base64.b64encode(b"reader:secret").decode()
                ):
                    return self._answer(401, b"Unauthorized", {"WWW-Authenticate": 'Basic realm="litgraph"'})
                if proxy.mode == "html":
                    return self._answer(
                        200, b"<!doctype html><html><body>Sign in</body></html>", {"Content-Type": "text/html"}
                    )
                if proxy.mode == "busy" and proxy.requests <= proxy.busy:
                    return self._answer(429, b"slow down", {"Retry-After": str(proxy.retry_after)})
                self._forward(body)

            def _forward(self, body: bytes) -> None:
                target = requests.utils.urlparse(proxy.target)
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                path = target.path.rstrip("/") + self.path[len(requests.utils.urlparse(proxy.url).path.rstrip("/")) :]
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "authorization", "transfer-encoding")
                }
                headers["Content-Length"] = str(len(body))
                conn.request(self.command, path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                conn.close()
                keep = {
                    k: v
                    for k, v in answer.getheaders()
                    if k.lower() not in ("content-length", "transfer-encoding", "connection")
                }
                if proxy.mode == "cut" and self.command == "POST":
                    self.send_response(answer.status)
                    for k, v in keep.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.close_connection = True
                    return
                self._answer(answer.status, data, keep)

            def _answer(self, status: int, data: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        target_path = requests.utils.urlparse(self.target).path
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{target_path}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
