from hypothesis import given
from hypothesis import strategies as st

from tamiz.paragraphs import join, normalize, repeat_key, split


def test_lines_mode_keeps_every_nonempty_line_stripped():
    assert split("  Title \n\nFirst line.\n   \nSecond line.\n") == ["Title", "First line.", "Second line."]


def test_crlf_and_lone_cr_are_line_ends():
    assert split("a\r\nb\rc\n") == ["a", "b", "c"]


def test_blank_mode_joins_hard_wrapped_lines():
    text = "First block\ncontinues here.\n\n\n  Second block.\n \nThird"
    assert split(text, "blank") == ["First block\ncontinues here.", "Second block.", "Third"]


def test_unknown_mode_is_an_error():
    import pytest

    with pytest.raises(ValueError):
        split("x", "sentences")


def test_normalize_bounds_length_and_removes_invisible_characters():
    assert normalize("co\u00adoperate\u200b  now", 100) == "cooperate now"
    assert len(normalize("x" * 10_000, 50)) == 50
    assert normalize("ﬁnal") == "final"  # NFKC


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
       | st.text(alphabet=" \t\n\x1c\x85\u00a0\u2028\u3000\u00ad\u200bﬁé e", max_size=30))
def test_normalize_is_nfkc_without_invisibles_and_single_spaces(text):
    import re
    import unicodedata

    expected = unicodedata.normalize("NFKC", text[:50])
    expected = re.sub(r"\s+", " ", re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", expected))
    assert normalize(text, 50) == expected.strip()


def test_repeat_key_folds_case_and_digits():
    assert repeat_key(normalize("Page 2 of 9")) == repeat_key(normalize("PAGE 3 of 10"))
    assert repeat_key("home") != repeat_key("news")


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40), max_size=12))
def test_split_join_round_trip(lines):
    doc = "\n".join(lines)
    paragraphs = split(doc)
    assert split(join(paragraphs)) == paragraphs
    assert all(p == p.strip() and p for p in paragraphs)
