"""langdetect's language profiles as arrays, built once per machine and cached.

Building the arrays reads 55 JSON profiles and packs ~180k n-grams: about 0.3 s, paid
by every process that tags text. The result depends only on the installed profiles
and two smoothing constants, so it is kept in a cache directory keyed by both; a later
process maps it into memory in about a millisecond. The cache is only ever an
optimisation: a missing, stale, unreadable or corrupt copy is rebuilt, and an
unwritable cache directory means building in memory every time.

Cache directory: ``$TAMIZ_CACHE_DIR``, else ``$XDG_CACHE_HOME/tamiz``, else
``~/.cache/tamiz``.
"""

from __future__ import annotations

import hashlib
import json
import os
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
    """One directory per (profile files, smoothing, format): a changed input is a new one."""
    directory = cache_dir()
    if directory is None:
        return None
    h = hashlib.sha256(f"{_CACHE_FORMAT} {alpha!r} {defaults.LANG_BASE_FREQ!r}".encode())
    for path in files:
        st = path.stat()
        h.update(f"\0{path.name} {st.st_size} {st.st_mtime_ns}".encode())
    return directory / f"langdetect-profiles-{h.hexdigest()[:16]}"


def _read(path: Path) -> Profiles | None:
    """The cached arrays (memory-mapped: read-only, shared by processes, loaded as
    touched), or None when they are missing or not what they should be."""
    try:
        languages = json.loads((path / "languages.json").read_text(encoding="utf-8"))
        # plain arrays over the maps (the np.memmap subclass slows every operation a little)
        keys = np.asarray(np.load(path / "keys.npy", mmap_mode="r", allow_pickle=False))
        logp = np.asarray(np.load(path / "logp.npy", mmap_mode="r", allow_pickle=False))
    except (OSError, ValueError, UnicodeDecodeError):  # JSONDecodeError is a ValueError
        return None
    ok = (isinstance(languages, list) and all(isinstance(x, str) for x in languages)
          and keys.dtype == np.int64 and keys.ndim == 1 and logp.dtype == np.float32
          and logp.shape == (len(keys), len(languages)) and len(keys) > 0
          and bool(np.all(keys[1:] > keys[:-1])))
    return Profiles(languages, keys, logp) if ok else None


def _write(path: Path, profiles: Profiles) -> None:
    """Write a temporary directory, then rename it into place. A process that loses a
    race to the same name drops its copy (both hold the same arrays)."""
    import shutil
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=".profiles-"))
    except OSError:
        return  # a read-only or full disk only costs the next process the build time
    try:
        (tmp / "languages.json").write_text(json.dumps(profiles.languages), encoding="utf-8")
        np.save(tmp / "keys.npy", profiles.keys)
        np.save(tmp / "logp.npy", profiles.logp)
        if _read(path) is not None:
            return  # another process finished first
        if path.exists():
            shutil.rmtree(path, ignore_errors=True)  # a corrupt copy
        tmp.chmod(0o755)
        tmp.rename(path)
    except OSError:
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


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
