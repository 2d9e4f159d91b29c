"""Response progress of many organisations at once, for the consultant's client list.

The counting is done once, in :mod:`survey.storage.reads` (:func:`~survey.storage.reads.progress`);
this is the client list's view of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from survey.storage.reads import PROGRESS_COLUMNS

if TYPE_CHECKING:
    from survey.storage.store import Store

__all__ = ["PROGRESS_COLUMNS", "organisation_progress"]


def organisation_progress(store: Store, organisation_ids: Iterable[int]) -> pd.DataFrame:
    """Per organisation: campaigns, invitations, invitations started and submitted.

    Parameters
    ----------
    store : survey.storage.Store
        The store to read.
    organisation_ids : iterable of int
        The organisations to report (others are not read).

    Returns
    -------
    pandas.DataFrame
        Columns ``organisation_id``, ``campaigns``, ``invited``, ``started`` (an invitation
        with anything saved) and ``submitted`` (an invitation whose answers were submitted),
        one row per id asked for, zeros where nothing exists
        (:func:`survey.storage.reads.organisation_progress`).
    """
    return store.organisation_progress(organisation_ids)
