import numpy as np

from tamiz import defaults, profiles


def _same(a: profiles.Profiles, b: profiles.Profiles) -> bool:
    return (a.languages == b.languages and np.array_equal(a.keys, b.keys)
            and np.array_equal(a.logp, b.logp))


def _cache_files(directory):
    return sorted(directory.glob("langdetect-profiles-*"))


def test_cache_is_written_once_and_read_back_equal(tmp_path, monkeypatch):
    monkeypatch.setenv("TAMIZ_CACHE_DIR", str(tmp_path))
    built = profiles.build(defaults.LANG_ALPHA, profiles._profile_files())
    first = profiles.load()
    (cached,) = _cache_files(tmp_path)
    stamp = (cached / "logp.npy").stat().st_mtime_ns
    second = profiles.load()
    assert _same(built, first) and _same(built, second)
    assert isinstance(second.logp.base, np.memmap)  # mapped from the cache
    assert (cached / "logp.npy").stat().st_mtime_ns == stamp  # not rewritten
    assert not list(tmp_path.glob(".profiles-*"))  # no temporary left behind


def test_other_smoothing_is_another_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TAMIZ_CACHE_DIR", str(tmp_path))
    a, b = profiles.load(0.5), profiles.load(1.0)
    assert len(_cache_files(tmp_path)) == 2
    assert not np.array_equal(a.logp, b.logp)


def test_corrupt_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("TAMIZ_CACHE_DIR", str(tmp_path))
    good = profiles.load()
    (cached,) = _cache_files(tmp_path)
    logp = cached / "logp.npy"
    logp.write_bytes(logp.read_bytes()[:1000])  # truncated
    assert profiles._read(cached) is None
    assert _same(profiles.load(), good)
    (cached / "languages.json").write_text('["en"]')  # does not match the arrays
    assert profiles._read(cached) is None
    assert _same(profiles.load(), good)
    assert _same(profiles._read(cached), good)  # and the rebuilt copy replaced it
    assert not list(tmp_path.glob(".profiles-*"))


def test_unwritable_cache_directory_still_works(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TAMIZ_CACHE_DIR", str(blocker / "cache"))
    assert len(profiles.load().languages) == 55


def test_pack_grams_keeps_lengths_apart():
    keys = profiles.pack_grams(["a", " a", "  a", "ab", "abc", "ñé"])
    assert len(set(keys.tolist())) == 6
