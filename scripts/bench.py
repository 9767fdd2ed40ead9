"""Speed and memory of tamiz, and of two baselines, on the same paragraphs.

What is measured, each as its own child process (stdout to /dev/null, input file on stdin):

* ``tamiz score`` (paragraphs alone; also with ``--jobs 2``) and ``tamiz score --doc`` (the whole file as one
  document; only up to 100k paragraphs, since it holds everything in memory at once);
* ``tamiz clean --jsonl docs_N.jsonl`` with ``--jobs 1`` and ``--jobs 2``;
* model load time (median of 3), with the language profile cache that the first tamiz
  process on a machine writes (built once, untimed, before everything else) and without
  it, and the bare interpreter + ``import tamiz.cli`` time;
* a machine check: a fixed CPU-bound workload run alone, then as two processes at once.
  Two cores rarely give two cores' worth of work (shared caches and memory bandwidth,
  other tenants of a virtual machine); the printed scaling is the ceiling that the
  ``--jobs 2 / --jobs 1`` ratio is measured against;
* ``tamiz train`` on 10k / 50k / 100k labeled paragraphs of training_data/train only
  (the shared benchmark pages are evaluation data and are never trained on);
* baselines: jusText over the same documents (one ``<p>`` per paragraph, the English
  stoplist for every page), and a plain seeded ``langdetect.detect()`` loop over the first
  ``--langdetect-max`` paragraphs of the smallest corpus (it tags a few hundred a second).

Paragraphs per second is always N / wall seconds of the whole process, start-up included.
With ``--repeat R``, the measurements of one corpus (and the two machine checks) run in
R rounds, each round running every one of them once: a machine that drifts during the
call weighs on all of them alike. The table shows medians; the target ratios between
two of them (tamiz against jusText, ``--jobs 2`` against ``--jobs 1``, the machine
check) are medians of the ratios within each round, pairs that saw the same machine.

Why whole processes: a user pays for interpreter start-up, imports and model loading
on every run, and peak memory is a property of the process, so numbers taken inside one
warm interpreter would flatter everyone. Wall time is ``time.perf_counter()`` around
spawn and reap; peak RSS is ``ru_maxrss`` from ``os.wait4`` on the child. Two caveats
follow from how Linux accounts ``ru_maxrss``:

* it is the peak of the largest single process of the child's tree (``--jobs 2``: the
  main process or one worker, whichever peaked higher), not the sum of the tree;
* a child also inherits the high-water mark of the process that spawned it. So this
  script keeps itself small: the corpora are built in a separate process, and the
  script's own peak (the floor below which no reading means anything) is recorded.

Corpora (10k, 100k, 500k paragraphs) come from training_data/**/*.jsonl and the shared
benchmark pages (``--bench-data``; skipped when absent). Documents stay whole and in
order; the sources are interleaved in proportion to their size, so every corpus has
about the same mix and sizes compare fairly, and the documents are cycled (repeats get
ids like ``docid#2``) until the size is reached. Each corpus is written twice: one
paragraph per line (``paras_N.txt``) and one JSON document per line (``docs_N.jsonl``).

Engines (``--engines``, or ``--engines-only`` for this section alone): a corpus of
``--engine-docs`` documents (default 20,000; the same documents, cycled, in 8 JSON Lines
files) is counted once (``tamiz repeats --jobs 2``) and cleaned with those counts by
``clean --jobs 1``, ``clean --jobs 2``, a datatrove LocalPipelineExecutor (2 tasks, 2
workers), ``clean --engine dask`` (a LocalCluster of 2 workers) and ``datasets.map``
(``num_proc=2``). The cleaned text of every record id must be identical across the five;
the table shows documents per second per worker process (wall time of the whole run,
start-up included) and each engine against ``clean --jobs 2``, paired within rounds.

Usage: python scripts/bench.py [--quick] [--sizes 10000,100000] [--repeat 3]
       python scripts/bench.py --engines-only [--engine-docs 20000] [--repeat 3]
The table goes to stdout; all numbers also go to results.json in the work directory.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAINING_DATA = ROOT / "training_data"
BENCH_DATA = ROOT.parent / "shared" / "bench" / "paragraphs.jsonl"
WORKDIR = Path("/tmp/bench")
DEFAULT_SIZES = (10_000, 100_000, 500_000)
TRAIN_SIZES = (10_000, 50_000, 100_000)
DOC_MODE_MAX = 100_000  # `score --doc` keeps the whole input in memory as one document
LANGDETECT_MAX = 10_000  # the langdetect loop runs at a few hundred paragraphs/s
LOAD_RUNS = 3
# settings that change the numbers when set (thread pools, the model used)
ENV_REPORTED = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TAMIZ_MODEL")
# characters that would break a paragraph across lines in one reader and not another
LINE_BREAKS = str.maketrans(dict.fromkeys("\r\n\x85\u2028\u2029", " "))

# --- child programs (run with -c; argv[1:] as shown) ------------------------------

# the language profiles are read on first use; a scoring process always needs them
LOAD_CODE = """\
import sys, time
t = time.perf_counter()
import tamiz
from tamiz.language import get_tagger
tamiz.load_model(sys.argv[1] or None)
get_tagger()
print(time.perf_counter() - t)
"""

# the first process on a machine builds the language profile arrays and caches them
# (tamiz.profiles); this one is kept from the cache, so it always pays for the build
LOAD_COLD_CODE = "import os, tempfile; os.environ['TAMIZ_CACHE_DIR'] = tempfile.mkdtemp()\n" + LOAD_CODE

IMPORT_CODE = "import tamiz.cli"

# The machine's own limit for --jobs 2: the same CPU-bound work (Python dictionaries and
# numpy row gathers, as in scoring) run once, then as two processes at once. Perfect
# scaling keeps the wall time; shared caches, memory bandwidth and a busy host do not.
MACHINE_WORK_CODE = """\
import numpy as np
rng = np.random.default_rng(0)
table = rng.standard_normal((90_000, 55)).astype(np.float32)
rows = rng.integers(0, len(table), 400_000)
words = [str(k) * 3 for k in range(200_000)]
for _ in range(6):
    table[rows].sum(axis=0)
    index = {w: len(w) for w in words}
"""
MACHINE_PAIR_CODE = """\
import subprocess, sys
procs = [subprocess.Popen([sys.executable, "-c", sys.argv[1]]) for _ in range(2)]
sys.exit(max(p.wait() for p in procs))
"""

# argv: docs.jsonl. One HTML page per document, one <p> per paragraph.
JUSTEXT_CODE = """\
import html, json, sys
import justext
stoplist = justext.get_stoplist("English")
kept = 0
with open(sys.argv[1], encoding="utf-8") as fh:
    for line in fh:
        paragraphs = json.loads(line)["text"].split("\\n")
        page = "<html><body>" + "".join(
            "<p>" + html.escape(p) + "</p>" for p in paragraphs) + "</body></html>"
        kept += sum(not p.is_boilerplate for p in justext.justext(page, stoplist))
print(kept)
"""

# stdin: one paragraph per line; argv: the most paragraphs to tag.
LANGDETECT_CODE = """\
import sys
from langdetect import DetectorFactory, detect
from langdetect.lang_detect_exception import LangDetectException
DetectorFactory.seed = 0
limit, n = int(sys.argv[1]), 0
for line in sys.stdin:
    text = line.strip()
    if not text:
        continue
    if n >= limit:
        break
    try:
        lang = detect(text)
    except LangDetectException:
        lang = "und"
    sys.stdout.write(lang + "\\n")
    n += 1
"""


# argv: input dir, counts file, output dir, logging dir, tasks. The cleaning pass of a
# datatrove pipeline; its first pass is `tamiz repeats` (TamizRepeatCounter's merged
# counts are the same, tests/test_same_answers.py).
DATATROVE_CODE = """\
import sys
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from tamiz.integrations.datatrove import TamizCleaner
src, counts, out, logs, tasks = sys.argv[1:6]
LocalPipelineExecutor([JsonlReader(src), TamizCleaner(repeats=counts),
                       JsonlWriter(out, compression=None)],
                      tasks=int(tasks), workers=int(tasks), logging_dir=logs).run()
"""

# argv: input dir, counts file, output file, processes
HF_CODE = """\
import glob, sys
import datasets
from tamiz.integrations.hf import clean_batch
datasets.disable_progress_bars()
src, counts, out, procs = sys.argv[1:5]
ds = datasets.Dataset.from_json(sorted(glob.glob(src + "/*.jsonl")))
ds = ds.map(clean_batch, batched=True, num_proc=int(procs), fn_kwargs={"repeats": counts})
ds.select_columns(["id", "text"]).to_json(out, lines=True, force_ascii=False)
"""


# --- corpora ----------------------------------------------------------------------

@dataclass
class Document:
    id: str
    rows: list[dict]  # labeled rows in `i` order


def read_documents(path: Path) -> list[Document]:
    """A labeled JSON Lines file -> its documents, in first-appearance order."""
    docs: dict[str, list[dict]] = {}
    with open(path, encoding="utf-8-sig") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                row["text"] = row["text"].translate(LINE_BREAKS).strip()
                if row["text"]:
                    docs.setdefault(str(row.get("doc", path.name)), []).append(row)
    return [Document(doc, sorted(rows, key=lambda r: r.get("i", 0))) for doc, rows in docs.items()]


def interleave(sources: list[list[Document]]) -> list[Document]:
    """Merge sources keeping each one's order, so any prefix has about the whole's mix.

    A document sorts by the middle of its paragraph span as a share of its source.
    """
    keyed = []
    for s, docs in enumerate(sources):
        total = sum(len(d.rows) for d in docs) or 1
        done = 0
        for k, d in enumerate(docs):
            keyed.append(((done + len(d.rows) / 2) / total, s, k, d))
            done += len(d.rows)
    keyed.sort(key=lambda e: e[:3])
    return [e[3] for e in keyed]


def cycle(docs: list[Document], n: int) -> list[Document]:
    """Whole documents, cycled from the start until they hold at least n paragraphs."""
    if not any(d.rows for d in docs):
        raise SystemExit("bench: no paragraphs to build a corpus from")
    out: list[Document] = []
    count, lap = 0, 1
    while count < n:
        for d in docs:
            if count >= n:
                break
            out.append(Document(d.id if lap == 1 else f"{d.id}#{lap}", d.rows))
            count += len(d.rows)
        lap += 1
    return out


def corpus_sources(training: Path, bench_data: Path | None) -> list[Path]:
    files = sorted(training.glob("**/*.jsonl"))
    if bench_data is not None and bench_data.is_file():
        files.append(bench_data)
    return files


def write_corpus(docs: list[Document], workdir: Path, size: int) -> dict:
    """paras_N.txt (for `score`) and docs_N.jsonl (for `clean --jsonl`, jusText)."""
    paras, jsonl = workdir / f"paras_{size}.txt", workdir / f"docs_{size}.jsonl"
    with open(paras, "w", encoding="utf-8") as p, open(jsonl, "w", encoding="utf-8") as j:
        for d in docs:
            texts = [r["text"] for r in d.rows]
            p.write("\n".join(texts) + "\n")
            j.write(json.dumps({"id": d.id, "text": "\n".join(texts)}, ensure_ascii=False) + "\n")
    return {"size": size, "paragraphs": sum(len(d.rows) for d in docs), "documents": len(docs),
            "paras": str(paras), "docs": str(jsonl), "mib": round(jsonl.stat().st_size / 2**20, 1)}


def write_training_set(docs: list[Document], workdir: Path, size: int) -> dict:
    """A directory of one labeled JSON Lines file; repeated documents get new `doc` ids."""
    out = workdir / f"train_{size}"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "train.jsonl", "w", encoding="utf-8") as fh:
        for d in docs:
            for row in d.rows:
                fh.write(json.dumps({**row, "doc": d.id}, ensure_ascii=False) + "\n")
    return {"size": size, "paragraphs": sum(len(d.rows) for d in docs), "documents": len(docs),
            "dir": str(out)}


def build_inputs(training: str, bench_data: str | None, workdir: str,
                 sizes: list[int], train_sizes: list[int]) -> dict:
    """Write every corpus and training set; returns their manifest. Runs in its own process."""
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    sources = corpus_sources(Path(training), Path(bench_data) if bench_data else None)
    docs = interleave([read_documents(f) for f in sources])
    corpora = {str(n): write_corpus(cycle(docs, n), work, n) for n in sizes}
    # training sets: training_data/train only, never validation or benchmark pages
    train_docs = interleave([read_documents(f) for f in sorted((Path(training) / "train").glob("*.jsonl"))])
    train_sets = {str(n): write_training_set(cycle(train_docs, n), work, n) for n in train_sizes}
    return {"sources": [str(f) for f in sources], "corpora": corpora, "train_sets": train_sets}


def build_in_child(args, sizes: list[int], train_sizes: list[int]) -> dict:
    """Build the inputs in a fresh interpreter, so this process's peak RSS stays small."""
    bench = str(args.bench_data) if args.bench_data and args.bench_data.is_file() else None
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(build_inputs, (str(args.training_data), bench, str(args.workdir),
                                         sizes, train_sizes))


# --- running and measuring children -----------------------------------------------

@dataclass
class Run:
    wall_s: float
    maxrss_kib: int
    exit_code: int
    stdout: str = ""
    timed_out: bool = False


@dataclass
class Measurement:
    name: str
    size: int | None  # the nominal size, or None (start-up measurements)
    paragraphs: int | None  # what the process actually handled
    cmd: list[str]
    runs: list[Run] = field(default_factory=list)
    error: str | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.runs)

    @property
    def wall_s(self) -> float | None:
        return statistics.median(r.wall_s for r in self.runs) if self.ok else None

    @property
    def rss_mib(self) -> float | None:
        return statistics.median(r.maxrss_kib for r in self.runs) / 1024 if self.ok else None

    @property
    def paragraphs_per_s(self) -> float | None:
        if not self.ok or not self.paragraphs:
            return None
        return self.paragraphs / self.wall_s

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(wall_s=self.wall_s, rss_mib=self.rss_mib, paragraphs_per_s=self.paragraphs_per_s)
        return d


def run_child(cmd: list[str], stdin: Path | None, log: Path, timeout: float | None,
              capture: bool = False) -> Run:
    """Spawn, wait with os.wait4, and return wall seconds, peak RSS (KiB) and exit code."""
    out_path = log.with_suffix(".out")
    timed_out = threading.Event()
    with open(stdin or os.devnull, "rb") as fin, open(log, "wb") as ferr, \
            open(out_path if capture else os.devnull, "wb") as fout:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=fin, stdout=fout, stderr=ferr)
        timer = threading.Timer(timeout, lambda: (timed_out.set(), proc.terminate())) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            if timer:
                timer.cancel()
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = out_path.read_text(encoding="utf-8", errors="replace") if capture else ""
    return Run(wall, usage.ru_maxrss, proc.returncode, stdout, timed_out.is_set())


def _failure(run: Run, log: Path) -> str:
    if run.timed_out:
        return f"stopped after {run.wall_s:.0f} s (--timeout)"
    lines = [ln.strip() for ln in log.read_text(encoding="utf-8", errors="replace").splitlines()
             if ln.strip()]
    errors = [ln for ln in lines if "Error" in ln or "error:" in ln]  # a traceback's last word
    return f"exit {run.exit_code} after {run.wall_s:.0f} s: {(errors or lines or ['(no message)'])[-1]}"


def measure(m: Measurement, stdin: Path | None, repeat: int, ctx: dict,
            capture: bool = False) -> Measurement:
    """Run a measurement `repeat` times (stopping at the first failure) and print a line."""
    return measure_rounds([(m, stdin)], repeat, ctx, capture)[0]


def measure_rounds(items: list[tuple[Measurement, Path | None]], repeat: int, ctx: dict,
                   capture: bool = False) -> list[Measurement]:
    """Run the measurements one after the other, `repeat` rounds of that (A B C A B C ...,
    not A A B B C C), so a machine that slows down or speeds up during the call weighs
    on all of them alike, and round k of two measurements makes a pair (see _paired).
    A measurement that fails is not run again."""
    for k in range(repeat):
        for m, stdin in items:
            if m.error:
                continue
            slug = "".join(c if c.isalnum() else "_" for c in f"{m.name}_{m.size or ''}").strip("_")
            log = ctx["logs"] / f"{slug}.{k + 1}.err"
            print(f"bench: round {k + 1}/{repeat}: {m.name} [{m.size or '-'}] ...", end="",
                  file=sys.stderr, flush=True)
            run = run_child(m.cmd, stdin, log, ctx["timeout"], capture)
            if run.exit_code != 0 or run.timed_out:
                m.error = _failure(run, log)
            else:
                m.runs.append(run)
            print(f" {m.error or f'{run.wall_s:.2f} s, {run.maxrss_kib / 1024:.0f} MiB'}",
                  file=sys.stderr, flush=True)
    for m, _ in items:
        ctx["results"].append(m)
    return [m for m, _ in items]


# --- the measurements ---------------------------------------------------------------

def tamiz_cmd(ctx: dict, *args: str) -> list[str]:
    model = ["--model", str(ctx["model"])] if ctx["model"] else []
    return [*ctx["tamiz"], *args, *model]


def measure_startup(ctx: dict) -> None:
    runs = max(LOAD_RUNS, ctx["repeat"])
    load = measure(Measurement("model load (import, model, profiles)", None, None,
                               [ctx["python"], "-c", LOAD_CODE, str(ctx["model"] or "")]),
                   None, runs, ctx, capture=True)
    if load.ok:
        seconds = statistics.median(float(r.stdout.split()[-1]) for r in load.runs)
        load.note = f"in-process load {seconds:.2f} s"
        ctx["load_seconds"] = seconds
    cold = measure(Measurement("model load, no profile cache", None, None,
                               [ctx["python"], "-c", LOAD_COLD_CODE, str(ctx["model"] or "")]),
                   None, runs, ctx, capture=True)
    if cold.ok:
        cold.note = ("in-process load "
                     f"{statistics.median(float(r.stdout.split()[-1]) for r in cold.runs):.2f} s")
    measure(Measurement("python -c 'import tamiz.cli'", None, None,
                        [ctx["python"], "-c", IMPORT_CODE]), None, runs, ctx)


def measure_machine(ctx: dict) -> None:
    one, two = measure_rounds([
        (Measurement("machine check: 1 process", None, None,
                     [ctx["python"], "-c", MACHINE_WORK_CODE]), None),
        (Measurement("machine check: 2 processes at once", None, None,
                     [ctx["python"], "-c", MACHINE_PAIR_CODE, MACHINE_WORK_CODE]), None),
    ], ctx["repeat"], ctx)
    scaling = _paired(one, two, lambda a, b: 2 * a.wall_s / b.wall_s)
    if scaling is not None:
        ctx["machine_scaling"] = scaling
        two.note = f"2 processes do {scaling:.2f}x the work of 1 per second"


def measure_corpus(ctx: dict, corpus: dict) -> None:
    n, paras, docs = corpus["size"], Path(corpus["paras"]), Path(corpus["docs"])
    count = corpus["paragraphs"]
    items = [(Measurement("tamiz score", n, count, tamiz_cmd(ctx, "score")), paras),
             (Measurement("tamiz score --jobs 2", n, count,
                          tamiz_cmd(ctx, "score", "--jobs", "2")), paras)]
    if n <= DOC_MODE_MAX:
        items.append((Measurement("tamiz score --doc", n, count,
                                  tamiz_cmd(ctx, "score", "--doc")), paras))
    items += [(Measurement(f"tamiz clean --jobs {jobs}", n, count,
                           tamiz_cmd(ctx, "clean", "--jsonl", str(docs), "--jobs", str(jobs))), None)
              for jobs in (1, 2)]
    items.append((Measurement("jusText", n, count,
                              [ctx["python"], "-c", JUSTEXT_CODE, str(docs)]), None))
    measure_rounds(items, ctx["repeat"], ctx)


def measure_langdetect(ctx: dict, corpus: dict) -> None:
    n = min(corpus["paragraphs"], ctx["langdetect_max"])
    m = Measurement("langdetect loop", corpus["size"], n,
                    [ctx["python"], "-c", LANGDETECT_CODE, str(n)])
    m.note = f"first {n} paragraphs of the {corpus['size']} corpus"
    measure(m, Path(corpus["paras"]), ctx["repeat"], ctx)


def measure_train(ctx: dict, train_set: dict) -> None:
    n = train_set["size"]
    out = ctx["workdir"] / f"model_{n}"
    m = Measurement("tamiz train", n, train_set["paragraphs"],
                    [*ctx["tamiz"], "train", train_set["dir"], "--out", str(out), "--force"])
    m.note = f"{train_set['documents']} documents"
    measure(m, None, ctx["repeat"], ctx)


# --- report -------------------------------------------------------------------------

def _find(results: list[Measurement], name: str, size: int | None = None) -> Measurement | None:
    for m in results:
        if m.name == name and (size is None or m.size == size) and m.ok:
            return m
    return None


def _k(n: int | None) -> str:
    if n is None:
        return "-"
    return f"{n // 1000}k" if n % 1000 == 0 else f"{n:,}"


def _paired(a: Measurement | None, b: Measurement | None, fn) -> float | None:
    """fn(run of a, run of b), as the median over the rounds in which both ran (pairs
    taken in the same round see the same machine); None without such a round."""
    if not (a and b and a.runs and b.runs):
        return None
    return statistics.median(fn(x, y) for x, y in zip(a.runs, b.runs))


def _throughput(a: Measurement, b: Measurement):
    """paragraphs/s of a run of a over paragraphs/s of a run of b."""
    return lambda x, y: (a.paragraphs / x.wall_s) / (b.paragraphs / y.wall_s)


def _ratio(name: str, value: float | None, op: str, target: float, why: str = "") -> dict:
    met = None if value is None else (value >= target if op == ">=" else
                                      value <= target if op == "<=" else value < target)
    return {"name": name, "value": value, "op": op, "target": target, "met": met, "note": why}


def ratios(results: list[Measurement], sizes: list[int], ctx: dict) -> list[dict]:
    """The numbers the project's targets are about."""
    out = []
    for n in sizes:
        score, just = _find(results, "tamiz score", n), _find(results, "jusText", n)
        out.append(_ratio(f"tamiz score / jusText, paragraphs/s @{_k(n)}",
                          _paired(score, just, _throughput(score, just)) if score and just else None,
                          ">=", 1.0))
    lang = _find(results, "langdetect loop")
    score = _find(results, "tamiz score", lang.size) if lang else None
    out.append(_ratio(f"tamiz score / langdetect loop, paragraphs/s @{_k(lang.size) if lang else '?'}",
                      score.paragraphs_per_s / lang.paragraphs_per_s if score and lang else None,
                      ">=", 15.0))
    scaling = ctx.get("machine_scaling")
    for n in sizes:
        j1, j2 = _find(results, "tamiz clean --jobs 1", n), _find(results, "tamiz clean --jobs 2", n)
        out.append(_ratio(f"clean --jobs 2 / --jobs 1, paragraphs/s @{_k(n)}",
                          _paired(j2, j1, _throughput(j2, j1)) if j1 and j2 else None,
                          ">=", 1.7, f"machine check: {scaling:.2f}" if scaling else ""))
    small, big = min(sizes), max(sizes)
    lo, hi = _find(results, "tamiz clean --jobs 1", small), _find(results, "tamiz clean --jobs 1", big)
    out.append(_ratio(f"clean --jobs 1 peak RSS @{_k(big)} / @{_k(small)}",
                      hi.rss_mib / lo.rss_mib if lo and hi and big != small else None, "<=", 1.3,
                      "" if big != small else "needs two sizes"))
    train = _find(results, "tamiz train", 100_000)
    out.append(_ratio("tamiz train @100k, wall s", train.wall_s if train else None, "<", 120.0,
                      "" if train or 100_000 in ctx["train_sizes"] else "not run"))
    out.append(_ratio("model load, s (in-process, median)", ctx.get("load_seconds"), "<", 1.0))
    return out


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def print_table(results: list[Measurement], manifest: dict, rows: list[dict], ctx: dict) -> None:
    sources = manifest["sources"]
    extra = [s for s in sources if not Path(s).is_relative_to(ctx["training_data"])]
    print(f"corpora: {len(sources) - len(extra)} files of {ctx['training_data']}"
          + "".join(f" + {s}" for s in extra))
    for c in manifest["corpora"].values():
        print(f"  {_k(c['size']):>5}: {c['paragraphs']:,} paragraphs in {c['documents']:,} documents,"
              f" {c['mib']} MiB of JSON Lines")
    print(f"model: {ctx['model'] or 'shipped'}; {ctx['repeat']} round(s), medians (ratios: of pairs);"
          f" {os.cpu_count()} CPUs, load average {ctx['load_before']:.2f} before / {ctx['load_after']:.2f} after;"
          f" RSS floor (this script's peak) {ctx['rss_floor_mib']:.0f} MiB\n")
    head = f"{'measurement':<36} {'size':>5} {'paragraphs/s':>13} {'wall s':>8} {'peak RSS MiB':>13}  note"
    print(head)
    print("-" * len(head))
    for m in results:
        note = f"FAILED: {m.error}" if m.error else m.note
        print(f"{m.name:<36} {_k(m.size):>5} {_fmt(m.paragraphs_per_s, ',.0f'):>13}"
              f" {_fmt(m.wall_s, '.2f'):>8} {_fmt(m.rss_mib, '.0f'):>13}  {note}")
    print("\ntargets:")
    for r in rows:
        verdict = {True: "ok", False: "MISSED", None: "n/a"}[r["met"]]
        value = _fmt(r["value"], ".2f")
        extra = f" ({r['note']})" if r["note"] else ""
        print(f"  {r['name']:<52} {value:>8}   target {r['op']} {r['target']:g}   {verdict}{extra}")


# --- entry point ----------------------------------------------------------------------

# --- engines: the same answers, and throughput per worker -----------------------------

ENGINE_FILES = 8
ENGINE_WORKERS = 2


def build_engine_corpus(training: str, bench_data: str | None, out_dir: str, n_docs: int) -> dict:
    """n_docs whole documents (cycled, ids made unique) in ENGINE_FILES JSON Lines files."""
    sources = corpus_sources(Path(training), Path(bench_data) if bench_data else None)
    docs = interleave([read_documents(f) for f in sources])
    picked, lap = [], 1
    while len(picked) < n_docs:
        picked += [Document(d.id if lap == 1 else f"{d.id}#{lap}", d.rows)
                   for d in docs[: n_docs - len(picked)]]
        lap += 1
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    per_file = -(-len(picked) // ENGINE_FILES)
    for f in range(ENGINE_FILES):
        with open(out / f"part-{f}.jsonl", "w", encoding="utf-8") as fh:
            for d in picked[f * per_file:(f + 1) * per_file]:
                fh.write(json.dumps({"id": d.id, "text": "\n".join(r["text"] for r in d.rows)},
                                    ensure_ascii=False) + "\n")
    return {"documents": len(picked), "paragraphs": sum(len(d.rows) for d in picked),
            "distinct_documents": len(docs), "dir": str(out)}


def _texts_by_id(paths: list[Path]) -> dict[str, str]:
    out = {}
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    r = json.loads(line)
                    out[str(r["id"])] = r["text"]
    return out


def measure_engines(args, ctx: dict) -> list[dict]:
    """The five paths on one corpus with one first pass: identity, then throughput."""
    work = ctx["workdir"] / "engines"
    bench = str(args.bench_data) if args.bench_data and args.bench_data.is_file() else None
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        corpus = pool.apply(build_engine_corpus, (str(args.training_data), bench,
                                                  str(work / "in"), args.engine_docs))
    ctx["engine_corpus"] = corpus
    src, counts, w = Path(corpus["dir"]), work / "counts.tamizrep", str(ENGINE_WORKERS)
    n = corpus["documents"]
    env = dict(os.environ, HF_HOME=str(work / "hf"))
    first = Measurement("engines: tamiz repeats --jobs 2", n, corpus["paragraphs"],
                        tamiz_cmd(ctx, "repeats", "--jsonl", str(src), "--out", str(counts),
                                  "--jobs", w))
    measure(first, None, 1, ctx)
    if first.error:
        return []
    outs = {name: work / f"out-{k}" for k, name in enumerate(
        ("clean --jobs 1", "clean --jobs 2", "datatrove", "dask", "datasets"))}
    shell = ["/bin/sh", "-c"]
    clean = tamiz_cmd(ctx, "clean", "--jsonl", str(src), "--repeats", str(counts))

    def to(path):  # a command whose stdout goes to a file: run through sh
        return lambda cmd: [*shell, " ".join(map(_quote, cmd)) + " > " + _quote(str(path))]

    items = [
        (Measurement("engines: clean --jobs 1", n, 1, to(outs["clean --jobs 1"])(clean + ["--jobs", "1"])), None),
        (Measurement("engines: clean --jobs 2", n, ENGINE_WORKERS, to(outs["clean --jobs 2"])(clean + ["--jobs", w])), None),
        (Measurement("engines: datatrove 2 tasks", n, ENGINE_WORKERS,
                     ["/usr/bin/env", f"HF_HOME={env['HF_HOME']}", ctx["python"], "-c", DATATROVE_CODE,
                      str(src), str(counts), str(outs["datatrove"]), str(work / "dt-logs"), w]), None),
        (Measurement("engines: clean --engine dask (2 workers)", n, ENGINE_WORKERS,
                     to(outs["dask"])(clean + ["--engine", "dask", "--jobs", w])), None),
        (Measurement("engines: datasets.map num_proc=2", n, ENGINE_WORKERS,
                     ["/usr/bin/env", f"HF_HOME={env['HF_HOME']}", ctx["python"], "-c", HF_CODE,
                      str(src), str(counts), str(outs["datasets"]), w]), None),
    ]
    # `paragraphs` of these measurements holds the worker count (documents per worker below)
    for m, _ in items:
        m.note = "workers"
    import shutil

    for k in range(args.repeat):
        for out in outs.values():
            shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)
        shutil.rmtree(work / "dt-logs", ignore_errors=True)
        measure_rounds(items, 1, ctx)
        ctx["results"] = [m for m in ctx["results"] if m not in [i for i, _ in items]]
    ctx["results"].extend(m for m, _ in items)
    texts = {name: _texts_by_id(sorted(p.glob("*.jsonl")) if p.is_dir() else [p])
             for name, p in outs.items() if p.exists()}
    ref = texts.get("clean --jobs 1", {})
    identity = {}
    for name, got in texts.items():
        if name == "datatrove":  # it drops documents left empty (and its reader, empty ones)
            expected = {k: v for k, v in ref.items() if v}
        else:
            expected = ref
        identity[name] = {"records": len(got), "identical": got == expected,
                          "differing": sum(got.get(k) != v for k, v in expected.items())}
    ctx["engine_identity"] = identity
    rows = []
    base = next(m for m, _ in items if m.name == "engines: clean --jobs 2")
    for m, _ in items:
        per_worker = (n / m.wall_s / m.paragraphs) if m.ok else None
        pairs = [(n / r.wall_s / m.paragraphs) / (n / b.wall_s / base.paragraphs)
                 for r, b in zip(m.runs, base.runs)]
        rows.append({"name": m.name, "workers": m.paragraphs, "wall_s": m.wall_s,
                     "docs_per_s_per_worker": per_worker,
                     "vs_clean_jobs_2": statistics.median(pairs) if pairs else None})
    ctx["engine_rows"] = rows
    return rows


def _quote(s: str) -> str:
    import shlex

    return shlex.quote(s)


def print_engines(ctx: dict) -> None:
    corpus = ctx.get("engine_corpus")
    if not corpus:
        return
    print(f"\nEngines: {corpus['documents']:,} documents ({corpus['paragraphs']:,} paragraphs; "
          f"{corpus['distinct_documents']:,} distinct documents, cycled), counts from one "
          "`tamiz repeats --jobs 2`")
    print(f"{'path':<44} {'workers':>7} {'wall s':>8} {'docs/s/worker':>14} {'vs clean --jobs 2':>18}")
    for r in ctx.get("engine_rows", []):
        print(f"{r['name'].removeprefix('engines: '):<44} {r['workers']:>7} "
              f"{_fmt(r['wall_s'], '.2f'):>8} {_fmt(r['docs_per_s_per_worker'], ',.0f'):>14} "
              f"{_fmt(r['vs_clean_jobs_2'], '.2f'):>18}")
    for name, ident in ctx.get("engine_identity", {}).items():
        print(f"identity vs clean --jobs 1: {name:<16} {ident['records']:>7,} records, "
              f"{'identical' if ident['identical'] else str(ident['differing']) + ' differ'}")


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text!r}")
    if not sizes or sizes[0] <= 0:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES),
                   help="corpus sizes in paragraphs (default: 10000,100000,500000)")
    p.add_argument("--train-sizes", type=_sizes, default=list(TRAIN_SIZES),
                   help="labeled training set sizes (default: 10000,50000,100000)")
    p.add_argument("--quick", action="store_true",
                   help="only the smallest corpus and the smallest training set")
    p.add_argument("--repeat", type=int, default=1, help="rounds of runs (see above); medians are kept")
    p.add_argument("--workdir", type=Path, default=WORKDIR, help="scratch directory (default: /tmp/bench)")
    p.add_argument("--json", type=Path, help="results file (default: WORKDIR/results.json)")
    p.add_argument("--training-data", type=Path, default=TRAINING_DATA)
    p.add_argument("--bench-data", type=Path, default=BENCH_DATA,
                   help="extra labeled pages for the corpora, never trained on (skipped if absent)")
    p.add_argument("--model", type=Path, help="model directory for score/clean/load [default: shipped]")
    p.add_argument("--langdetect-max", type=int, default=LANGDETECT_MAX,
                   help="paragraphs tagged by the langdetect loop (default: 10000)")
    p.add_argument("--timeout", type=float, default=3600, help="seconds before a child is stopped")
    p.add_argument("--engines", action="store_true",
                   help="also run the engines section (datatrove, Dask, datasets vs clean --jobs)")
    p.add_argument("--engines-only", action="store_true", help="run only the engines section")
    p.add_argument("--engine-docs", type=int, default=20_000,
                   help="documents in the engines section's corpus (default: 20000)")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if args.quick:
        args.sizes, args.train_sizes = args.sizes[:1], args.train_sizes[:1]
    return args


def tamiz_exe() -> list[str]:
    script = Path(sys.executable).parent / "tamiz"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "tamiz"]


def run_all(args: argparse.Namespace, manifest: dict, ctx: dict) -> list[Measurement]:
    """Every measurement, in the order printed."""
    # build the language profile cache once, untimed: every later process maps it
    run_child([ctx["python"], "-c", LOAD_CODE, str(ctx["model"] or "")], None,
              ctx["logs"] / "warm_cache.err", ctx["timeout"])
    measure_machine(ctx)
    measure_startup(ctx)
    for n in args.sizes:
        measure_corpus(ctx, manifest["corpora"][str(n)])
    measure_langdetect(ctx, manifest["corpora"][str(args.sizes[0])])
    for n in args.train_sizes:
        measure_train(ctx, manifest["train_sets"][str(n)])
    return ctx["results"]


def write_json(path: Path, args: argparse.Namespace, ctx: dict, manifest: dict,
               results: list[Measurement], rows: list[dict]) -> None:
    meta = {"started": ctx["started"], "seconds": ctx["seconds"],
            "python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "model": str(args.model) if args.model else None,
            "repeat": args.repeat, "rss_floor_mib": ctx["rss_floor_mib"],
            "load_average": [ctx["load_before"], ctx["load_after"]],
            "env": {k: os.environ.get(k) for k in ENV_REPORTED}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "inputs": manifest,
                                "measurements": [m.to_dict() for m in results],
                                "targets": rows}, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = args.workdir.resolve()
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    print(f"bench: writing corpora under {workdir} ...", file=sys.stderr, flush=True)
    if args.engines_only:
        args.sizes, args.train_sizes = [], []
    manifest = build_in_child(args, args.sizes, args.train_sizes)
    ctx = {"python": sys.executable, "tamiz": tamiz_exe(), "model": args.model,
           "repeat": args.repeat, "timeout": args.timeout, "workdir": workdir, "logs": logs,
           "langdetect_max": args.langdetect_max, "train_sizes": args.train_sizes,
           "training_data": args.training_data.resolve(), "results": [],
           "rss_floor_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "load_before": os.getloadavg()[0],
           "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if ctx["load_before"] > 0.5 * (os.cpu_count() or 1):
        print(f"bench: warning: load average {ctx['load_before']:.2f} on {os.cpu_count()} CPUs;"
              " other work will inflate these timings", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    results = run_all(args, manifest, ctx) if not args.engines_only else []
    if args.engines or args.engines_only:
        measure_engines(args, ctx)
        results = ctx["results"]
    ctx["seconds"] = round(time.perf_counter() - t0, 1)
    ctx["load_after"] = os.getloadavg()[0]
    rows = ratios(results, args.sizes, ctx) if args.sizes else []
    if not args.engines_only:
        print_table(results, manifest, rows, ctx)
    print_engines(ctx)
    manifest["engines"] = {"corpus": ctx.get("engine_corpus"), "rows": ctx.get("engine_rows"),
                           "identity": ctx.get("engine_identity")}
    out = args.json or workdir / "results.json"
    write_json(out, args, ctx, manifest, results, rows)
    print(f"\nresults: {out}")
    broken = any(not i["identical"] for i in ctx.get("engine_identity", {}).values())
    return 1 if broken or any(m.error for m in results) else 0


if __name__ == "__main__":
    sys.exit(main())
