import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langdetect import DetectorFactory, detect

from tamiz.language import LanguageTagger, feature_language, get_tagger, segment_sums

EN = [
    "The council voted on Monday to extend the night bus service until the end of the year.",
    "Researchers said the new vaccine trial would enrol two thousand volunteers in the spring.",
    "Subscribe now and get unlimited access to every story on our site.",
]
ES = [
    "El ayuntamiento aprobó el lunes ampliar el servicio de autobuses nocturnos hasta final de año.",
    "Los investigadores explicaron que el ensayo reclutará a dos mil voluntarios en primavera.",
    "Tu suscripción se ha activado en un dispositivo nuevo.",
]


def test_tags_english_and_spanish():
    tags = get_tagger().tag(EN + ES)
    assert tags.lang == ["en"] * 3 + ["es"] * 3
    assert np.all(tags.prob > 0.9)
    assert np.all(tags.margin > 0)


@pytest.mark.parametrize("text", ["", "_", "12:30", "© 2026", "|", "ab"])
def test_too_short_or_no_letters_is_und(text):
    tags = get_tagger().tag([text])
    assert tags.lang == ["und"]
    assert tags.prob[0] == 0.0


def test_deterministic_across_instances_and_batches():
    a = LanguageTagger().tag(EN + ES)
    b = get_tagger().tag(list(reversed(EN + ES)))
    assert a.lang == list(reversed(b.lang))
    assert np.array_equal(a.prob, b.prob[::-1])
    # a text among many others of its length gets the very same bits as alone
    crowd = [f"{EN[0]} {k}" for k in range(200)]
    together = get_tagger().tag(crowd + ES)
    for k in (0, 199, 200, 202):
        alone = get_tagger().tag([(crowd + ES)[k]])
        assert (together.prob[k], together.margin[k]) == (alone.prob[0], alone.margin[0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([0, 1, 3, 5, 16, 17, 30, 61]), min_size=1, max_size=150),
       st.integers(0, 2**32 - 1))
def test_segment_sums_add_each_run_in_order_whatever_the_batch(counts, seed):
    # float32 sums depend on the order of the additions; each run's must be its rows
    # added one after the other, alone or among other runs (many of a length or few)
    rng = np.random.default_rng(seed)
    counts = np.array(counts)
    values = rng.normal(size=(50, 7)).astype(np.float32) * 100
    rows = rng.integers(0, 50, size=counts.sum())
    sums = segment_sums(values, counts, rows)
    column = segment_sums(values[:, 0], counts, rows)  # 1-D floats: the same, one column
    start = 0
    for k, n in enumerate(counts):
        expected = np.zeros(7, dtype=np.float32)
        for r in rows[start : start + n]:
            expected += values[r]
        assert np.array_equal(sums[k], expected) and column[k] == expected[0]
        assert np.array_equal(segment_sums(values, counts[k : k + 1], rows[start : start + n])[0],
                              expected)
        start += n


def test_agrees_with_langdetect_detect():
    DetectorFactory.seed = 0
    texts = EN + ES + [
        "Le gouvernement a annoncé une nouvelle réforme des retraites mardi soir.",
        "Die Regierung hat am Dienstag eine neue Rentenreform angekündigt.",
        "O governo anunciou na terça-feira uma nova reforma da previdência.",
    ]
    assert get_tagger().tag(texts).lang == [detect(t) for t in texts]


def test_feature_language_buckets():
    assert [feature_language(x) for x in ("en", "es", "fr", "und")] == ["en", "es", "other", "und"]
