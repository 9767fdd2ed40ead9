"""tamiz on Dask (`pip install 'tamiz[dask]'`): bags, dataframes and `tamiz clean --engine dask`.

    import dask.bag as db
    from tamiz.integrations.dask import clean_bag, clean_dataframe

    cleaned = clean_bag(db.read_text("crawl/*.jsonl").map(json.loads), repeats="counts.tamizrep")
    ddf = clean_dataframe(dd.read_parquet("crawl/"), column="text", repeats="counts.tamizrep")

Nothing here loads the model in the driver: the partition functions load it once per worker
process (tamiz.core.worker_model) and `meta=` is always given, so Dask never calls them on
sample data to guess the output. The counts are best passed as a path every worker can read
(or as a RepeatCounts, which Dask then ships with the graph).
"""

from __future__ import annotations

import json

from . import require

require("dask", "dask")

from .. import defaults  # noqa: E402
from ..core import clean_records, score_batch  # noqa: E402

REMOVED_FIELD = "tamiz_removed"


def _clean_partition(records, text_field, model, repeats, split_mode, threshold):
    records = list(records)
    results = clean_records([r[text_field] for r in records], model, repeats, split_mode,
                            threshold)
    out = []
    for record, result in zip(records, results):
        record = dict(record)
        record[text_field] = result.text
        record[REMOVED_FIELD] = result.removed
        out.append(record)
    return out


def clean_bag(bag, text_field: str = defaults.DEFAULT_TEXT_FIELD, model=None, repeats=None,
              split_mode: str = defaults.DEFAULT_SPLIT, threshold: float | None = None):
    """A Dask bag of records (dicts) -> the same records with `text_field` cleaned and
    `tamiz_removed` (the removed paragraphs with their scores) added."""
    return bag.map_partitions(_clean_partition, text_field, model, repeats, split_mode,
                              threshold)


def _clean_frame(frame, column, model, repeats, split_mode, threshold):
    results = clean_records(frame[column].tolist(), model, repeats, split_mode, threshold)
    out = frame.copy()
    out[column] = [r.text for r in results]
    out[column] = out[column].astype(frame[column].dtype)
    out[REMOVED_FIELD] = [json.dumps(r.removed, ensure_ascii=False) for r in results]
    out[REMOVED_FIELD] = out[REMOVED_FIELD].astype(frame[column].dtype)
    return out


def clean_dataframe(ddf, column: str = defaults.DEFAULT_TEXT_FIELD, model=None, repeats=None,
                    split_mode: str = defaults.DEFAULT_SPLIT, threshold: float | None = None):
    """A Dask dataframe -> the same rows with `column` cleaned and `tamiz_removed` (the
    removed paragraphs with their scores, as a JSON string) added."""
    meta = ddf._meta.copy()
    meta[REMOVED_FIELD] = meta[column].copy()  # a string column of the same dtype
    return ddf.map_partitions(_clean_frame, column, model, repeats, split_mode, threshold,
                              meta=meta)


class DaskExecutor:
    """The worker pool behind `tamiz clean --engine dask`: the driver reads, batches and
    writes as `tamiz clean` does; Dask workers score the batches (core.score_batch), each
    loading the model once. The counts are scattered to every worker once."""

    def __init__(self, client, model_path=None, threshold=None, counts=None):
        self.client = client
        self.model_path = model_path
        self.threshold = threshold
        self.counts = client.scatter(counts, broadcast=True) if counts is not None else None
        self.jobs = max(1, sum(client.nthreads().values()))

    def submit(self, fn, payload):
        # `fn` (the local pool's worker function) is replaced by core.score_batch
        return self.client.submit(score_batch, payload, self.model_path, self.counts,
                                  self.threshold, pure=False)


def client_for(scheduler: str | None, workers: int):
    """A distributed Client on `scheduler`, or on a LocalCluster of `workers` processes of
    one thread each (closed with the client)."""
    require("distributed", "dask")
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    client._tamiz_cluster = cluster  # closed by close_client
    return client


def close_client(client) -> None:
    cluster = getattr(client, "_tamiz_cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()
