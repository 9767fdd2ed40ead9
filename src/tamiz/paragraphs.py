"""Documents -> paragraphs, and back.

A paragraph keeps its original text (outputs must give back what came in); the
classifier sees a normalized, length-bounded copy made by :func:`normalize`.
"""

from __future__ import annotations

import re
import unicodedata

from . import defaults

_BLANK_RUN = re.compile(r"\n[ \t\f\v]*\n\s*")
# Zero-width and soft-hyphen characters break words apart invisibly.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def _unify_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split(text: str, mode: str = defaults.DEFAULT_SPLIT) -> list[str]:
    """Split a document into paragraphs.

    ``lines``: every line that has a non-space character, stripped of its line end.
    ``blank``: blocks separated by blank lines, their inner line breaks kept.
    Leading/trailing whitespace of a paragraph is dropped; nothing else is changed.
    """
    if mode not in defaults.SPLIT_MODES:
        raise ValueError(f"unknown split mode {mode!r}; expected one of {defaults.SPLIT_MODES}")
    text = _unify_newlines(text)
    if mode == defaults.SPLIT_LINES:
        parts = text.split("\n")
    else:
        parts = _BLANK_RUN.split(text)
    return [p.strip() for p in parts if p.strip()]


def join(paragraphs: list[str], mode: str = defaults.DEFAULT_SPLIT) -> str:
    """Inverse of :func:`split` for a cleaned document: one paragraph per line or per block."""
    sep = "\n" if mode == defaults.SPLIT_LINES else "\n\n"
    return sep.join(paragraphs)


def normalize(text: str, limit: int = defaults.FEATURE_PREFIX_CHARS) -> str:
    """The form features see: a bounded prefix, NFKC, no invisible characters, spaces collapsed."""
    text = text[:limit]
    if not text.isascii():  # ASCII is NFKC already and has no invisible characters
        text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    # str.split() splits at exactly the characters of \s (str.isspace)
    return " ".join(text.split())


_DIGITS = re.compile(r"\d+")


def repeat_key(normalized: str, limit: int | None = defaults.REPEAT_KEY_CHARS) -> str:
    """Key under which a paragraph's repeats are counted, from its :func:`normalize` form.

    Case and digits are folded: "Page 2 of 9" and "Page 3 of 9" are the same template.
    """
    return _DIGITS.sub("0", normalized[:limit].casefold())
