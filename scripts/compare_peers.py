"""Score tamiz and its peers on the same labeled paragraphs and print one comparison table.

Usage:
    python scripts/compare_peers.py DATA.jsonl [more files or dirs] [--model DIR]
                                    [--json OUT.json] [--limit-docs N]

Input is labeled JSON Lines (the tamiz training format, or the dev benchmark's):
`doc`, `i`, `text`, `label` (content | boilerplate | ambiguous | unlabeled) and
optionally `lang`, `source`, `doc_lang`. Rows are grouped into documents by `doc`
and ordered by `i`, so every system sees whole pages.

Skip rules: rows labeled `ambiguous` or `unlabeled` are not scored, but they stay in
their documents, because they are part of the page: tamiz and jusText classify them
as context like every other paragraph, only their verdicts are left out of the metrics.

Systems (each labels every paragraph content or boilerplate):

* tamiz -- the library's document-in-context scoring (`predict_labeled`), with
  corpus repetition counts taken from the data set itself; boilerplate iff
  P(boilerplate) >= the model's threshold.
* jusText (doc lang) -- justext 3.x with its default parameters. Each document is
  rebuilt as HTML with every paragraph in its own <p> element, so jusText's own
  paragraphs map one-to-one onto ours; content iff not `is_boilerplate`. The
  stoplist follows the page language (`doc_lang`, else the majority of the rows'
  `lang`): English for en, Spanish for es, English for anything else.
* jusText (en+es) -- the same with the union of the English and Spanish stoplists,
  for pages whose language is not known in advance.
* C4 line rule -- the line filter of the C4 corpus: a paragraph is content iff it
  has at least 3 whitespace-separated words, ends in terminal punctuation (. ! or ?,
  optionally followed by closing quotes), and contains none of the phrases in
  C4_BAD_PHRASES (case-insensitive): "cookie", "privacy policy", "terms of use",
  "javascript", "lorem ipsum", and the Spanish "política de privacidad",
  "cookies", "aviso legal".
* Spanish = boilerplate -- a trivial baseline: boilerplate iff the paragraph's
  language is es (the row's `lang`, else tamiz's language tagger).

Slices: all rows; per page language (`doc_lang`, else the document's majority row
language); per `source`; and news pages only (`source` != "wcxb"), overall and per
page language -- the headline numbers. The news slices are shown only when the data
has a `source` field. Also the per-document macro average of macro-F1 over all rows
(documents with both classes among their scored rows) and paragraphs per second
(classification only, file reading and model loading excluded; tamiz includes
featurization and repetition counting).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tamiz import defaults
from tamiz.data import LabeledRow, LabeledSet, find_files, read_labeled
from tamiz.evaluate import prf
from tamiz.errors import DataError

SCRATCH_DIR = Path(tempfile.gettempdir()) / "cmp"
UNLABELED = "unlabeled"
ORIGINAL_LABEL_FIELD = "_original_label"  # kept in row.extra for rows remapped to ambiguous
NEWS_EXCLUDED_SOURCE = "wcxb"
NO_VALUE = "(none)"

JUSTEXT_STOPLISTS = {"en": "English", "es": "Spanish"}
JUSTEXT_DEFAULT_STOPLIST = "English"

C4_MIN_WORDS = 3
C4_TERMINAL = re.compile(r"[.!?][\"'”’»]*$")
C4_BAD_PHRASES = (
    "cookie", "privacy policy", "terms of use", "javascript", "lorem ipsum",
    "política de privacidad", "cookies", "aviso legal",
)

Labels = list[str]
Notes = dict


# --- data ----------------------------------------------------------------------------


@dataclass
class Bench:
    """The labeled set plus, per row, what the slices and metrics need."""

    labeled: LabeledSet
    files: list[str]  # the files the user named (not the scratch copies)
    rows: list[LabeledRow]
    truth: list[str | None]  # content / boilerplate, None for skipped rows
    doc_index: list[int]
    page_lang: list[str]
    source: list[str]
    has_source: bool
    skipped: dict[str, int] = field(default_factory=dict)


def readable_copies(files: list[Path], scratch: Path) -> list[Path]:
    """The files, with any that hold `unlabeled` rows replaced by a copy in `scratch`.

    read_labeled accepts only content / boilerplate / ambiguous, so the copy maps
    `unlabeled` (the trafilatura snippet file) to `ambiguous`, which is skipped from
    scoring all the same, and keeps the original label in ORIGINAL_LABEL_FIELD.
    """
    out = []
    for k, f in enumerate(files):
        raw = f.read_text(encoding="utf-8-sig")
        if f'"{UNLABELED}"' not in raw:
            out.append(f)
            continue
        lines = []
        for line in raw.splitlines():
            if line.strip():
                obj = json.loads(line)
                if obj.get("label") == UNLABELED:
                    obj["label"] = defaults.AMBIGUOUS
                    obj[ORIGINAL_LABEL_FIELD] = UNLABELED
                line = json.dumps(obj, ensure_ascii=False)
            lines.append(line)
        copy = scratch / f"{k:03d}-{f.name}"
        copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out.append(copy)
    return out


def read_bench(paths: Sequence[str], limit_docs: int | None) -> Bench:
    files = find_files(list(paths))
    SCRATCH_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=SCRATCH_DIR) as scratch:
        labeled = read_labeled(readable_copies(files, Path(scratch)), require_both=False)
    if limit_docs is not None:
        labeled = LabeledSet(labeled.documents[:limit_docs], labeled.digest, labeled.files,
                             labeled.warnings)
    rows = labeled.rows
    langs = row_languages(rows)
    doc_index, page_lang = [], []
    for d, doc in enumerate(labeled.documents):
        start = len(doc_index)
        lang = document_language(doc.rows, langs[start:start + len(doc.rows)])
        doc_index.extend([d] * len(doc.rows))
        page_lang.extend([lang] * len(doc.rows))
    truth = [r.label if r.label in defaults.LABELS else None for r in rows]
    skipped = Counter(r.extra.get(ORIGINAL_LABEL_FIELD, r.label) for r in rows
                      if r.label not in defaults.LABELS)
    return Bench(
        labeled=labeled,
        files=[str(f) for f in files],
        rows=rows,
        truth=truth,
        doc_index=doc_index,
        page_lang=page_lang,
        source=[str(r.extra.get("source") or NO_VALUE) for r in rows],
        has_source=any("source" in r.extra for r in rows),
        skipped=dict(skipped),
    )


def row_languages(rows: Sequence[LabeledRow]) -> list[str]:
    """Each row's `lang`, or tamiz's tagger where the row has none."""
    missing = [k for k, r in enumerate(rows) if not r.lang]
    langs = [r.lang or "" for r in rows]
    if missing:
        from tamiz.language import get_tagger

        tagged = get_tagger().tag([rows[k].text for k in missing]).lang
        for k, lang in zip(missing, tagged):
            langs[k] = lang
    return langs


def document_language(rows: Sequence[LabeledRow], langs: Sequence[str]) -> str:
    """The page language: `doc_lang` if the rows carry it, else their majority language."""
    for r in rows:
        if r.extra.get("doc_lang"):
            return str(r.extra["doc_lang"])
    return Counter(langs).most_common(1)[0][0] if langs else defaults.UNDETERMINED


def document_texts(bench: Bench) -> list[list[str]]:
    return [doc.texts for doc in bench.labeled.documents]


def document_languages(bench: Bench) -> list[str]:
    """The page language of each document, in document order."""
    out: list[str] = []
    for d, lang in zip(bench.doc_index, bench.page_lang):
        if d == len(out):
            out.append(lang)
    return out


# --- systems -------------------------------------------------------------------------


def tamiz_system(model) -> Callable[[Bench], tuple[Labels, Notes]]:
    from tamiz.training import predict_labeled

    model.score(["Warm-up paragraph."])  # one-time lazy setup (language tagger), not timed

    def run(bench: Bench) -> tuple[Labels, Notes]:
        p = predict_labeled(model, bench.labeled)
        labels = [defaults.BOILERPLATE if x >= model.threshold else defaults.CONTENT for x in p]
        return labels, {"threshold": model.threshold}

    return run


def justext_html(paragraphs: Sequence[str]) -> bytes:
    body = "".join(f"<p>{html.escape(t, quote=False)}</p>\n" for t in paragraphs)
    page = f'<html><head><meta charset="utf-8"></head><body>\n{body}</body></html>'
    return page.encode("utf-8")


def _normalized(text: str) -> str:
    return " ".join(text.split())


def align_by_text(ours: Sequence[str], theirs: Sequence, window: int = 50) -> tuple[Labels, int]:
    """Fallback mapping when jusText's paragraph count differs from ours.

    Walks both lists in order, matching whitespace-normalized texts within `window`
    paragraphs ahead; a paragraph of ours with no match is counted as a mismatch and
    labeled boilerplate (jusText dropped it from the page).
    """
    labels, j, missed = [], 0, 0
    theirs_text = [_normalized(p.text) for p in theirs]
    for text in map(_normalized, ours):
        hit = next((k for k in range(j, min(j + window, len(theirs))) if theirs_text[k] == text),
                   None)
        if hit is None:
            labels.append(defaults.BOILERPLATE)
            missed += 1
        else:
            labels.append(defaults.BOILERPLATE if theirs[hit].is_boilerplate
                          else defaults.CONTENT)
            j = hit + 1
    return labels, missed


def justext_document(justext, paragraphs: Sequence[str], stoplist) -> tuple[Labels, bool, int]:
    """jusText's verdict for each paragraph, whether the paragraph counts differed
    (so texts were aligned instead), and how many paragraphs found no match."""
    theirs = justext.justext(justext_html(paragraphs), stoplist, encoding="utf-8")
    if len(theirs) == len(paragraphs):
        return [defaults.BOILERPLATE if p.is_boilerplate else defaults.CONTENT
                for p in theirs], False, 0
    labels, missed = align_by_text(paragraphs, theirs)
    return labels, True, missed


def justext_system(justext, by_language: bool) -> Callable[[Bench], tuple[Labels, Notes]]:
    def run(bench: Bench) -> tuple[Labels, Notes]:
        union = justext.get_stoplist("English") | justext.get_stoplist("Spanish")
        stoplists: dict[str, frozenset] = {}
        labels: Labels = []
        notes = Counter()
        for texts, lang in zip(document_texts(bench), document_languages(bench)):
            if by_language:
                name = JUSTEXT_STOPLISTS.get(lang, JUSTEXT_DEFAULT_STOPLIST)
                if name not in stoplists:
                    stoplists[name] = justext.get_stoplist(name)
                stoplist = stoplists[name]
            else:
                stoplist = union
            doc_labels, realigned, missed = justext_document(justext, texts, stoplist)
            labels.extend(doc_labels)
            notes["documents_realigned"] += realigned
            notes["paragraphs_unmatched"] += missed
        return labels, dict(notes)

    return run


def c4_is_content(text: str) -> bool:
    line = text.strip()
    lowered = line.lower()
    return (len(line.split()) >= C4_MIN_WORDS
            and C4_TERMINAL.search(line) is not None
            and not any(phrase in lowered for phrase in C4_BAD_PHRASES))


def c4_system(bench: Bench) -> tuple[Labels, Notes]:
    return [defaults.CONTENT if c4_is_content(r.text) else defaults.BOILERPLATE
            for r in bench.rows], {}


def spanish_system(bench: Bench) -> tuple[Labels, Notes]:
    langs = row_languages(bench.rows)
    return [defaults.BOILERPLATE if lang == "es" else defaults.CONTENT for lang in langs], {}


def build_systems(model, justext) -> list[tuple[str, Callable[[Bench], tuple[Labels, Notes]]]]:
    systems = [("tamiz", tamiz_system(model))]
    if justext is not None:
        systems += [("jusText (doc lang)", justext_system(justext, by_language=True)),
                    ("jusText (en+es)", justext_system(justext, by_language=False))]
    systems += [("C4 line rule", c4_system), ("Spanish = boilerplate", spanish_system)]
    return systems


def import_justext():
    """The justext module, or None (with a warning) when it cannot be imported."""
    try:
        import justext
    except ImportError as err:
        print(f"warning: jusText skipped, cannot import it ({err}). It needs "
              "`pip install justext lxml_html_clean`.", file=sys.stderr)
        return None
    return justext


# --- metrics -------------------------------------------------------------------------


def slice_metrics(bench: Bench, pred: Labels, select: Callable[[int], bool]) -> dict:
    keep = [k for k, t in enumerate(bench.truth) if t is not None and select(k)]
    return prf([bench.truth[k] for k in keep], [pred[k] for k in keep])


def grouped(bench: Bench, pred: Labels, key: Sequence[str],
            select: Callable[[int], bool] = lambda k: True) -> dict[str, dict]:
    values = sorted({key[k] for k, t in enumerate(bench.truth) if t is not None and select(k)})
    return {v: slice_metrics(bench, pred, lambda k, v=v: key[k] == v and select(k))
            for v in values}


def document_macro_f1(bench: Bench, pred: Labels) -> dict:
    """Mean of per-document macro-F1 over documents with both classes among scored rows."""
    per_doc: dict[int, tuple[list[str], list[str]]] = {}
    for k, t in enumerate(bench.truth):
        if t is not None:
            truth, guess = per_doc.setdefault(bench.doc_index[k], ([], []))
            truth.append(t)
            guess.append(pred[k])
    scores = [prf(t, p)["macro_f1"] for t, p in per_doc.values() if set(t) == set(defaults.LABELS)]
    mean = round(sum(scores) / len(scores), 4) if scores else None
    return {"macro_f1": mean, "documents": len(scores)}


def evaluate_system(bench: Bench, pred: Labels) -> dict:
    out = {
        "all": slice_metrics(bench, pred, lambda k: True),
        "page_lang": grouped(bench, pred, bench.page_lang),
        "document_macro": document_macro_f1(bench, pred),
    }
    if bench.has_source:
        is_news = [s != NEWS_EXCLUDED_SOURCE for s in bench.source]
        out["source"] = grouped(bench, pred, bench.source)
        out["news"] = {
            "all": slice_metrics(bench, pred, lambda k: is_news[k]),
            "page_lang": grouped(bench, pred, bench.page_lang, lambda k: is_news[k]),
        }
    return out


def run_system(bench: Bench, run: Callable[[Bench], tuple[Labels, Notes]]) -> dict:
    start = time.perf_counter()
    labels, notes = run(bench)
    seconds = time.perf_counter() - start
    if len(labels) != len(bench.rows):
        raise RuntimeError(f"{len(labels)} labels for {len(bench.rows)} paragraphs")
    result = evaluate_system(bench, labels)
    result["seconds"] = round(seconds, 3)
    result["paragraphs_per_second"] = round(len(labels) / seconds, 1) if seconds else None
    result["notes"] = notes
    return result


# --- output --------------------------------------------------------------------------

NAME_WIDTH = 24
COLUMNS = f"{'n':>7}  {'macro-F1':>8}  {'cont P':>7} {'cont R':>7}  {'bp P':>7} {'bp R':>7}"


def metrics_line(name: str, m: dict) -> str:
    c, b = m[defaults.CONTENT], m[defaults.BOILERPLATE]
    return (f"  {name:<{NAME_WIDTH}}{m['n']:>7}  {m['macro_f1']:>8.3f}  "
            f"{c['precision']:>7.3f} {c['recall']:>7.3f}  "
            f"{b['precision']:>7.3f} {b['recall']:>7.3f}")


def slice_block(title: str, results: dict[str, dict],
                pick: Callable[[dict], dict | None]) -> list[str]:
    lines = [title, f"  {'system':<{NAME_WIDTH}}{COLUMNS}"]
    for name, result in results.items():
        m = pick(result)
        if m is not None:
            lines.append(metrics_line(name, m))
    return lines + [""]


def header(bench: Bench, model_desc: str) -> list[str]:
    n_scored = sum(t is not None for t in bench.truth)
    by_label = Counter(t for t in bench.truth if t is not None)
    skipped = ", ".join(f"{v:,} {k}" for k, v in sorted(bench.skipped.items())) or "none"
    lines = ["Peer comparison: paragraph-level content vs boilerplate", "data:"]
    lines += [f"  {f}" for f in bench.files]
    lines += [
        f"documents: {len(bench.labeled.documents):,}   paragraphs: {len(bench.rows):,}   "
        f"scored: {n_scored:,} ({by_label[defaults.CONTENT]:,} content, "
        f"{by_label[defaults.BOILERPLATE]:,} boilerplate)   skipped (kept as context): {skipped}",
        f"model: {model_desc}",
        "columns: n scored paragraphs; macro-F1 = mean of content-F1 and boilerplate-F1; "
        "P/R = precision/recall",
        "",
    ]
    return lines


def format_table(bench: Bench, results: dict[str, dict], model_desc: str) -> str:
    lines = header(bench, model_desc)
    first = next(iter(results.values()))
    if "news" in first:
        lines += slice_block(f"[headline] news pages (source != {NEWS_EXCLUDED_SOURCE})",
                             results, lambda r: r["news"]["all"])
        for lang in first["news"]["page_lang"]:
            lines += slice_block(f"[headline] news pages, page lang = {lang}", results,
                                 lambda r, lang=lang: r["news"]["page_lang"].get(lang))
    else:
        lines += ["(no `source` field: news-only slices not shown)", ""]
    lines += slice_block("all rows", results, lambda r: r["all"])
    for lang in first["page_lang"]:
        lines += slice_block(f"page lang = {lang}", results,
                             lambda r, lang=lang: r["page_lang"].get(lang))
    for source in first.get("source", {}):
        lines += slice_block(f"source = {source}", results,
                             lambda r, source=source: r["source"].get(source))
    sources = list(first.get("source", {}))
    if sources:
        short = [src.split("-")[0][:12] for src in sources]
        lines += ["content recall by page source (the share of article paragraphs kept)",
                  f"  {'system':<{NAME_WIDTH}}" + "".join(f"{name:>14}" for name in short)]
        for name, r in results.items():
            lines.append(f"  {name:<{NAME_WIDTH}}" + "".join(
                f"{r['source'][src][defaults.CONTENT]['recall']:>14.3f}" for src in sources))
        lines.append("")
    docs = first["document_macro"]["documents"]
    lines += [f"per-document macro-F1 (mean over {docs} documents with both classes) and speed",
              f"  {'system':<{NAME_WIDTH}}{'doc macro-F1':>12}  {'paragraphs/s':>12}  notes"]
    for name, r in results.items():
        doc_f1 = r["document_macro"]["macro_f1"]
        speed = r["paragraphs_per_second"]
        notes = ", ".join(f"{k} {v}" for k, v in r["notes"].items())
        lines.append(f"  {name:<{NAME_WIDTH}}"
                     f"{doc_f1 if doc_f1 is None else format(doc_f1, '.3f'):>12}  "
                     f"{speed if speed is None else format(speed, ',.0f'):>12}  {notes}")
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Score tamiz, jusText, the C4 line rule and a language baseline "
                    "on labeled JSON Lines and print a comparison table.")
    parser.add_argument("data", nargs="+", help="labeled .jsonl files or directories")
    parser.add_argument("--model", help="tamiz model directory (default: the shipped model)")
    parser.add_argument("--json", dest="json_out", help="also write all numbers to this file")
    parser.add_argument("--limit-docs", type=int, help="use only the first N documents")
    parser.add_argument("--only-tamiz", action="store_true",
                        help="score tamiz alone (a quick check; peers' tables are unchanged)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from tamiz.persist import default_model_path, load

    try:
        bench = read_bench(args.data, args.limit_docs)
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    model = load(args.model)
    model_desc = f"{args.model or default_model_path()} (threshold {model.threshold:.2f})"
    results = {}
    systems = build_systems(model, None if args.only_tamiz else import_justext())
    for name, run in systems[:1] if args.only_tamiz else systems:
        print(f"scoring {name} ...", file=sys.stderr, flush=True)
        results[name] = run_system(bench, run)
    print(format_table(bench, results, model_desc))
    if args.json_out:
        payload = {
            "files": bench.files,
            "model": model_desc,
            "documents": len(bench.labeled.documents),
            "paragraphs": len(bench.rows),
            "scored": sum(t is not None for t in bench.truth),
            "skipped": bench.skipped,
            "systems": results,
        }
        Path(args.json_out).write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
