"""A synthetic corpus of news-like documents, written by the tests themselves.

Articles are made of sentences drawn from small word lists (so that distinct documents have
distinct prose, digits alone would be folded by the repeat key); pages wrap them in menus,
cookie and subscription notices and footers, some shared by many pages (template) and some
by few.
"""

from __future__ import annotations

import json
import random

SUBJECTS = ["The council", "The minister", "Local farmers", "The regional utility", "Teachers",
            "The harbour authority", "Doctors at the clinic", "The city's mayor", "Engineers",
            "A group of residents", "The football club", "Researchers at the university"]
VERBS = ["approved", "rejected", "questioned", "announced", "delayed", "funded", "reviewed",
         "defended", "criticised", "postponed", "welcomed", "presented"]
OBJECTS = ["a plan to repair the northern bridge", "new rules for river fishing",
           "the budget for school meals", "a study of coastal erosion", "longer library hours",
           "the sale of the old market hall", "a tax on holiday rentals", "cheaper night buses",
           "the expansion of the wind farm", "a curfew for delivery lorries",
           "repairs to the flooded tunnel", "a museum of local printing"]
TAILS = ["after a long debate on Tuesday", "despite protests outside the town hall",
         "following complaints from shop owners", "according to a statement issued at noon",
         "in a vote that split the chamber", "before the summer holidays begin",
         "while inspectors examined the site", "as costs continued to rise"]
ES = ["El ayuntamiento aprobó ayer un plan para reparar el puente del norte tras un largo debate.",
      "Los vecinos del barrio pidieron más autobuses nocturnos durante la reunión del martes.",
      "La universidad presentó un estudio sobre la erosión de la costa y sus efectos en la pesca.",
      "El club de fútbol anunció que ampliará su estadio antes de que empiece la temporada."]
MENUS = [["Home", "World", "Business", "Sport", "Culture"], ["Inicio", "Nacional", "Deportes"],
         ["News", "Opinion", "Video", "Podcasts"]]
NOTICES = ["Accept all cookies", "We use cookies to improve your experience on our site.",
           "Subscribe to keep reading: your first month is free.",
           "Suscríbete para seguir leyendo", "Sign in to save this article",
           "Share this article on Facebook", "Most read this week"]
FOOTERS = ["© 2026 The Daily Harbour. All rights reserved.", "Privacy policy | Terms of use",
           "Política de privacidad | Aviso legal"]


def sentence(rng: random.Random) -> str:
    return (f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
            f"{rng.choice(TAILS)}, and {rng.choice(SUBJECTS).lower()} {rng.choice(VERBS)} "
            f"{rng.choice(OBJECTS)}.")


def document(rng: random.Random, k: int) -> str:
    lines = list(rng.choice(MENUS)) if rng.random() < 0.8 else []
    if rng.random() < 0.5:
        lines.append(rng.choice(NOTICES))
    body = [sentence(rng) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.2:
        body.append(rng.choice(ES))
    lines += body
    lines += rng.sample(NOTICES, rng.randint(0, 2))
    if rng.random() < 0.7:
        lines.append(rng.choice(FOOTERS))
    if k % 41 == 0:  # a page of chrome alone: cleaning leaves nothing of it
        lines = [*rng.choice(MENUS), *rng.sample(NOTICES, 3), rng.choice(FOOTERS)]
    if k % 97 == 0:
        lines = []  # an empty record: still one output record
    return "\n".join(lines)


def records(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    return [{"id": f"doc-{k:06d}", "text": document(rng, k), "site": f"s{k % 7}"}
            for k in range(n)]


def write_jsonl(path, n: int, seed: int = 0, files: int = 1) -> list[dict]:
    """n records as JSON Lines at `path` (or, with files > 1, path-0.jsonl ... in a directory)."""
    recs = records(n, seed)
    if files == 1:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs),
                        encoding="utf-8")
    else:
        path.mkdir(parents=True, exist_ok=True)
        for f in range(files):
            part = recs[f::files]
            (path / f"part-{f}.jsonl").write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), encoding="utf-8")
    return recs
