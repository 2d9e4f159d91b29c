"""A public example instrument for docstrings, tests and anyone learning the format.

The shipped instruments (``instruments/``) are content and change with research; this one is
small and fixed, so examples that use it stay readable and stable.
"""

from __future__ import annotations

from survey.instrument.model import Instrument


def example_instrument() -> Instrument:
    """A tiny valid instrument for examples in docstrings and for tests.

    Instrument ``demo@1.0.0``, English only: scales ``a``, ``b`` and ``c`` of three items each
    (``A-1`` .. ``C-3``) on the five-point scale ``agree-5`` (1..5, no "not applicable"); scale
    ``a`` names ``caps/trust`` and ``demo/b`` as support; dimensions ``one`` (``a``, ``c``) and
    ``two`` (``b``); three stages at 0, 40 and 70 on the 0-100 index; three recommendations.
    A new object on every call, so a caller may change it.

    Examples
    --------
    >>> inst = example_instrument()
    >>> inst.key, [s.id for s in inst.scales], inst.scale("a").items[0].id
    ('demo@1.0.0', ['a', 'b', 'c'], 'A-1')
    """

    def scale(sid: str, links: list[str]) -> dict[str, object]:
        return {
            "id": sid,
            "name": {"en": sid.upper()},
            "definition": {"en": "."},
            "response_scale": "agree-5",
            "supported_by": links,
            "items": [{"id": f"{sid.upper()}-{j}", "text": {"en": "."}} for j in (1, 2, 3)],
        }

    return Instrument.model_validate(
        {
            "id": "demo",
            "version": "1.0.0",
            "title": {"en": "Demo"},
            "description": {"en": "."},
            "languages": ["en"],
            "response_scales": [
                {
                    "id": "agree-5",
                    "min": 1,
                    "max": 5,
                    "labels": {i: {"en": str(i)} for i in range(1, 6)},
                }
            ],
            "scales": [scale("a", ["caps/trust", "demo/b"]), scale("b", []), scale("c", [])],
            "dimensions": [
                {"id": "one", "name": {"en": "One"}, "scales": ["a", "c"]},
                {"id": "two", "name": {"en": "Two"}, "scales": ["b"]},
            ],
            "stages": [
                {
                    "stage": n,
                    "id": sid,
                    "name": {"en": name},
                    "min_index": t,
                    "narrative": {"en": f"{name} co-creation."},
                }
                for n, sid, name, t in [
                    (1, "low", "Little", 0),
                    (2, "mid", "Some", 40),
                    (3, "high", "Much", 70),
                ]
            ],
            "recommendations": [
                {"id": "a-low", "scale": "a", "stages": [1, 2], "text": {"en": "Start with A."}},
                {"id": "a-high", "scale": "a", "stages": [3], "text": {"en": "Deepen A."}},
                {"id": "c-any", "scale": "c", "stages": [1, 2, 3], "text": {"en": "Mind C."}},
            ],
            "changelog": [{"version": "1.0.0", "date": "2026-01-01", "changes": ["new"]}],
        }
    )
