"""Training a model from labeled data, choosing its thresholds, and writing its card."""

from __future__ import annotations

import platform
from collections.abc import Callable

import numpy as np

from . import __version__, defaults
from .data import LabeledSet
from .evaluate import best_threshold, operating_points, prf, report
from .features import Paragraphs
from .estimators import build_pipeline
from .model import Model
from .persist import CARD_FORMAT
from .repeats import count_documents
from .scorer import Scorer


def to_table(labeled: LabeledSet, with_repeats: bool = True) -> tuple[Paragraphs, np.ndarray]:
    """Labeled documents -> the pipeline's input table and label array.

    Repetition counts come from the labeled set itself, as they would from a corpus.
    """
    docs = [d.texts for d in labeled.documents]
    repeats = None
    if with_repeats:
        counter = count_documents(docs)
        repeats = [counter.counts(d) for d in docs]
    table = Paragraphs.from_documents(docs, repeats)
    y = np.array([r.label for d in labeled.documents for r in d.rows], dtype=object)
    return table, y


def predict_labeled(model: Model, labeled: LabeledSet, isolated: bool = False) -> np.ndarray:
    """P(boilerplate) for every row of a labeled set, in context (or each alone)."""
    if isolated:
        scores = model.score([r.text for r in labeled.rows])
    else:
        table, _ = to_table(labeled)
        docs = [d.texts for d in labeled.documents]
        repeats = np.split(table.repeat, np.cumsum([len(d) for d in docs])[:-1])
        scores = [s for doc in model.score_documents(docs, repeats) for s in doc]
    return np.array([s.p_boilerplate for s in scores])


def _rows_lang(labeled: LabeledSet) -> list[str]:
    from .language import get_tagger

    rows = labeled.rows
    tagged = get_tagger().tag([r.text for r in rows]).lang
    return [r.lang or t for r, t in zip(rows, tagged)]


def _metrics(labeled: LabeledSet, p_boilerplate: np.ndarray, threshold: float) -> dict:
    rows = labeled.rows
    keep = [k for k, r in enumerate(rows) if r.label != defaults.AMBIGUOUS]
    langs = _rows_lang(labeled)
    pred = [defaults.BOILERPLATE if p_boilerplate[k] >= threshold else defaults.CONTENT
            for k in keep]
    return report([rows[k].label for k in keep], pred, [langs[k] for k in keep],
                  [rows[k].kind for k in keep], n_ambiguous=len(rows) - len(keep))


def train(
    data: LabeledSet,
    validation: LabeledSet | None = None,
    params: dict | None = None,
    log: Callable[[str], None] = lambda msg: None,
    sample_weight: np.ndarray | None = None,
) -> tuple[Model, dict]:
    """Fit the pipeline on `data`; thresholds from `validation` (or out-of-fold predictions).

    `sample_weight`: one weight per row of `data` (in document order), or None.

    Returns the model (with its card) and a report with cross-validated metrics.
    """
    import numpy
    import scipy
    import sklearn

    table, y = to_table(data)
    log(f"training on {len(y)} paragraphs from {len(data.documents)} documents")
    pipeline = build_pipeline(**(params or {}))
    if sample_weight is None:
        pipeline.fit(table, y)
    else:
        pipeline.fit(table, y, classifier__sample_weight=sample_weight)
    clf = pipeline.named_steps["classifier"]
    oof = clf.__dict__.pop("oof_")  # training evidence, not part of the model

    labeled_rows = oof["rows"]
    y_lab = list(y[labeled_rows])
    p_doc = 1.0 - oof["document"]
    p_iso = 1.0 - oof["isolated"]
    model = Model(Scorer.from_pipeline(pipeline), {}, pipeline=pipeline)
    if validation is not None:
        log(f"choosing thresholds on {len(validation.rows)} validation paragraphs")
        keep = [k for k, r in enumerate(validation.rows) if r.label != defaults.AMBIGUOUS]
        y_val = [validation.rows[k].label for k in keep]
        pv_doc = predict_labeled(model, validation)
        pv_iso = predict_labeled(model, validation, isolated=True)
        y_pick, pick_doc, pick_iso = y_val, pv_doc[keep], pv_iso[keep]
    else:
        y_pick, pick_doc, pick_iso = y_lab, p_doc, p_iso
    threshold = best_threshold(y_pick, pick_doc)
    threshold_iso = best_threshold(y_pick, pick_iso)
    points = {"chosen_on": "validation" if validation is not None else "out-of-fold",
              "document": operating_points(y_pick, pick_doc, threshold),
              "isolated": operating_points(y_pick, pick_iso, threshold_iso)}

    # cross-validated metrics over all rows (ambiguous rows get a dummy score, skipped)
    full_doc = np.zeros(len(y))
    full_iso = np.zeros(len(y))
    full_doc[labeled_rows] = p_doc
    full_iso[labeled_rows] = p_iso
    metrics = {
        "cross_validated": {
            "document": _metrics(data, full_doc, threshold),
            "isolated": _metrics(data, full_iso, threshold_iso),
            "folds": clf.cv_folds,
            "grouped_by": "document",
        }
    }
    if validation is not None:
        metrics["validation"] = {
            "document": _metrics(validation, pv_doc, threshold),
            "isolated": _metrics(validation, pv_iso, threshold_iso),
        }
    card = {
        "format": CARD_FORMAT,
        "format_version": defaults.MODEL_FORMAT_VERSION,
        "versions": {
            "tamiz": __version__,
            "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__,
            "scipy": scipy.__version__,
            "python": platform.python_version(),
        },
        "labels": list(defaults.LABELS),
        "positive_score": "p_boilerplate",
        "threshold": threshold,
        "threshold_isolated": threshold_iso,
        "operating_points": points,
        "training_data": {
            "files": data.files,
            "sha256": data.digest,
            "paragraphs": len(y),
            "documents": len(data.documents),
            "validation_sha256": validation.digest if validation else None,
        },
        "params": pipeline.named_steps["classifier"].get_params(),
        "metrics": metrics,
    }
    model.card = card
    return model, card


def evaluate_labeled(model: Model, labeled: LabeledSet, threshold: float | None = None) -> dict:
    """Score a labeled set as documents (rows without `doc` alone) and report metrics.

    Beyond report(): `by_source` and `by_doc_lang` when the rows carry those fields.
    """
    p = predict_labeled(model, labeled)
    single = np.array([len(d.rows) == 1 for d in labeled.documents for _ in d.rows])
    if threshold is None:
        t = np.where(single, model.threshold_isolated, model.threshold)
    else:
        t = np.full(len(p), threshold)
    rows = labeled.rows
    keep = [k for k, r in enumerate(rows) if r.label != defaults.AMBIGUOUS]
    pred = np.where(p >= t, defaults.BOILERPLATE, defaults.CONTENT)
    langs = _rows_lang(labeled)
    y_true = [rows[k].label for k in keep]
    y_pred = [str(pred[k]) for k in keep]
    out = report(y_true, y_pred, [langs[k] for k in keep], [rows[k].kind for k in keep],
                 n_ambiguous=len(rows) - len(keep))
    parity = language_parity(model, labeled, p, threshold)
    if parity is not None:
        out["parity"] = parity
    for field_name, name in (("source", "by_source"), ("doc_lang", "by_doc_lang")):
        values = [rows[k].extra.get(field_name) for k in keep]
        if any(values):
            out[name] = {
                v: prf([y for y, g in zip(y_true, values) if g == v],
                       [y for y, g in zip(y_pred, values) if g == v])
                for v in sorted({v for v in values if v})
            }
    return out


def language_parity(model: Model, labeled: LabeledSet, p_doc: np.ndarray,
                    threshold: float | None = None) -> dict | None:
    """How a paragraph and its translation are scored, for rows that carry a `pair` id.

    A pair is the English and the Spanish row with the same `pair` value (and the same
    gold label). Reported in document context (`p_doc`, each row in its own page) and
    alone: the share of pairs given the same label, and the mean |p_en - p_es|. None
    when the data has no complete pairs.
    """
    rows = labeled.rows
    by_pair: dict[str, dict[str, int]] = {}
    for k, r in enumerate(rows):
        pair = r.extra.get("pair")
        if pair is not None and r.lang in defaults.FEATURE_LANGUAGES and r.label != defaults.AMBIGUOUS:
            by_pair.setdefault(str(pair), {})[r.lang] = k
    complete = [(v["en"], v["es"]) for v in by_pair.values() if len(v) == 2]
    if not complete:
        return None
    en, es = (np.array(x) for x in zip(*complete))
    p_alone = predict_labeled(model, labeled, isolated=True)
    out = {"pairs": len(complete)}
    for name, p, t in (("document", p_doc, model.threshold if threshold is None else threshold),
                       ("isolated", p_alone,
                        model.threshold_isolated if threshold is None else threshold)):
        same = (p[en] >= t) == (p[es] >= t)
        out[name] = {"same_label": round(float(same.mean()), 4),
                     "mean_abs_diff": round(float(np.abs(p[en] - p[es]).mean()), 4),
                     "mean_es_minus_en": round(float((p[es] - p[en]).mean()), 4)}
    return out
