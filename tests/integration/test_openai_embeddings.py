"""The OpenAI-compatible embedding backend against a local HTTP server standing in for
an /v1/embeddings endpoint (records what it was sent)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from pydantic import SecretStr

from indexing.embedding import EmbeddingConfig, OpenAICompatibleEmbedding, build_embedder


class _Recorder(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(
            {"path": self.path, "auth": self.headers["Authorization"], "body": body}
        )
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        # reversed order, as servers may: the client must sort by index
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(t)), float(i), 1.0]}
            for i, t in reversed(list(enumerate(inputs)))
        ]
        payload = json.dumps(
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Recorder.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/v1"
    httpd.shutdown()


def test_batches_keep_order_and_send_model_and_key(server: str) -> None:
    config = EmbeddingConfig(
        backend="openai",
        model="text-embedding-3-small",
        base_url=server,
        api_key=SecretStr("sk-test"),
        batch_size=2,
    )
    embedder = build_embedder(config)
    assert isinstance(embedder, OpenAICompatibleEmbedding)
    vectors = embedder.embed_batch(["a", "bbb", "cc", "dddd", "e"])
    assert [v[0] for v in vectors] == [1.0, 3.0, 2.0, 4.0, 1.0]
    assert len(_Recorder.requests) == 3  # batches of 2
    first = _Recorder.requests[0]
    assert first["path"] == "/v1/embeddings"
    assert first["auth"] == "Bearer sk-test"
    assert first["body"]["model"] == "text-embedding-3-small"
    assert embedder.dimension == 3
    assert embedder.get_query_embedding("hello") == [5.0, 0.0, 1.0]
