"""Streaming corpus input/output and (parallel) cleaning.

Input: text files (one document each), directories of them (recursive), JSON Lines
(one document per line, `--text-field`), or stdin. Output: one record per input
record, in input order, to stdout or, with an output directory, one file per input
file written atomically (temporary file, then rename). Memory stays bounded: documents
flow through in batches, and at most a few batches are in flight per worker.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path


from . import defaults
from .errors import DataError, Interrupted, UsageError
from .language import get_tagger
from .paragraphs import join, split
from .persist import load as load_model
from .repeats import RepeatCounts

STDIN = "-"


@dataclass
class Doc:
    """One input record."""

    source: str  # the input file ("-" for stdin)
    key: str  # the record's id in --removed output: path, path:line or the record's own id
    text: str
    record: dict | None = None  # the whole JSON object (JSON Lines input)
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class RunStats:
    """What happened to the input, reported on stderr at the end."""

    documents: int = 0
    paragraphs: int = 0
    removed: int = 0
    skipped_binary: list[str] = field(default_factory=list)
    skipped_bad: list[str] = field(default_factory=list)
    replaced_bytes: dict[str, int] = field(default_factory=dict)
    replaced_surrogates: dict[str, int] = field(default_factory=dict)
    files_done: list[str] = field(default_factory=list)


@dataclass
class InputOptions:
    jsonl: bool = False
    text_field: str = defaults.DEFAULT_TEXT_FIELD
    skip_bad: bool = False
    split_mode: str = defaults.DEFAULT_SPLIT


# --- reading ------------------------------------------------------------------

def list_inputs(paths: list[str], jsonl: bool) -> list[str]:
    """Expand directories (recursively, sorted, hidden files left out); check every path."""
    if not paths:
        return [STDIN]
    out: list[str] = []
    for p in paths:
        if p == STDIN:
            out.append(p)
            continue
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                rel = f.relative_to(path)
                if f.is_file() and not any(part.startswith(".") for part in rel.parts):
                    if not jsonl or f.suffix in defaults.JSONL_SUFFIXES:
                        out.append(str(f))
        elif path.is_file():
            if not os.access(path, os.R_OK):
                raise DataError(f"{p}: permission denied")
            out.append(p)
        elif path.exists():
            raise DataError(f"{p}: not a regular file or directory")
        else:
            raise DataError(f"{p}: no such file or directory")
    return out


def _read_bytes(source: str) -> bytes:
    if source == STDIN:
        return sys.stdin.buffer.read()
    try:
        with open(source, "rb") as fh:
            return fh.read()
    except OSError as err:
        raise DataError(f"{source}: cannot read ({err.strerror})") from None


def _decode(raw: bytes, source: str, stats: RunStats) -> str:
    """UTF-8 (BOM dropped); invalid bytes become U+FFFD and are counted."""
    text = raw.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd") - raw.count("\ufffd".encode())
    if bad > 0:
        stats.replaced_bytes[source] = stats.replaced_bytes.get(source, 0) + bad
    return text


def _is_binary(raw: bytes) -> bool:
    return b"\0" in raw[:65536]


def iter_docs(sources: list[str], opts: InputOptions, stats: RunStats) -> Iterator[Doc]:
    """Every input record, in order. Bad records raise DataError, or are skipped and counted.

    A text file is one document (read whole); JSON Lines are read line by line, so a
    corpus file of any size is streamed.
    """
    for source in sources:
        if opts.jsonl:
            yield from _jsonl_docs(source, opts, stats)
            continue
        raw = _read_bytes(source)
        if _is_binary(raw):
            if source == STDIN:
                raise DataError("<stdin>: binary input (NUL bytes)")
            stats.skipped_binary.append(source)
            continue
        text = _decode(raw, source, stats)
        del raw
        yield Doc(source, source, text, None, split(text, opts.split_mode))


def _jsonl_docs(source: str, opts: InputOptions, stats: RunStats,
                start: int = 0, end: int | None = None) -> Iterator[Doc]:
    """Records of a JSON Lines input; with `start`/`end`, only the lines that start in
    that byte range (line numbers in messages then count from the range)."""
    name = "<stdin>" if source == STDIN else source
    try:
        fh = sys.stdin.buffer if source == STDIN else open(source, "rb")
    except OSError as err:
        raise DataError(f"{source}: cannot read ({err.strerror})") from None
    try:
        head = fh.peek(65536)[:65536] if hasattr(fh, "peek") else b""
        if _is_binary(head):
            if source == STDIN:
                raise DataError("<stdin>: binary input (NUL bytes)")
            stats.skipped_binary.append(source)
            return
        lines = fh if start == 0 and end is None else _lines_in_range(fh, start, end)
        for lineno, raw in enumerate(lines, 1):
            if lineno == 1 and start == 0 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            line = _decode(raw, source, stats)
            if not line.strip():
                continue
            where = f"{name}:{lineno}"
            record, problem = _parse_record(line, opts.text_field)
            if problem:
                if not opts.skip_bad:
                    raise DataError(f"{where}: {problem} (use --skip-bad to skip such lines)")
                stats.skipped_bad.append(f"{where}: {problem}")
                continue
            if "\\u" in line and _SURROGATE_ESCAPE.search(line):
                record, replaced = _replace_lone_surrogates(record)
                if replaced:
                    stats.replaced_surrogates[source] = (
                        stats.replaced_surrogates.get(source, 0) + replaced)
            key = str(record.get("id", where))
            body = record[opts.text_field]
            yield Doc(source, key, body, record, split(body, opts.split_mode))
    except OSError as err:
        raise DataError(f"{source}: cannot read ({err.strerror})") from None
    finally:
        if source != STDIN:
            fh.close()


def _lines_in_range(fh, start: int, end: int | None) -> Iterator[bytes]:
    """The lines of a binary file that start at a byte offset in [start, end)."""
    if start > 0:
        fh.seek(start - 1)
        fh.readline()  # the rest of the line that starts before `start`
    pos = fh.tell()
    while end is None or pos < end:
        raw = fh.readline()
        if not raw:
            return
        pos += len(raw)
        yield raw


# JSON can escape half of a UTF-16 surrogate pair alone ("\\ud800"): json.loads keeps it as
# a character that no UTF-8 text can hold, and that every later encode would fail on
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # after json.loads, pairs are one character


def _replace_lone_surrogates(value):
    """(value with each lone surrogate of its strings, keys included, made U+FFFD, how many)."""
    if isinstance(value, str):
        return _LONE_SURROGATE.subn("\ufffd", value)
    if isinstance(value, list):
        done = [_replace_lone_surrogates(v) for v in value]
        return [v for v, _ in done], sum(n for _, n in done)
    if isinstance(value, dict):
        done = [(_replace_lone_surrogates(k), _replace_lone_surrogates(v)) for k, v in value.items()]
        return {k: v for (k, _), (v, _) in done}, sum(a + b for (_, a), (_, b) in done)
    return value, 0


def _parse_record(line: str, field_name: str) -> tuple[dict | None, str | None]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return None, f"invalid JSON ({err.msg})"
    if not isinstance(record, dict):
        return None, f"expected a JSON object, got {type(record).__name__}"
    if field_name not in record:
        return None, f"no {field_name!r} field"
    if not isinstance(record[field_name], str):
        return None, f"field {field_name!r} is not a string"
    return record, None


def count_repeats(sources: list[str], opts: InputOptions, jobs: int = 1,
                  stop_requested: Callable[[], int | None] = lambda: None) -> RepeatCounts | None:
    """First pass over file inputs: how many documents contain each paragraph.

    stdin cannot be read twice, so a run that includes it scores without counts. With
    --jobs (and fork), the inputs are cut into byte ranges at line starts that the
    workers read and count themselves; their counts merge into the serial count. A
    signal number from `stop_requested` stops the pass with Interrupted (between
    documents, or between shards with workers).
    """
    if STDIN in sources:
        return None
    sizes = _sizes(sources)
    serial = (jobs <= 1 or not _CAN_FORK
              or sum(sizes.values()) < defaults.COUNT_WORKERS_MIN_BYTES)
    shards = _shards(sources, opts.jsonl, 1 if serial else jobs * defaults.COUNT_SHARDS_PER_JOB,
                     sizes)
    pool = None
    if serial or len(shards) <= 1:
        results = (_count_shard(shard, opts, stop_requested) for shard in shards)
    else:
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_ignore_sigint)
        results = pool.map(_count_shard, shards, [opts] * len(shards))
    counter = RepeatCounts(split_mode=opts.split_mode)
    try:
        for part in results:
            counter.merge(part)
            signum = stop_requested()
            if signum:
                raise Interrupted(signum)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)  # after a signal: the running shards finish
    return counter


def count_corpus(paths: list[str], opts: InputOptions, jobs: int = 1,
                 stop_requested: Callable[[], int | None] = lambda: None) -> RepeatCounts:
    """`tamiz repeats`: the repeat counts of file inputs (stdin cannot be counted and then
    cleaned: it can be read only once)."""
    sources = list_inputs(paths, opts.jsonl)
    if STDIN in sources:
        raise UsageError("repeats needs file or directory inputs, not stdin")
    return count_repeats(sources, opts, jobs, stop_requested)


def check_split(repeats: RepeatCounts, split_mode: str) -> None:
    if repeats.split_mode != split_mode:
        raise UsageError(f"the repeat counts were made with --split {repeats.split_mode}, "
                         f"not --split {split_mode}")


@dataclass(frozen=True)
class _Shard:
    """Documents to count: whole text files, or the JSON Lines that start in [start, end)."""

    sources: tuple[str, ...]
    start: int = 0
    end: int | None = None


def _sizes(sources: list[str]) -> dict[str, int]:
    return {s: os.path.getsize(s) if os.path.isfile(s) else 0 for s in sources}


def _shards(sources: list[str], jsonl: bool, n: int,
            sizes: dict[str, int] | None = None) -> list[_Shard]:
    """At least `n` shards of about equal bytes, none above COUNT_SHARD_BYTES (a shard in
    progress is what an interrupted count waits for). `sizes`: bytes per source, when known."""
    sizes = _sizes(sources) if sizes is None else sizes
    step = max(1, min(sum(sizes.values()) // max(n, 1), defaults.COUNT_SHARD_BYTES))
    if not jsonl:  # a text file is one document: shards are runs of whole files
        shards, run, run_bytes = [], [], 0
        for s in sources:
            run.append(s)
            run_bytes += sizes[s]
            if run_bytes >= step:
                shards.append(_Shard(tuple(run)))
                run, run_bytes = [], 0
        return shards + ([_Shard(tuple(run))] if run else [])
    return [_Shard((s,), start, min(start + step, sizes[s]))
            for s in sources for start in range(0, max(sizes[s], 1), step)]


def _count_shard(shard: _Shard, opts: InputOptions,
                 stop_requested: Callable[[], int | None] = lambda: None):
    """The repeat counts of one shard's documents. Bad records are skipped: the scoring
    pass reports them."""
    counter = RepeatCounts(split_mode=opts.split_mode)
    quiet = RunStats()
    lenient = InputOptions(opts.jsonl, opts.text_field, True, opts.split_mode)
    if not opts.jsonl:
        docs = iter_docs(list(shard.sources), lenient, quiet)
    else:
        docs = _jsonl_docs(shard.sources[0], lenient, quiet, shard.start, shard.end)
    for doc in docs:
        signum = stop_requested()
        if signum:
            raise Interrupted(signum)
        counter.add(doc.paragraphs)
    return counter


# --- scoring in batches, optionally in worker processes -----------------------

_WORKER: dict = {}
_CAN_FORK = "fork" in multiprocessing.get_all_start_methods()


def _ignore_sigint() -> None:
    # Ctrl-C reaches the whole process group; only the main process decides to stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _init_worker(model_path: str | None, threshold: float | None,
                 counter: RepeatCounts | None = None) -> None:
    _ignore_sigint()
    _WORKER["model"] = load_model(model_path)
    _WORKER["threshold"] = threshold
    _WORKER["counter"] = counter


def _in_order(pool: ProcessPoolExecutor, fn, items, jobs: int):
    """(key, fn(payload)) for (key, payload, flush) items, in input order, with a bounded
    number in flight. `flush` answers everything submitted before reading further input
    (the input paused: a pipeline expects the answers now)."""
    pending = []
    limit = jobs * defaults.MAX_INFLIGHT_BATCHES
    for key, payload, flush in items:
        pending.append((key, pool.submit(fn, payload)))
        while pending and (flush or len(pending) >= limit):
            done_key, fut = pending.pop(0)
            yield done_key, fut.result()
    for done_key, fut in pending:
        yield done_key, fut.result()


def _score_batch(batch: list[list[str]]):
    """Worker: documents (paragraph lists) -> [[(lang, p_boilerplate, label)]] per document.

    Repetition counts are looked up here, from the counter each worker got once, so the
    main process only reads, splits and writes.
    """
    model, counter = _WORKER["model"], _WORKER["counter"]
    repeats = [counter.counts(d) for d in batch] if counter is not None else None
    scored = model.score_documents(batch, repeats, threshold=_WORKER["threshold"])
    return [[(s.lang, s.p_boilerplate, s.label) for s in doc] for doc in scored]


def _batches(docs: Iterator[Doc], size: int, paragraphs: int = defaults.BATCH_PARAGRAPHS,
             total: int | None = None, jobs: int = 1) -> Iterator[list[Doc]]:
    """Batches of `size` documents and at most `paragraphs` paragraphs, unless one document
    has more (memory per batch follows paragraphs, and documents range from one to
    thousands of them).

    With workers and a known `total` of paragraphs, a batch holds at most the remaining
    paragraphs / (2 x jobs) (guided self-scheduling): batches shrink towards the end, so
    the workers run out of work together instead of one finishing a big last batch.
    """
    def limit(sent: int) -> int:
        if total is None or jobs <= 1:
            return paragraphs
        return min(paragraphs, max(defaults.MIN_BATCH_PARAGRAPHS, (total - sent) // (2 * jobs)))

    batch: list[Doc] = []
    count = sent = 0
    for doc in docs:
        if batch and count + len(doc.paragraphs) > limit(sent):
            yield batch  # a document is never split, so a batch exceeds the limit only alone
            sent += count
            batch, count = [], 0
        batch.append(doc)
        count += len(doc.paragraphs)
        if len(batch) >= size or count >= limit(sent):
            yield batch
            sent += count
            batch, count = [], 0
    if batch:
        yield batch


def scored_docs(
    docs: Iterator[Doc],
    model_path: str | None,
    threshold: float | None,
    jobs: int,
    counter: RepeatCounts | None,
    model=None,
    total: int | None = -1,
    executor=None,
) -> Iterator[tuple[Doc, list[tuple[str, float, str]]]]:
    """(doc, [(lang, p_boilerplate, label) per paragraph]) in input order. `total`: the
    paragraphs to come, when known (default: the counter's)."""
    if total == -1:
        total = counter.paragraphs if counter is not None else None
    if executor is not None:
        jobs = executor.jobs
    batches = _batches(docs, defaults.BATCH_DOCS, total=total, jobs=jobs)
    if executor is not None:  # its submit(fn, payload) runs core.score_batch on a worker
        items = ((batch, [d.paragraphs for d in batch], False) for batch in batches)
        for batch, scores in _in_order(executor, None, items, jobs):
            yield from zip(batch, scores)
        return
    if jobs <= 1:
        _WORKER.update(model=model or load_model(model_path), threshold=threshold,
                       counter=counter)
        for batch in batches:
            yield from zip(batch, _score_batch([d.paragraphs for d in batch]))
        return
    items = ((batch, [d.paragraphs for d in batch], False) for batch in batches)
    with _worker_pool(jobs, model_path, threshold, counter, model) as pool:
        for batch, scores in _in_order(pool, _score_batch, items, jobs):
            yield from zip(batch, scores)


def _worker_pool(jobs: int, model_path: str | None, threshold: float | None,
                 counter: RepeatCounts | None, model=None) -> ProcessPoolExecutor:
    if _CAN_FORK:
        # Workers forked from a process that has loaded the model, read the language
        # profiles and counted repeats share all three and start at once.
        if model is None:
            model = load_model(model_path)
        get_tagger()
        _WORKER.update(model=model, threshold=threshold, counter=counter)
        return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_ignore_sigint)
    return ProcessPoolExecutor(jobs, initializer=_init_worker,
                               initargs=(model_path, threshold, counter))


def _score_isolated(paragraphs: list[str]) -> list[tuple[str, float, float, str]]:
    """Worker: paragraphs scored alone -> (lang, lang_prob, p_boilerplate, label) each
    (the texts are not sent back: the caller has them)."""
    scored = _WORKER["model"].score(paragraphs, threshold=_WORKER["threshold"])
    return [(s.lang, s.lang_prob, s.p_boilerplate, s.label) for s in scored]


def score_paragraph_batches(batches, model, threshold: float | None = None, jobs: int = 2,
                            model_path: str | None = None):
    """Isolated scores (lists of ParagraphScore) of each batch of `batches`, in order,
    from `jobs` worker processes (in one process, Model.score is all it takes).

    `batches` yields (paragraphs, flush); `flush` (the input paused) returns every answer
    due before more input is read, so scores follow a slow pipe as they do in one process.
    """
    from .model import ParagraphScore

    items = ((paragraphs, paragraphs, flush) for paragraphs, flush in batches)
    with _worker_pool(jobs, model_path, threshold, None, model) as pool:
        for paragraphs, rows in _in_order(pool, _score_isolated, items, jobs):
            yield [ParagraphScore(text, *row) for text, row in zip(paragraphs, rows)]


# --- writing --------------------------------------------------------------------

class AtomicFile:
    """A text file that appears under its name only when complete."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self.tmp = Path(tmp)
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def write(self, s: str) -> None:
        self.fh.write(s)

    def commit(self) -> None:
        self.fh.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


def check_writable_dir(out: Path) -> None:
    """Fail before any work if the output directory cannot be created or written."""
    probe = out
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise UsageError(f"{out}: output path is not a directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError(f"{out}: output directory is not writable")


def output_path(source: str, out_dir: Path, inputs_root: dict[str, Path]) -> Path:
    """Where the cleaned copy of `source` goes: its path relative to the argument it came from."""
    src = Path(source)
    root = inputs_root.get(source)
    rel = src.relative_to(root) if root and root != src else Path(src.name)
    return out_dir / rel


def check_distinct_outputs(sources: list[str], out_dir: Path, roots: dict[str, Path]) -> None:
    """Refuse, before any work, inputs that would be written to the same output file
    (x/a.txt and y/a.txt; two directories that both hold a.txt): the second would
    silently replace the first."""
    seen: dict[Path, str] = {}
    for s in sources:
        target = output_path(s, out_dir, roots)
        if target in seen:
            raise UsageError(
                f"--out: {seen[target]} and {s} would both be written to {target}; "
                "clean them into separate --out directories")
        seen[target] = s


def render(doc: Doc, kept: list[str], opts: InputOptions) -> str:
    """The output record for one input record (text: the cleaned document; JSONL: one line)."""
    cleaned = join(kept, opts.split_mode)
    if doc.record is None:
        return cleaned
    record = dict(doc.record)
    record[opts.text_field] = cleaned
    return json.dumps(record, ensure_ascii=False)


def clean_corpus(
    paths: list[str],
    opts: InputOptions,
    model_path: str | None,
    threshold: float | None,
    jobs: int,
    out_dir: Path | None,
    removed_path: Path | None,
    stats: RunStats,
    use_repeats: bool = True,
    on_progress: Callable[[int], None] | None = None,
    model=None,
    stop_requested: Callable[[], int | None] = lambda: None,
    repeats: RepeatCounts | None = None,
    executor_for: Callable | None = None,
) -> None:
    """Clean every input record; write outputs; fill `stats`. Raises TamizError on bad input.

    `repeats`: counts made beforehand (`tamiz repeats`, another engine's first pass), used
    instead of counting the inputs here. `executor_for(counts)`: another engine's pool
    whose workers score the batches (integrations.dask.DaskExecutor) instead of local
    processes; it gets the counts once.

    `stop_requested` is polled between documents: a signal number there stops the run
    with Interrupted, after which only complete output files exist.
    """
    sources = list_inputs(paths, opts.jsonl)
    if out_dir is not None:
        if STDIN in sources:
            raise UsageError("--out needs file or directory inputs, not stdin")
        check_writable_dir(out_dir)
    if removed_path is not None:
        check_writable_dir(removed_path.parent if str(removed_path.parent) else Path("."))
    roots: dict[str, Path] = {}
    for p in paths:
        if p != STDIN and Path(p).is_dir():
            for s in sources:
                if Path(s).is_relative_to(Path(p)):
                    roots.setdefault(s, Path(p))
    if out_dir is not None:
        check_distinct_outputs(sources, out_dir, roots)

    if repeats is not None:
        check_split(repeats, opts.split_mode)
        counter, total = repeats, None  # counts of another corpus say nothing of this one's size
    else:
        counter = count_repeats(sources, opts, jobs, stop_requested) if use_repeats else None
        total = counter.paragraphs if counter is not None else None
    docs = iter_docs(sources, opts, stats)
    removed = AtomicFile(removed_path) if removed_path and not _is_special(removed_path) else None
    removed_fh = removed.fh if removed else (open(removed_path, "w", encoding="utf-8")
                                             if removed_path else None)
    current: AtomicFile | None = None
    current_source = None
    first_in_stream = True
    try:
        executor = executor_for(counter) if executor_for is not None else None
        for doc, scores in scored_docs(docs, model_path, threshold, jobs, counter, model,
                                       total=total, executor=executor):
            signum = stop_requested()
            if signum:
                raise Interrupted(signum)
            kept = [p for p, (_, _, label) in zip(doc.paragraphs, scores)
                    if label == defaults.CONTENT]
            stats.documents += 1
            stats.paragraphs += len(doc.paragraphs)
            stats.removed += len(doc.paragraphs) - len(kept)
            if removed_fh:
                for i, (p, (lang, pb, label)) in enumerate(zip(doc.paragraphs, scores)):
                    if label != defaults.CONTENT:
                        removed_fh.write(json.dumps(
                            {"doc": doc.key, "i": i, "text": p, "lang": lang,
                             "p_boilerplate": round(pb, 4)}, ensure_ascii=False) + "\n")
            out_text = render(doc, kept, opts)
            if out_dir is None:
                _write_stdout(out_text, doc, opts, first_in_stream)
                first_in_stream = False
            else:
                if doc.source != current_source:
                    if current:
                        current.commit()
                        stats.files_done.append(current_source)
                    current = AtomicFile(output_path(doc.source, out_dir, roots))
                    current_source = doc.source
                    first = True
                if opts.jsonl:
                    current.write(out_text + "\n")
                else:
                    current.write(("" if first else _doc_separator(opts)) + out_text + "\n")
                first = False
            if on_progress:
                on_progress(stats.documents)
        if current:
            current.commit()
            stats.files_done.append(current_source)
            current = None
        if out_dir is not None:
            # an input file with no records still gets its (empty) output file
            handled = set(stats.files_done) | set(stats.skipped_binary)
            for s in sources:
                if s not in handled:
                    f = AtomicFile(output_path(s, out_dir, roots))
                    f.commit()
                    stats.files_done.append(s)
        if removed:
            removed.commit()
            removed = None
    finally:
        if current:
            current.discard()
        if removed:
            removed.discard()
        elif removed_fh and removed_path and _is_special(removed_path):
            removed_fh.close()
        sys.stdout.flush()


def _is_special(path: Path) -> bool:
    """/dev/stderr and friends: written directly, not via a temporary file."""
    return str(path).startswith("/dev/") or (path.exists() and not path.is_file())


def _doc_separator(opts: InputOptions) -> str:
    # documents of several text inputs on one stream: a blank line (lines mode) or a
    # form feed line (blank mode, whose paragraphs are already blank-line separated)
    return "\n" if opts.split_mode == defaults.SPLIT_LINES else "\f\n"


def _write_stdout(text: str, doc: Doc, opts: InputOptions, first: bool) -> None:
    out = sys.stdout
    if doc.record is not None:
        out.write(text + "\n")
    else:
        out.write(("" if first else _doc_separator(opts)) + text + "\n")
