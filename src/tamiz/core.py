"""The engine-neutral core: whole documents in, cleaned text, removed paragraphs and scores out.

Every engine (the CLI's worker processes, datatrove, Dask, datasets.map, Spark) calls
these functions. They import no engine; a worker process loads the model and the
repeat counts once (`worker_model`, `worker_repeats`) and cleans records in batches.
Given the same counts, a record's result does not depend on which batch it was in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import defaults
from .paragraphs import join, split


@dataclass
class CleanResult:
    """One cleaned document.

    text: the kept paragraphs, joined as `tamiz clean` writes them; removed: each removed
    paragraph as {"i", "text", "lang", "p_boilerplate"} (the `--removed` records without
    "doc"); scores: a ParagraphScore for every paragraph, in order.
    """

    text: str
    removed: list[dict] = field(default_factory=list)
    scores: list = field(default_factory=list)


@lru_cache(maxsize=4)
def _cached_model(path: str):
    from .persist import load

    return load(path)


def worker_model(path=None):
    """The model at `path` (None: the shipped model), loaded once per process and cached.

    A worker forked from a process that already loaded it shares its memory.
    """
    from .persist import default_model_path

    return _cached_model(str(Path(path if path is not None else default_model_path()).resolve()))


@lru_cache(maxsize=4)
def _cached_repeats(path: str, mtime_ns: int, size: int):
    from .repeats import load_repeats

    return load_repeats(path)


def worker_repeats(repeats):
    """Repeat counts from a RepeatCounts, a counts file's path (loaded once per process and
    file version), or None."""
    if repeats is None or not isinstance(repeats, (str, Path)):
        return repeats
    path = Path(repeats).resolve()
    try:
        st = path.stat()
    except OSError:
        from .errors import DataError

        raise DataError(f"{repeats}: no such counts file") from None
    return _cached_repeats(str(path), st.st_mtime_ns, st.st_size)


def clean_records(texts: list[str], model=None, repeats=None,
                  split_mode: str = defaults.DEFAULT_SPLIT,
                  threshold: float | None = None) -> list[CleanResult]:
    """Clean whole documents; one CleanResult per text, in order.

    `model`: a Model, a model directory, or None (the shipped model), loaded once per
    process. `repeats`: RepeatCounts or a counts file's path (see `tamiz repeats`), or
    None: the repetition feature is then unknown, as for stdin. Documents are scored
    together in batches of about BATCH_PARAGRAPHS paragraphs (batching is faster and
    does not change any score).
    """
    if model is None or isinstance(model, (str, Path)):
        model = worker_model(model)
    counts = worker_repeats(repeats)
    if counts is not None:
        from .corpus import check_split

        check_split(counts, split_mode)
    docs = [split(t, split_mode) for t in texts]
    out: list[CleanResult] = []
    start = 0
    while start < len(docs):
        end, n = start, 0
        while end < len(docs) and (end == start or n + len(docs[end]) <= defaults.BATCH_PARAGRAPHS):
            n += len(docs[end])
            end += 1
        batch = docs[start:end]
        rep = [counts.counts(d) for d in batch] if counts is not None else None
        for paragraphs, scores in zip(batch, model.score_documents(batch, rep, threshold)):
            kept = [s.text for s in scores if s.label == defaults.CONTENT]
            removed = [{"i": i, "text": s.text, "lang": s.lang,
                        "p_boilerplate": round(s.p_boilerplate, 4)}
                       for i, s in enumerate(scores) if s.label != defaults.CONTENT]
            out.append(CleanResult(join(kept, split_mode), removed, scores))
        start = end
    return out


def clean_record(text: str, model=None, repeats=None,
                 split_mode: str = defaults.DEFAULT_SPLIT,
                 threshold: float | None = None) -> CleanResult:
    """Clean one whole document (see clean_records)."""
    return clean_records([text], model, repeats, split_mode, threshold)[0]


def score_batch(documents: list[list[str]], model=None, repeats=None,
                threshold: float | None = None) -> list[list[tuple[str, float, str]]]:
    """A worker's share of `tamiz clean`: documents (paragraph lists) -> per paragraph
    (lang, p_boilerplate, label), as the CLI's own worker processes compute them."""
    if model is None or isinstance(model, (str, Path)):
        model = worker_model(model)
    counts = worker_repeats(repeats)
    rep = [counts.counts(d) for d in documents] if counts is not None else None
    scored = model.score_documents(documents, rep, threshold=threshold)
    return [[(s.lang, s.p_boilerplate, s.label) for s in doc] for doc in scored]
