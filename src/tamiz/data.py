"""Reading and validating labeled paragraphs (JSON Lines). Errors cite file:line.

Schema, one object per line: `text` and `label` (content | boilerplate | ambiguous)
required; optional `lang`, `kind`, `doc` (document id) and `i` (position in it).
Other fields (e.g. `source`, `doc_lang`) are kept.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import defaults
from .errors import DataError


@dataclass
class LabeledRow:
    text: str
    label: str
    where: str  # "file:line", for messages
    lang: str | None = None
    kind: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class LabeledDocument:
    doc: str
    rows: list[LabeledRow]

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.rows]


@dataclass
class LabeledSet:
    documents: list[LabeledDocument]
    digest: str  # sha256 of the files' bytes, in path order
    files: list[str]
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[LabeledRow]:
        return [r for d in self.documents for r in d.rows]


def json_objects(path: str | Path):
    """(line number, value) of each non-blank line of a JSON Lines file; a file that cannot
    be read, or a line that is not JSON, raises DataError citing it."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot read ({getattr(err, 'strerror', None) or err})") from None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line)
        except json.JSONDecodeError as err:
            raise DataError(f"{path}:{lineno}: invalid JSON ({err.msg})") from None


def find_files(paths: list[str | Path]) -> list[Path]:
    """JSON Lines files named directly, or found recursively in directories (sorted)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.suffix in defaults.JSONL_SUFFIXES
                                and f.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise DataError(f"{p}: no such file or directory")
    if not files:
        raise DataError(f"no labeled data (*.jsonl) found in {', '.join(map(str, paths))}")
    return files


def read_labeled(paths: list[str | Path], require_both: bool = True,
                 allow_empty: bool = False) -> LabeledSet:
    """Read, validate and group labeled rows into documents (in `i` order).

    `allow_empty`: files without rows are a valid (empty) set, e.g. a user's labels
    added to a base that has both classes already.
    """
    files = find_files(paths)
    digest = hashlib.sha256()
    docs: dict[str, list[tuple[int, LabeledRow]]] = {}
    order: list[str] = []
    n_rows = 0
    for f in files:
        try:
            raw = f.read_bytes()
        except OSError as err:
            raise DataError(f"{f}: cannot read ({err.strerror})") from None
        digest.update(raw)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = raw[: err.start].count(b"\n") + 1
            raise DataError(f"{f}:{line}: not valid UTF-8") from None
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            where = f"{f}:{lineno}"
            doc, i, row = _parse_row(line, where)
            n_rows += 1
            # no doc id: rows with positions `i` form one document per file; rows with
            # neither are documents of their own
            key = doc if doc is not None else (f"\0{f}" if i is not None else f"\0{where}")
            if key not in docs:
                docs[key] = []
                order.append(key)
            docs[key].append((i if i is not None else 0, row))
    if n_rows == 0 and not allow_empty:
        raise DataError(f"no labeled rows in {', '.join(map(str, files))}")
    documents = []
    for key in order:
        entries = docs[key]
        positions = [i for i, _ in entries]
        if len(set(positions)) != len(positions):
            dup = next(r.where for (i, r) in entries if positions.count(i) > 1)
            raise DataError(f"{dup}: document {key!r} has two paragraphs at the same position i")
        entries.sort(key=lambda e: e[0])
        documents.append(LabeledDocument(key.lstrip("\0"), [r for _, r in entries]))
    labeled = LabeledSet(documents, digest.hexdigest(), [str(f) for f in files])
    labels = {r.label for r in labeled.rows} - {defaults.AMBIGUOUS}
    if require_both and labels != set(defaults.LABELS):
        raise DataError(
            f"training needs both {' and '.join(defaults.LABELS)} paragraphs; "
            f"found only {', '.join(sorted(labels)) or 'ambiguous'}"
        )
    labeled.warnings.extend(_conflicts(labeled.rows))
    return labeled


def _parse_row(line: str, where: str) -> tuple[str | None, int | None, LabeledRow]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        raise DataError(f"{where}: invalid JSON ({err.msg})") from None
    if not isinstance(obj, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    text = obj.pop("text", None)
    if not isinstance(text, str):
        raise DataError(f"{where}: missing or non-string 'text'")
    if not text.strip():
        raise DataError(f"{where}: empty 'text'")
    label = obj.pop("label", None)
    if label not in defaults.ALL_LABELS:
        raise DataError(
            f"{where}: unknown label {label!r}; expected one of {', '.join(defaults.ALL_LABELS)}"
        )
    doc = obj.pop("doc", None)
    if doc is not None and not isinstance(doc, (str, int)):
        raise DataError(f"{where}: 'doc' must be a string or integer")
    i = obj.pop("i", None)
    if i is not None and (not isinstance(i, int) or isinstance(i, bool) or i < 0):
        raise DataError(f"{where}: 'i' must be a non-negative integer")
    lang, kind = obj.pop("lang", None), obj.pop("kind", None)
    for name, value in (("lang", lang), ("kind", kind)):
        if value is not None and not isinstance(value, str):
            raise DataError(f"{where}: '{name}' must be a string")
    row = LabeledRow(text, label, where, lang, kind, obj)
    return (str(doc) if doc is not None else None), i, row


def _conflicts(rows: list[LabeledRow]) -> list[str]:
    """One warning per text labeled both content and boilerplate (whitespace-normalized)."""
    seen: dict[str, LabeledRow] = {}
    out = []
    for r in rows:
        if r.label == defaults.AMBIGUOUS:
            continue
        key = " ".join(r.text.split())
        first = seen.setdefault(key, r)
        if first.label != r.label and first is not r:
            out.append(
                f"{r.where}: same text labeled {r.label!r} here and {first.label!r} at {first.where}"
            )
            seen[key] = r
    return out
