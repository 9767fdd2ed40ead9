"""Before and after: two models on the same labeled data (`tamiz compare`).

Both models score every labeled paragraph in its document, each with its own
thresholds (as `tamiz evaluate` does). The result holds per-class precision and
recall and macro-F1, overall, per language and per kind; the paragraphs whose
decision flipped, with context; and McNemar's test on the flips: of the paragraphs
the two models decide differently, does one model get right more often than chance
would give?
"""

from __future__ import annotations

import math

import numpy as np

from . import defaults
from .data import LabeledSet
from .evaluate import prf
from .training import _rows_lang, predict_labeled


def mcnemar(b: int, c: int) -> dict:
    """McNemar's test on the discordant pairs: `b` right before and wrong after, `c`
    wrong before and right after. Two-sided p-value: exact binomial for small counts,
    chi-square with continuity correction otherwise."""
    n = b + c
    if n == 0:
        return {"b": b, "c": c, "method": "none", "statistic": None, "p_value": 1.0}
    if n < defaults.MCNEMAR_EXACT_BELOW:
        tail = sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2.0 ** n
        return {"b": b, "c": c, "method": "exact binomial", "statistic": None,
                "p_value": min(1.0, 2.0 * tail)}
    chi2 = (abs(b - c) - 1.0) ** 2 / n
    # survival function of chi-square with one degree of freedom
    return {"b": b, "c": c, "method": "chi-square (continuity corrected)",
            "statistic": round(chi2, 4), "p_value": math.erfc(math.sqrt(chi2 / 2.0))}


def _thresholds(model, labeled: LabeledSet) -> np.ndarray:
    """Per row: the model's threshold in context, or alone for one-paragraph documents."""
    single = np.array([len(d.rows) == 1 for d in labeled.documents for _ in d.rows])
    return np.where(single, model.threshold_isolated, model.threshold)


def metrics(y, pred) -> dict:
    """prf() plus accuracy (what reads best on a slice holding one class, like a kind)."""
    out = prf(y, pred)
    out["accuracy"] = round(sum(a == b for a, b in zip(y, pred)) / len(y), 4) if y else 0.0
    return out


def _slices(y, pred, values) -> dict:
    return {v: metrics([a for a, g in zip(y, values) if g == v],
                       [b for b, g in zip(pred, values) if g == v])
            for v in sorted(set(values))}


def compare(old, new, labeled: LabeledSet, names: tuple[str, str] = ("old", "new")) -> dict:
    """Compare two models (tamiz.model.Model) on a labeled set; a JSON-able dict.

    A flip's `i` is its position among its document's labeled rows (the order of `i`).
    """
    rows = labeled.rows
    keep = np.array([k for k, r in enumerate(rows) if r.label != defaults.AMBIGUOUS], dtype=int)
    p = {"old": predict_labeled(old, labeled), "new": predict_labeled(new, labeled)}
    t = {"old": _thresholds(old, labeled), "new": _thresholds(new, labeled)}
    pred = {k: np.where(p[k] >= t[k], defaults.BOILERPLATE, defaults.CONTENT) for k in p}
    langs_all = _rows_lang(labeled)
    y = [rows[k].label for k in keep]
    langs = [langs_all[k] for k in keep]
    kinds = [rows[k].kind or "(none)" for k in keep]
    out: dict = {"names": list(names), "n": len(keep), "ambiguous_skipped": len(rows) - len(keep),
                 "thresholds": {"old": [old.threshold, old.threshold_isolated],
                                "new": [new.threshold, new.threshold_isolated]}}
    for side in ("old", "new"):
        pr = [str(pred[side][k]) for k in keep]
        out[side] = {"all": metrics(y, pr), "by_lang": _slices(y, pr, langs),
                     "by_kind": _slices(y, pr, kinds)}
    right_old = np.array([pred["old"][k] == rows[k].label for k in keep], dtype=bool)
    right_new = np.array([pred["new"][k] == rows[k].label for k in keep], dtype=bool)
    out["mcnemar"] = mcnemar(int(np.sum(right_old & ~right_new)),
                             int(np.sum(~right_old & right_new)))

    where = [(d, j) for d in labeled.documents for j in range(len(d.rows))]
    c = defaults.COMPARE_CONTEXT
    flips = []
    for n_row, k in enumerate(keep):
        if pred["old"][k] == pred["new"][k]:
            continue
        doc, j = where[k]
        r = rows[k]
        flips.append({
            "doc": doc.doc, "i": j, "text": r.text,
            "label": r.label, "lang": langs[n_row], "kind": r.kind,
            "old": str(pred["old"][k]), "new": str(pred["new"][k]),
            "p_old": round(float(p["old"][k]), 4), "p_new": round(float(p["new"][k]), 4),
            "fixed": bool(right_new[n_row]),
            "before": doc.texts[max(0, j - c):j], "after": doc.texts[j + 1:j + 1 + c],
            "where": r.where,
        })
    out["flips"] = flips
    # raw scores, for the report's curves and histograms
    out["scores"] = {"label": y, "lang": langs,
                     "old": [round(float(p["old"][k]), 5) for k in keep],
                     "new": [round(float(p["new"][k]), 5) for k in keep]}
    return out


def format_comparison(result: dict, show_flips: int = defaults.COMPARE_SHOW_FLIPS) -> str:
    """Plain text for people: macro-F1 and per-class P/R before and after, per slice."""
    old_name, new_name = result["names"]
    lines = [f"old: {old_name}", f"new: {new_name}",
             f"{result['n']} labeled paragraphs"
             + (f" ({result['ambiguous_skipped']} ambiguous skipped)"
                if result["ambiguous_skipped"] else ""), ""]
    lines.append(f"{'':<26}{'n':>6}  {'macro-F1':>20}  {'accuracy':>13}  {'content P / R':>23}  "
                 f"{'boilerplate P / R':>23}")

    def row(name, a, b):
        def pr(cls):
            return (f"{a[cls]['precision']:.3f}/{a[cls]['recall']:.3f}"
                    f" > {b[cls]['precision']:.3f}/{b[cls]['recall']:.3f}")
        delta = b["macro_f1"] - a["macro_f1"]
        return (f"{name:<26}{a['n']:>6}  {a['macro_f1']:.3f} > {b['macro_f1']:.3f} "
                f"{delta:+.3f}  {a['accuracy']:.3f} > {b['accuracy']:.3f}  "
                f"{pr(defaults.CONTENT):>23}  {pr(defaults.BOILERPLATE):>23}")

    o, n = result["old"], result["new"]
    lines.append(row("all", o["all"], n["all"]))
    for group, title in (("by_lang", "lang"), ("by_kind", "kind")):
        for key in o[group]:
            lines.append(row(f"{title}={key}"[:25], o[group][key], n[group][key]))
    m = result["mcnemar"]
    lines.append("")
    lines.append(f"flips: {m['b'] + m['c']} ({m['c']} fixed, {m['b']} broken); "
                 f"McNemar ({m['method']}): p = {m['p_value']:.4g}")
    for f in result["flips"][:show_flips]:
        mark = "fixed " if f["fixed"] else "BROKEN"
        lines.append(f"  {mark} {f['label']:<11} {f['old']} {f['p_old']:.2f} -> {f['new']} "
                     f"{f['p_new']:.2f}  {f['doc']} ¶{f['i']}: {_short(f['text'])}")
    if len(result["flips"]) > show_flips:
        lines.append(f"  ... {len(result['flips']) - show_flips} more (--report shows them all)")
    return "\n".join(lines)


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
