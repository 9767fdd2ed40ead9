"""The `tamiz` command: thin typer commands over the library.

stdout carries data only; messages go to stderr. Exit codes: 0 success, 1 data or
model error, 2 usage error, 130/143 interrupted. A closed pipe (`| head`) ends quietly.
The commands live in one module per group, each registered on the shared app below.
"""

from __future__ import annotations

import os
import signal
import sys

from typer.exceptions import Abort, Exit, TyperException

from ..errors import Interrupted, TamizError
from .common import _on_signal, _say, app

# importing a command module registers its commands on `app`, in this order in --help
from . import corpus_commands, model_commands, adapt_commands  # noqa: E402,F401,I001

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
