"""Commands over models: train, evaluate, info."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import defaults
from ..errors import UsageError
from .common import ModelOpt, ThresholdOpt, _load, _say, app

# --- train ----------------------------------------------------------------------

@app.command()
def train(
    data: Annotated[list[str], typer.Argument(help="Labeled JSON Lines files or directories.")],
    out: Annotated[Path, typer.Option("--out", help="Model directory to write.")],
    validation: Annotated[Optional[list[str]], typer.Option("--validation", help="Labeled data for choosing thresholds [default: out-of-fold predictions].")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing model.")] = False,
    base: Annotated[Optional[str], typer.Option("--base", help="Add DATA to this base: 'shipped' (the data the shipped model learned from) or a directory with train/ and validation/. Thresholds then come from its validation/ unless --validation is given.")] = None,
    weight: Annotated[float, typer.Option("--weight", help="With --base: how many base paragraphs each of your paragraphs counts as.")] = defaults.USER_WEIGHT,
):
    """Train a model; print cross-validated metrics (grouped by document)."""
    from ..data import read_labeled
    from ..evaluate import format_report
    from ..persist import save
    from ..training import train as fit

    if out.exists() and not force:
        raise UsageError(f"{out} already exists; use --force to overwrite it")
    parent = out.resolve().parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"cannot write the model into {parent}")
    if base is not None:
        from ..retrain import train_on_base

        model, card = train_on_base(data, base, validation, weight, log=_say)
    else:
        labeled = read_labeled(data)
        for w in labeled.warnings[:20]:
            _say(f"warning: {w}")
        if len(labeled.warnings) > 20:
            _say(f"warning: {len(labeled.warnings) - 20} more conflicting labels")
        val = read_labeled(validation) if validation else None
        model, card = fit(labeled, val, log=_say)
    save(model.pipeline, card, out, force=force)
    cv = card["metrics"]["cross_validated"]
    print(format_report(cv["document"], "cross-validated, in document context:"))
    print()
    print(format_report(cv["isolated"], "cross-validated, paragraphs alone:"))
    if "validation" in card["metrics"]:
        print()
        print(format_report(card["metrics"]["validation"]["document"],
                            "validation set, in document context:"))
    print(f"\nthresholds: {card['threshold']} (documents), {card['threshold_isolated']} (alone)")
    _say(f"model written to {out}")


# --- evaluate ---------------------------------------------------------------------

@app.command()
def evaluate(
    data: Annotated[list[str], typer.Argument(help="Labeled JSON Lines files or directories.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    threshold: ThresholdOpt = None,
    model: ModelOpt = None,
):
    """Precision / recall / F1 per class, per language and per kind."""
    from ..data import read_labeled
    from ..evaluate import format_report
    from ..training import evaluate_labeled

    m = _load(model)
    labeled = read_labeled(data, require_both=False)
    rep = evaluate_labeled(m, labeled, threshold)
    if as_json:
        print(json.dumps(rep, ensure_ascii=False))
    else:
        print(format_report(rep, f"{', '.join(data)}:"))


# --- info ---------------------------------------------------------------------------

@app.command()
def info(
    model: ModelOpt = None,
    pipeline: Annotated[bool, typer.Option("--pipeline", help="Print the fitted scikit-learn pipeline instead (reads model.skops).")] = False,
):
    """Print the model card (JSON)."""
    from ..persist import default_model_path, load_pipeline, read_card

    path = model or default_model_path()
    if pipeline:
        read_card(path)
        print(load_pipeline(path))
        return
    print(json.dumps(read_card(path), indent=2, ensure_ascii=False))


