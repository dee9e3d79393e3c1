"""The calibrated answer decisions: two small logistic regressions over evidence features
(bot/answer/evidence.py), fitted on development sets, not hand-set thresholds.

* ``question``: the probability that the documents answer the question
  (``answerable_p`` in ``ask --json``): at or above ``threshold`` an answer; below it but
  at or above ``related_threshold`` "not sure" with the closest pages; below both, the
  plain decline.
* ``document``: the probability that a retrieved document holds the answer; the best one is
  cited, a second one too when its probability reaches ``second_threshold``.

The shipped model (decision_model.json beside this file) is fitted by
``python -m bench.generalization --write-model`` on the seven development handbooks; an admin
re-fits it on their own questions with ``wikibot eval QA.jsonl --fit`` (written to the data
directory, where it takes precedence).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import ConfigurationError

SHIPPED_MODEL = Path(__file__).with_name("decision_model.json")


@dataclass
class LogisticModel:
    features: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float

    def probability(self, values: dict[str, float]) -> float:
        z = self.bias
        for name, mean, scale, weight in zip(
            self.features, self.mean, self.scale, self.weights, strict=True
        ):
            z += weight * (values.get(name, 0.0) - mean) / scale
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def fit(
        cls,
        features: Sequence[str],
        rows: Sequence[dict[str, float]],
        labels: Sequence[bool],
        *,
        l2: float = 3.0,
    ) -> LogisticModel:
        """L2-regularised, class-balanced logistic regression by Newton's method."""
        x = np.array([[row.get(f, 0.0) for f in features] for row in rows], dtype=float)
        y = np.array(labels, dtype=float)
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale < 1e-9] = 1.0
        z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
        positives = max(y.sum(), 1.0)
        negatives = max(len(y) - y.sum(), 1.0)
        sample = np.where(y > 0, len(y) / (2 * positives), len(y) / (2 * negatives))
        penalty = np.full(z.shape[1], l2)
        penalty[-1] = 0.0  # the bias is not shrunk
        w = np.zeros(z.shape[1])
        for _ in range(50):
            p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
            gradient = z.T @ (sample * (p - y)) + penalty * w
            hessian = (z.T * (sample * p * (1 - p))) @ z + np.diag(penalty + 1e-9)
            step = np.linalg.solve(hessian, gradient)
            w -= step
            if np.abs(step).max() < 1e-8:
                break
        return cls(
            features=list(features),
            mean=mean.tolist(),
            scale=scale.tolist(),
            weights=w[:-1].tolist(),
            bias=float(w[-1]),
        )


@dataclass
class DecisionModel:
    question: LogisticModel
    threshold: float
    document: LogisticModel
    second_threshold: float
    related_threshold: float = 0.0  # below it (and below threshold): nothing related
    fitted_on: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "fitted_on": self.fitted_on,
            "question": {
                **self.question.__dict__,
                "threshold": self.threshold,
                "related_threshold": self.related_threshold,
            },
            "document": {**self.document.__dict__, "second_threshold": self.second_threshold},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DecisionModel:
        question = dict(data["question"])
        document = dict(data["document"])
        threshold = float(question.pop("threshold"))
        related = float(question.pop("related_threshold", 0.0))
        second = float(document.pop("second_threshold"))
        return cls(
            question=LogisticModel(**question),
            threshold=threshold,
            document=LogisticModel(**document),
            second_threshold=second,
            related_threshold=related,
            fitted_on=list(data.get("fitted_on", [])),
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> DecisionModel:
        """The admin's fitted model at ``path`` if it exists, else the shipped one."""
        chosen = path if path is not None and path.is_file() else SHIPPED_MODEL
        try:
            return cls.from_json(json.loads(chosen.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(f"{chosen}: not a wikibot decision model ({exc})") from None
