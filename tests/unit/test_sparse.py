from indexing.sparse import BM25SparseEncoder, stem, terms


def test_terms_drop_stop_words_and_meet_across_inflections() -> None:
    assert terms("How many days do I get?") == ["day"]
    assert stem("accrues") == stem("accrued") == stem("accrue")
    assert stem("waiver") == stem("waive")
    assert "i'm" not in terms("I'm covered")


def test_document_weights_saturate_and_queries_are_binary() -> None:
    encoder = BM25SparseEncoder()
    (ids,), (values,) = encoder.encode_documents(["leave leave leave policy"])
    weights = dict(zip(ids, values, strict=True))
    assert len(weights) == 2
    assert max(weights.values()) < encoder.k1 + 1  # saturation bound
    (qids,), (qvalues,) = encoder.encode_queries(["leave policy policy"])
    assert sorted(qids) == sorted(ids) and qvalues == [1.0, 1.0]
