"""cocreate's scoring layer: pure statistics on pandas DataFrames.

Nothing here touches a database, a file or the app; :mod:`survey` and the app call in.
"""

from scoring.items import ScoreResult, score_items

__all__ = ["ScoreResult", "score_items"]
