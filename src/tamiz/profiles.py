"""langdetect's language profiles as arrays, built once per machine and cached.

Building the arrays reads 55 JSON profiles and packs ~180k n-grams: about 0.3 s, paid
by every process that tags text. The result depends only on the installed profiles
and two smoothing constants, so it is kept in a cache file keyed by both; a later
process loads it in milliseconds. The cache is only ever an optimisation: a missing,
stale, unreadable or corrupt file is rebuilt, and an unwritable cache directory
means building in memory every time.

Cache directory: ``$TAMIZ_CACHE_DIR``, else ``$XDG_CACHE_HOME/tamiz``, else
``~/.cache/tamiz``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import defaults

# bump when the arrays or their meaning change, so old cache files are not read
_CACHE_FORMAT = 1
# n-grams are packed as three 21-bit code point fields; this value is no code point
# and fills the leading fields of 1- and 2-grams
PAD = (1 << 21) - 1


@dataclass(frozen=True)
class Profiles:
    languages: list[str]  # ISO codes, in column order
    keys: np.ndarray  # (n,) int64 sorted packed n-grams
    logp: np.ndarray  # (n, languages) float32 smoothed log-probabilities


def pack_grams(grams: list[str]) -> np.ndarray:
    """Integer keys of 1-3 character n-grams (leading fields of shorter ones are PAD)."""
    padded = "".join("\0" * (3 - len(g)) + g for g in grams)
    cp = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    cp = np.where(cp == 0, PAD, cp).reshape(-1, 3)
    return (cp[:, 0] << 42) | (cp[:, 1] << 21) | cp[:, 2]


def _profile_files() -> list[Path]:
    import langdetect

    return sorted((Path(langdetect.__file__).parent / "profiles").iterdir())


def build(alpha: float, files: list[Path]) -> Profiles:
    """The arrays, from the profile files themselves."""
    languages: list[str] = []
    keys, langs, probs = [], [], []
    for lang_idx, path in enumerate(files):
        profile = json.loads(path.read_text(encoding="utf-8"))
        languages.append(profile["name"])
        grams = [g for g, c in profile["freq"].items() if 1 <= len(g) <= 3 and c > 0]
        count = np.array([profile["freq"][g] for g in grams], dtype=np.float64)
        n_words = np.asarray(profile["n_words"], dtype=np.float64)
        keys.append(pack_grams(grams))
        langs.append(np.full(len(grams), lang_idx))
        probs.append(count / n_words[[len(g) - 1 for g in grams]])
    unique, row = np.unique(np.concatenate(keys), return_inverse=True)
    prob = np.zeros((len(unique), len(languages)))
    prob[row, np.concatenate(langs)] = np.concatenate(probs)
    # langdetect multiplies each language's probability by (alpha/BASE_FREQ + p)
    logp = np.log(prob + alpha / defaults.LANG_BASE_FREQ).astype(np.float32)
    return Profiles(languages, unique, logp)


def cache_dir() -> Path | None:
    """Where cache files go; None when there is nowhere (no home directory)."""
    if os.environ.get("TAMIZ_CACHE_DIR"):
        return Path(os.environ["TAMIZ_CACHE_DIR"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "tamiz"
    try:
        return Path.home() / ".cache" / "tamiz"
    except (RuntimeError, KeyError):
        return None


def _cache_path(alpha: float, files: list[Path]) -> Path | None:
    """One file name per (profile files, smoothing, format): a changed input is a new file."""
    directory = cache_dir()
    if directory is None:
        return None
    h = hashlib.sha256(f"{_CACHE_FORMAT} {alpha!r} {defaults.LANG_BASE_FREQ!r}".encode())
    for path in files:
        st = path.stat()
        h.update(f"\0{path.name} {st.st_size} {st.st_mtime_ns}".encode())
    return directory / f"langdetect-profiles-{h.hexdigest()[:16]}.npz"


def _read(path: Path) -> Profiles | None:
    """The cached arrays, or None when the file is missing or not what it should be."""
    try:
        with np.load(path, allow_pickle=False) as data:
            languages = data["languages"].tolist()
            keys, logp = data["keys"], data["logp"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    ok = (keys.dtype == np.int64 and keys.ndim == 1 and logp.dtype == np.float32
          and logp.shape == (len(keys), len(languages)) and len(keys) > 0
          and bool(np.all(keys[1:] > keys[:-1])))
    return Profiles(languages, keys, logp) if ok else None


def _write(path: Path, profiles: Profiles) -> None:
    """Write atomically (concurrent processes may race; the last rename wins, all equal)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".profiles-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, languages=np.array(profiles.languages), keys=profiles.keys,
                         logp=profiles.logp)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only or full disk only costs the next process the build time


def load(alpha: float = defaults.LANG_ALPHA) -> Profiles:
    """The profile arrays: from the cache when it holds them, else built (and cached)."""
    files = _profile_files()
    path = _cache_path(alpha, files)
    cached = _read(path) if path is not None else None
    if cached is not None:
        return cached
    profiles = build(alpha, files)
    if path is not None:
        _write(path, profiles)
    return profiles
