"""What every command shares: the typer app, its options, messages and progress."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import defaults
from ..errors import Interrupted, UsageError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Clean scraped English and Spanish text paragraph by paragraph.",
)

ModelOpt = Annotated[
    Optional[Path],
    typer.Option("--model", help="Model directory [default: the shipped model]."),
]
ThresholdOpt = Annotated[
    Optional[float],
    typer.Option("--threshold", min=0.0, max=1.0,
                 help="Drop paragraphs with p_boilerplate >= this [default: the model's]."),
]
ModeOpt = Annotated[
    str,
    typer.Option("--mode", help="Operating point from the model card: 'balanced', 'keep-more' "
                 "(content recall >= 0.97 on validation) or 'strict' (boilerplate recall "
                 ">= 0.99); --threshold overrides it."),
]
SplitOpt = Annotated[
    str,
    typer.Option("--split", help="'lines': every non-empty line is a paragraph; "
                 "'blank': blank-line separated blocks."),
]


def _on_signal(signum, frame):
    raise Interrupted(signum)


class _StopFlag:
    """While cleaning, a signal only sets this flag; the run stops between documents,
    so no output file is ever caught half-created or half-renamed."""

    def __init__(self):
        self.signum = None

    def __call__(self) -> int | None:
        return self.signum

    def catch(self, signum, frame):
        self.signum = signum


def _say(msg: str) -> None:
    print(f"tamiz: {msg}", file=sys.stderr, flush=True)


def _check_split(mode: str) -> str:
    if mode not in defaults.SPLIT_MODES:
        raise UsageError(f"--split must be one of {', '.join(defaults.SPLIT_MODES)}, not {mode!r}")
    return mode


def _load(model: Optional[Path]):
    from ..persist import load

    return load(model)


class _Progress:
    """A one-line counter on stderr, only when stderr is a terminal."""

    def __init__(self, what: str):
        self.on = sys.stderr.isatty()
        self.what = what

    def __call__(self, n: int) -> None:
        if self.on and n % 50 == 0:
            print(f"\r{self.what}: {n}", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.on:
            print("\r", end="", file=sys.stderr, flush=True)



def _report(stats) -> None:
    _report_inputs(stats)
    summary = (f"{stats.documents} documents, {stats.paragraphs} paragraphs, "
               f"{stats.removed} removed")
    skipped = len(stats.skipped_binary) + len(stats.skipped_bad)
    if skipped:
        summary += f"; {skipped} input(s) skipped"
    _say(summary)


def _report_inputs(stats) -> None:
    for path in stats.skipped_binary:
        _say(f"warning: {path}: binary file (NUL bytes), skipped")
    for path, n in stats.replaced_bytes.items():
        _say(f"warning: {path}: {n} invalid UTF-8 byte sequence(s) replaced with U+FFFD")
    for path, n in stats.replaced_surrogates.items():
        _say(f"warning: {path}: {n} unpaired surrogate escape(s) (\\ud800-\\udfff) replaced "
             "with U+FFFD")
    for problem in stats.skipped_bad:
        _say(f"warning: skipped {problem}")


