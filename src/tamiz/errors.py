"""Typed exceptions raised by the library; only the CLI turns them into exit codes."""


class TamizError(Exception):
    """Base class. `str(err)` is a one-line message fit for a user."""

    exit_code = 1


class DataError(TamizError):
    """Bad input data: a corpus, a labeled file. Message names file:line where it applies."""


class ModelError(TamizError):
    """A model file that is missing, not a tamiz model, incompatible or untrusted."""


class UsageError(TamizError):
    """Options that do not fit together, or an output that cannot be written."""

    exit_code = 2


class Interrupted(TamizError):
    """A run stopped on SIGINT/SIGTERM at a safe point (between documents)."""

    def __init__(self, signum: int):
        super().__init__(f"interrupted by signal {signum}")
        self.signum = signum
        self.exit_code = 128 + signum
