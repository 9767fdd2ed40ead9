"""The `tamiz` command: thin typer commands over the library.

stdout carries data only; messages go to stderr. Exit codes: 0 success, 1 data or
model error, 2 usage error, 130/143 interrupted. A closed pipe (`| head`) ends quietly.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
from json.encoder import encode_basestring as _json_string
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.exceptions import Abort, Exit, TyperException

from . import defaults
from .errors import DataError, Interrupted, TamizError, UsageError

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
    from .persist import load

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
    from .corpus import InputOptions, RunStats, clean_corpus

    opts = InputOptions(jsonl, text_field, skip_bad, _check_split(split_mode))
    stats = RunStats()
    counts = None
    if repeats_file is not None:
        from .repeats import load_repeats

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
            from .integrations.dask import DaskExecutor, client_for
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
            from .integrations.dask import close_client

            close_client(client)
    progress.done()
    _report(stats)
    if stats.skipped_binary:
        raise typer.Exit(1)  # the rest is done, but some input was not cleaned


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
    from .corpus import InputOptions, check_writable_dir, count_corpus

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
            from .corpus import score_paragraph_batches  # process pools: imported when used

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


# --- train ----------------------------------------------------------------------

@app.command()
def train(
    data: Annotated[list[str], typer.Argument(help="Labeled JSON Lines files or directories.")],
    out: Annotated[Path, typer.Option("--out", help="Model directory to write.")],
    validation: Annotated[Optional[list[str]], typer.Option("--validation", help="Labeled data for choosing thresholds [default: out-of-fold predictions].")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing model.")] = False,
    base: Annotated[Optional[str], typer.Option("--base", help="Add DATA to this base: 'shipped' (the data the shipped model learned from) or a directory with train/ and validation/. Thresholds then come from its validation/ unless --validation is given.")] = None,
    weight: Annotated[float, typer.Option("--weight", help="With --base: how many base paragraphs each of your paragraphs counts as.")] = defaults.USER_WEIGHT,
):
    """Train a model; print cross-validated metrics (grouped by document)."""
    from .data import read_labeled
    from .evaluate import format_report
    from .persist import save
    from .training import train as fit

    if out.exists() and not force:
        raise UsageError(f"{out} already exists; use --force to overwrite it")
    parent = out.resolve().parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"cannot write the model into {parent}")
    if base is not None:
        from .retrain import train_on_base

        model, card = train_on_base(data, base, validation, weight, log=_say)
    else:
        labeled = read_labeled(data)
        for w in labeled.warnings[:20]:
            _say(f"warning: {w}")
        if len(labeled.warnings) > 20:
            _say(f"warning: {len(labeled.warnings) - 20} more conflicting labels")
        val = read_labeled(validation) if validation else None
        model, card = fit(labeled, val, log=_say)
    save(model.pipeline, card, out, force=force)
    cv = card["metrics"]["cross_validated"]
    print(format_report(cv["document"], "cross-validated, in document context:"))
    print()
    print(format_report(cv["isolated"], "cross-validated, paragraphs alone:"))
    if "validation" in card["metrics"]:
        print()
        print(format_report(card["metrics"]["validation"]["document"],
                            "validation set, in document context:"))
    print(f"\nthresholds: {card['threshold']} (documents), {card['threshold_isolated']} (alone)")
    _say(f"model written to {out}")


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
    from .corpus import InputOptions, RunStats
    from .suggest import parse_quotas, read_answered, suggest as pick

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
    from .label import keys_from_lines, keys_from_terminal, label as run_labeler, read_queue

    from .label import PROMPT

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
    from .compare import compare as run_compare, format_comparison
    from .data import read_labeled
    from .persist import default_model_path

    def model_path(name: str) -> Path:
        return default_model_path() if name == defaults.BASE_SHIPPED else Path(name)

    if report is not None:
        from .report import _plt

        _plt()  # no matplotlib: say so before the models are scored
    before, after = _load(model_path(old)), _load(model_path(new))
    labeled = read_labeled(data, require_both=False)
    result = run_compare(before, after, labeled, names=(old, new))
    if report is not None:
        from .report import write_report

        write_report(result, report)
        _say(f"report written to {report}")
    if as_json:
        print(json.dumps({k: v for k, v in result.items() if k != "scores"}, ensure_ascii=False))
    else:
        print(format_comparison(result, flips))


# --- evaluate ---------------------------------------------------------------------

@app.command()
def evaluate(
    data: Annotated[list[str], typer.Argument(help="Labeled JSON Lines files or directories.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    threshold: ThresholdOpt = None,
    model: ModelOpt = None,
):
    """Precision / recall / F1 per class, per language and per kind."""
    from .data import read_labeled
    from .evaluate import format_report
    from .training import evaluate_labeled

    m = _load(model)
    labeled = read_labeled(data, require_both=False)
    rep = evaluate_labeled(m, labeled, threshold)
    if as_json:
        print(json.dumps(rep, ensure_ascii=False))
    else:
        print(format_report(rep, f"{', '.join(data)}:"))


# --- info ---------------------------------------------------------------------------

@app.command()
def info(
    model: ModelOpt = None,
    pipeline: Annotated[bool, typer.Option("--pipeline", help="Print the fitted scikit-learn pipeline instead (reads model.skops).")] = False,
):
    """Print the model card (JSON)."""
    from .persist import default_model_path, load_pipeline, read_card

    path = model or default_model_path()
    if pipeline:
        read_card(path)
        print(load_pipeline(path))
        return
    print(json.dumps(read_card(path), indent=2, ensure_ascii=False))


# --- entry point ----------------------------------------------------------------------

def _reuse_freed_memory() -> None:
    """Have glibc's malloc keep freed memory for the next batch's arrays.

    By default an array above a threshold (128 KB at start) gets fresh pages from the
    kernel and gives them back when freed, so each batch's temporaries fault their pages
    in again. Measured on the bench corpora: `score` on 10k paragraphs 33k page faults
    -> 17k; `clean` on 500k, 452k faults and 1.6 s of system time -> 37k and 0.3 s. Paired
    runs of `score` are 10% faster at 10k and 100k paragraphs; peak memory is 4 MiB (score)
    to 16 MiB (clean) higher. Other C libraries are left as they are.
    """
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 32 << 20)  # arrays larger than this are still mapped
    mallopt(_M_TRIM_THRESHOLD, 256 << 20)  # free memory kept at the heap's top


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h


def main(argv: list[str] | None = None) -> None:
    """Run the app; turn library errors into one line on stderr and an exit code."""
    # tamiz does no large matrix products, and --jobs parallelizes with processes:
    # OpenBLAS's thread pool would only cost CPU (0.1 s per run, measured). Set before
    # numpy loads; a value the user set wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    _reuse_freed_memory()
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    code = 0
    try:
        # without standalone mode, typer returns (not raises) a command's Exit code
        rv = app(args=argv, standalone_mode=False, prog_name="tamiz")
        code = rv if isinstance(rv, int) else 0
    except Interrupted as err:
        _say("interrupted")
        code = err.exit_code
    except TamizError as err:
        _say(f"error: {err}")
        code = err.exit_code
    except Exit as err:
        code = err.exit_code
    except Abort:
        code = 130
    except TyperException as err:  # usage errors (exit code 2) and other CLI errors
        _say(f"error: {err.format_message()}")
        code = err.exit_code
    except BrokenPipeError:
        code = 0
    except SystemExit as err:
        # typer's (and click's) main turns a closed pipe (EPIPE) into sys.exit(1) even
        # without standalone mode; a reader such as `head` that stops early is success
        code = 0 if _is_broken_pipe(err.__context__) else err.code
    except OSError as err:
        _say(f"error: {err.filename or ''}{': ' if err.filename else ''}{err.strerror or err}")
        code = 1
    except Exception as err:  # a bug: still one line for the user; TAMIZ_DEBUG=1 shows where
        if os.environ.get("TAMIZ_DEBUG"):
            raise
        _say(f"internal error: {err.__class__.__name__}: {err} (TAMIZ_DEBUG=1 for details)")
        code = 1
    _quiet_exit(code)


def _is_broken_pipe(err: BaseException | None) -> bool:
    import errno

    return isinstance(err, OSError) and err.errno == errno.EPIPE


def _quiet_exit(code: int) -> None:
    """Exit without Python complaining about a stdout that a reader already closed."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    except ValueError:
        pass
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    sys.exit(code)
