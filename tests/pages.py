"""Invented web pages with known labels, written by the tests for the adapt loop
(suggest, label, train --base, compare). Deterministic for a given seed."""

from __future__ import annotations

import json
import random

SITES = {
    "en": [("harbourgazette.example", ["Home", "Harbour", "Council", "Weather", "Letters"],
            "Accept cookies to keep reading the Gazette", "© Harbour Gazette Cooperative"),
           ("fieldnotes.example", ["Notes", "Maps", "Species", "About us"],
            "Sign in to save your sightings", "Field Notes is run by volunteers")],
    "es": [("diariodelvalle.example", ["Portada", "Comarca", "Deportes", "Agenda"],
            "Acepta las cookies para seguir leyendo", "© Diario del Valle, todos los derechos"),
           ("recetario.example", ["Recetas", "Postres", "Temporada", "Contacto"],
            "Suscríbete al boletín semanal de recetas", "Recetario no se hace responsable")],
}
SUBJECTS = {
    "en": ["The harbour master", "A local beekeeper", "The county surveyor", "Two ferry pilots",
           "The school librarian", "A retired shipwright", "The parish treasurer"],
    "es": ["La alcaldesa", "Un apicultor del pueblo", "La cooperativa de regantes",
           "Dos pescadores", "El maestro de la escuela", "Una panadera jubilada"],
}
VERBS = {
    "en": ["explained on Thursday that", "told neighbours at the hall that",
           "wrote in a letter to members that", "said after the vote that"],
    "es": ["explicó el jueves que", "contó a los vecinos en el salón que",
           "escribió en una carta a los socios que", "dijo tras la votación que"],
}
CLAUSES = {
    "en": ["the old slipway will be repaired before the autumn tides",
           "the orchard by the river produced twice as many pears this year",
           "the night bus will stop at the quay again from next month",
           "volunteers counted forty nesting terns on the breakwater",
           "the bridge tolls collected last winter paid for new lamps"],
    "es": ["el lavadero antiguo se restaurará antes de las fiestas",
           "la huerta junto al río dio el doble de peras este año",
           "el autobús nocturno volverá a parar en la plaza el mes que viene",
           "los voluntarios contaron cuarenta nidos de golondrina en la iglesia",
           "la feria de otoño recaudó lo bastante para arreglar el tejado"],
}
TEASERS = {"en": "Read next: {} — and what it means for the harbour",
           "es": "Te puede interesar: {} y lo que supone para la comarca"}


def page(lang: str, site: int, k: int, rng: random.Random) -> list[tuple[str, str]]:
    """One page: (text, label) per paragraph, as a scraper emits it."""
    host, menu, notice, legal = SITES[lang][site]
    rows = [(m, "boilerplate") for m in menu]
    rows.append((notice, "boilerplate"))
    clause = rng.choice(CLAUSES[lang])
    rows.append((clause[0].upper() + clause[1:] + f" ({k})", "content"))
    for _ in range(rng.randint(2, 4)):
        rows.append((f"{rng.choice(SUBJECTS[lang])} {rng.choice(VERBS[lang])} "
                     f"{rng.choice(CLAUSES[lang])}, and {rng.choice(CLAUSES[lang])}.", "content"))
    rows.append((TEASERS[lang].format(rng.choice(CLAUSES[lang])), "boilerplate"))
    rows.append((legal, "boilerplate"))
    return rows


def corpus(n_pages: int, seed: int = 0) -> list[dict]:
    """Pages as labeled documents: {id, url, lang, rows: [(text, label)]}."""
    rng = random.Random(seed)
    out = []
    for k in range(n_pages):
        lang = ("en", "es")[k % 2]
        site = (k // 2) % 2
        host = SITES[lang][site][0]
        out.append({"id": f"{host}/{k}", "url": f"https://{host}/page/{k}", "lang": lang,
                    "rows": page(lang, site, k, rng)})
    return out


def write_corpus(path, pages) -> None:
    """One JSON line per page: {id, url, text} (the text a scraper would give)."""
    path.write_text("".join(
        json.dumps({"id": p["id"], "url": p["url"],
                    "text": "\n".join(t for t, _ in p["rows"])}, ensure_ascii=False) + "\n"
        for p in pages), encoding="utf-8")


def write_labeled(path, pages) -> None:
    """The same pages in the training-data schema."""
    path.write_text("".join(
        json.dumps({"doc": p["id"], "i": i, "text": t, "label": lab, "lang": p["lang"]},
                   ensure_ascii=False) + "\n"
        for p in pages for i, (t, lab) in enumerate(p["rows"])), encoding="utf-8")


def gold(pages) -> dict[tuple[str, int], str]:
    """(doc id, position) -> label."""
    return {(p["id"], i): lab for p in pages for i, (_, lab) in enumerate(p["rows"])}
