"""Construct validity: does the instrument's scale structure hold in the data?

:func:`cfa` fits a confirmatory factor model (each item loads on one factor, factors correlate)
by maximum likelihood with semopy and reports the fit indices the way lavaan does, so that
results read the same as in the literature. :func:`instrument_cfa` builds the model from an
instrument's scales.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from scoring.sums import InstrumentSums
from survey.instrument.model import Instrument

__all__ = [
    "CFAResult",
    "cfa",
    "free_parameters",
    "instrument_cfa",
    "instrument_cfa_from_sums",
    "minimum_cases",
]

LOADING_COLUMNS = ["factor", "item", "estimate", "std_estimate", "se", "pval"]

#: Absolute floor of the default case minimum: below ~100 cases ML fit indices of CFA are
#: unstable even for small models (Boomsma 1985; Kline 2016, ch. 10).
MIN_CASES_FLOOR = 100
#: Cases per free parameter in the default minimum (Bentler & Chou 1987).
CASES_PER_PARAMETER = 5


@dataclass(frozen=True)
class CFAResult:
    """Fit and loadings of a confirmatory factor model.

    ``chi2``, ``dof``, ``pval``: the likelihood-ratio test against the saturated model;
    ``cfi``, ``tli``: incremental fit against the independence model; ``rmsea``: with lavaan's
    N convention; ``srmr``: lavaan's (Bentler's) standardized root mean square residual;
    ``n``: complete cases used; ``loadings``: a tidy table (``factor``, ``item``, ``estimate``,
    ``std_estimate``, ``se``, ``pval``); the first loading of each factor is fixed to 1, so its
    ``se`` and ``pval`` are NaN.
    """

    chi2: float
    dof: int
    pval: float
    cfi: float
    tli: float
    rmsea: float
    srmr: float
    n: int
    loadings: pd.DataFrame

    def fit_table(self) -> pd.DataFrame:
        """The fit indices as a one-row DataFrame, for reports and exports."""
        return pd.DataFrame(
            [
                {
                    "n": self.n,
                    "chi2": self.chi2,
                    "dof": self.dof,
                    "pval": self.pval,
                    "cfi": self.cfi,
                    "tli": self.tli,
                    "rmsea": self.rmsea,
                    "srmr": self.srmr,
                }
            ]
        )


def free_parameters(model: Mapping[str, Sequence[str]]) -> int:
    """Number of free parameters of a simple-structure CFA with correlated factors.

    Parameters
    ----------
    model : mapping
        Factor name -> its items.

    Returns
    -------
    int
        Loadings (one per item, less the one fixed per factor), residual variances (one per
        item), factor variances and factor covariances.

    Notes
    -----
    :math:`q = (p - F) + p + F + F (F - 1) / 2` for p items and F factors, with the first
    loading of each factor fixed to 1 (lavaan's and semopy's default identification).

    References
    ----------
    1. Kline, R. B. (2016). Principles and practice of structural equation modeling (4th ed.).
       Guilford.

    Examples
    --------
    The Holzinger-Swineford model: 9 items on 3 factors.

    >>> free_parameters({"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...                  "speed": ["x7", "x8", "x9"]})
    21
    """
    p = sum(len(items) for items in model.values())
    f = len(model)
    return (p - f) + p + f + f * (f - 1) // 2


def minimum_cases(model: Mapping[str, Sequence[str]]) -> int:
    """The default least number of complete cases :func:`cfa` accepts.

    Parameters
    ----------
    model : mapping
        Factor name -> its items.

    Returns
    -------
    int
        ``max(100, 5 * free_parameters(model))``.

    Notes
    -----
    Five cases per free parameter (Bentler & Chou 1987) with a floor of 100 (Boomsma 1985).
    These are rules of thumb; pass ``min_cases`` to :func:`cfa` to use another.

    References
    ----------
    1. Bentler, P. M., & Chou, C.-P. (1987). Practical issues in structural modeling.
       Sociological Methods & Research, 16(1), 78-117.
    2. Boomsma, A. (1985). Nonconvergence, improper solutions, and starting values in LISREL
       maximum likelihood estimation. Psychometrika, 50(2), 229-242.

    Examples
    --------
    >>> minimum_cases({"a": ["a1", "a2", "a3"], "b": ["b1", "b2", "b3"]})
    100
    >>> minimum_cases({f"f{i}": [f"i{i}{j}" for j in range(4)] for i in range(8)})
    460
    """
    return max(MIN_CASES_FLOOR, CASES_PER_PARAMETER * free_parameters(model))


def cfa(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]],
    *,
    min_cases: int | None = None,
) -> CFAResult:
    """Confirmatory factor analysis of a simple structure, fit by maximum likelihood.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondents x items. Rows with any missing item of the model are dropped (listwise).
    model : mapping
        Factor name -> the items (columns of ``data``) that load on it. Each item loads on one
        factor; factors are allowed to correlate. Each factor needs at least 2 items (3 when
        there is one factor).
    min_cases : int, optional
        Refuse to fit with fewer complete cases than this (``ValueError``). Default:
        :func:`minimum_cases`, ``max(100, 5 x free parameters)``. Never fewer than the number
        of items + 1, where the covariance matrix would be singular.

    Returns
    -------
    CFAResult
        ``chi2``, ``dof``, ``pval``, ``cfi``, ``tli``, ``rmsea``, ``srmr``, ``n`` and the
        tidy ``loadings`` table.

    Notes
    -----
    The model is estimated with semopy (objective ``MLW``, Wishart ML), whose chi-square, CFI
    and TLI equal lavaan's. Two indices are computed here to follow lavaan:

    * RMSEA :math:`= \\sqrt{\\max(\\chi^2 - df, 0) / (df \\cdot N)}` with N the number of
      cases (semopy divides by N - 1); NaN for a saturated model (df = 0);
    * SRMR (Bentler) :math:`= \\sqrt{\\frac{2}{p(p+1)} \\sum_{i \\le j} \\left(
      \\frac{s_{ij} - \\hat\\sigma_{ij}}{\\sqrt{s_{ii} s_{jj}}}\\right)^2}`, the residuals
      of the model-implied covariances scaled by the observed standard deviations, over the
      lower triangle with the diagonal (lavaan's ``srmr`` for continuous data without a
      mean structure).

    ``std_estimate`` is the completely standardised loading (lavaan's ``std.all``); ``pval``
    is the two-sided Wald test of ``estimate / se``.

    References
    ----------
    1. Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure
       analysis. Structural Equation Modeling, 6(1), 1-55.
    2. Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
       Statistical Software, 48(2), 1-36.
    3. Igolkina, A. A., & Meshcheryakov, G. (2020). semopy: A Python package for structural
       equation modeling. Structural Equation Modeling, 27(6), 952-963.

    Examples
    --------
    Two factors of three items each, simulated.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 2))
    >>> x = np.repeat(f, 3, axis=1) * 0.8 + rng.normal(scale=0.6, size=(300, 6))
    >>> data = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> res = cfa(data, {"a": ["a1", "a2", "a3"], "b": ["b1", "b2", "b3"]})
    >>> res.dof, res.cfi > 0.95, res.srmr < 0.05
    (8, True, True)
    >>> res.loadings[["factor", "item"]].values.tolist()[:2]
    [['a', 'a1'], ['a', 'a2']]
    """
    items = _check_model(model)
    if not isinstance(data, pd.DataFrame):
        raise ValueError("data must be a DataFrame of respondents x items")
    missing = [item for item in items if item not in data.columns]
    if missing:
        raise ValueError(f"data has no column(s) {missing} named in the model")
    numeric = data[items].apply(pd.to_numeric, errors="coerce")
    bad = data[items].notna() & numeric.isna()
    if bad.any().any():
        col = next(c for c in items if bad[c].any())
        row = bad.index[bad[col]][0]
        raise ValueError(
            f"data has a non-numeric value {data.loc[row, col]!r} in row {row!r}, column {col!r}"
        )
    complete = numeric.dropna()
    constant = [c for c in items if complete[c].nunique() < 2] if len(complete) else []
    # Maximum-likelihood covariance (divided by n), the matrix semopy fits from data.
    covariance = complete.cov(ddof=0) if len(complete) else None
    return _fit(covariance, len(complete), len(data), model, items, min_cases, constant)


def _fit(
    covariance: pd.DataFrame | None,
    n: int,
    n_rows: int,
    model: Mapping[str, Sequence[str]],
    items: list[str],
    min_cases: int | None,
    constant: list[str],
) -> CFAResult:
    """Fit the simple-structure model to an ML covariance matrix of ``n`` complete cases."""
    import semopy  # imported here: semopy is slow to import and only the CFA needs it

    q = free_parameters(model)
    if min_cases is None:
        needed = minimum_cases(model)
        rule = f"max({MIN_CASES_FLOOR}, {CASES_PER_PARAMETER} x {q} free parameters)"
    else:
        if isinstance(min_cases, bool) or not isinstance(min_cases, (int, np.integer)):
            raise ValueError(f"min_cases must be a whole number (got {min_cases!r})")
        needed = max(int(min_cases), len(items) + 1)
        rule = "min_cases" if needed == min_cases else f"{len(items)} items + 1"
    if n < needed or covariance is None:
        raise ValueError(
            f"CFA needs at least {needed} complete cases ({rule}); the data have {n} "
            f"(of {n_rows} rows). Collect more responses, or pass min_cases= to accept "
            "a less stable fit."
        )
    if constant:
        raise ValueError(f"item(s) {constant} have no variance in the complete cases")

    # semopy's model syntax cannot hold names such as 'IC-IND-1': fit on neutral names.
    item_names = {item: f"v{i}" for i, item in enumerate(items)}
    factor_names = {factor: f"F{i}" for i, factor in enumerate(model)}
    description = "\n".join(
        f"{factor_names[factor]} =~ " + " + ".join(item_names[i] for i in factor_items)
        for factor, factor_items in model.items()
    )
    sem = semopy.Model(description)
    neutral = covariance.loc[items, items].rename(index=item_names, columns=item_names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sem.fit(cov=neutral, obj="MLW", n_samples=n)
        fit_stats = semopy.calc_stats(sem)
        estimates = sem.inspect(std_est=True)
    if not getattr(result, "success", True):
        raise ValueError(f"the CFA did not converge: {getattr(result, 'message', result)}")

    chi2 = float(fit_stats.loc["Value", "chi2"])
    dof = round(float(fit_stats.loc["Value", "DoF"]))
    rmsea = float(np.sqrt(max(chi2 - dof, 0.0) / (dof * n))) if dof > 0 else float("nan")

    sigma, _ = sem.calc_sigma()
    observed = list(sem.vars["observed"])
    order = [observed.index(item_names[i]) for i in items]
    s = np.asarray(sem.mx_cov)[np.ix_(order, order)]
    implied = np.asarray(sigma)[np.ix_(order, order)]
    sd = np.sqrt(np.diag(s))
    residual = (s - implied) / np.outer(sd, sd)
    srmr = float(np.sqrt(np.mean(residual[np.tril_indices(len(items))] ** 2)))

    back_items = {v: k for k, v in item_names.items()}
    back_factors = {v: k for k, v in factor_names.items()}
    rows = []
    for factor, factor_items in model.items():
        for item in factor_items:
            hit = estimates[
                (estimates["op"] == "~")
                & (estimates["lval"] == item_names[item])
                & (estimates["rval"] == factor_names[factor])
            ].iloc[0]
            se = pd.to_numeric(pd.Series([hit["Std. Err"]]), errors="coerce").iloc[0]
            estimate = float(hit["Estimate"])
            pval = float(2 * stats.norm.sf(abs(estimate / se))) if se > 0 else float("nan")
            rows.append(
                {
                    "factor": back_factors[factor_names[factor]],
                    "item": back_items[item_names[item]],
                    "estimate": estimate,
                    "std_estimate": float(hit["Est. Std"]),
                    "se": float(se) if se > 0 else float("nan"),
                    "pval": pval,
                }
            )
    return CFAResult(
        chi2=chi2,
        dof=dof,
        pval=float(fit_stats.loc["Value", "chi2 p-value"]),
        cfi=float(fit_stats.loc["Value", "CFI"]),
        tli=float(fit_stats.loc["Value", "TLI"]),
        rmsea=rmsea,
        srmr=srmr,
        n=n,
        loadings=pd.DataFrame(rows, columns=LOADING_COLUMNS),
    )


def instrument_cfa(
    responses: pd.DataFrame, instrument: Instrument, *, min_cases: int | None = None
) -> CFAResult:
    """CFA of an instrument's scale structure: one factor per scale, its items as indicators.

    Parameters
    ----------
    responses : pandas.DataFrame
        Respondents x item ids of ``instrument`` (other columns are ignored).
    instrument : Instrument
        The instrument version the responses were given under.
    min_cases : int, optional
        As in :func:`cfa`.

    Returns
    -------
    CFAResult
        As :func:`cfa`, with factors named by scale id and items by item id.

    Notes
    -----
    Reverse-keyed items are reversed first (``min + max - x`` on the item's response scale)
    so that all loadings of a well-behaved scale are positive. Answers outside the response
    scale raise a ``ValueError``.

    References
    ----------
    1. Brown, T. A. (2015). Confirmatory factor analysis for applied research (2nd ed.).
       Guilford.

    Examples
    --------
    >>> from survey.instrument.model import Instrument
    >>> import numpy as np, pandas as pd
    >>> inst = Instrument.model_validate({
    ...     "id": "demo", "version": "1.0.0", "title": {"en": "Demo"},
    ...     "description": {"en": "Demo"}, "languages": ["en"],
    ...     "response_scales": [{"id": "agree-5", "min": 1, "max": 5,
    ...                          "labels": {i: {"en": str(i)} for i in range(1, 6)}}],
    ...     "scales": [{"id": s, "name": {"en": s}, "definition": {"en": s},
    ...                 "response_scale": "agree-5",
    ...                 "items": [{"id": f"{s.upper()}-{j}", "text": {"en": "."},
    ...                            "reverse": j == 3} for j in (1, 2, 3)]}
    ...                for s in ("a", "b")],
    ...     "stages": [{"stage": 1, "id": "one", "name": {"en": "One"}, "min_index": 0,
    ...                 "narrative": {"en": "."}}],
    ...     "changelog": [{"version": "1.0.0", "date": "2026-01-01", "changes": ["new"]}]})
    >>> rng = np.random.default_rng(3)
    >>> f = np.repeat(rng.normal(size=(250, 2)), 3, axis=1)
    >>> x = np.clip(np.rint(3 + f + rng.normal(scale=0.7, size=(250, 6))), 1, 5)
    >>> x[:, [2, 5]] = 6 - x[:, [2, 5]]  # the third item of each scale is reverse keyed
    >>> data = pd.DataFrame(x, columns=["A-1", "A-2", "A-3", "B-1", "B-2", "B-3"])
    >>> res = instrument_cfa(data, inst)
    >>> bool((res.loadings["std_estimate"] > 0.5).all())
    True
    """
    model = {scale.id: [item.id for item in scale.items] for scale in instrument.scales}
    keyed = _reverse_keyed(responses, instrument)
    return cfa(keyed, model, min_cases=min_cases)


def instrument_cfa_from_sums(
    sums: InstrumentSums, instrument: Instrument, *, min_cases: int | None = None
) -> CFAResult:
    """:func:`instrument_cfa` from stored response sums instead of the answers.

    Parameters
    ----------
    sums : scoring.sums.InstrumentSums
        Sums over the responses to ``instrument`` (:func:`scoring.sums.response_sums`).
    instrument : Instrument
        The version the sums belong to.
    min_cases : int, optional
        As in :func:`cfa`.

    Returns
    -------
    CFAResult
        The result :func:`instrument_cfa` gives on the same responses.

    Notes
    -----
    The model is fitted to the maximum-likelihood covariance matrix of the responses that
    answered every item, :math:`(\\sum x x^T - s s^T / n) / n` from the listwise
    sums, with reverse-keyed items reversed; a maximum-likelihood fit depends on the data
    only through that matrix and ``n``.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> from scoring.sums import response_sums
    >>> inst = example_instrument()  # three scales of three items
    >>> rng = np.random.default_rng(5)
    >>> f = np.repeat(rng.normal(size=(300, 3)), 3, axis=1)
    >>> x = np.clip(np.rint(3 + f + rng.normal(scale=0.7, size=(300, 9))), 1, 5)
    >>> data = pd.DataFrame(x, columns=inst.item_ids)
    >>> a = instrument_cfa_from_sums(response_sums(data, inst), inst)
    >>> b = instrument_cfa(data, inst)
    >>> bool(abs(a.chi2 - b.chi2) < 1e-6), a.dof, a.n
    (True, 24, 300)
    """
    if sums.items != tuple(instrument.item_ids):
        raise ValueError(f"these sums are not over the items of {instrument.key}")
    model = {scale.id: [item.id for item in scale.items] for scale in instrument.scales}
    items = _check_model(model)
    covariance = sums.complete_covariance(ddof=0) if sums.complete else None
    variances = (
        np.diag(covariance.loc[items, items].to_numpy())
        if covariance is not None
        else np.ones(len(items))
    )
    constant = [item for item, var in zip(items, variances, strict=True) if not var > 0]
    return _fit(covariance, sums.complete, sums.rows, model, items, min_cases, constant)


def _reverse_keyed(responses: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """The instrument's items, numeric and within range, reverse-keyed ones as min + max - x."""
    if not isinstance(responses, pd.DataFrame):
        raise ValueError("responses must be a DataFrame of respondents x item ids")
    missing = [i for i in instrument.item_ids if i not in responses.columns]
    if missing:
        raise ValueError(f"responses lack the item column(s) {missing} of {instrument.key}")
    out = {}
    for scale in instrument.scales:
        for item in scale.items:
            rs = instrument.item_response_scale(item, scale)
            raw = responses[item.id]
            values = pd.to_numeric(raw, errors="coerce")
            bad = raw.notna() & values.isna()
            if bad.any():
                row = raw.index[bad][0]
                raise ValueError(
                    f"column {item.id!r} has a non-numeric value {raw.loc[row]!r} in row {row!r}"
                )
            outside = values.notna() & ((values < rs.min) | (values > rs.max))
            if outside.any():
                row = values.index[outside][0]
                raise ValueError(
                    f"column {item.id!r} has {values.loc[row]:g} in row {row!r}, outside its "
                    f"response scale {rs.min}..{rs.max}"
                )
            out[item.id] = rs.min + rs.max - values if item.reverse else values
    return pd.DataFrame(out, index=responses.index).astype(float)


def _check_model(model: Mapping[str, Sequence[str]]) -> list[str]:
    if not isinstance(model, Mapping) or not model:
        raise ValueError("model must map each factor to its items, e.g. {'f1': ['a', 'b', 'c']}")
    items: list[str] = []
    for factor, factor_items in model.items():
        if isinstance(factor_items, str) or len(factor_items) < 2:
            raise ValueError(f"factor {factor!r} needs at least 2 items (got {factor_items!r})")
        items.extend(factor_items)
    if len(model) == 1 and len(items) < 3:
        raise ValueError("a one-factor model needs at least 3 items to be identified")
    repeated = sorted({i for i in items if items.count(i) > 1})
    if repeated:
        raise ValueError(f"item(s) {repeated} load on more than one factor: give each one factor")
    return items
