"""A stub OpenAI-compatible chat server (our own, for plumbing tests): records requests,
replies with what ``behaviour(messages)`` returns, streams when asked, can be slow, and can
misbehave the ways real servers do (``fault(messages)`` picks one per request):

* ``"hang"``: headers, then silence, the connection held open;
* ``"trickle"``: headers, then one byte every 0.2 s forever (never a whole event);
* ``"endless"``: valid tokens forever, ignoring ``max_tokens``;
* ``"not-json"``: ``data: {not json`` (streaming) or a non-JSON body.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Behaviour = Callable[[list[dict[str, str]]], str]
Fault = Callable[[list[dict[str, str]]], str | None]


class StubLLM:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.behaviour: Behaviour = lambda messages: "stub reply [1]"
        self.fault: Fault = lambda messages: None
        self.delay_s = 0.0
        self.token_gap_s = 0.0  # between streamed pieces (a model writing at a pace)
        self.url = ""
        self.stop = threading.Event()  # ends hanging and endless replies at shutdown


def _handler(stub: StubLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            stub.requests.append(body)
            time.sleep(stub.delay_s)
            reply = stub.behaviour(body["messages"])
            base = {"id": "c1", "created": 0, "model": body["model"]}
            fault = stub.fault(body["messages"])
            if fault:
                self._misbehave(fault, base, bool(body.get("stream")))
                return
            if body.get("stream"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for piece in [reply[i : i + 4] for i in range(0, len(reply), 4)]:
                    time.sleep(stub.token_gap_s)
                    chunk = {
                        **base,
                        "object": "chat.completion.chunk",
                        "choices": [
                            {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                        ],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.close_connection = True
                return
            payload = json.dumps(
                {
                    **base,
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _misbehave(self, fault: str, base: dict[str, Any], stream: bool) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream" if stream else "application/json")
            if not stream and fault == "not-json":
                self.send_header("Content-Length", "9")
            self.end_headers()
            self.close_connection = True
            try:
                if fault == "not-json":
                    self.wfile.write(b"data: {not json\n\n" if stream else b"{not json")
                    self.wfile.flush()
                    return
                while not stub.stop.is_set():
                    if fault == "trickle":
                        self.wfile.write(b" ")
                    elif fault == "endless":
                        chunk = {
                            **base,
                            "object": "chat.completion.chunk",
                            "choices": [
                                {"index": 0, "delta": {"content": "more "}, "finish_reason": None}
                            ],
                        }
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    stub.stop.wait(0.2 if fault != "endless" else 0.01)
            except OSError:
                pass  # the client gave up: what a bounded client does

        def do_GET(self) -> None:
            payload = json.dumps({"object": "list", "data": [{"id": "stub", "object": "model"}]})
            self.send_response(200 if self.path.endswith("/models") else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload.encode())

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_stub() -> Iterator[StubLLM]:
    stub = StubLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stub.url = f"http://127.0.0.1:{server.server_port}/v1"
    try:
        yield stub
    finally:
        stub.stop.set()
        server.shutdown()
        server.server_close()
