"""The public model: whole documents in, paragraph scores out (numpy only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import defaults
from .errors import ModelError, UsageError
from .features import Paragraphs
from .paragraphs import join, split
from .scorer import Scorer


@dataclass
class ParagraphScore:
    """One paragraph's verdict, with its evidence."""

    text: str
    lang: str
    lang_prob: float
    p_boilerplate: float
    label: str

    def to_dict(self) -> dict:
        # by hand: dataclasses.asdict deep-copies every field (a tenth of `score`'s time)
        return {"text": self.text, "lang": self.lang, "lang_prob": round(self.lang_prob, 4),
                "p_boilerplate": round(self.p_boilerplate, 4), "label": self.label}


class Model:
    """A trained model (its Scorer) plus its card. Load with :func:`tamiz.load_model`.

    `score_documents` is the core: whole documents in, paragraph scores out, no
    state kept between calls, so it maps cleanly onto worker processes.
    """

    def __init__(self, scorer: Scorer, card: dict, pipeline=None, path: Path | None = None):
        self.scorer = scorer
        self.card = card
        self.path = path
        self._pipeline = pipeline
        self._featurizer = scorer.featurizer()
        self._isolated_cache: dict[str, tuple[str, float, float]] = {}
        self._isolated_old: dict[str, tuple[str, float, float]] = {}

    @property
    def pipeline(self):
        """The fitted scikit-learn pipeline (read from the model directory on first use)."""
        if self._pipeline is None:
            from .persist import load_pipeline

            self._pipeline = load_pipeline(self.path)
        return self._pipeline

    @property
    def threshold(self) -> float:
        return float(self.card.get("threshold", defaults.DEFAULT_THRESHOLD))

    @property
    def threshold_isolated(self) -> float:
        return float(self.card.get("threshold_isolated", self.threshold))

    def mode_thresholds(self, mode: str = defaults.DEFAULT_MODE) -> tuple[float, float]:
        """(in documents, alone) thresholds of an operating point (see defaults.MODES)."""
        if mode not in defaults.MODES:
            raise UsageError(f"unknown mode {mode!r}; expected one of {', '.join(defaults.MODES)}")
        points = self.card.get("operating_points")
        if points is None:
            if mode == defaults.BALANCED:  # a model from before operating points
                return self.threshold, self.threshold_isolated
            raise ModelError(f"this model has no {mode!r} operating point; retrain it")
        return (float(points["document"][mode]["threshold"]),
                float(points["isolated"][mode]["threshold"]))

    def _probabilities(self, table: Paragraphs) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(language, language probability, P(content)) per row."""
        if len(table) == 0:
            return [], np.zeros(0), np.zeros(0)
        block = self._featurizer.transform(table)
        return block.lang, block.lang_prob, self.scorer.p_content(block)

    @staticmethod
    def _verdicts(texts, langs, lang_probs, p_content, threshold: float) -> list[ParagraphScore]:
        out = []
        for text, lang, lp, pc in zip(texts, langs, lang_probs, p_content):
            pb = float(1.0 - pc)
            label = defaults.BOILERPLATE if pb >= threshold else defaults.CONTENT
            out.append(ParagraphScore(text, lang, float(lp), pb, label))
        return out

    def score(self, paragraphs: list[str], threshold: float | None = None) -> list[ParagraphScore]:
        """Score paragraphs one by one, without context.

        An isolated paragraph's score depends on its text alone, so results are kept in a
        bounded cache: repeated boilerplate in a stream is scored once.
        """
        t = self.threshold_isolated if threshold is None else threshold
        cache = self._isolated_cache
        if len(cache) + len(paragraphs) > defaults.ISOLATED_CACHE_SIZE // 2:
            # two generations: what the previous one holds survives while it is used
            # (rotated before looking up, so every paragraph of this call stays found)
            self._isolated_old, self._isolated_cache = cache, {}
            cache = self._isolated_cache
        old = self._isolated_old
        for p in paragraphs:
            if p not in cache and p in old:
                cache[p] = old[p]
        misses = list(dict.fromkeys(p for p in paragraphs if p not in cache))
        if misses:
            langs, lps, pcs = self._probabilities(Paragraphs.isolated(misses))
            for text, lang, lp, pc in zip(misses, langs, lps, pcs):
                cache[text] = (lang, float(lp), float(pc))
        rows = [cache[p] for p in paragraphs]
        return self._verdicts(paragraphs, *zip(*rows), threshold=t) if rows else []

    def score_documents(
        self,
        documents: list[list[str]],
        repeats: list[np.ndarray] | None = None,
        threshold: float | None = None,
    ) -> list[list[ParagraphScore]]:
        """Score several documents (each a list of paragraphs) in one batch.

        `repeats`: per document, how many corpus documents contain each paragraph
        (see repeats.RepeatCounts.counts); None when unknown.
        """
        t = self.threshold if threshold is None else threshold
        table = Paragraphs.from_documents(documents, repeats)
        flat = self._verdicts(table.texts, *self._probabilities(table), threshold=t)
        out, start = [], 0
        for d in documents:
            out.append(flat[start : start + len(d)])
            start += len(d)
        return out

    def score_document(
        self, text: str, split_mode: str = defaults.DEFAULT_SPLIT, threshold: float | None = None
    ) -> list[ParagraphScore]:
        """Split one document into paragraphs and score them in context."""
        return self.score_documents([split(text, split_mode)], threshold=threshold)[0]

    def clean(
        self, text: str, split_mode: str = defaults.DEFAULT_SPLIT, threshold: float | None = None
    ) -> str:
        """The document with its boilerplate paragraphs removed."""
        scores = self.score_document(text, split_mode, threshold)
        return join([s.text for s in scores if s.label == defaults.CONTENT], split_mode)
