"""Scale scores written beside the answers, and the sentence that states their rule."""

from __future__ import annotations

import pandas as pd

from scoring.instrument_scoring import score_instrument
from survey.instrument.model import Instrument


def scale_scores(values: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Scale scores of every response: one column per scale id.

    Parameters
    ----------
    values : pandas.DataFrame
        Answers, one column per item id; NaN where unanswered or not applicable.
    instrument : survey.instrument.model.Instrument
        The instrument version the answers were given under.

    Returns
    -------
    pandas.DataFrame
        Same index as ``values``; one float column per scale, NaN when too few items were
        answered.

    Notes
    -----
    The mean of the answered items after reverse keying (:math:`x' = min + max - x`), when at
    least ``scoring.min_valid_share`` of the scale's items are answered; computed by
    :func:`scoring.instrument_scoring.score_instrument`, the same function the app uses.

    Examples
    --------
    >>> from survey.instrument.registry import load_registry
    >>> from pathlib import Path
    >>> reg = load_registry([Path(__file__).parents[2] / "tests/fixtures/exports/instruments"])
    >>> inst = reg.get("mini-capabilities@1.0.0")
    >>> answers = pd.DataFrame([[5, 4, 1, 5, 5, None, 3, 3, 0]], columns=inst.item_ids)
    >>> scale_scores(answers.astype(float), inst).round(2)
       individuated  relational  co-diagnosis
    0          4.67         5.0           3.0
    """
    if values.empty:
        return pd.DataFrame(
            index=values.index, columns=[s.id for s in instrument.scales], dtype=float
        )
    scores = score_instrument(values, instrument).scores
    scores.columns.name = None
    return scores.astype(float)


def scoring_rule(instrument: Instrument, language: str = "en") -> str:
    """The scoring rule of an instrument version as one sentence (English, for codebooks).

    Examples
    --------
    >>> from survey.instrument.registry import load_registry
    >>> from pathlib import Path
    >>> reg = load_registry([Path(__file__).parents[2] / "tests/fixtures/exports/instruments"])
    >>> print(scoring_rule(reg.get("mini-capabilities@1.0.0")))  # doctest: +ELLIPSIS
    mean of the answered items after reverse keying (min + max - answer), when at least 50% ...
    """
    share = round(instrument.scoring.min_valid_share * 100)
    return (
        f"{instrument.scoring.method} of the answered items after reverse keying "
        f"(min + max - answer), when at least {share}% of the scale's items are answered; "
        '"not applicable" counts as unanswered'
    )
