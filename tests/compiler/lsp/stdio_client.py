"""A small synchronous LSP client over a subprocess's stdio (JSON-RPC with
``Content-Length`` framing): the fuzz test and the latency benchmark drive the real
``stc lsp`` process with it, with a timeout on every wait, so a stalled server fails
instead of hanging."""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any


class ServerStalled(AssertionError):
    """The server did not answer in time (or exited)."""


class StdioClient:
    """Start ``command`` and speak LSP to it."""

    def __init__(self, command: list[str], cwd: Path | None = None) -> None:
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, cwd=cwd,
        )  # fmt: skip
        self._buffer = b""
        self._next_id = 0
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self.log: list[str] = []

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 10.0) -> Any:
        """Send a request and return its result (an error response raises)."""
        self._next_id += 1
        wanted = self._next_id
        self.send({"id": wanted, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self.read(deadline)
            if message.get("id") == wanted and "method" not in message:
                if "error" in message:
                    raise RuntimeError(message["error"])
                return message.get("result")

    def wait_diagnostics(self, uri: str, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The next diagnostics published for ``uri`` after the last wait."""
        self.diagnostics.pop(uri, None)
        deadline = time.monotonic() + timeout
        while uri not in self.diagnostics:
            self.read(deadline)
        return self.diagnostics[uri]

    def read(self, deadline: float) -> dict[str, Any]:
        """The next message; notifications are recorded on the way."""
        message = self._frame(deadline)
        method = message.get("method")
        if method == "textDocument/publishDiagnostics":
            params = message["params"]
            self.diagnostics[params["uri"]] = params["diagnostics"]
        elif method == "window/logMessage":
            self.log.append(message["params"]["message"])
        elif method is not None and "id" in message:  # a server request: answer null
            self.send({"id": message["id"], "result": None})
        return message

    def _frame(self, deadline: float) -> dict[str, Any]:
        while True:
            header_end = self._buffer.find(b"\r\n\r\n")
            if header_end >= 0:
                headers = self._buffer[:header_end].decode("ascii").split("\r\n")
                length = next(
                    int(h.split(":", 1)[1])
                    for h in headers
                    if h.lower().startswith("content-length")
                )
                start = header_end + 4
                if len(self._buffer) >= start + length:
                    body = self._buffer[start : start + length]
                    self._buffer = self._buffer[start + length :]
                    parsed: dict[str, Any] = json.loads(body)
                    return parsed
            self._fill(deadline)

    def _fill(self, deadline: float) -> None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ServerStalled("the server did not answer in time")
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            raise ServerStalled("the server did not answer in time")
        chunk = os.read(fd, 65536)
        if not chunk:
            raise ServerStalled(f"the server exited (code {self.process.poll()})")
        self._buffer += chunk

    def initialize(self, root: Path) -> Any:
        result = self.request(
            "initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}
        )
        self.notify("initialized", {})
        return result

    def open(self, uri: str, text: str, version: int = 1) -> None:
        item = {"uri": uri, "languageId": "yaml", "version": version, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": item})

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )

    def close_document(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def stop(self) -> None:
        """shutdown + exit, then make sure the process is gone."""
        try:
            self.request("shutdown", None, timeout=5.0)
            self.notify("exit", None)
            self.process.wait(timeout=5.0)
        except (ServerStalled, OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
