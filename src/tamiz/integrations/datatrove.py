"""tamiz as datatrove pipeline steps (`pip install 'tamiz[datatrove]'`).

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from tamiz.integrations.datatrove import TamizCleaner, TamizRepeatCounter

    # first pass: one counts file per task; second pass: clean with their merge
    LocalPipelineExecutor([JsonlReader("crawl/"), TamizRepeatCounter("counts/")], tasks=2).run()
    LocalPipelineExecutor([JsonlReader("crawl/"), TamizCleaner(repeats="counts/"),
                           JsonlWriter("cleaned/")], tasks=2).run()

The steps hold only paths and settings (they are pickled to every task); the model and
the counts are loaded once per worker process (tamiz.core.worker_model / worker_repeats).
"""

from __future__ import annotations

import contextlib
from functools import lru_cache
from pathlib import Path

from . import require

require("datatrove", "datatrove")

from datatrove.data import DocumentsPipeline  # noqa: E402
from datatrove.io import get_datafolder  # noqa: E402
from datatrove.pipeline.base import PipelineStep  # noqa: E402

from .. import defaults  # noqa: E402
from ..core import clean_records, worker_model, worker_repeats  # noqa: E402
from ..paragraphs import split  # noqa: E402
from ..repeats import RepeatCounts, load_repeats, merge_all  # noqa: E402

COUNTS_SUFFIX = ".tamizrep"
EMPTY_REASON = "tamiz_empty"


@lru_cache(maxsize=4)
def _folder_counts(folder: str, names: tuple[str, ...]):
    df = get_datafolder(folder)
    parts = []
    for name in names:
        with df.open(name, "rb") as fh:
            parts.append(_load_bytes(fh.read(), f"{folder}/{name}"))
    return merge_all(parts)


def _load_bytes(data: bytes, name: str) -> RepeatCounts:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=COUNTS_SUFFIX) as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            return load_repeats(tmp.name)
        except Exception as err:  # name the file the user gave, not the temporary copy
            raise type(err)(str(err).replace(tmp.name, name)) from None


def resolve_repeats(repeats):
    """RepeatCounts from an object, a counts file, or a folder of counts files (merged:
    the output of TamizRepeatCounter's tasks); None stays None. Cached per process."""
    if repeats is None or isinstance(repeats, RepeatCounts):
        return repeats
    if isinstance(repeats, (str, Path)) and Path(repeats).is_file():
        return worker_repeats(repeats)
    df = get_datafolder(str(repeats))
    names = tuple(sorted(f for f in df.list_files() if f.endswith(COUNTS_SUFFIX)))
    if not names:
        from ..errors import DataError

        raise DataError(f"{repeats}: no {COUNTS_SUFFIX} files")
    return _folder_counts(str(repeats), names)


class TamizCleaner(PipelineStep):
    """Cleans each Document's text in place, paragraph by paragraph.

    metadata["tamiz_removed"]: the removed paragraphs ({"i", "text", "lang",
    "p_boilerplate"}); metadata["tamiz_p_boilerplate"]: every paragraph's score.
    Documents left empty are dropped and counted (stat "dropped_tamiz_empty") and, when
    `exclusion_writer` is given, written there with their original text, as datatrove's
    filters do.

    model: a model directory (None: the shipped model); repeats: a counts file, a folder
    of them (TamizRepeatCounter's output) or a RepeatCounts.
    """

    name = "🧹 tamiz"
    type = "✂️ - FORMAT"

    def __init__(self, model=None, repeats=None, threshold: float | None = None,
                 split_mode: str = defaults.DEFAULT_SPLIT, exclusion_writer=None,
                 batch_size: int = defaults.BATCH_DOCS):
        super().__init__()
        self.model = None if model is None else str(model)
        self.repeats = str(repeats) if isinstance(repeats, Path) else repeats
        self.threshold = threshold
        self.split_mode = split_mode
        self.exclusion_writer = exclusion_writer
        self.batch_size = batch_size

    def _batches(self, data):
        batch = []
        for doc in data:
            batch.append(doc)
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        model = worker_model(self.model)
        counts = resolve_repeats(self.repeats)
        with (self.exclusion_writer if self.exclusion_writer else contextlib.nullcontext()) as writer:
            for batch in self._batches(data):
                with self.track_time():
                    results = clean_records([d.text for d in batch], model, counts,
                                            self.split_mode, self.threshold)
                for doc, result in zip(batch, results):
                    self.stat_update("total")
                    self.stat_update("paragraphs", value=len(result.scores))
                    self.stat_update("paragraphs_removed", value=len(result.removed))
                    doc.metadata["tamiz_removed"] = result.removed
                    doc.metadata["tamiz_p_boilerplate"] = [round(s.p_boilerplate, 4)
                                                           for s in result.scores]
                    if not result.text:
                        self.stat_update("dropped", f"dropped_{EMPTY_REASON}")
                        if writer:
                            doc.metadata["filter_reason"] = EMPTY_REASON
                            writer.write(doc, rank)
                        continue
                    doc.text = result.text
                    self.stat_update("forwarded")
                    self.update_doc_stats(doc)
                    yield doc


class TamizRepeatCounter(PipelineStep):
    """The first pass: counts how many documents contain each paragraph and writes one
    counts file per task (`output_folder/NNNNN.tamizrep`); TamizCleaner(repeats=
    output_folder) merges them. Documents pass through unchanged."""

    name = "🔢 tamiz repeats"
    type = "📊 - STATS"

    def __init__(self, output_folder, split_mode: str = defaults.DEFAULT_SPLIT):
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.split_mode = split_mode

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        counts = RepeatCounts(split_mode=self.split_mode)
        for doc in data:
            with self.track_time():
                counts.add(split(doc.text, self.split_mode))
            self.stat_update("documents")
            yield doc
        with self.output_folder.open(f"{rank:05d}{COUNTS_SUFFIX}", "wb") as fh:
            counts.write(fh)
