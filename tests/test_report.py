"""The HTML page of `tamiz compare --report`, read back with an HTML parser."""

from __future__ import annotations

import base64
from html.parser import HTMLParser

import pytest

from .conftest import SHIPPED, run_cli
from .pages import corpus, write_labeled

pytest.importorskip("matplotlib")


class Page(HTMLParser):
    """Tables (their header cells), images, flip blocks and any external reference."""

    def __init__(self):
        super().__init__()
        self.tables, self.images, self.flips, self.external = [], [], [], []
        self._in_th = False
        self._flip_depth = 0
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append([])
        if tag == "th":
            self._in_th = True
        if tag == "img":
            self.images.append(a.get("src", ""))
        for name in ("src", "href"):
            if a.get(name) and not a[name].startswith("data:"):
                self.external.append(a[name])
        if tag == "link" or tag == "script":
            self.external.append(tag)
        if tag == "div" and "flip" in (a.get("class") or "").split():
            self.flips.append("")
            self._flip_depth = 1
        elif tag == "div" and self._flip_depth:
            self._flip_depth += 1

    def handle_endtag(self, tag):
        if tag == "th":
            self._in_th = False
        if tag == "div" and self._flip_depth:
            self._flip_depth -= 1

    def handle_data(self, data):
        if self._in_th and self.tables:
            self.tables[-1].append(data)
        if self._flip_depth:
            self.flips[-1] += data + "\n"


def test_report_page(tmp_path, small_model_dir):
    data = tmp_path / "labeled.jsonl"
    pages = corpus(16, seed=8)
    write_labeled(data, pages)
    out = tmp_path / "sub" / "report.html"
    res = run_cli("compare", "shipped", str(small_model_dir), str(data), "--json",
                  "--report", str(out))
    assert res.returncode == 0, res.stderr
    import json

    result = json.loads(res.stdout)
    page = Page()
    page.feed(out.read_text(encoding="utf-8"))
    # the three tables: overall, per language, per kind
    assert len(page.tables) == 3
    assert {"language", "kind"} <= {t[0] for t in page.tables}
    assert all("macro-F1 old" in t and "boilerplate R" in t for t in page.tables)
    # both figures embedded as PNG, nothing fetched from elsewhere
    assert len(page.images) == 2
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.external == []
    # every flipped paragraph listed, with its context
    assert len(page.flips) == len(result["flips"]) > 0
    for block, f in zip(page.flips, result["flips"]):
        assert f["text"] in block
        for line in f["before"] + f["after"]:
            assert line in block


def test_report_without_flips(tmp_path):
    data = tmp_path / "labeled.jsonl"
    write_labeled(data, corpus(4, seed=2))
    out = tmp_path / "same.html"
    res = run_cli("compare", str(SHIPPED), "shipped", str(data), "--report", str(out))
    assert res.returncode == 0, res.stderr
    assert "No decision changed." in out.read_text(encoding="utf-8")
