"""Featurization: paragraphs -> text n-grams, shape statistics, language, context.

Two kinds of features:

* per paragraph (:class:`Featurizer`; scikit-learn sees it as estimators.ParagraphFeatures):
  hashed character and word n-grams, shape statistics and the language tag. They
  feed the first stage, which must score an isolated paragraph well on its own.
* per document (:func:`context_matrix`): for each paragraph, the first-stage scores
  and shapes of its neighbours, its position, its language against the document's
  main language, and how often it recurs across the corpus.

Input to the pipeline is a :class:`Paragraphs` table: texts in document order plus
a document code per row (rows of one document are consecutive) and, when known,
corpus repetition counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import defaults
from .language import LanguageTags, feature_language, get_tagger, segment_sums
from .paragraphs import normalize, repeat_key
from .tokens import STAT, TOKEN_STATS, TokenTable, get_token_table

FEATURE_LANG_CODES = (*defaults.FEATURE_LANGUAGES, defaults.OTHER, defaults.UNDETERMINED)

@dataclass
class Paragraphs:
    """A table of paragraphs in document order; the pipeline's input."""

    texts: list[str]
    doc: np.ndarray  # int code per row; rows of a document are consecutive and in order
    repeat: np.ndarray = field(default=None)  # documents containing the paragraph; NaN: unknown

    def __post_init__(self):
        self.doc = np.asarray(self.doc, dtype=np.int64)
        if self.repeat is None:
            self.repeat = np.full(len(self.texts), np.nan)
        self.repeat = np.asarray(self.repeat, dtype=np.float64)
        if not (len(self.texts) == len(self.doc) == len(self.repeat)):
            raise ValueError("texts, doc and repeat must have the same length")

    def __len__(self) -> int:
        return len(self.texts)

    @classmethod
    def from_documents(cls, docs: list[list[str]], repeat: list[np.ndarray] | None = None):
        texts = [p for d in docs for p in d]
        codes = np.repeat(np.arange(len(docs)), [len(d) for d in docs])
        rep = np.concatenate(repeat) if repeat else None
        return cls(texts, codes, rep)

    @classmethod
    def isolated(cls, texts: list[str]):
        """Each paragraph is its own one-paragraph document: no context."""
        return cls(list(texts), np.arange(len(texts)))


@dataclass
class NgramRows:
    """Hashed n-gram occurrences per row, CSR-like; duplicates within a row add up.

    Plain numpy, so scoring needs neither SciPy nor scikit-learn; training turns it
    into a scipy.sparse matrix with :meth:`to_csr`.
    """

    ids: np.ndarray  # column of each occurrence
    weights: np.ndarray  # value of each occurrence
    indptr: np.ndarray  # row k is ids[indptr[k]:indptr[k + 1]]
    n_features: int

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def take(self, rows: np.ndarray) -> "NgramRows":
        lengths = np.diff(self.indptr)[rows]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        index = np.repeat(self.indptr[rows] - indptr[:-1], lengths) + np.arange(indptr[-1])
        return NgramRows(self.ids[index], self.weights[index], indptr, self.n_features)

    def dot(self, coef: np.ndarray) -> np.ndarray:
        """Row-wise dot product with a dense coefficient vector."""
        row = np.repeat(np.arange(len(self)), np.diff(self.indptr))
        return np.bincount(row, weights=coef[self.ids] * self.weights, minlength=len(self))

    @staticmethod
    def concat(parts: list["NgramRows"], n_features: int) -> "NgramRows":
        indptr = [np.zeros(1, dtype=np.int64)]
        offset = 0
        for p in parts:
            indptr.append(p.indptr[1:] + offset)
            offset += p.indptr[-1]
        return NgramRows(np.concatenate([p.ids for p in parts] or [np.zeros(0, np.int64)]),
                         np.concatenate([p.weights for p in parts] or [np.zeros(0)]),
                         np.concatenate(indptr), n_features)

    def to_csr(self):
        """As a scipy.sparse matrix with 32-bit indices (what scikit-learn's SGD works on;
        anything else it copies). Duplicates stay: they add up in every product."""
        import scipy.sparse as sp

        return sp.csr_matrix((self.weights, self.ids.astype(np.int32), self.indptr),
                             shape=(len(self), self.n_features))


@dataclass
class FeatureBlock:
    """Output of :class:`Featurizer`: everything the classifier needs, per row."""

    text: NgramRows  # hashed n-grams
    shape: np.ndarray  # (n, len(SHAPE_NAMES)) float
    lang: list[str]  # tagged language (ISO code or und)
    lang_prob: np.ndarray
    doc: np.ndarray
    repeat: np.ndarray
    keys: list[str]  # repeat keys (see paragraphs.repeat_key)

    def __len__(self) -> int:
        return len(self.lang)

    def take(self, rows: np.ndarray) -> "FeatureBlock":
        return FeatureBlock(
            self.text.take(rows),
            self.shape[rows],
            [self.lang[r] for r in rows],
            self.lang_prob[rows],
            self.doc[rows],
            self.repeat[rows],
            [self.keys[r] for r in rows],
        )


SHAPE_NAMES = (
    "log_chars",
    "log_words",
    "mean_word_len",
    "ends_terminal",
    "ends_colon",
    "n_sentences",
    "upper_share",
    "starts_upper",
    "titlecase_share",
    "all_caps",
    "digit_share",
    "symbol_share",
    "letter_share",
    "separator_count",
    "url_or_mail",
    "legal_mark",
    "stopword_density",
    "stopword_density_any",
    "second_person",
    "comma_per_word",
    "mojibake",
    "lang_margin",
    "lang_prob",
    *(f"lang_{code}" for code in FEATURE_LANG_CODES),
)


def shape_features(texts: list[str], rows: np.ndarray, counts: np.ndarray,
                   tags: LanguageTags, table: TokenTable) -> np.ndarray:
    """Shape statistics (SHAPE_NAMES order) of normalized paragraphs, from their tokens'
    table `rows` (`counts[k]` consecutive rows for paragraph k) and language tags."""
    n = len(texts)
    sums = segment_sums(table.stats.values, counts, rows=rows)
    col = {name: sums[:, k] for k, name in enumerate(TOKEN_STATS)}
    # edge facts come from the first and last token (a paragraph without tokens has none)
    has = counts > 0
    ends = np.cumsum(counts)
    first = np.zeros((n, len(TOKEN_STATS)))
    last = np.zeros((n, len(TOKEN_STATS)))
    first[has] = table.stats.values[rows[(ends - counts)[has]]]
    last[has] = table.stats.values[rows[ends[has] - 1]]
    n_chars = np.fromiter(map(len, texts), np.float64, count=n)
    n_words = col["words"]
    denom = np.maximum(n_words, 1)
    letters = col["letters"]
    flang = [feature_language(x) for x in tags.lang]
    stop = np.select([np.array([x == "en" for x in flang], bool),
                      np.array([x == "es" for x in flang], bool)],
                     [col["stop_en"], col["stop_es"]], col["stop_any"]) if n else np.zeros(0)
    per_char = np.maximum(n_chars, 1)
    shape = {
        "log_chars": np.log1p(n_chars),
        "log_words": np.log1p(n_words),
        "mean_word_len": col["word_chars"] / denom,
        "ends_terminal": last[:, STAT["terminal"]],
        "ends_colon": last[:, STAT["ends_colon"]],
        "n_sentences": np.minimum(col["sentence_ends"], 20),
        "upper_share": col["uppers"] / np.maximum(letters, 1),
        "starts_upper": first[:, STAT["starts_upper"]],
        "titlecase_share": col["title_words"] / denom,
        "all_caps": ((letters >= 3) & (col["uppers"] == letters)).astype(np.float64),
        "digit_share": col["digits"] / per_char,
        "symbol_share": col["symbols"] / per_char,
        "letter_share": letters / per_char,
        "separator_count": np.minimum(col["separators"], 20),
        "url_or_mail": np.minimum(col["url_or_mail"], 1),
        "legal_mark": np.minimum(col["legal_mark"], 1),
        "stopword_density": stop / denom,
        "stopword_density_any": col["stop_any"] / denom,
        "second_person": col["second_person"] / denom,
        "comma_per_word": col["commas"] / denom,
        "mojibake": np.minimum(col["mojibake"], 1),
        "lang_margin": np.asarray(tags.margin, dtype=np.float64),
        "lang_prob": np.asarray(tags.prob, dtype=np.float64),
    }
    for code in FEATURE_LANG_CODES:
        shape[f"lang_{code}"] = np.array([x == code for x in flang], dtype=np.float64)
    if n == 0:
        return np.zeros((0, len(SHAPE_NAMES)))
    return np.column_stack([shape[name] for name in SHAPE_NAMES])


class Featurizer:
    """Paragraphs -> FeatureBlock. Stateless: hashing needs no vocabulary.

    Language tagging runs here once per paragraph; its result is both a feature
    and part of every output record. The work is per distinct token (see tokens.py).
    """

    def __init__(
        self,
        char_ngram_range=defaults.CHAR_NGRAM_RANGE,
        char_bits=defaults.HASH_BITS_CHAR,
        word_bits=defaults.HASH_BITS_WORD,
        prefix_chars=defaults.FEATURE_PREFIX_CHARS,
    ):
        self.char_ngram_range = tuple(char_ngram_range)
        self.char_bits = char_bits
        self.word_bits = word_bits
        self.prefix_chars = prefix_chars
        self.n_text_features = (1 << char_bits) + (1 << word_bits)

    def transform(self, X: Paragraphs) -> FeatureBlock:
        # Boilerplate repeats (menus, footers): featurize each distinct paragraph once
        # per batch and copy the rows (45% of the bench's paragraphs are repeats).
        first: dict[str, int] = {}
        inverse = np.fromiter((first.setdefault(t, len(first)) for t in X.texts), np.int64,
                              count=len(X.texts))
        texts = [normalize(t, self.prefix_chars) for t in first]
        # in slices: temporaries (n-gram ids, per-token language rows) stay bounded when
        # training featurizes a whole corpus at once
        step = defaults.FEATURIZE_ROWS
        parts = [self._distinct(texts[k : k + step]) for k in range(0, len(texts), step)]
        text = NgramRows.concat([p[0] for p in parts], self.n_text_features)
        shape = np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, len(SHAPE_NAMES)))
        langs = [x for p in parts for x in p[2].lang]
        prob = np.concatenate([p[2].prob for p in parts]) if parts else np.zeros(0)
        keys = [repeat_key(t) for t in texts]
        return FeatureBlock(
            text.take(inverse), shape[inverse], [langs[k] for k in inverse],
            prob[inverse], X.doc.copy(), X.repeat.copy(), [keys[k] for k in inverse],
        )

    def _distinct(self, texts: list[str]) -> tuple[NgramRows, np.ndarray, LanguageTags]:
        table = get_token_table(self.char_ngram_range, self.char_bits, self.word_bits)
        split = [t.split() for t in texts]
        counts = np.fromiter(map(len, split), np.int64, count=len(texts))
        tokens = [tok for toks in split for tok in toks]
        rows = table.rows(tokens)
        tags = table.tagger.tag_tokens(tokens, counts, table.language(), rows)
        return (self._ngrams(table, rows, counts),
                shape_features(texts, rows, counts, tags, table), tags)

    def _ngrams(self, table: TokenTable, rows: np.ndarray, counts: np.ndarray) -> NgramRows:
        """Hashed char n-grams, then word 1-2-grams (columns after the char block).

        Each occurrence weighs 1/sqrt(occurrences of its block in the paragraph): a
        unit-length block when its n-grams do not repeat, with no sorting or
        de-duplication per row (duplicates add up in products)."""
        (chars, n_chars), (words, n_words) = table.ngram_ids(rows, counts)
        per_row = n_chars + n_words
        indptr = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(per_row, out=indptr[1:])
        ids = np.empty(indptr[-1], dtype=np.int64)
        weights = np.empty(indptr[-1])
        # char occurrences fill the start of each row, word occurrences the rest
        for values, n, skip, offset in ((chars, n_chars, 0, 0),
                                        (words, n_words, n_chars, 1 << self.char_bits)):
            start = np.cumsum(n) - n
            dest = np.repeat(indptr[:-1] + skip - start, n) + np.arange(len(values))
            ids[dest] = values + offset
            weights[dest] = np.repeat(1.0 / np.sqrt(np.maximum(n, 1)), n)
        return NgramRows(ids, weights, indptr, self.n_text_features)


# --- document context ---------------------------------------------------------

CONTEXT_NAMES = (
    "s_self",
    *(f"s_prev{k}" for k in range(1, defaults.CONTEXT_WINDOW + 1)),
    *(f"s_next{k}" for k in range(1, defaults.CONTEXT_WINDOW + 1)),
    "s_window_mean",
    "s_wide_mean",
    "s_doc_mean",
    "s_doc_share_content",
    "content_chars_before",
    "content_chars_after",
    "gap_to_content_prev",
    "gap_to_content_next",
    "chars_vs_prev_run",
    "chars_vs_next_run",
    "s_max_next_run",
    "log_doc_len",
    "rel_pos",
    "pos",
    "pos_from_end",
    "char_pos",
    "chars_prev1",
    "chars_next1",
    "terminal_prev1",
    "terminal_next1",
    "lang_self",
    "lang_doc",
    "lang_mismatch",
    "repeat_docs",
    "repeat_in_doc",
    *SHAPE_NAMES[:6],
    "stopword_density_any",
    "second_person",
    "symbol_share",
    "titlecase_share",
)
_SHAPE_IDX = {name: k for k, name in enumerate(SHAPE_NAMES)}
_LANG_CODE = {code: float(k) for k, code in enumerate(FEATURE_LANG_CODES)}
# a paragraph counts as strong content for distance features above this stage-1 score
_STRONG = 1.0


def doc_slices(doc: np.ndarray) -> list[slice]:
    """Row ranges of consecutive equal document codes."""
    if len(doc) == 0:
        return []
    cuts = np.flatnonzero(np.diff(doc)) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [len(doc)]])
    return [slice(int(a), int(b)) for a, b in zip(starts, ends)]


def context_matrix(block: FeatureBlock, s: np.ndarray) -> np.ndarray:
    """Per-row context features (CONTEXT_NAMES order) from stage-1 logits `s`.

    Vectorized over all documents at once (an isolated paragraph is a document of
    one, so `score` on a stream costs no per-document Python work). Missing
    neighbours are NaN, which the second stage handles natively.
    """
    n = len(block)
    s = np.asarray(s, dtype=np.float64)
    chars = np.expm1(block.shape[:, _SHAPE_IDX["log_chars"]])
    terminal = block.shape[:, _SHAPE_IDX["ends_terminal"]]
    row = np.arange(n)
    slices = doc_slices(block.doc)
    lengths = np.array([sl.stop - sl.start for sl in slices], dtype=np.int64)
    doc_idx = np.repeat(np.arange(len(slices)), lengths)
    start = np.repeat([sl.start for sl in slices], lengths).astype(np.int64)
    m = np.repeat(lengths, lengths)
    end = start + m
    pos = row - start
    cols: dict[str, np.ndarray] = {"s_self": s}

    def shifted(x: np.ndarray, k: int) -> np.ndarray:
        """x at row+k within the same document, NaN outside it."""
        src = row + k
        ok = (src >= start) & (src < end)
        out = np.full(n, np.nan)
        out[ok] = x[src[ok]]
        return out

    w = defaults.CONTEXT_WINDOW
    for k in range(1, w + 1):
        cols[f"s_prev{k}"] = shifted(s, -k)
    for k in range(1, w + 1):
        cols[f"s_next{k}"] = shifted(s, k)
    window = np.stack([cols[f"s_prev{k}"] for k in range(1, w + 1)]
                      + [cols[f"s_next{k}"] for k in range(1, w + 1)])
    cols["s_window_mean"] = _nanmean(window)
    csum = np.concatenate([[0.0], np.cumsum(s)])
    lo = np.maximum(row - 10, start)
    hi = np.minimum(row + 11, end)
    others = hi - lo - 1
    cols["s_wide_mean"] = np.where(
        others > 0, (csum[hi] - csum[lo] - s) / np.maximum(others, 1), np.nan)
    seg = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if n else np.zeros(0, np.int64)
    cols["s_doc_mean"] = (np.add.reduceat(s, seg) / lengths)[doc_idx] if n else s
    cols["s_doc_share_content"] = (np.add.reduceat((s > 0).astype(float), seg) / lengths)[doc_idx] if n else s
    content_chars = np.where(s > 0, chars, 0.0)
    cc = np.concatenate([[0.0], np.cumsum(content_chars)])
    before = cc[row] - cc[start]
    cols["content_chars_before"] = np.log1p(before)
    cols["content_chars_after"] = np.log1p(cc[end] - cc[row + 1])
    strong = (s > _STRONG) & (chars > 60)
    last = np.maximum.accumulate(np.where(strong, row, -1))
    prev_strong = np.concatenate([[-1], last[:-1]]) if n else last
    cols["gap_to_content_prev"] = np.where(
        prev_strong >= start, np.minimum(row - prev_strong, 50), np.nan)
    nxt = np.minimum.accumulate(np.where(strong, row, n)[::-1])[::-1]
    next_strong = np.concatenate([nxt[1:], [n]]) if n else nxt
    cols["gap_to_content_next"] = np.where(
        next_strong < end, np.minimum(next_strong - row, 50), np.nan)
    # A headline or subhead stands out by length from the short chrome lines above it and
    # is followed, within a few lines, by strong prose; a menu item is as short as its
    # neighbours and nothing strong follows it.
    r = defaults.CONTEXT_RUN
    log_chars = np.log1p(chars)
    lc = np.concatenate([[0.0], np.cumsum(log_chars)])
    lo = np.maximum(row - r, start)
    cols["chars_vs_prev_run"] = np.where(
        row > lo, log_chars - (lc[row] - lc[lo]) / np.maximum(row - lo, 1), np.nan)
    hi = np.minimum(row + r + 1, end)
    cols["chars_vs_next_run"] = np.where(
        hi > row + 1, log_chars - (lc[hi] - lc[np.minimum(row + 1, n)]) / np.maximum(hi - row - 1, 1),
        np.nan)
    cols["s_max_next_run"] = np.fmax.reduce(np.stack([shifted(s, k) for k in range(1, r + 1)])) \
        if n else np.zeros(0)
    cols["log_doc_len"] = np.log1p(m)
    cols["rel_pos"] = pos / np.maximum(m - 1, 1)
    cols["pos"] = np.minimum(pos, 200)
    cols["pos_from_end"] = np.minimum(m - 1 - pos, 200)
    ch = np.concatenate([[0.0], np.cumsum(chars)])
    cols["char_pos"] = (ch[row] - ch[start]) / np.maximum(ch[end] - ch[start], 1.0)
    cols["chars_prev1"] = shifted(log_chars, -1)
    cols["chars_next1"] = shifted(log_chars, 1)
    cols["terminal_prev1"] = shifted(terminal, -1)
    cols["terminal_next1"] = shifted(terminal, 1)
    own, doc_own = _languages(block.lang, chars, doc_idx, len(slices))
    names = _lang_names()
    cols["lang_self"] = np.array([_LANG_CODE[feature_language(x)] for x in block.lang])
    doc_code = np.array([_LANG_CODE[feature_language(names.get(int(d), defaults.UNDETERMINED))]
                         for d in doc_own])
    cols["lang_doc"] = doc_code[doc_idx] if n else np.zeros(0)
    row_doc_own = doc_own[doc_idx] if n else np.zeros(0, np.int64)
    cols["lang_mismatch"] = np.where((own >= 0) & (row_doc_own >= 0),
                                     (own != row_doc_own).astype(float), np.nan)
    cols["repeat_docs"] = np.log1p(block.repeat)
    counts: dict[tuple[int, str], int] = {}
    pairs = list(zip(doc_idx.tolist(), block.keys))
    for p in pairs:
        counts[p] = counts.get(p, 0) + 1
    cols["repeat_in_doc"] = np.array([counts[p] for p in pairs], dtype=np.float64)
    for name in (*SHAPE_NAMES[:6], "stopword_density_any", "second_person",
                 "symbol_share", "titlecase_share"):
        cols[name] = block.shape[:, _SHAPE_IDX[name]]
    if n == 0:
        return np.zeros((0, len(CONTEXT_NAMES)))
    return np.column_stack([cols[name] for name in CONTEXT_NAMES])


@lru_cache(maxsize=1)
def _lang_indices() -> dict[str, int]:
    """A fixed integer per language the tagger knows (its sorted profile order)."""
    return {lang: k for k, lang in enumerate(get_tagger().languages)}


@lru_cache(maxsize=1)
def _lang_names() -> dict[int, str]:
    return {k: lang for lang, k in _lang_indices().items()}


def _languages(langs: list[str], chars: np.ndarray, doc_idx: np.ndarray, n_docs: int):
    """Per-row language indices (-1: und) and each document's main language index.

    The main language holds most characters among a document's tagged paragraphs;
    -1 when none is tagged. Ties go to the lower index.
    """
    index = _lang_indices()
    own = np.array([index.get(x, -1) for x in langs], dtype=np.int64)
    weight = np.zeros((n_docs, len(index)))
    known = own >= 0
    np.add.at(weight, (doc_idx[known], own[known]), chars[known] + 1e-9)
    best = weight.argmax(axis=1)
    doc_own = np.where(weight[np.arange(n_docs), best] > 0, best, -1)
    return own, doc_own


def _nanmean(stack: np.ndarray) -> np.ndarray:
    valid = ~np.isnan(stack)
    total = np.where(valid, stack, 0.0).sum(axis=0)
    count = valid.sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)
