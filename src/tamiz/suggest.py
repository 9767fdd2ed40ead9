"""Which paragraphs of a corpus are worth labeling (`tamiz suggest`).

Each paragraph gets a priority: how close its in-context score is to the model's
threshold (1 at the threshold, 0 at the far end) plus how far its isolated score is
from its in-context score (the two stages disagree: context changed the verdict's
footing). Identical texts form one group, shown once with their count. The queue
takes groups in priority order under three limits, language quotas, a per-document
cap and a per-site cap, and mixes in a share drawn at random from all paragraphs
(marked `why: random`) so that labels also measure the model. Same corpus, model
and seed: same queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np

from . import defaults
from .corpus import InputOptions, RunStats, iter_docs, list_inputs
from .errors import DataError, UsageError
from .repeats import count_documents

OTHER_LANG = "other"


@dataclass(eq=False)  # identity: a group is one object
class _Group:
    key: str
    members: list[int]  # rows (flat paragraph index), in corpus order
    best: int  # the member shown: highest priority, first in corpus order on ties
    priority: float
    why: str
    lang: str
    doc: int
    site: str


def parse_quotas(spec: str | None) -> dict[str, float] | None:
    """'en=0.5,es=0.3,other=0.2' -> {lang: share}; shares are normalized."""
    if not spec:
        return None
    out: dict[str, float] = {}
    for part in spec.split(","):
        lang, sep, value = part.partition("=")
        try:
            share = float(value)
        except ValueError:
            share = -1.0
        if not sep or not lang.strip() or not share >= 0:
            raise UsageError(f"--quota: expected LANG=SHARE[,LANG=SHARE...], not {spec!r}")
        out[lang.strip()] = share
    total = sum(out.values())
    if total <= 0:
        raise UsageError("--quota: the shares add up to zero")
    return {k: v / total for k, v in out.items()}


def _site(doc) -> str:
    record = doc.record or {}
    site = record.get("site")
    if isinstance(site, str) and site:
        return site
    url = record.get("url")
    if isinstance(url, str) and url:
        host = urlsplit(url).hostname
        if host:
            return host
    return f"\0{doc.key}"  # unknown: every document is its own site


def _quota_lang(lang: str) -> str:
    return lang if lang in defaults.FEATURE_LANGUAGES else OTHER_LANG


def _allot(n: int, shares: dict[str, float]) -> dict[str, int]:
    """n slots split by shares, largest remainders first (ties by name)."""
    raw = {k: n * v for k, v in shares.items()}
    out = {k: int(math.floor(v)) for k, v in raw.items()}
    left = n - sum(out.values())
    for k in sorted(raw, key=lambda k: (-(raw[k] - out[k]), k))[:left]:
        out[k] += 1
    return out


def default_quotas(langs: list[str]) -> dict[str, float]:
    """The corpus' own language shares (per group); English and Spanish, when present,
    at least SUGGEST_MIN_LANG_SHARE each (not `other`: mostly menu words too short to
    tag)."""
    counts: dict[str, int] = {}
    for lang in langs:
        counts[lang] = counts.get(lang, 0) + 1
    total = sum(counts.values())
    shares = {k: v / total for k, v in counts.items()}
    low = {k for k, v in shares.items()
           if k in defaults.FEATURE_LANGUAGES and v < defaults.SUGGEST_MIN_LANG_SHARE}
    if not low or len(shares) == len(low):
        return shares
    rest = sum(v for k, v in shares.items() if k not in low)
    scale = (1.0 - defaults.SUGGEST_MIN_LANG_SHARE * len(low)) / rest
    return {k: defaults.SUGGEST_MIN_LANG_SHARE if k in low else v * scale
            for k, v in shares.items()}


def suggest(
    paths: list[str],
    opts: InputOptions,
    model,
    n: int = defaults.SUGGEST_N,
    seed: int = defaults.SEED,
    random_share: float = defaults.SUGGEST_RANDOM_SHARE,
    quotas: dict[str, float] | None = None,
    per_doc: int = defaults.SUGGEST_PER_DOC,
    site_share: float = defaults.SUGGEST_SITE_SHARE,
    stats: RunStats | None = None,
    answered: tuple[set, set] | None = None,
) -> list[dict]:
    """Up to `n` suggestions (dicts, in queue order) from the documents in `paths`.

    `answered`: (set of (doc id, position), set of texts) already labeled (see
    read_answered); they are not suggested again, nor are texts identical to them.
    """
    if n < 1:
        raise UsageError(f"-n must be at least 1, not {n}")
    if not 0.0 <= random_share <= 1.0:
        raise UsageError(f"--random-share must be between 0 and 1, not {random_share}")
    stats = stats or RunStats()
    docs = [d for d in iter_docs(list_inputs(paths, opts.jsonl), opts, stats) if d.paragraphs]
    if not docs:
        raise DataError(f"no paragraphs in {', '.join(paths) or '<stdin>'}")
    texts = [d.paragraphs for d in docs]
    counter = count_documents(texts)
    scored = model.score_documents(texts, [counter.counts(t) for t in texts])
    flat = [s for doc in scored for s in doc]
    alone = model.score([s.text for s in flat])
    doc_of = np.repeat(np.arange(len(docs)), [len(t) for t in texts])
    pos = np.concatenate([np.arange(len(t)) for t in texts])
    p_doc = np.array([s.p_boilerplate for s in flat])
    p_iso = np.array([s.p_boilerplate for s in alone])
    t = model.threshold
    closeness = 1.0 - np.abs(p_doc - t) / max(t, 1.0 - t)
    disagreement = np.abs(p_doc - p_iso)
    priority = closeness + disagreement
    sites = [_site(d) for d in docs]

    groups: dict[str, _Group] = {}
    for row, s in enumerate(flat):
        key = " ".join(s.text.split())
        g = groups.get(key)
        if g is None:
            groups[key] = _Group(key, [row], row, 0.0, "", "", 0, "")
        else:
            g.members.append(row)
            if priority[row] > priority[g.best]:
                g.best = row
    for g in groups.values():
        b = g.best
        g.priority = float(priority[b])
        g.why = "uncertain" if closeness[b] >= disagreement[b] else "disagreement"
        g.lang = _quota_lang(flat[b].lang)
        g.doc = int(doc_of[b])
        g.site = sites[g.doc]
    if answered:
        done_rows, done_texts = answered
        keys = [docs[int(doc_of[row])].key for row in range(len(flat))]
        for key in [k for k, g in groups.items()
                    if k in done_texts
                    or all((keys[m], int(pos[m])) in done_rows for m in g.members)]:
            del groups[key]
    group_of_row = {row: g for g in groups.values() for row in g.members}
    ordered = sorted(groups.values(), key=lambda g: (-g.priority, -len(g.members), g.best))

    n = min(n, len(groups))
    if n == 0:
        return []
    n_random = int(round(n * random_share))
    rng = np.random.default_rng(seed)
    chosen_random: list[_Group] = []
    for row in rng.permutation(len(flat)):  # paragraphs, not groups: the corpus as it is
        if len(chosen_random) == n_random:
            break
        g = group_of_row.get(int(row))
        if g is None:  # answered already
            continue
        if g not in chosen_random:
            chosen_random.append(g)
    taken = set(id(g) for g in chosen_random)

    n_ranked = n - len(chosen_random)
    shares = quotas or default_quotas([g.lang for g in groups.values()])
    quota = _allot(n_ranked, shares)
    site_cap = max(per_doc, math.ceil(site_share * n))
    per_doc_count: dict[int, int] = {}
    per_site_count: dict[str, int] = {}
    per_lang_count: dict[str, int] = {}
    ranked: list[_Group] = []
    # first within every limit; then without the quotas (a language ran out of
    # candidates; languages given no share by --quota stay out); then without the
    # caps (a corpus with too few documents or sites)
    for use_quota, use_caps in ((True, True), (False, True), (False, False)):
        for g in ordered:
            if len(ranked) == n_ranked:
                break
            if id(g) in taken:
                continue
            if use_quota and per_lang_count.get(g.lang, 0) >= quota.get(g.lang, 0):
                continue
            if quotas and not quotas.get(g.lang):  # a language the user left out stays out
                continue
            if use_caps and (per_doc_count.get(g.doc, 0) >= per_doc
                             or per_site_count.get(g.site, 0) >= site_cap):
                continue
            ranked.append(g)
            taken.add(id(g))
            per_lang_count[g.lang] = per_lang_count.get(g.lang, 0) + 1
            per_doc_count[g.doc] = per_doc_count.get(g.doc, 0) + 1
            per_site_count[g.site] = per_site_count.get(g.site, 0) + 1

    queue = _interleave(ranked, chosen_random)
    out = []
    for g in queue:
        out.append(_record(g, g in chosen_random, docs, flat, p_iso,
                           int(pos[g.best]), t))
    return out


def read_answered(paths: list[str]) -> tuple[set[tuple[str, int]], set[str]]:
    """(doc id, position) pairs and texts (whitespace-normalized) of labeled rows, from
    files such as `tamiz label`'s output."""
    from .data import json_objects

    rows: set[tuple[str, int]] = set()
    texts: set[str] = set()
    for path in paths:
        for lineno, r in json_objects(path):
            if not isinstance(r, dict) or not isinstance(r.get("text"), str):
                raise DataError(f"{path}:{lineno}: expected a labeled row with a text")
            texts.add(" ".join(r["text"].split()))
            if r.get("doc") is not None and isinstance(r.get("i"), int):
                rows.add((str(r["doc"]), r["i"]))
    return rows, texts


def _interleave(ranked: list, extra: list) -> list:
    """`extra` spread evenly through `ranked` (a labeler who stops early has some of both)."""
    if not extra:
        return list(ranked)
    out, step = [], (len(ranked) + len(extra)) / len(extra)
    slots = {int(k * step + step / 2) for k in range(len(extra))}
    r, e = iter(ranked), iter(extra)
    for k in range(len(ranked) + len(extra)):
        out.append(next(e) if k in slots else next(r, None) or next(e))
    return out


def _record(g: _Group, random: bool, docs, flat, p_iso, i: int, threshold: float) -> dict:
    doc = docs[g.doc]
    s = flat[g.best]
    c = defaults.SUGGEST_CONTEXT
    paras = doc.paragraphs
    return {
        "doc": doc.key,
        "i": i,
        "text": s.text,
        "lang": s.lang,
        "p_boilerplate": round(s.p_boilerplate, 4),
        "p_isolated": round(float(p_iso[g.best]), 4),
        "predicted": s.label,
        "threshold": threshold,
        "why": "random" if random else g.why,
        "priority": round(g.priority, 4),
        "count": len(g.members),
        "before": paras[max(0, i - c):i],
        "after": paras[i + 1:i + 1 + c],
        "source": doc.source,
    }
