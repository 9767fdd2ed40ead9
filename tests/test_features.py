import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone

from tamiz.estimators import ParagraphFeatures
from tamiz.features import (CONTEXT_NAMES, SHAPE_NAMES, Featurizer, Paragraphs, context_matrix,
                            doc_slices, shape_features)
from tamiz.language import LanguageTags
from tamiz.paragraphs import normalize
from tamiz.tokens import get_token_table


def shape(text, lang="en", prob=1.0, margin=0.5):
    """Shape features of one paragraph, with its language given rather than tagged."""
    text = normalize(text)
    table = get_token_table()
    rows = table.rows(text.split())
    tags = LanguageTags([lang], np.array([prob]), np.array([margin]))
    return dict(zip(SHAPE_NAMES, shape_features([text], rows, np.array([len(rows)]), tags, table)[0]))


def test_length_and_words():
    s = shape("Three short words")
    assert s["log_chars"] == pytest.approx(np.log1p(17))
    assert s["log_words"] == pytest.approx(np.log1p(3))
    assert s["mean_word_len"] == pytest.approx(15 / 3)


@pytest.mark.parametrize("text,expected", [
    ("The vote was close.", 1.0), ("Was it?", 1.0), ('He said "no."', 1.0),
    ("Read more", 0.0), ("Latest news:", 0.0)])
def test_terminal_punctuation(text, expected):
    assert shape(text)["ends_terminal"] == expected


def test_colon_capitalisation_and_caps():
    assert shape("Latest news:")["ends_colon"] == 1.0
    assert shape("HOME")["all_caps"] == 1.0
    assert shape("Home")["all_caps"] == 0.0
    assert shape("Sports News Weather")["titlecase_share"] == 1.0
    assert shape("the vote was close")["starts_upper"] == 0.0


def test_digits_symbols_separators():
    assert shape("12/03/2026")["digit_share"] == pytest.approx(8 / 10)
    assert shape("Home | News | Sport")["separator_count"] == 2
    assert shape("a » b")["symbol_share"] > 0


def test_url_mail_and_legal_mark():
    assert shape("Write to news@example.org for tips")["url_or_mail"] == 1.0
    assert shape("Visit www.example.com today")["url_or_mail"] == 1.0
    assert shape("No links here")["url_or_mail"] == 0.0
    assert shape("© 2026 The Daily Bugle")["legal_mark"] == 1.0


def test_stopwords_follow_the_paragraph_language():
    en = shape("the vote was on the list of the day", lang="en")
    es_as_en = shape("el voto fue en la lista del día", lang="en")
    es = shape("el voto fue en la lista del día", lang="es")
    assert en["stopword_density"] > 0.4
    assert es_as_en["stopword_density"] < es["stopword_density"]
    assert es["stopword_density_any"] == pytest.approx(es["stopword_density"])


def test_second_person_address():
    assert shape("You can manage your settings at any time")["second_person"] > 0.2
    assert shape("Puedes cambiar tu contraseña cuando quieras", lang="es")["second_person"] > 0
    assert shape("The minister resigned on Friday")["second_person"] == 0


def test_mojibake_and_language_columns():
    assert shape("SuscripciÃ³n digital")["mojibake"] == 1.0
    assert shape("Suscripción digital", lang="es")["mojibake"] == 0.0
    s = shape("hola", lang="fr")
    assert s["lang_other"] == 1.0 and s["lang_en"] == s["lang_es"] == s["lang_und"] == 0.0


def test_transform_shapes_and_hashing_determinism():
    texts = ["Subscribe to our newsletter", "El Gobierno aprobó ayer la reforma.", "_"]
    pf = Featurizer()
    block = pf.transform(Paragraphs.isolated(texts))
    assert block.text.to_csr().shape == (3, pf.n_text_features)
    assert block.shape.shape == (3, len(SHAPE_NAMES))
    assert block.lang == ["en", "es", "und"]
    # each block (char, word) of a row has unit weight: its occurrences' squares sum to 1
    w, ptr = block.text.weights, block.text.indptr
    sq = [float(np.sum(w[ptr[k]:ptr[k + 1]] ** 2)) for k in range(3)]
    assert sq[:2] == pytest.approx([2.0, 2.0])
    assert sq[2] == pytest.approx(2.0)  # "_" is a word piece and has char n-grams
    # hashing must not depend on PYTHONHASHSEED: same indices in another process
    code = ("from tamiz.features import *;b=Featurizer().transform("
            "Paragraphs.isolated(['Subscribe to our newsletter']));print(list(b.text.ids))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={"PYTHONHASHSEED": "123", "PATH": ""}, check=True).stdout
    first = block.text.take(np.array([0]))
    assert other.strip() == str(list(first.ids))


def test_scores_do_not_depend_on_the_batch():
    """A paragraph's features are the same alone, in a batch, and after the token
    table has started over."""
    texts = ["Subscribe to our newsletter", "El Gobierno aprobó ayer la reforma.",
             "Home | News | Sport", "© 2026 The Daily Bugle"]
    pf = Featurizer()
    together = pf.transform(Paragraphs.isolated(texts))
    get_token_table().clear()
    for k, text in enumerate(texts):
        alone = pf.transform(Paragraphs.isolated([text]))
        assert np.array_equal(alone.shape[0], together.shape[k])
        row = together.text.take(np.array([k]))
        assert sorted(alone.text.ids) == sorted(row.ids)


def test_long_paragraph_features_use_a_prefix():
    pf = Featurizer(prefix_chars=100)
    block = pf.transform(Paragraphs.isolated(["word " * 100_000]))
    assert block.shape[0, SHAPE_NAMES.index("log_chars")] <= np.log1p(100)


def test_clone_keeps_params():
    pf = ParagraphFeatures(char_bits=10)
    assert clone(pf).get_params() == pf.get_params()


def test_doc_slices():
    assert doc_slices(np.array([0, 0, 1, 2, 2, 2])) == [slice(0, 2), slice(2, 3), slice(3, 6)]


def test_document_language_is_the_one_with_most_characters():
    english = ("The regional government approved the budget after a long debate on Thursday night. "
               "Opposition members said the spending plan left rural hospitals short of staff.")
    texts = [english, "Iniciar sesión en tu cuenta", "Suscríbete a nuestro boletín diario",
             "Consulta la hemeroteca", "Política de privacidad y cookies"]
    block = Featurizer().transform(Paragraphs(texts, np.zeros(5)))
    z = dict(zip(CONTEXT_NAMES, context_matrix(block, np.zeros(5)).T))
    assert set(z["lang_doc"]) == {0.0}  # en: most characters, though most paragraphs are Spanish
    spanish = [k for k, lang in enumerate(block.lang) if lang == "es"]
    assert spanish and all(z["lang_mismatch"][k] == 1.0 for k in spanish)


def test_context_neighbours_position_and_language_mismatch():
    texts = ["Home", "A long article paragraph about the vote in parliament today.",
             "Another long paragraph about the budget that was approved.",
             "Tu cuenta está abierta ahora mismo en otro móvil."]
    table = Paragraphs(texts, np.zeros(4), np.array([5.0, 1.0, 1.0, 3.0]))
    block = Featurizer().transform(table)
    s = np.array([-2.0, 2.0, 1.5, -1.0])
    z = dict(zip(CONTEXT_NAMES, context_matrix(block, s).T))
    assert np.isnan(z["s_prev1"][0]) and z["s_prev1"][1] == -2.0
    assert z["s_next1"][1] == 1.5 and np.isnan(z["s_next1"][3])
    assert z["s_prev2"][2] == -2.0
    assert list(z["rel_pos"]) == [0.0, 1 / 3, 2 / 3, 1.0]
    assert list(z["pos_from_end"]) == [3, 2, 1, 0]
    assert z["lang_mismatch"][1] == 0.0 and z["lang_mismatch"][3] == 1.0
    assert z["repeat_docs"][0] == pytest.approx(np.log1p(5))
    assert z["s_doc_mean"][0] == pytest.approx(s.mean())


def test_isolated_paragraph_has_no_neighbours():
    block = Featurizer().transform(Paragraphs.isolated(["One", "Two"]))
    z = dict(zip(CONTEXT_NAMES, context_matrix(block, np.array([1.0, -1.0])).T))
    assert np.all(np.isnan(z["s_prev1"])) and np.all(np.isnan(z["s_next1"]))
    assert np.all(np.isnan(z["repeat_docs"]))
    for name in ("chars_vs_prev_run", "chars_vs_next_run", "s_max_next_run"):
        assert np.all(np.isnan(z[name]))


def test_headline_under_a_menu_stands_out_from_its_run():
    """A headline is longer than the menu lines above it and is followed by strong prose;
    the run features see both, and stop at the document's edge."""
    menu = ["Home", "World", "Politics", "Sport", "Culture", "Opinion"]
    head = "Regional parliament approves the water plan after a night of talks"
    prose = ["The plan passed with 48 votes to 31 after eleven hours of debate, and will take "
             "effect in March once it is published in the official gazette."] * 2
    texts = menu + [head] + prose + ["Next page"]
    doc = np.array([0] * (len(texts) - 1) + [1])  # the last line is another document
    block = Featurizer().transform(Paragraphs(texts, doc, np.zeros(len(texts))))
    s = np.array([-3.0] * 6 + [-0.5, 4.0, 3.0, -2.0])
    z = dict(zip(CONTEXT_NAMES, context_matrix(block, s).T))
    log_chars = np.log1p([len(t) for t in texts])
    h = len(menu)
    assert z["chars_vs_prev_run"][h] == pytest.approx(log_chars[h] - log_chars[h - 5:h].mean())
    assert z["chars_vs_prev_run"][h] > 1.0 > z["chars_vs_prev_run"][h - 1]
    assert z["chars_vs_next_run"][h] == pytest.approx(log_chars[h] - log_chars[h + 1:h + 3].mean())
    assert z["s_max_next_run"][h] == 4.0  # the strongest of the next five lines in its document
    assert z["s_max_next_run"][0] == -3.0 and z["s_max_next_run"][1] == -0.5  # five lines on
    assert np.isnan(z["chars_vs_prev_run"][0]) and np.isnan(z["s_max_next_run"][h + 2])

