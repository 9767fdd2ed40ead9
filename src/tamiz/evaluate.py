"""Metrics: precision / recall / F1 per class, macro-F1, per language and per kind."""

from __future__ import annotations

from collections.abc import Sequence

from . import defaults


def prf(y_true: Sequence[str], y_pred: Sequence[str]) -> dict:
    """Per-class precision/recall/F1, macro-F1, n and the confusion matrix.

    Macro-F1 averages the classes that occur in the truth or the predictions.
    """
    out: dict = {"n": len(y_true)}
    f1s = []
    for cls in defaults.LABELS:
        tp = sum(t == cls and p == cls for t, p in zip(y_true, y_pred))
        fp = sum(t != cls and p == cls for t, p in zip(y_true, y_pred))
        fn = sum(t == cls and p != cls for t, p in zip(y_true, y_pred))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[cls] = {"precision": round(precision, 4), "recall": round(recall, 4),
                    "f1": round(f1, 4), "support": tp + fn}
        if tp + fn + fp:  # a class neither present nor predicted (a one-class slice) is left out
            f1s.append(f1)
    out["macro_f1"] = round(sum(f1s) / len(f1s), 4) if f1s else 0.0
    out["confusion"] = {
        f"{t}->{p}": sum(a == t and b == p for a, b in zip(y_true, y_pred))
        for t in defaults.LABELS for p in defaults.LABELS
    }
    return out


def report(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    langs: Sequence[str],
    kinds: Sequence[str | None] | None = None,
    n_ambiguous: int = 0,
) -> dict:
    """Overall metrics plus `by_lang` and, where kinds are known, `by_kind` (accuracy per kind)."""
    out = prf(y_true, y_pred)
    out["ambiguous_skipped"] = n_ambiguous
    out["by_lang"] = {
        lang: prf([t for t, g in zip(y_true, langs) if g == lang],
                  [p for p, g in zip(y_pred, langs) if g == lang])
        for lang in sorted(set(langs))
    }
    if kinds is not None and any(kinds):
        by_kind = {}
        for kind in sorted({k for k in kinds if k}):
            pairs = [(t, p) for t, p, k in zip(y_true, y_pred, kinds) if k == kind]
            by_kind[kind] = {"n": len(pairs),
                             "accuracy": round(sum(t == p for t, p in pairs) / len(pairs), 4)}
        out["by_kind"] = by_kind
        by_kind_lang: dict[str, dict] = {}
        for kind in defaults.STRUCTURE_KINDS:
            for lang in defaults.FEATURE_LANGUAGES:
                pairs = [(t, p) for t, p, k, g in zip(y_true, y_pred, kinds, langs)
                         if k == kind and g == lang]
                if pairs:
                    by_kind_lang.setdefault(kind, {})[lang] = {
                        "n": len(pairs),
                        "accuracy": round(sum(t == p for t, p in pairs) / len(pairs), 4)}
        if by_kind_lang:
            out["by_kind_lang"] = by_kind_lang
    return out


def best_threshold(y_true: Sequence[str], p_boilerplate: Sequence[float]) -> float:
    """The threshold on P(boilerplate) closest to 0.5 whose macro-F1 is within
    THRESHOLD_TOLERANCE of the best.

    Scores are calibrated, so 0.5 is the natural cut; a validation set of a few thousand
    paragraphs moves the arg-max around on a flat curve (one paragraph is ~0.0005 F1),
    and following it would fit that noise.
    """
    import numpy as np

    is_bp = np.asarray(y_true) == defaults.BOILERPLATE
    p = np.asarray(p_boilerplate, dtype=float)
    candidates = np.arange(5, 96) / 100
    scores = []
    for t in candidates:
        pred_bp = p >= t
        f1 = 0.0
        for truth, pred in ((is_bp, pred_bp), (~is_bp, ~pred_bp)):
            tp = np.sum(truth & pred)
            denom = np.sum(truth) + np.sum(pred)
            f1 += 2 * tp / denom if denom else 0.0
        scores.append(f1 / 2)
    scores = np.asarray(scores)
    good = candidates[scores >= scores.max() - defaults.THRESHOLD_TOLERANCE]
    return float(good[np.argmin(np.abs(good - defaults.DEFAULT_THRESHOLD))])


def operating_points(y_true: Sequence[str], p_boilerplate: Sequence[float],
                     balanced: float) -> dict[str, dict]:
    """Thresholds for each mode (see defaults.MODES), with their precision and recall.

    `keep-more` is the lowest threshold at or above `balanced` that keeps content recall
    >= KEEP_MORE_CONTENT_RECALL; `strict` the highest at or below it that keeps boilerplate
    recall >= STRICT_BOILERPLATE_RECALL. So keep-more never drops more than balanced, and
    strict never keeps more. When no candidate reaches its target, the one nearest to it.
    """
    import numpy as np

    is_bp = np.asarray(y_true) == defaults.BOILERPLATE
    p = np.asarray(p_boilerplate, dtype=float)
    candidates = np.round(np.arange(1, 100) / 100, 2)

    def recalls(t: float) -> tuple[float, float]:
        pred_bp = p >= t
        c = np.sum(~is_bp & ~pred_bp) / max(np.sum(~is_bp), 1)
        b = np.sum(is_bp & pred_bp) / max(np.sum(is_bp), 1)
        return float(c), float(b)

    up = [t for t in candidates if t >= balanced] or [balanced]
    keep = next((t for t in up if recalls(t)[0] >= defaults.KEEP_MORE_CONTENT_RECALL), up[-1])
    down = [t for t in candidates[::-1] if t <= balanced] or [balanced]
    strict = next((t for t in down if recalls(t)[1] >= defaults.STRICT_BOILERPLATE_RECALL),
                  down[-1])
    out = {}
    for mode, t in zip(defaults.MODES, (balanced, keep, strict)):
        pred = [defaults.BOILERPLATE if x >= t else defaults.CONTENT for x in p]
        m = prf(list(y_true), pred)
        out[mode] = {"threshold": float(t), "macro_f1": m["macro_f1"],
                     defaults.CONTENT: m[defaults.CONTENT],
                     defaults.BOILERPLATE: m[defaults.BOILERPLATE]}
    return out


def format_report(rep: dict, title: str = "") -> str:
    """A plain-text table of a report(), for people."""
    lines = [title] if title else []

    def row(name: str, r: dict) -> str:
        c, b = r[defaults.CONTENT], r[defaults.BOILERPLATE]
        return (f"{name:<14}{r['n']:>8}  {r['macro_f1']:>8.3f}  {c['precision']:>7.3f} "
                f"{c['recall']:>7.3f} {c['f1']:>7.3f}  {b['precision']:>7.3f} {b['recall']:>7.3f} "
                f"{b['f1']:>7.3f}")

    lines.append(f"{'':<14}{'n':>8}  {'macro-F1':>8}  {'content P/R/F1':>23}  "
                 f"{'boilerplate P/R/F1':>23}")
    lines.append(row("all", rep))
    for lang, r in rep.get("by_lang", {}).items():
        lines.append(row(f"lang={lang}", r))
    conf = rep["confusion"]
    lines.append("confusion (true->pred): " + ", ".join(f"{k} {v}" for k, v in conf.items()))
    if rep.get("ambiguous_skipped"):
        lines.append(f"ambiguous rows skipped: {rep['ambiguous_skipped']}")
    if "parity" in rep:
        par = rep["parity"]
        lines.append(f"language parity on {par['pairs']} English/Spanish pairs: " + "; ".join(
            f"{where}: same label {v['same_label']:.1%}, mean |p_en - p_es| "
            f"{v['mean_abs_diff']:.3f} (Spanish {v['mean_es_minus_en']:+.3f})"
            for where, v in (("in context", par["document"]), ("alone", par["isolated"]))))
    if "by_kind_lang" in rep:
        lines.append("content recall of the article's structure: " + ", ".join(
            f"{kind} {lang} {v['accuracy']:.2f} (n={v['n']})"
            for kind, by_lang in rep["by_kind_lang"].items() for lang, v in by_lang.items()))
    if "by_kind" in rep:
        worst = sorted(rep["by_kind"].items(), key=lambda kv: kv[1]["accuracy"])
        lines.append("accuracy by kind: " + ", ".join(
            f"{k} {v['accuracy']:.2f} (n={v['n']})" for k, v in worst))
    return "\n".join(lines)
