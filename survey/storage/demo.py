"""A realistic synthetic cohort for demos, tests and benchmarks.

Answers come from a latent factor model, so that scale reliabilities, agreement within firms and
benchmarks look like those of real survey data:

* each organisation has a latent readiness :math:`\\eta_o \\sim N(\\mu_{ind} + \\mu_{size}, 1)`,
  and each scale an organisation-level score
  :math:`\\theta_{os} = 0.6\\,\\eta_o + 0.8\\,u_{os}` (scales correlate about .36 across firms);
* a respondent deviates from their firm: :math:`\\theta_{rs} = \\theta_{os} + d_r + e_{rs}`
  with :math:`d_r \\sim N(0, 0.5^2)`, :math:`e_{rs} \\sim N(0, 0.35^2)` (customers see the
  supplier 0.3 lower and less uniformly);
* an item's latent response is :math:`y = \\mu_i + \\lambda_i \\theta_{rs} + \\varepsilon`
  with loadings :math:`\\lambda_i \\sim U(0.55, 0.8)` and :math:`\\varepsilon \\sim N(0, 0.65^2)`,
  rounded to the nearest point of the response scale; reverse-keyed items are answered
  reversed (min + max - y); "not applicable" is chosen now and then where the scale allows it.

With 4-6 items per scale this gives Cronbach's alpha of about .75-.90 and rwg(j) mostly above
.7. Everything is drawn from one ``numpy.random.Generator`` seeded by ``seed``, so a seed gives
the same cohort (and the same database content, on an empty database) every time.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, insert, select

from survey.instrument.model import Instrument
from survey.instrument.registry import Registry
from survey.storage import models as m
from survey.storage.rows import insert_answers
from survey.storage.scores import write_scores
from survey.storage.store import Store
from survey.vocab import SIZE_BANDS

INDUSTRIES: dict[str, float] = {
    "Machinery": 0.0,
    "Software": 0.35,
    "Chemicals": -0.15,
    "Logistics": -0.25,
    "Medical devices": 0.15,
    "Electronics": 0.1,
    "Construction": -0.35,
    "Business services": 0.2,
}
SIZE_EFFECTS: dict[str, float] = dict(zip(SIZE_BANDS, (-0.1, 0.0, 0.1, 0.15), strict=True))
REGIONS = ["DACH", "Nordics", "Benelux", "UK & Ireland", "Southern Europe", "North America"]
SELF_ROLES = ["sales", "rnd", "operations", "service", "management", "other"]
SELF_ROLE_WEIGHTS = [0.25, 0.2, 0.15, 0.15, 0.2, 0.05]
_NAME_A = ["Nord", "Alp", "Rhein", "Baltic", "Helio", "Vela", "Kestrel", "Orbis", "Tessel", "Lumen"]
_NAME_B = ["tech", "werk", "tronic", "flow", "motion", "gen", "path", "forge", "line", "core"]
_NAME_C = ["Systems", "Industries", "Solutions", "Group", "Components", "Labs", "Works"]
BASE_DATE = datetime(2025, 2, 3, 9, 0, 0)


@dataclass(frozen=True)
class DemoSummary:
    organisations: int
    campaigns: int
    invitations: int
    responses: int
    submitted: int
    answers: int


@dataclass
class _ItemModel:
    instrument: Instrument
    item_ids: list[str]
    scale_index: np.ndarray  # scale of each item
    loadings: np.ndarray
    means: np.ndarray
    reverse: np.ndarray
    low: np.ndarray
    high: np.ndarray
    allows_na: np.ndarray
    required: np.ndarray
    n_scales: int


def _item_model(instrument: Instrument, rng: np.random.Generator) -> _ItemModel:
    ids, scale_index, reverse, low, high, allows_na, required = [], [], [], [], [], [], []
    for s, scale in enumerate(instrument.scales):
        for item in scale.items:
            rs = instrument.item_response_scale(item, scale)
            ids.append(item.id)
            scale_index.append(s)
            reverse.append(item.reverse)
            low.append(rs.min)
            high.append(rs.max)
            allows_na.append(rs.not_applicable)
            required.append(item.required)
    n = len(ids)
    return _ItemModel(
        instrument=instrument,
        item_ids=ids,
        scale_index=np.array(scale_index),
        loadings=rng.uniform(0.55, 0.8, n),
        means=rng.normal(0.0, 0.25, n),
        reverse=np.array(reverse),
        low=np.array(low),
        high=np.array(high),
        allows_na=np.array(allows_na),
        required=np.array(required),
        n_scales=len(instrument.scales),
    )


def _answers(
    model: _ItemModel, theta: np.ndarray, rng: np.random.Generator
) -> list[int | str | None]:
    """One respondent's answers (``"na"`` not applicable, ``None`` skipped) from their latent
    scale scores ``theta``."""
    centre = (model.low + model.high) / 2
    unit = (model.high - model.low) / 4  # one latent unit is about one point on a 1-5 scale
    latent = (
        model.means
        + model.loadings * theta[model.scale_index]
        + rng.normal(0, 0.65, len(model.item_ids))
    )
    agree = np.clip(np.rint(centre + 0.3 * unit + latent * unit), model.low, model.high)
    value = np.where(model.reverse, model.low + model.high - agree, agree).astype(int)
    out: list[int | str | None] = [int(v) for v in value]
    na_draw = rng.random(len(out))
    skip_draw = rng.random(len(out))
    for k in range(len(out)):
        if model.allows_na[k] and na_draw[k] < 0.04:
            out[k] = "na"
        elif not model.required[k] and skip_draw[k] < 0.05:
            out[k] = None
    return out


def _fake_token_hash(rng: np.random.Generator) -> str:
    # Demo invitations get hashes of random tokens nobody holds: their answers are not editable.
    return hashlib.sha256(rng.bytes(32)).hexdigest()


def generate_demo(
    store: Store,
    organizations: int = 40,
    seed: int = 0,
    *,
    instruments: Sequence[str] | None = None,
    consultant_id: int | None = None,
    progress: bool = False,
    batch_size: int = 50,
) -> DemoSummary:
    """Add a synthetic cohort of ``organizations`` organisations to ``store``.

    Parameters
    ----------
    store : Store
        Where to write (bulk inserts, one transaction per batch of organisations).
    organizations : int
        How many organisations (each with 3-8 respondents per campaign).
    seed : int
        Seed of the ``numpy.random.Generator``; the same seed gives the same cohort.
    instruments : list of str, optional
        ``id@version`` refs the campaigns use; default: the newest version of every instrument.
    consultant_id : int, optional
        A consultant account that every fourth organisation is assigned to.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    DemoSummary
        Counts of what was added.
    """
    if organizations < 1:
        raise ValueError("--organizations must be at least 1")
    rng = np.random.default_rng(seed)
    pinned = (
        [store.instrument(ref) for ref in instruments] if instruments else store.registry.latest()
    )
    if not pinned:
        raise ValueError("no instruments found: check COCREATE_INSTRUMENTS_DIR")
    models = [_item_model(instrument, rng) for instrument in pinned]
    # First rounds of two-round organisations use the previous version where one exists, so
    # that the cohort spans instrument versions as real data does.
    earlier_models = list(models)
    if instruments is None:
        for k, instrument in enumerate(pinned):
            versions = store.registry.versions(instrument.id)
            if len(versions) > 1:
                earlier_models[k] = _item_model(versions[-2], rng)
    existing = len(store.organisations())
    from tqdm import tqdm

    totals = dict.fromkeys(
        ["organisations", "campaigns", "invitations", "responses", "submitted", "answers"], 0
    )
    bar = tqdm(total=organizations, desc="demo organisations", unit="org", disable=not progress)
    for start in range(0, organizations, batch_size):
        count = min(batch_size, organizations - start)
        plan = [
            _plan_organisation(existing + start + k, models, earlier_models, rng)
            for k in range(count)
        ]
        added = store.write(
            functools.partial(
                _insert, plan=plan, consultant_id=consultant_id, registry=store.registry
            )
        )
        for key, value in added.items():
            totals[key] += value
        bar.update(count)
    bar.close()
    return DemoSummary(**totals)


def _plan_organisation(
    index: int,
    models: list[_ItemModel],
    earlier_models: list[_ItemModel],
    rng: np.random.Generator,
) -> dict[str, Any]:
    industry = str(rng.choice(list(INDUSTRIES)))
    size_band = str(rng.choice(list(SIZE_EFFECTS), p=[0.3, 0.35, 0.2, 0.15]))
    region = str(rng.choice(REGIONS))
    name = f"{rng.choice(_NAME_A)}{rng.choice(_NAME_B)} {rng.choice(_NAME_C)} {index + 1:03d}"
    eta = rng.normal(INDUSTRIES[industry] + SIZE_EFFECTS[size_band], 1.0)
    with_customers = bool(rng.random() < 0.35)
    rounds = 2 if rng.random() < 0.3 else 1
    opens = BASE_DATE + timedelta(days=int(rng.integers(0, 200)))
    campaigns = []
    for round_number in range(rounds):
        growth = rng.normal(0.3, 0.2) if round_number else 0.0
        round_models = earlier_models if rounds == 2 and round_number == 0 else models
        campaign_opens = opens + timedelta(days=365 * round_number)
        org_theta = [
            0.6 * (eta + growth) + 0.8 * rng.normal(0, 1, model.n_scales) for model in round_models
        ]
        respondents = []
        n_self = int(rng.integers(3, 9))
        n_customer = int(rng.integers(1, 4)) if with_customers else 0
        for r in range(n_self + n_customer):
            customer = r >= n_self
            role = "customer" if customer else str(rng.choice(SELF_ROLES, p=SELF_ROLE_WEIGHTS))
            shift, spread = (-0.3, 0.65) if customer else (0.0, 0.5)
            general = rng.normal(shift, spread)
            kind = rng.random()
            status = "submitted" if kind < 0.9 else ("draft" if kind < 0.96 else "new")
            started = campaign_opens + timedelta(hours=float(rng.uniform(1, 24 * 20)))
            responses = []
            for model, theta_o in zip(round_models, org_theta, strict=True):
                theta = theta_o + general + rng.normal(0, 0.35, model.n_scales)
                answers = _answers(model, theta, rng)
                if status == "draft":
                    cut = int(rng.integers(1, max(2, len(answers))))
                    answers = answers[:cut] + [None] * (len(answers) - cut)
                responses.append(answers)
            respondents.append(
                {
                    "role": role,
                    "side": "customer" if customer else "self",
                    "language": str(rng.choice(["en", "de"], p=[0.7, 0.3])),
                    "token_hash": _fake_token_hash(rng),
                    "status": status,
                    "started": started,
                    "submitted": started + timedelta(minutes=float(rng.uniform(8, 60 * 48))),
                    "responses": responses,
                }
            )
        campaigns.append(
            {
                "name": f"{campaign_opens.year} assessment",
                "sides": "self,customer" if with_customers else "self",
                "opens_at": campaign_opens,
                "closes_at": campaign_opens + timedelta(days=45),
                "respondents": respondents,
                "instruments": [model.instrument for model in round_models],
            }
        )
    return {
        "name": name,
        "industry": industry,
        "size_band": size_band,
        "region": region,
        "consultant": index % 4 == 0,
        "created_at": opens - timedelta(days=7),
        "campaigns": campaigns,
    }


def _returning_ids(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    result = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [int(row[0]) for row in result]


def _insert(
    conn: Connection,
    plan: list[dict[str, Any]],
    consultant_id: int | None,
    registry: Registry,
) -> dict[str, int]:
    taken = set(conn.execute(select(m.Organisation.name)).scalars())
    for org in plan:
        while org["name"] in taken:
            org["name"] += "+"
        taken.add(org["name"])
    org_ids = _returning_ids(
        conn,
        m.Organisation.__table__,
        [
            {
                "name": org["name"],
                "industry": org["industry"],
                "size_band": org["size_band"],
                "region": org["region"],
                "consultant_id": consultant_id if org["consultant"] else None,
                "created_at": org["created_at"],
            }
            for org in plan
        ],
    )
    campaign_rows, campaign_plans = [], []
    for org_id, org in zip(org_ids, plan, strict=True):
        for campaign in org["campaigns"]:
            campaign_rows.append(
                {
                    "organisation_id": org_id,
                    "name": campaign["name"],
                    "sides": campaign["sides"],
                    "opens_at": campaign["opens_at"],
                    "closes_at": campaign["closes_at"],
                    "created_at": campaign["opens_at"] - timedelta(days=2),
                }
            )
            campaign_plans.append(campaign)
    campaign_ids = _returning_ids(conn, m.Campaign.__table__, campaign_rows)
    conn.execute(
        insert(m.CampaignInstrument),
        [
            {
                "campaign_id": cid,
                "instrument_id": inst.id,
                "version": inst.version,
                "sha256": inst.sha256,
                "position": position,
            }
            for cid, campaign in zip(campaign_ids, campaign_plans, strict=True)
            for position, inst in enumerate(campaign["instruments"])
        ],
    )
    invitation_rows, invitation_plans = [], []
    for cid, campaign in zip(campaign_ids, campaign_plans, strict=True):
        for respondent in campaign["respondents"]:
            invitation_rows.append(
                {
                    "campaign_id": cid,
                    "token_hash": respondent["token_hash"],
                    "role": respondent["role"],
                    "side": respondent["side"],
                    "language": respondent["language"],
                    "created_at": campaign["opens_at"],
                }
            )
            invitation_plans.append((cid, respondent, campaign["instruments"]))
    invitation_ids = _returning_ids(conn, m.Invitation.__table__, invitation_rows)
    response_rows, response_answers = [], []
    for iid, (cid, respondent, pinned) in zip(invitation_ids, invitation_plans, strict=True):
        if respondent["status"] == "new":
            continue
        done = respondent["status"] == "submitted"
        for inst, answers in zip(pinned, respondent["responses"], strict=True):
            response_rows.append(
                {
                    "invitation_id": iid,
                    "campaign_id": cid,
                    "instrument_id": inst.id,
                    "version": inst.version,
                    "sha256": inst.sha256,
                    "status": "submitted" if done else "draft",
                    "started_at": respondent["started"],
                    "last_saved_at": respondent["submitted"],
                    "submitted_at": respondent["submitted"] if done else None,
                }
            )
            response_answers.append((inst, answers))
    response_ids = _returning_ids(conn, m.Response.__table__, response_rows)
    answer_rows = [
        (rid, item_id, None if value == "na" else value, value == "na")
        for rid, (inst, answers) in zip(response_ids, response_answers, strict=True)
        for item_id, value in zip(inst.item_ids, answers, strict=True)
        if value is not None
    ]
    insert_answers(conn, answer_rows)
    write_scores(conn, registry, response_ids)
    return {
        "organisations": len(org_ids),
        "campaigns": len(campaign_ids),
        "invitations": len(invitation_ids),
        "responses": len(response_ids),
        "submitted": sum(1 for row in response_rows if row["status"] == "submitted"),
        "answers": len(answer_rows),
    }
