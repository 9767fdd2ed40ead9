import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tamiz.tokens import TokenTable, _word_stats, _word_stats_general

WORDS = ["the", "vote", "El", "Gobierno", "aprobó", "©", "2026", "news@example.org", "Home",
         "|", "SuscripciÃ³n", "¿Quieres", "años.", "(c)", "www.example.com", "»", "día:"]


def features(table: TokenTable, tokens: list[str]) -> dict:
    rows = table.rows(tokens)
    chars, n_chars = table.char_grams.gather(rows)
    words, n_words = table.word_hashes.gather(rows)
    return {"loglik": table.loglik.values[rows].copy(), "stats": table.stats.values[rows].copy(),
            "lang": table.lang_counts.values[rows].copy(), "chars": chars.copy(),
            "n_chars": n_chars.copy(), "words": words.copy(), "n_words": n_words.copy()}


def test_eviction_keeps_frequent_tokens_and_never_changes_features():
    fresh = features(TokenTable(), WORDS)
    small = TokenTable(capacity=6)
    for _ in range(5):  # "the" and "vote" are looked up most
        small.rows(["the", "vote"])
    for k in range(0, len(WORDS), 3):  # overflows the capacity several times
        small.rows(WORDS[k:k + 3])
    assert len(small) <= 6 + 3
    small.rows(["x"])  # a call after overflowing evicts first
    assert {"the", "vote"} <= set(small._index)
    again = features(small, WORDS)
    for name, values in fresh.items():
        assert np.array_equal(values, again[name]), name


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(categories=("Lu", "Ll", "Lt", "Lm", "Lo")), min_size=1,
               max_size=12))
def test_fast_path_for_plain_words_matches_the_general_one(token):
    assert token.isalpha()
    assert [float(x) for x in _word_stats(token)] == [float(x) for x in _word_stats_general(token)]


# wrapping punctuation, what must not be taken for it, and words that trip the checks
PIECES = [*".,;:!?\"'()[]{}«»“”‘’„¿¡…-–—*@/&©®™€²½_07", "www", "com", "c", "Ã", "Ã©", "Â", "â€",
          "you", "the", "de", "Él", "ñandú", "ǅ", "https", "://", "Home"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=5).map("".join))
@example("acÃ¡,")
@example("Ã.")
@example("(c)")
@example("www.")
@example(".com")
@example("«Él»:")
def test_fast_paths_for_wrapped_words_match_the_general_one(token):
    assert [float(x) for x in _word_stats(token)] == [float(x) for x in _word_stats_general(token)]


def test_table_and_uncached_tagging_agree_to_the_bit():
    from tamiz.language import get_tagger

    texts = ["The council voted on Monday, 3-2, to extend the night bus service.",
             "El ayuntamiento aprobó el lunes ampliar el servicio (véase www.example.com).",
             "Síguenos en https://example.com/es o escribe a info@example.com",
             "self-made well-known co-operative e-mail", "Москва — столица России. OK"]
    table = TokenTable()
    tokens = [t for text in texts for t in text.split()]
    counts = np.array([len(text.split()) for text in texts])
    rows = table.rows(tokens)
    cached = get_tagger().tag_tokens(tokens, counts, table.language(), rows)
    direct = get_tagger().tag(texts)
    assert cached.lang == direct.lang
    assert np.array_equal(cached.prob, direct.prob) and np.array_equal(cached.margin, direct.margin)
