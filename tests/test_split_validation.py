"""scripts/split_validation.py: the frozen split of training_data/ is what its rule says."""

import importlib.util
import json

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("split_validation",
                                              ROOT / "scripts" / "split_validation.py")
split_validation = importlib.util.module_from_spec(spec)
spec.loader.exec_module(split_validation)


def test_a_translation_shares_its_originals_key():
    en = {"doc": "ptr-en-007", "pair": "ptr-007-3"}
    es = {"doc": "ptr-es-007", "pair": "ptr-007-3"}
    assert split_validation.split_key(en) == split_validation.split_key(es) == "ptr-007"
    # rows without `pair` keep their own id, even one that contains "-en-"
    assert split_validation.split_key({"doc": "ptr-en-007"}) == "ptr-en-007"


def test_the_shipped_split_follows_the_rule():
    pairs: dict[str, set[str]] = {}
    for part in ("train", "validation"):
        for path in sorted((ROOT / "training_data" / part).glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                if path.name in split_validation.VALIDATION_ONLY:
                    assert part == "validation", path.name
                    continue
                held = split_validation.is_validation(split_validation.split_key(row))
                assert held == (part == "validation"), (path.name, row["doc"])
                if "pair" in row:
                    pairs.setdefault(row["pair"], set()).add(part)
    assert pairs and all(len(sides) == 1 for sides in pairs.values())
