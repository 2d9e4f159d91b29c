"""Small instruments written into a temporary folder for the storage tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def _labels(low: int, high: int) -> dict[int, dict[str, str]]:
    return {
        point: {"en": f"point {point}", "de": f"Punkt {point}"} for point in range(low, high + 1)
    }


def _text(en: str) -> dict[str, str]:
    return {"en": en, "de": f"{en} (de)"}


def instrument(
    instrument_id: str,
    version: str,
    prefix: str,
    *,
    scales: int = 2,
    items: int = 4,
    optional_last: bool = False,
) -> dict[str, Any]:
    """A valid instrument: ``scales`` scales of ``items`` items on a 1-5 agreement scale with
    "not applicable" allowed on the second scale only; the last item of each scale reversed."""
    scale_list = []
    for s in range(1, scales + 1):
        scale_list.append(
            {
                "id": f"scale-{s}",
                "name": _text(f"Scale {s}"),
                "definition": _text(f"What scale {s} measures"),
                "response_scale": "agree-na" if s == 2 else "agree",
                "items": [
                    {
                        "id": f"{prefix}-{s}-{i}",
                        "text": _text(f"Statement {s}.{i}"),
                        **({"reverse": True} if i == items else {}),
                        **({"required": False} if optional_last and i == items else {}),
                    }
                    for i in range(1, items + 1)
                ],
            }
        )
    return {
        "id": instrument_id,
        "version": version,
        "title": _text(f"Test instrument {instrument_id}"),
        "description": _text("For tests"),
        "languages": ["en", "de"],
        "response_scales": [
            {"id": "agree", "min": 1, "max": 5, "labels": _labels(1, 5)},
            {
                "id": "agree-na",
                "min": 1,
                "max": 5,
                "labels": _labels(1, 5),
                "not_applicable": True,
                "not_applicable_label": _text("not applicable"),
            },
        ],
        "scales": scale_list,
        "stages": [
            {
                "stage": 1,
                "id": "early",
                "name": _text("Early"),
                "min_index": 0,
                "narrative": _text("Early"),
            },
            {
                "stage": 2,
                "id": "late",
                "name": _text("Late"),
                "min_index": 50,
                "narrative": _text("Late"),
            },
        ],
        "changelog": [{"version": version, "date": "2026-01-01", "changes": ["first"]}],
    }


def write_instruments(root: Path) -> Path:
    """``alpha@1.0.0`` (2 scales x 4 items, prefix A) and ``beta@1.0.0`` (1 scale, optional
    last item, prefix B) under ``root``."""
    for data in (
        instrument("alpha", "1.0.0", "A"),
        instrument("beta", "1.0.0", "B", scales=1, items=3, optional_last=True),
    ):
        folder = root / data["id"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{data['version']}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return root
