"""Write small instruments inline and assert on the coded issue they produce (as pyxform's
PyxformTestCase does for forms)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from survey.instrument.errors import InstrumentIssue
from survey.instrument.registry import validate


def _label(en: str, de: str) -> dict[str, str]:
    return {"en": en, "de": de}


def base_instrument() -> dict[str, Any]:
    """A small, valid instrument: the starting point every broken case changes one thing in."""
    items = [
        {
            "id": f"T-A-{n}",
            "text": _label(f"We do thing {n}.", f"Wir tun Ding {n}."),
            **({"reverse": True} if n == 3 else {}),
        }
        for n in (1, 2, 3)
    ]
    items_b = [
        {"id": f"T-B-{n}", "text": _label(f"We share {n}.", f"Wir teilen {n}.")} for n in (1, 2, 3)
    ]
    return {
        "id": "test-instrument",
        "version": "1.0.0",
        "title": _label("Test", "Test"),
        "description": _label("A test instrument.", "Ein Testinstrument."),
        "languages": ["en", "de"],
        "response_scales": [
            {
                "id": "agreement-5",
                "min": 1,
                "max": 5,
                "labels": {p: _label(f"point {p}", f"Punkt {p}") for p in range(1, 6)},
                "not_applicable": True,
                "not_applicable_label": _label("Not applicable", "Nicht zutreffend"),
            }
        ],
        "scoring": {"method": "mean", "min_valid_share": 0.5},
        "scales": [
            {
                "id": "scale-a",
                "name": _label("A", "A"),
                "definition": _label("A.", "A."),
                "source": ["source-one"],
                "response_scale": "agreement-5",
                "items": items,
            },
            {
                "id": "scale-b",
                "name": _label("B", "B"),
                "definition": _label("B.", "B."),
                "response_scale": "agreement-5",
                "items": items_b,
            },
        ],
        "dimensions": [{"id": "dim", "name": _label("Dim", "Dim"), "scales": ["scale-a"]}],
        "stages": [
            {
                "stage": n,
                "id": sid,
                "name": _label(sid, sid),
                "min_index": threshold,
                "narrative": _label(f"{sid} stage.", f"Stufe {sid}."),
            }
            for n, (sid, threshold) in enumerate([("low", 0), ("mid", 40), ("high", 70)], start=1)
        ],
        "recommendations": [
            {
                "id": "rec-a",
                "scale": "scale-a",
                "stages": [1, 2],
                "text": _label("Do more A.", "Mehr A tun."),
            }
        ],
        "references": [{"id": "source-one", "citation": "Author (2020). A paper."}],
        "changelog": [{"version": "1.0.0", "date": "2026-11-23", "changes": ["First."]}],
    }


def write_instrument(
    root: Path,
    content: dict[str, Any] | str,
    *,
    instrument_id: str | None = None,
    file_name: str | None = None,
) -> Path:
    """Write an instrument (a dict or raw YAML text) to ``root/<id>/<version>.yaml``."""
    if isinstance(content, dict):
        instrument_id = instrument_id or str(content.get("id", "test-instrument"))
        file_name = file_name or f"{content.get('version', '1.0.0')}.yaml"
        text = yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
    else:
        text = content
    folder = root / (instrument_id or "test-instrument")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (file_name or "1.0.0.yaml")
    path.write_text(text, encoding="utf-8")
    return path


def changed(change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    """The base instrument with one change applied."""
    data = copy.deepcopy(base_instrument())
    change(data)
    return data


def errors_of(root: Path) -> list[InstrumentIssue]:
    _, issues = validate([root])
    return [issue for issue in issues if issue.severity == "error"]
