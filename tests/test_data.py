import json

import pytest

from tamiz.data import read_labeled
from tamiz.errors import DataError


def write(tmp_path, rows, name="d.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


GOOD = [
    {"doc": "a", "i": 1, "text": "Body of the story.", "label": "content"},
    {"doc": "a", "i": 0, "text": "Menu", "label": "boilerplate", "kind": "nav"},
    {"doc": "b", "i": 0, "text": "Another story.", "label": "content", "lang": "en"},
    {"text": "Loose row", "label": "ambiguous", "source": "x"},
]


def test_groups_documents_in_i_order_and_keeps_extra_fields(tmp_path):
    data = read_labeled([write(tmp_path, GOOD)])
    assert [d.doc for d in data.documents][:2] == ["a", "b"]
    assert data.documents[0].texts == ["Menu", "Body of the story."]
    assert data.documents[0].rows[0].kind == "nav"
    assert data.documents[2].rows[0].extra == {"source": "x"}
    assert len(data.digest) == 64


@pytest.mark.parametrize("bad,message", [
    ('{"text": "x", "label": "maybe"}', "unknown label 'maybe'"),
    ('{"label": "content"}', "missing or non-string 'text'"),
    ('{"text": "   ", "label": "content"}', "empty 'text'"),
    ('{"text": 5, "label": "content"}', "missing or non-string 'text'"),
    ("[1, 2]", "expected a JSON object"),
    ('{"text": "x", "label": "content"', "invalid JSON"),
    ('{"text": "x", "label": "content", "i": -1, "doc": "z"}', "'i' must be"),
])
def test_bad_rows_cite_file_and_line(tmp_path, bad, message):
    path = write(tmp_path, [GOOD[0], bad])
    with pytest.raises(DataError, match=message) as err:
        read_labeled([path])
    assert f"{path}:2:" in str(err.value)


def test_single_class_is_an_error(tmp_path):
    with pytest.raises(DataError, match="both content and boilerplate"):
        read_labeled([write(tmp_path, [GOOD[0], GOOD[2]])])


def test_directory_without_data_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DataError, match="no labeled data"):
        read_labeled([tmp_path])


def test_duplicate_position_is_an_error(tmp_path):
    rows = GOOD + [{"doc": "a", "i": 1, "text": "Again", "label": "boilerplate"}]
    with pytest.raises(DataError, match="same position"):
        read_labeled([write(tmp_path, rows)])


def test_conflicting_labels_are_reported(tmp_path):
    rows = GOOD + [{"doc": "c", "i": 0, "text": "Menu", "label": "content"}]
    data = read_labeled([write(tmp_path, rows)])
    assert len(data.warnings) == 1
    assert "'content'" in data.warnings[0] and "'boilerplate'" in data.warnings[0]


def test_rows_with_positions_but_no_doc_form_one_document_per_file(tmp_path):
    rows = [{"i": 1, "text": "Body.", "label": "content"}, {"i": 0, "text": "Menu", "label": "boilerplate"}]
    data = read_labeled([write(tmp_path, rows, "a.jsonl"), write(tmp_path, rows, "b.jsonl")])
    assert [d.texts for d in data.documents] == [["Menu", "Body."], ["Menu", "Body."]]
