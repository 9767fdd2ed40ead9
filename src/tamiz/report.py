"""The HTML page of a comparison (`tamiz compare ... --report report.html`).

One self-contained file: inline CSS, the figures as base64 PNG made by matplotlib (an
extra: `pip install 'tamiz[report]'`), the tables and the flipped paragraphs. Nothing
is fetched when it is opened.
"""

from __future__ import annotations

import base64
import io
import os
from html import escape
from pathlib import Path

import numpy as np

from . import defaults
from .errors import UsageError

OLD_COLOR, NEW_COLOR = "#8a8f98", "#1f6feb"
CLASS_COLORS = {defaults.CONTENT: "#2da44e", defaults.BOILERPLATE: "#cf222e"}

CSS = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1180px;margin:0 auto;padding:24px 32px 64px}
h1{font-size:26px;margin:8px 0 4px} h2{font-size:20px;margin:36px 0 10px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.sub{color:#59636e;margin:0 0 16px}
.cards{display:flex;gap:14px;flex-wrap:wrap;margin:16px 0}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 16px;min-width:170px}
.card b{display:block;font-size:24px} .card span{color:#59636e;font-size:13px}
.up{color:#1a7f37} .down{color:#cf222e}
table{border-collapse:collapse;background:#fff;border:1px solid #d0d7de;font-size:13.5px;margin:6px 0 14px}
th,td{padding:5px 10px;border-bottom:1px solid #eaeef2;text-align:right;white-space:nowrap}
th{background:#f6f8fa;font-weight:600} td:first-child,th:first-child{text-align:left}
figure{margin:10px 0 18px;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:8px}
figure img{max-width:100%;height:auto;display:block} figcaption{color:#59636e;font-size:13px;padding:4px 6px}
.flip{background:#fff;border:1px solid #d0d7de;border-left:5px solid #cf222e;border-radius:6px;padding:8px 12px;margin:8px 0}
.flip.fixed{border-left-color:#2da44e}
.flip .meta{font-size:12.5px;color:#59636e} .flip .ctx{color:#8c959f;font-size:13px;margin:2px 0 2px 18px}
.flip .text{font-weight:600;margin:3px 0 3px 18px}
.tag{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;color:#fff;margin-right:6px}
.tag.fixed{background:#2da44e} .tag.broken{background:#cf222e}
"""


def _plt():
    try:
        import matplotlib
    except ImportError:
        raise UsageError("--report needs matplotlib: pip install 'tamiz[report]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def pr_curve(is_bp: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall of `boilerplate` for every threshold on p (descending)."""
    order = np.argsort(-p, kind="stable")
    hits = np.cumsum(is_bp[order])
    k = np.arange(1, len(p) + 1)
    # one point per distinct score: ties are decided together
    last = np.r_[p[order][1:] != p[order][:-1], True]
    total = max(int(is_bp.sum()), 1)
    return hits[last] / k[last], hits[last] / total


def _figure_pr(result: dict, plt) -> str:
    s = result["scores"]
    langs = [g for g in sorted(set(s["lang"]))]
    langs = [g for g in langs if s["lang"].count(g) >= 2] or langs
    fig, axes = plt.subplots(1, len(langs), figsize=(4.2 * len(langs), 3.8), squeeze=False)
    lang = np.array(s["lang"])
    is_bp = np.array(s["label"]) == defaults.BOILERPLATE
    for ax, g in zip(axes[0], langs):
        m = lang == g
        points = []
        for side, color, style in (("old", OLD_COLOR, "--"), ("new", NEW_COLOR, "-")):
            p = np.array(s[side])[m]
            if not is_bp[m].any():
                continue
            prec, rec = pr_curve(is_bp[m], p)
            t = result["thresholds"][side][0]
            pred = p >= t
            tp = np.sum(pred & is_bp[m])
            point = (tp / max(is_bp[m].sum(), 1), tp / max(pred.sum(), 1))
            points.append(point)
            ax.plot(rec, prec, style, color=color, lw=2,
                    label=f"{side}: P {point[1]:.3f}, R {point[0]:.3f}")
            ax.plot(*point, "o", color=color, ms=8, mec="white", zorder=3)
        # the corner where the models work: both operating points and some room around
        low = min([0.8] + [min(x, y) - 0.08 for x, y in points])
        ax.set_xlim(max(0.0, low), 1.005)
        ax.set_ylim(max(0.0, low), 1.005)
        ax.set_title(f"{g} (n={int(m.sum())})")
        ax.set_xlabel("recall (boilerplate)")
        ax.set_ylabel("precision (boilerplate)")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left", frameon=True, fontsize=8.5)
    fig.tight_layout()
    out = _png(fig)
    plt.close(fig)
    return out


def _figure_hist(result: dict, plt) -> str:
    s = result["scores"]
    y = np.array(s["label"])
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    bins = np.linspace(0, 1, 26)
    for ax, side in zip(axes, ("old", "new")):
        p = np.array(s[side])
        for cls in defaults.LABELS:
            # a light fill and a strong outline: where the classes overlap both stay visible
            ax.hist(p[y == cls], bins=bins, histtype="stepfilled", alpha=0.25,
                    color=CLASS_COLORS[cls])
            ax.hist(p[y == cls], bins=bins, histtype="step", lw=2, color=CLASS_COLORS[cls],
                    label=f"true {cls} (n={int(np.sum(y == cls))})")
        ax.axvline(result["thresholds"][side][0], color="#1f2328", ls="--", lw=1,
                   label="threshold")
        ax.set_yscale("log")
        ax.set_title(f"{side}: {result['names'][0 if side == 'old' else 1]}", fontsize=10)
        ax.set_xlabel("p_boilerplate")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("paragraphs (log scale)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, fontsize=9.5)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    out = _png(fig)
    plt.close(fig)
    return out


def _f(x: float) -> str:
    return f"{x:.3f}"


def _delta(a: float, b: float) -> str:
    d = b - a
    cls = "up" if d > 0.0005 else "down" if d < -0.0005 else ""
    return f'<td class="{cls}">{d:+.3f}</td>'


def _pr(r: dict, cls: str, m: str) -> str:
    """Precision or recall, or a dash where it is undefined: recall of a class the
    slice does not hold, precision of a class the model never predicted there."""
    conf = r["confusion"]
    other = [c for c in defaults.LABELS if c != cls][0]
    if m == "recall" and r[cls]["support"] == 0:
        return "–"
    if m == "precision" and conf[f"{cls}->{cls}"] + conf[f"{other}->{cls}"] == 0:
        return "–"
    return _f(r[cls][m])


def _table(title: str, keys: list[tuple[str, str]], old: dict, new: dict) -> str:
    head = ("<tr><th>" + escape(title) + "</th><th>n</th><th>macro-F1 old</th>"
            "<th>macro-F1 new</th><th>Δ</th><th>accuracy</th><th>content P</th><th>content R</th>"
            "<th>boilerplate P</th><th>boilerplate R</th></tr>")
    body = []
    for label, key in keys:
        a, b = old[key], new[key]
        cells = [f"<td>{escape(label)}</td>", f"<td>{a['n']}</td>", f"<td>{_f(a['macro_f1'])}</td>",
                 f"<td>{_f(b['macro_f1'])}</td>", _delta(a["macro_f1"], b["macro_f1"]),
                 f"<td>{_f(a['accuracy'])} → {_f(b['accuracy'])}</td>"]
        for cls in defaults.LABELS:
            for m in ("precision", "recall"):
                cells.append(f"<td>{_pr(a, cls, m)} → {_pr(b, cls, m)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _kinds(old: dict, new: dict) -> list[tuple[str, str]]:
    """Kinds whose accuracy changed most first, then the largest."""
    return [(k, k) for k in sorted(old, key=lambda k: (-abs(new[k]["accuracy"]
                                                            - old[k]["accuracy"]),
                                                       -old[k]["n"], k))]


def _flip(f: dict) -> str:
    tag = ('<span class="tag fixed">fixed</span>' if f["fixed"]
           else '<span class="tag broken">broken</span>')
    ctx = lambda lines: "".join(f'<div class="ctx">{escape(t)}</div>' for t in lines)  # noqa: E731
    facts = [str(x) for x in (f["lang"], f["kind"], f"{f['doc']} ¶{f['i']}") if x]
    return (f'<div class="flip{" fixed" if f["fixed"] else ""}">'
            f'<div class="meta">{tag}true <b>{escape(f["label"])}</b> · old {escape(f["old"])} '
            f'({f["p_old"]:.2f}) → new {escape(f["new"])} ({f["p_new"]:.2f}) · '
            f'{escape(" · ".join(facts))}</div>'
            f'{ctx(f["before"])}<div class="text">{escape(f["text"])}</div>{ctx(f["after"])}</div>')


def render(result: dict, title: str = "tamiz: before and after") -> str:
    """The whole page, as a string."""
    plt = _plt()
    old, new = result["old"], result["new"]
    a, b = old["all"]["macro_f1"], new["all"]["macro_f1"]
    m = result["mcnemar"]
    flips = result["flips"]
    shown = flips[: defaults.COMPARE_REPORT_FLIPS]
    verdict = ("the difference is unlikely to be noise" if m["p_value"] < 0.05
               else "the difference could be noise")
    d = b - a
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">old: <code>{escape(result["names"][0])}</code> · new: '
        f'<code>{escape(result["names"][1])}</code> · {result["n"]} labeled paragraphs'
        + (f" ({result['ambiguous_skipped']} ambiguous skipped)" if result["ambiguous_skipped"]
           else "") + "</p>",
        '<div class="cards">',
        f'<div class="card"><span>macro-F1 old → new</span><b>{_f(a)} → {_f(b)}</b></div>',
        f'<div class="card"><span>change</span><b class="{"up" if d > 0 else "down" if d < 0 else ""}">'
        f"{d:+.3f}</b></div>",
        f'<div class="card"><span>flipped decisions</span><b>{len(flips)}</b>'
        f'<span>{m["c"]} fixed · {m["b"]} broken</span></div>',
        f'<div class="card"><span>McNemar ({escape(m["method"])})</span>'
        f'<b>p = {m["p_value"]:.3g}</b><span>{verdict}</span></div>',
        "</div>",
        "<h2>Macro-F1 and per-class precision / recall</h2>",
        _table("slice", [("all", "all")], old, new),
        _table("language", [(k, k) for k in old["by_lang"]], old["by_lang"], new["by_lang"]),
        _table("kind", _kinds(old["by_kind"], new["by_kind"]), old["by_kind"], new["by_kind"]),
        "<h2>Precision / recall per language</h2>",
        f'<figure><img alt="precision-recall curves per language" '
        f'src="data:image/png;base64,{_figure_pr(result, plt)}">'
        "<figcaption>Boilerplate as the positive class, zoomed on the corner where the "
        "models work; a dot marks each model's own threshold (its precision and recall "
        "in the legend).</figcaption></figure>",
        "<h2>p_boilerplate per true class</h2>",
        f'<figure><img alt="histograms of p_boilerplate per true class" '
        f'src="data:image/png;base64,{_figure_hist(result, plt)}">'
        "<figcaption>Well separated classes sit at the two ends; the dashed line is the "
        "model's threshold.</figcaption></figure>",
        f"<h2>Flipped paragraphs ({len(flips)})</h2>",
        '<div class="flips">' + "".join(_flip(f) for f in shown) + "</div>",
    ]
    if len(flips) > len(shown):
        parts.append(f"<p>… and {len(flips) - len(shown)} more.</p>")
    if not flips:
        parts.append("<p>No decision changed.</p>")
    parts.append("</main></body></html>\n")
    return "".join(parts)


def write_report(result: dict, path: str | Path, title: str = "tamiz: before and after") -> Path:
    """Write the page atomically (temporary file, then rename)."""
    from .corpus import AtomicFile

    path = Path(path)
    page = render(result, title)
    out = AtomicFile(path)
    try:
        out.write(page)
        os.chmod(out.tmp, 0o666 & ~_umask())  # a page to share: not the temp file's 0600
        out.commit()
    except BaseException:
        out.discard()
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
