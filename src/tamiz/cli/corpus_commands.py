"""Commands over corpora: clean, repeats, score."""

from __future__ import annotations

import os
import select
import signal
import sys
from json.encoder import encode_basestring as _json_string
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import defaults
from ..errors import DataError, Interrupted, UsageError
from .common import (ModelOpt, ModeOpt, SplitOpt, ThresholdOpt, _check_split, _load, _Progress,
                     _report, _say, _StopFlag, app)

# --- clean ----------------------------------------------------------------------

@app.command()
def clean(
    paths: Annotated[Optional[list[str]], typer.Argument(
        help="Text files, directories (recursive) or JSON Lines files; '-' or nothing: stdin.")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Inputs are JSON Lines, one document per line.")] = False,
    text_field: Annotated[str, typer.Option("--text-field", help="JSON field holding the text.")] = defaults.DEFAULT_TEXT_FIELD,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write one cleaned file per input file into this directory.")] = None,
    removed: Annotated[Optional[Path], typer.Option("--removed", help="Write every removed paragraph as a JSON line here.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes.")] = defaults.DEFAULT_JOBS,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Skip (and count) malformed JSON lines instead of stopping.")] = False,
    no_repeats: Annotated[bool, typer.Option("--no-repeats", help="Do not count repeated paragraphs across the inputs (one pass instead of two).")] = False,
    repeats_file: Annotated[Optional[Path], typer.Option("--repeats", help="Use these repeat counts (from `tamiz repeats`) instead of counting the inputs.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="'local': --jobs worker processes; 'dask': Dask workers (a LocalCluster of --jobs workers, or --scheduler's).")] = "local",
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Dask scheduler address (with --engine dask).")] = None,
    split_mode: SplitOpt = defaults.DEFAULT_SPLIT,
    mode: ModeOpt = defaults.DEFAULT_MODE,
    threshold: ThresholdOpt = None,
    model: ModelOpt = None,
):
    """Remove boilerplate paragraphs; one output record per input record, in order."""
    from ..corpus import InputOptions, RunStats, clean_corpus

    opts = InputOptions(jsonl, text_field, skip_bad, _check_split(split_mode))
    stats = RunStats()
    counts = None
    if repeats_file is not None:
        from ..repeats import load_repeats

        if no_repeats:
            raise UsageError("--repeats and --no-repeats exclude each other")
        counts = load_repeats(repeats_file)
    if engine not in ("local", "dask"):
        raise UsageError(f"--engine must be local or dask, not {engine!r}")
    if scheduler and engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    # loaded here either way: a bad model fails before any input is read or worker started
    loaded = _load(model)
    if threshold is None:
        threshold = loaded.mode_thresholds(mode)[0]
    progress = _Progress("documents")
    stop = _StopFlag()
    signal.signal(signal.SIGINT, stop.catch)
    signal.signal(signal.SIGTERM, stop.catch)
    client = executor_for = None
    if engine == "dask":
        try:
            from ..integrations.dask import DaskExecutor, client_for
        except ImportError as err:  # the extra is not installed: say which
            raise UsageError(str(err)) from None
        client = client_for(scheduler, jobs)
        model_path = str(model.resolve()) if model else None
        executor_for = lambda c: DaskExecutor(client, model_path, threshold, c)  # noqa: E731
    try:
        clean_corpus(paths or [], opts, str(model) if model else None, threshold, jobs, out,
                     removed, stats, use_repeats=not no_repeats, on_progress=progress,
                     model=loaded,
                     stop_requested=stop, repeats=counts, executor_for=executor_for)
    except Interrupted as err:
        progress.done()
        finished = len(stats.files_done)
        _say(f"interrupted: {stats.documents} documents cleaned"
             + (f", {finished} output files complete (others not written)" if out else ""))
        raise typer.Exit(err.exit_code)
    finally:
        if client is not None:
            from ..integrations.dask import close_client

            close_client(client)
    progress.done()
    _report(stats)
    if stats.skipped_binary:
        raise typer.Exit(1)  # the rest is done, but some input was not cleaned


# --- repeats --------------------------------------------------------------------

@app.command()
def repeats(
    paths: Annotated[list[str], typer.Argument(help="Text files, directories (recursive) or JSON Lines files.")],
    out: Annotated[Path, typer.Option("--out", help="Counts file to write (e.g. counts.tamizrep).")],
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Inputs are JSON Lines, one document per line.")] = False,
    text_field: Annotated[str, typer.Option("--text-field", help="JSON field holding the text.")] = defaults.DEFAULT_TEXT_FIELD,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes.")] = defaults.DEFAULT_JOBS,
    split_mode: SplitOpt = defaults.DEFAULT_SPLIT,
):
    """Count how many documents contain each paragraph; `clean --repeats` uses the file."""
    from ..corpus import InputOptions, check_writable_dir, count_corpus

    opts = InputOptions(jsonl, text_field, True, _check_split(split_mode))
    check_writable_dir(out.parent if str(out.parent) else Path("."))
    counts = count_corpus(paths, opts, jobs)
    counts.save(out)
    h = counts.header()
    kind = f"exact, {h['distinct']} distinct" if counts.exact else (
        f"count-min sketch, over-count <= {counts.epsilon:.2g} x {counts.total} "
        f"with probability {1 - counts.delta:.2f}")
    _say(f"{counts.documents} documents, {counts.paragraphs} paragraphs counted ({kind}); "
         f"written to {out}")


# --- score ----------------------------------------------------------------------

def _stream_lines(fd: int, batch: int, bom: bool = False):
    """(lines, paused): lines (decoded, line ends removed) from a file descriptor, in
    batches, and whether the input paused (or ended) after them.

    A batch ends at `batch` lines, or sooner when no more input is waiting, so output
    follows input on a slow pipe. Reads whole chunks (no thread, no per-line queue);
    a line split across chunks is completed by the next read.
    """
    pending = b""
    lines: list[str] = []
    first = True
    while True:
        chunk = os.read(fd, _READ_BYTES)
        if first and bom and chunk.startswith(b"\xef\xbb\xbf"):
            chunk = chunk[3:]
        first = False
        if not chunk:
            if pending:
                lines.extend(_decode_lines(pending))
            if lines:
                yield lines, True
            return
        *complete, pending = (pending + chunk).split(b"\n")
        if complete:
            lines.extend(_decode_lines(b"\n".join(complete)))
        waiting = len(chunk) == _READ_BYTES or select.select([fd], [], [], 0)[0]
        if len(lines) >= batch or (lines and not waiting):
            yield lines, not waiting
            lines = []


_READ_BYTES = 1 << 16


def _decode_lines(data: bytes) -> list[str]:
    # universal newlines, as text mode reads them: \r\n, \r and \n end a line
    text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


@app.command()
def score(
    path: Annotated[Optional[str], typer.Argument(help="File with one paragraph per line; '-' or nothing: stdin.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="'jsonl' or 'tsv' (p_boilerplate, label, lang, text).")] = "jsonl",
    doc: Annotated[bool, typer.Option("--doc", help="Score the whole input as one document, so context applies.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes (paragraphs scored alone; not with --doc).")] = defaults.DEFAULT_JOBS,
    mode: ModeOpt = defaults.DEFAULT_MODE,
    threshold: ThresholdOpt = None,
    model: ModelOpt = None,
):
    """Score paragraphs, one per input line; one output line per non-empty input line."""
    if fmt not in ("jsonl", "tsv"):
        raise UsageError(f"--format must be jsonl or tsv, not {fmt!r}")
    if doc and jobs > 1:
        raise UsageError("--doc scores the input as one document: it cannot use --jobs")
    m = _load(model)
    if threshold is None:
        threshold = m.mode_thresholds(mode)[0 if doc else 1]
    if path in (None, "-"):
        fd, close = sys.stdin.fileno(), False
    else:
        p = Path(path)
        if not p.is_file():
            raise DataError(f"{path}: no such file")
        fd, close = os.open(p, os.O_RDONLY), True
    line = _json_line if fmt == "jsonl" else _tsv_line

    def emit(scores):
        sys.stdout.write("".join(map(line, scores)))
        sys.stdout.flush()

    try:
        batches = _stream_lines(fd, defaults.SCORE_BATCH, bom=close)
        if doc:
            paragraphs = [ln.strip() for lines, _ in batches for ln in lines if ln.strip()]
            emit(m.score_documents([paragraphs], threshold=threshold)[0])
            return
        stripped = (([ln.strip() for ln in lines if ln.strip()], paused)
                    for lines, paused in batches)
        nonempty = ((paragraphs, paused) for paragraphs, paused in stripped if paragraphs)
        if jobs > 1:
            from ..corpus import score_paragraph_batches  # process pools: imported when used

            scored = score_paragraph_batches(nonempty, m, threshold, jobs,
                                             str(model) if model else None)
        else:
            scored = (m.score(paragraphs, threshold=threshold) for paragraphs, _ in nonempty)
        for scores in scored:
            emit(scores)
    finally:
        if close:
            os.close(fd)


def _json_line(s) -> str:
    # the fields of ParagraphScore.to_dict, formatted directly: json.dumps per record
    # was a tenth of `score`'s time
    return (f'{{"text": {_json_string(s.text)}, "lang": {_json_string(s.lang)}, '
            f'"lang_prob": {round(s.lang_prob, 4)!r}, '
            f'"p_boilerplate": {round(s.p_boilerplate, 4)!r}, "label": "{s.label}"}}\n')


def _tsv_line(s) -> str:
    return f"{s.p_boilerplate:.4f}\t{s.label}\t{s.lang}\t{s.text.replace(chr(9), ' ')}\n"


