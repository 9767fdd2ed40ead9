"""Featurization: paragraphs -> text n-grams, shape statistics, language, context.

Two kinds of features:

* per paragraph (:class:`ParagraphFeatures`, a stateless scikit-learn transformer):
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

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils import murmurhash3_32

from . import defaults
from .language import feature_language, get_tagger
from .lexicon import SECOND_PERSON, STOPWORDS, STOPWORDS_ANY
from .paragraphs import normalize, repeat_key

FEATURE_LANG_CODES = (*defaults.FEATURE_LANGUAGES, defaults.OTHER, defaults.UNDETERMINED)

_WORD_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_URL_OR_MAIL = re.compile(r"(https?://|www\.|\S+@\S+\.\w{2,}|\.(com|org|net|es|mx)\b)", re.I)
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_SENTENCE_END = re.compile(r"[.!?…](?:\s|$)")
_SEPARATORS = re.compile(r"[|•·»«›‹/>]")
_LEGAL_MARK = re.compile(r"[©®™]|\(c\)", re.I)
_DIGIT = re.compile(r"\d")
_UPPER = re.compile(r"[A-ZÁÉÍÓÚÑÜ]")
_LETTER = re.compile(r"[^\W\d_]")
_SYMBOL = re.compile(r"[^\w\s]")
_MOJIBAKE = re.compile(r"Ã.|Â|â€|&[a-z]+;|&#\d+;|\ufffd")


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
class FeatureBlock:
    """Output of :class:`ParagraphFeatures`: everything the classifier needs, per row."""

    text: sp.csr_matrix  # hashed n-grams
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
            self.text[rows],
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


def shape_row(text: str, lang: str, lang_prob: float, lang_margin: float) -> list[float]:
    """Shape statistics of one normalized paragraph, in SHAPE_NAMES order."""
    n_chars = len(text)
    words = _WORDS.findall(text)
    n_words = len(words)
    lower = [w.lower() for w in words]
    letters = len(_LETTER.findall(text))
    uppers = len(_UPPER.findall(text))
    stop = STOPWORDS.get(lang, STOPWORDS_ANY)
    denom = max(n_words, 1)
    flang = feature_language(lang)
    return [
        np.log1p(n_chars),
        np.log1p(n_words),
        sum(map(len, words)) / denom,
        1.0 if _TERMINAL.search(text) else 0.0,
        1.0 if text.endswith(":") else 0.0,
        min(len(_SENTENCE_END.findall(text)), 20),
        uppers / max(letters, 1),
        1.0 if text[:1].isupper() else 0.0,
        sum(w[:1].isupper() for w in words) / denom,
        1.0 if letters >= 3 and uppers == letters else 0.0,
        len(_DIGIT.findall(text)) / max(n_chars, 1),
        len(_SYMBOL.findall(text)) / max(n_chars, 1),
        letters / max(n_chars, 1),
        min(len(_SEPARATORS.findall(text)), 20),
        1.0 if _URL_OR_MAIL.search(text) else 0.0,
        1.0 if _LEGAL_MARK.search(text) else 0.0,
        sum(w in stop for w in lower) / denom,
        sum(w in STOPWORDS_ANY for w in lower) / denom,
        sum(w in SECOND_PERSON for w in lower) / denom,
        text.count(",") / denom,
        1.0 if _MOJIBAKE.search(text) else 0.0,
        float(lang_margin),
        float(lang_prob),
        *(1.0 if flang == code else 0.0 for code in FEATURE_LANG_CODES),
    ]


@lru_cache(maxsize=1 << 18)
def _char_ids(token: str, lo: int, hi: int, bits: int) -> np.ndarray:
    """Hashed character n-grams of one whitespace token, padded with spaces (char_wb)."""
    padded = f" {token} "
    mask = (1 << bits) - 1
    grams = [padded[j : j + n] for n in range(lo, hi + 1) for j in range(len(padded) - n + 1)]
    return np.fromiter((murmurhash3_32(g, positive=True) & mask for g in grams), np.int64)


@lru_cache(maxsize=1 << 18)
def _word_hash(token: str) -> int:
    return murmurhash3_32(token, seed=1, positive=True)


class ParagraphFeatures(TransformerMixin, BaseEstimator):
    """Paragraphs -> FeatureBlock. Stateless: hashing needs no vocabulary.

    Language tagging runs here once per paragraph; its result is both a feature
    and part of every output record.
    """

    def __init__(
        self,
        char_ngram_range=defaults.CHAR_NGRAM_RANGE,
        word_ngram_range=defaults.WORD_NGRAM_RANGE,
        char_bits=defaults.HASH_BITS_CHAR,
        word_bits=defaults.HASH_BITS_WORD,
        prefix_chars=defaults.FEATURE_PREFIX_CHARS,
    ):
        self.char_ngram_range = char_ngram_range
        self.word_ngram_range = word_ngram_range
        self.char_bits = char_bits
        self.word_bits = word_bits
        self.prefix_chars = prefix_chars

    def fit(self, X, y=None):
        self.n_text_features_ = (1 << self.char_bits) + (1 << self.word_bits)
        self.shape_names_ = list(SHAPE_NAMES)
        return self

    def transform(self, X: Paragraphs) -> FeatureBlock:
        # Boilerplate repeats (menus, footers): featurize each distinct paragraph once
        # per batch and copy the rows (45% of the bench's paragraphs are repeats).
        first: dict[str, int] = {}
        inverse = np.fromiter((first.setdefault(t, len(first)) for t in X.texts), np.int64,
                              count=len(X.texts))
        texts = [normalize(t, self.prefix_chars) for t in first]
        tags = get_tagger().tag(texts)
        shape = np.array(
            [shape_row(t, *v) for t, v in zip(texts, zip(tags.lang, tags.prob, tags.margin))],
            dtype=np.float64,
        ).reshape(len(texts), len(SHAPE_NAMES))
        keys = [repeat_key(t) for t in texts]
        return FeatureBlock(
            self._hash(texts)[inverse], shape[inverse], [tags.lang[k] for k in inverse],
            tags.prob[inverse], X.doc.copy(), X.repeat.copy(), [keys[k] for k in inverse],
        )

    def _hash(self, texts: list[str]) -> sp.csr_matrix:
        lo, hi = self.char_ngram_range
        wlo, whi = self.word_ngram_range
        n_char = 1 << self.char_bits
        wmask = (1 << self.word_bits) - 1
        char_rows, word_rows = [], []
        for text in texts:
            low = text.lower()
            ids = [_char_ids(tok, lo, hi, self.char_bits) for tok in low.split()]
            char_rows.append(np.concatenate(ids) if ids else np.zeros(0, np.int64))
            h = np.fromiter((_word_hash(t) for t in _WORD_TOKEN.findall(low)), np.int64)
            parts = []
            for n in range(wlo, whi + 1):
                if len(h) >= n:
                    # n-gram hash from the word hashes: no string building per n-gram
                    g = h[: len(h) - n + 1].copy()
                    for k in range(1, n):
                        g = g * 1_000_003 + h[k : len(h) - n + 1 + k]
                    parts.append(g & wmask)
            word_rows.append(np.concatenate(parts) if parts else np.zeros(0, np.int64))
        n = len(texts)
        return sp.hstack([_rows_to_csr(char_rows, (n, n_char)),
                          _rows_to_csr(word_rows, (n, wmask + 1))]).tocsr()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


def _rows_to_csr(rows: list[np.ndarray], shape: tuple[int, int]) -> sp.csr_matrix:
    """Sublinear, L2-normalized term counts; each block is normalized on its own."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=indptr[1:])
    indices = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    m = sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=shape)
    m.sum_duplicates()
    m.data = 1.0 + np.log(m.data)
    return l2_normalize(m)


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
    cols["log_doc_len"] = np.log1p(m)
    cols["rel_pos"] = pos / np.maximum(m - 1, 1)
    cols["pos"] = np.minimum(pos, 200)
    cols["pos_from_end"] = np.minimum(m - 1 - pos, 200)
    ch = np.concatenate([[0.0], np.cumsum(chars)])
    cols["char_pos"] = (ch[row] - ch[start]) / np.maximum(ch[end] - ch[start], 1.0)
    log_chars = np.log1p(chars)
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
