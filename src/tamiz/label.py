"""The terminal labeler (`tamiz label queue.jsonl --to labels.jsonl`).

One key per suggestion: k(eep) content, d(rop) boilerplate, a(mbiguous), s(kip),
u(ndo), q(uit). Every answer is appended to the labels file, flushed and fsynced
before the next paragraph is shown, so a crash loses at most the answer being typed.
Skips go to a side file (`labels.jsonl.skipped`), so a resumed run starts at the first
suggestion neither labeled nor skipped. The labels file is in the training-data
schema (doc, i, text, label, lang; plus why and count): `tamiz train` reads it as is.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import defaults
from .data import json_objects
from .errors import DataError, UsageError

ANSWERS = {"k": defaults.CONTENT, "d": defaults.BOILERPLATE, "a": defaults.AMBIGUOUS}
SKIP, UNDO, QUIT = "s", "u", "q"
PROMPT = "k keep (content) · d drop (boilerplate) · a ambiguous · s skip · u undo · q quit: "
SKIPPED_SUFFIX = ".skipped"


def read_queue(path: str | Path) -> list[dict]:
    """The suggestions of a queue file (JSON Lines from `tamiz suggest`), validated."""
    out = []
    for lineno, q in json_objects(path):
        if (not isinstance(q, dict) or not isinstance(q.get("text"), str)
                or not q["text"].strip() or not isinstance(q.get("doc"), (str, int))
                or not isinstance(q.get("i"), int) or isinstance(q.get("i"), bool)
                or q["i"] < 0):
            raise DataError(f"{path}:{lineno}: not a suggestion (needs doc, i and text)")
        out.append(q)
    return out


def _key(doc, i) -> tuple[str, int]:
    return (str(doc), int(i))


class AnswerLog:
    """An append-only JSON Lines file whose every line is made durable when written,
    and whose last lines can be taken back (undo)."""

    def __init__(self, path: Path):
        self.path = path
        self.rows: list[dict] = []
        self.offsets: list[int] = []  # byte offset where each row's line starts
        self.dropped_partial = False
        new = not path.exists()
        try:
            self.fh = open(path, "a+b")
        except OSError as err:
            raise UsageError(f"cannot write {path} ({err.strerror})") from None
        if new:
            _fsync_dir(path.parent)
        self._load()

    def _load(self) -> None:
        self.fh.seek(0)
        data = self.fh.read()
        pos = 0
        for lineno, line in enumerate(data.split(b"\n"), 1):
            end = pos + len(line)
            if end == len(data) and line:  # no newline: a write cut short, never confirmed
                self.fh.truncate(pos)
                self._sync()
                self.dropped_partial = True
                break
            if line.strip():
                try:
                    row = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    raise DataError(f"{self.path}:{lineno}: invalid JSON line") from None
                if not isinstance(row, dict) or "doc" not in row or "i" not in row:
                    raise DataError(f"{self.path}:{lineno}: expected a row with doc and i")
                self.rows.append(row)
                self.offsets.append(pos)
            pos = end + 1

    def _sync(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def append(self, row: dict) -> None:
        self.fh.seek(0, os.SEEK_END)
        self.offsets.append(self.fh.tell())
        self.fh.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
        self._sync()
        self.rows.append(row)

    def pop(self) -> dict:
        row = self.rows.pop()
        self.fh.truncate(self.offsets.pop())
        self._sync()
        return row

    def keys(self) -> set[tuple[str, int]]:
        return {_key(r["doc"], r["i"]) for r in self.rows}

    def close(self) -> None:
        self.fh.close()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass
class LabelRun:
    labeled: int = 0  # answers given in this run (net of undos)
    skipped: int = 0
    remaining: int = 0
    total_labeled: int = 0  # rows in the labels file
    quit: bool = False
    resumed_from: int = 0  # suggestions already answered when the run started


def to_row(q: dict, label: str) -> dict:
    """A suggestion and its answer as a training-data row."""
    row = {"doc": q["doc"], "i": q["i"], "text": q["text"], "label": label}
    for name in ("lang", "why", "count"):
        if name in q:
            row[name] = q[name]
    return row


def render(q: dict, k: int, n: int) -> str:
    """What the labeler shows for one suggestion."""
    head = f"[{k}/{n}] {q['doc']} ¶{q['i']}"
    facts = [f"{name} {q[name]}" for name in ("why", "p_boilerplate", "lang") if name in q]
    if q.get("count", 1) > 1:
        facts.append(f"seen {q['count']}x")
    lines = [head + (f"  ({', '.join(facts)})" if facts else "")]
    lines += [f"      {t}" for t in q.get("before", [])]
    lines.append(f"  >>> {q['text']}")
    lines += [f"      {t}" for t in q.get("after", [])]
    return "\n".join(lines)


def label(
    queue: list[dict],
    to: str | Path,
    keys: Iterable[str],
    show: Callable[[str], None] = lambda s: None,
) -> LabelRun:
    """Ask for an answer to every suggestion not yet answered in `to`, in queue order.

    `keys` yields one key per answer ('k', 'd', 'a', 's', 'u', 'q'; other input is
    refused and asked again); the run stops at 'q' or when `keys` ends.
    """
    to = Path(to)
    labels = AnswerLog(to)
    skips = AnswerLog(to.with_name(to.name + SKIPPED_SUFFIX))
    run = LabelRun()
    try:
        if labels.dropped_partial:
            show(f"note: {to}: an unfinished last line was removed")
        history: list[tuple[AnswerLog, int]] = []  # this run's answers, for undo
        index = {_key(q["doc"], q["i"]): k for k, q in enumerate(queue)}
        answered = lambda: labels.keys() | skips.keys()  # noqa: E731
        run.resumed_from = len(answered() & index.keys())
        it: Iterator[str] = iter(keys)
        while True:
            done = answered()
            pending = [k for k, q in enumerate(queue) if _key(q["doc"], q["i"]) not in done]
            if not pending:
                break
            k = pending[0]
            q = queue[k]
            show(render(q, len(queue) - len(pending) + 1, len(queue)))
            while True:
                show(PROMPT)
                key = next(it, None)
                if key is None:
                    key = QUIT
                key = key.strip().lower()[:1]
                if key in ANSWERS or key in (SKIP, UNDO, QUIT):
                    break
                show(f"unknown key {key!r}")
            if key == QUIT:
                run.quit = True
                break
            if key == UNDO:
                if history:
                    log, _ = history.pop()
                elif labels.rows:  # the last answer of an earlier run
                    log = labels
                else:
                    show("nothing to undo")
                    continue
                row = log.pop()
                if log is labels:
                    run.labeled -= 1
                else:
                    run.skipped -= 1
                show(f"undone: {row['doc']} ¶{row['i']}")
                continue
            if key == SKIP:
                skips.append({"doc": q["doc"], "i": q["i"]})
                history.append((skips, k))
                run.skipped += 1
            else:
                labels.append(to_row(q, ANSWERS[key]))
                history.append((labels, k))
                run.labeled += 1
        done = answered()
        run.remaining = sum(_key(q["doc"], q["i"]) not in done for q in queue)
        run.total_labeled = len(labels.rows)
    finally:
        labels.close()
        skips.close()
    return run


def keys_from_lines(stream) -> Iterator[str]:
    """Keys one per line (a script, a test, a pipe); blank lines are ignored."""
    for line in stream:
        if line.strip():
            yield line.strip()


def keys_from_terminal(fd: int) -> Iterator[str]:
    """Single key presses from a terminal, without Enter (Ctrl-C, Ctrl-D: quit)."""
    import termios
    import tty

    old = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        while True:
            ch = os.read(fd, 1).decode("utf-8", errors="replace")
            if ch in ("", "\x03", "\x04"):
                return
            sys.stderr.write(ch + "\n")
            yield ch
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
