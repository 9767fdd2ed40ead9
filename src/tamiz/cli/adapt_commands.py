"""Adapting the model to one's own corpus: suggest, label, compare."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import defaults
from .common import ModelOpt, SplitOpt, _check_split, _load, _report_inputs, _say, app

# --- suggest / label / compare: adapting the model to one's own corpus ---------------

@app.command()
def suggest(
    paths: Annotated[Optional[list[str]], typer.Argument(
        help="Text files, directories (recursive) or JSON Lines files; '-' or nothing: stdin.")] = None,
    n: Annotated[int, typer.Option("-n", help="How many suggestions.")] = defaults.SUGGEST_N,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random share.")] = defaults.SEED,
    random_share: Annotated[float, typer.Option("--random-share", help="Share of suggestions drawn at random (to measure the model).")] = defaults.SUGGEST_RANDOM_SHARE,
    quota: Annotated[Optional[str], typer.Option("--quota", help="Language quotas, e.g. 'en=0.5,es=0.5' (other languages: 'other') [default: the corpus' shares, each at least 0.2].")] = None,
    per_doc: Annotated[int, typer.Option("--per-doc", min=1, help="At most this many suggestions from one document.")] = defaults.SUGGEST_PER_DOC,
    exclude: Annotated[Optional[list[Path]], typer.Option("--exclude", help="Labels already given (e.g. `tamiz label`'s output): not suggested again, nor texts identical to them.")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Inputs are JSON Lines, one document per line.")] = False,
    text_field: Annotated[str, typer.Option("--text-field", help="JSON field holding the text.")] = defaults.DEFAULT_TEXT_FIELD,
    split_mode: SplitOpt = defaults.DEFAULT_SPLIT,
    model: ModelOpt = None,
):
    """The paragraphs most worth labeling, one JSON line each (for `tamiz label`)."""
    from ..corpus import InputOptions, RunStats
    from ..suggest import parse_quotas, read_answered, suggest as pick

    opts = InputOptions(jsonl, text_field, False, _check_split(split_mode))
    stats = RunStats()
    answered = read_answered([str(p) for p in exclude]) if exclude else None
    queue = pick(paths or [], opts, _load(model), n, seed, random_share, parse_quotas(quota),
                 per_doc, stats=stats, answered=answered)
    sys.stdout.write("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queue))
    _report_inputs(stats)
    _say(f"{len(queue)} suggestions")


@app.command()
def label(
    queue: Annotated[Path, typer.Argument(help="Suggestions from `tamiz suggest` (JSON Lines).")],
    to: Annotated[Path, typer.Option("--to", help="Labels file (training-data JSON Lines); appended to, so a run can be resumed.")],
):
    """Label suggestions one key at a time: k keep, d drop, a ambiguous, s skip, u undo, q quit.

    On a terminal a key press is enough; otherwise stdin gives one key per line."""
    from ..label import keys_from_lines, keys_from_terminal, label as run_labeler, read_queue

    from ..label import PROMPT

    items = read_queue(queue)
    tty = sys.stdin.isatty()
    keys = keys_from_terminal(sys.stdin.fileno()) if tty else keys_from_lines(sys.stdin)

    def show(s: str) -> None:
        # on a terminal the key is echoed after the prompt, on its line
        print(s, file=sys.stderr, end="" if tty and s == PROMPT else "\n", flush=True)

    run = run_labeler(items, to, keys, show=show)
    _say(f"{run.labeled} labeled, {run.skipped} skipped this run; {run.remaining} of "
         f"{len(items)} left; {run.total_labeled} rows in {to}")


@app.command()
def compare(
    old: Annotated[str, typer.Argument(help="The model before: a model directory, or 'shipped'.")],
    new: Annotated[str, typer.Argument(help="The model after: a model directory, or 'shipped'.")],
    data: Annotated[list[str], typer.Argument(help="Labeled JSON Lines files or directories.")],
    report: Annotated[Optional[Path], typer.Option("--report", help="Also write a self-contained HTML page here (needs the 'report' extra).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    flips: Annotated[int, typer.Option("--flips", min=0, help="Flipped paragraphs to print.")] = defaults.COMPARE_SHOW_FLIPS,
):
    """Two models on the same labeled data: metrics per language and kind, flips, McNemar."""
    from ..compare import compare as run_compare, format_comparison
    from ..data import read_labeled
    from ..persist import default_model_path

    def model_path(name: str) -> Path:
        return default_model_path() if name == defaults.BASE_SHIPPED else Path(name)

    if report is not None:
        from ..report import _plt

        _plt()  # no matplotlib: say so before the models are scored
    before, after = _load(model_path(old)), _load(model_path(new))
    labeled = read_labeled(data, require_both=False)
    result = run_compare(before, after, labeled, names=(old, new))
    if report is not None:
        from ..report import write_report

        write_report(result, report)
        _say(f"report written to {report}")
    if as_json:
        print(json.dumps({k: v for k, v in result.items() if k != "scores"}, ensure_ascii=False))
    else:
        print(format_comparison(result, flips))


