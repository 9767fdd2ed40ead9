import numpy as np
import pytest
from langdetect import DetectorFactory, detect

from tamiz.language import LanguageTagger, feature_language, get_tagger

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
    assert np.allclose(a.prob, b.prob[::-1])


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
