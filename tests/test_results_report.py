"""Firm results, the report and the export/report commands on a real SQLite store.

The store holds a small demo cohort plus one organisation whose answers are entered here through
the respondent API (tokens, drafts, submit), so that the expected results are computed in the
test from the answers themselves, independently of :mod:`scoring`, and so that the e-mail
addresses, names and tokens that must never leak into an export are known.
"""

from __future__ import annotations

import math
import subprocess

import frictionless
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
import typer
from argon2 import PasswordHasher
from PIL import Image
from scipy import stats
from typer.testing import CliRunner

from survey.cli.export import register
from survey.exports.dataset import prepare_dataset
from survey.exports.export import export_dataset, write_export
from survey.exports.formats import FORMAT_NAMES
from survey.presentation.report import render_html, report_blocks
from survey.presentation.results_charts import overview_chart, section_charts
from survey.services.results import firm_results
from survey.storage import open_store
from survey.storage.demo import generate_demo
from tests.system_tools import needs_program

ORG = "Zeta <Valves> & Söhne"
FIRST, SECOND = "Zeta kick-off 2025", "Zeta follow-up 2026"
SELF_ROLES = ["sales", "rnd", "operations", "management"]


def _answers(instrument, rng, shift):
    """A complete set of answers; ``shift`` moves the person's level (and so the index)."""
    out = {}
    for scale in instrument.scales:
        for item in scale.items:
            rs = instrument.item_response_scale(item, scale)
            mid = (rs.min + rs.max) / 2 + shift
            value = int(np.clip(round(mid + rng.normal(0, 0.8)), rs.min, rs.max))
            out[item.id] = rs.min + rs.max - value if item.reverse else value
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("store")
    url = f"sqlite:///{folder / 'cocreate.db'}"
    store = open_store(url)
    store.password_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    generate_demo(store, 7, seed=11)
    consultant = store.create_user(
        "casey.consultant@example.org", "pw-123456789", "consultant", name="Casey Consultant"
    )
    org = store.create_organisation(
        ORG, industry="Machinery", size_band="250-999", region="DACH", consultant_id=consultant.id
    )
    # Three of the four instruments keep the test quick while covering every chart kind.
    refs = [i.key for i in store.registry.latest() if i.id != "cocreation-readiness"]
    rng = np.random.default_rng(5)
    given: dict[str, list] = {FIRST: [], SECOND: []}
    secrets = {
        "tokens": [],
        "emails": ["casey.consultant@example.org"],
        "names": ["Casey Consultant"],
    }
    for campaign_name, shift in ((FIRST, -0.6), (SECOND, 0.5)):
        campaign = store.create_campaign(
            org.id, campaign_name, instruments=refs, sides=("self", "customer")
        )
        people = [(role, "self") for role in SELF_ROLES]
        if campaign_name == SECOND:
            people += [("customer", "customer")] * 3
        for k, (role, side) in enumerate(people):
            email = f"person{k}.{campaign.id}@zeta-valves.example"
            _, token = store.create_invitation(campaign.id, role=role, side=side, email=email)
            secrets["tokens"].append(token)
            secrets["emails"].append(email)
            person_shift = shift - 1.0 if side == "customer" else shift
            for ref in refs:
                answers = _answers(store.instrument(ref), rng, person_shift)
                store.save_draft(token, ref, answers)
                given[campaign_name].append((ref, side, answers))
            store.submit(token)
    yield {"store": store, "given": given, "secrets": secrets, "url": url, "org": org}
    store.close()


def _pomp(instrument, answers):
    """Independent scale indices of one respondent: keyed item mean as percent of the range."""
    out = {}
    for scale in instrument.scales:
        keyed = []
        for item in scale.items:
            rs = instrument.item_response_scale(item, scale)
            value = answers[item.id]
            keyed.append((rs.min + rs.max - value) if item.reverse else value)
        rs = instrument.response_scale(scale.response_scale)
        out[scale.id] = 100 * (np.mean(keyed) - rs.min) / (rs.max - rs.min)
    return out


def _indices(world, campaign, ref, side):
    instrument = world["store"].instrument(ref)
    rows = [_pomp(instrument, a) for r, s, a in world["given"][campaign] if r == ref and s == side]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def results(world):
    return firm_results(world["store"], ORG, language="en", min_cohort=5)


def test_results_use_the_latest_campaign_and_own_respondents(results):
    assert results.campaign == SECOND
    assert results.previous_campaign == FIRST
    counts = results.respondents.set_index(["side", "role"])["count"]
    assert counts[("customer", "customer")] == 3
    assert counts[("self", "sales")] == 1
    assert [s.n_self for s in results.sections] == [4] * len(results.sections)


def test_scale_indices_match_an_independent_computation(world, results):
    for section in results.sections:
        expected = _indices(world, SECOND, section.instrument.key, "self").mean()
        actual = section.scales.set_index("scale")["index"]
        pd.testing.assert_series_equal(
            actual.sort_index(), expected.sort_index(), check_names=False, atol=1e-9
        )
        assert section.overall_index == pytest.approx(expected.mean())


def test_stage_follows_the_instrument_thresholds(results):
    for section in results.sections:
        below = [s for s in section.instrument.stages if s.min_index <= section.overall_index]
        assert section.stage == below[-1].stage
        assert section.narrative == below[-1].narrative["en"]


def test_view_gap_matches_welch_t_from_scipy(world, results):
    section = results.sections[0]
    assert section.other_side == "customer"
    own = _indices(world, SECOND, section.instrument.key, "self")
    customers = _indices(world, SECOND, section.instrument.key, "customer")
    gap = section.view_gap.set_index("scale")
    for scale in own.columns:
        t = stats.ttest_ind(own[scale], customers[scale], equal_var=False)
        assert gap.loc[scale, "T"] == pytest.approx(t.statistic)
        assert gap.loc[scale, "pval"] == pytest.approx(t.pvalue)
        assert gap.loc[scale, "gap"] == pytest.approx(own[scale].mean() - customers[scale].mean())


def test_change_since_the_previous_campaign(world, results):
    section = results.sections[0]
    before = _indices(world, FIRST, section.instrument.key, "self").mean()
    change = section.change.set_index("scale")
    for scale, value in before.items():
        assert change.loc[scale, "before"] == pytest.approx(value)
        row = change.loc[scale]
        se_diff = math.sqrt(2) * row["sd"] * math.sqrt(1 - row["reliability"])
        assert row["rci"] == pytest.approx(row["change"] / se_diff)
        assert bool(row["reliable"]) == (abs(row["rci"]) > 1.96)


def test_agreement_is_rwg_j_of_the_own_respondents(world, results):
    section = results.sections[0]
    instrument = section.instrument
    answers = pd.DataFrame(
        [a for r, s, a in world["given"][SECOND] if r == instrument.key and s == "self"]
    )
    for scale in instrument.scales:
        rs = instrument.response_scale(scale.response_scale)
        items = answers[[i.id for i in scale.items]]
        mean_var = items.var(ddof=1).mean()
        sigma = ((rs.max - rs.min + 1) ** 2 - 1) / 12
        ratio = max(0.0, 1 - mean_var / sigma)
        j = len(scale.items)
        expected = j * ratio / (j * ratio + mean_var / sigma)
        got = section.scales.set_index("scale").loc[scale.id, "rwg_j"]
        assert got == pytest.approx(expected)


def test_benchmark_against_the_cohort(results):
    section = results.sections[0]
    assert section.cohort_size == 7
    assert section.benchmark["percentile"].between(0, 100).all()
    assert len(section.cohort_overall) == 7


def test_charts_for_every_section(results):
    kinds = {s.instrument.id: s.chart_kind for s in results.sections}
    assert kinds["interaction-capabilities"] == "radar"
    assert kinds["cocreation-practices"] == "dimension_bars"
    assert kinds["sustained-purposeful-engagement"] == "score_bars"
    for section in results.sections:
        drawn = section_charts(section, "en")
        assert {"profile", "view_gap", "percentiles", "cohort"} <= set(drawn)
    assert overview_chart(results).to_dict()["title"]


def test_html_report_escapes_text_and_embeds_charts(results):
    page = render_html(results)
    assert "Zeta &lt;Valves&gt; &amp; Söhne" in page
    assert "<Valves>" not in page
    assert page.count('src="data:image/svg+xml;base64,') >= 4 * len(results.sections)
    assert results.sections[0].recommendations["text"].iloc[0].split()[0] in page


def test_german_report_uses_the_german_texts(world):
    german = firm_results(world["store"], ORG, language="de", min_cohort=5)
    texts = " ".join(
        str(value) for kind, value in report_blocks(german) if kind in ("h1", "h2", "h3", "p")
    )
    assert "Ergebnisse für" in texts
    assert german.sections[0].stage_name in texts
    assert german.sections[0].narrative in texts
    assert (
        german.sections[0].scales["name"].iloc[0]
        == (german.sections[0].instrument.scales[0].name["de"])
    )


@pytest.fixture(scope="module")
def pdf_path(world, tmp_path_factory):
    """The PDF written by ``cocreate report`` for the earlier campaign."""
    out = tmp_path_factory.mktemp("report") / "report.pdf"
    result = CliRunner().invoke(
        _cli(),
        [
            "report",
            "--db",
            world["url"],
            "--organization",
            ORG,
            "--campaign",
            FIRST,
            "--format",
            "pdf",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_report_command_writes_a_pdf(pdf_path):
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert b"%%EOF" in data[-1024:]


@needs_program("pdftoppm", "poppler-utils")
def test_pdf_pages_render_and_show_charts(tmp_path, pdf_path):
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf_path), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 4
    blue = (0x00, 0x72, 0xB2)
    with_charts = 0
    for page in pages:
        image = Image.open(page).convert("RGB")
        pixels = np.asarray(image).reshape(-1, 3)
        assert (pixels.min(axis=1) < 200).mean() > 0.005, f"{page.name} is blank"
        close = (np.abs(pixels.astype(int) - blue).sum(axis=1) < 60).sum()
        with_charts += close > 50
    assert with_charts >= len(pages) // 2


def _cli():
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    register(app)
    return app


def test_report_command_names_unknown_organisations(world, tmp_path):
    result = CliRunner().invoke(
        _cli(),
        [
            "report",
            "--db",
            world["url"],
            "--organization",
            "Nobody Ltd",
            "--out",
            str(tmp_path / "r.pdf"),
        ],
    )
    assert result.exit_code == 1
    assert "Nobody Ltd" in result.output and "Traceback" not in result.output


def test_export_command_filters_and_writes_the_codebook(world, tmp_path):
    result = CliRunner().invoke(
        _cli(),
        [
            "export",
            "--db",
            world["url"],
            "--format",
            "csv",
            "--out",
            str(tmp_path),
            "--organisation",
            ORG,
            "--campaign",
            SECOND,
            "--side",
            "self",
        ],
    )
    assert result.exit_code == 0, result.output
    wide = pd.read_csv(tmp_path / "responses-interaction-capabilities-1.0.0.csv")
    assert len(wide) == len(SELF_ROLES)
    assert set(wide["side"]) == {"self"}
    codebook = (tmp_path / "codebook.md").read_text(encoding="utf-8")
    # The organisation named in the filter appears in the codebook by its pseudonym only.
    assert f"- organisation: `{wide['organisation'].iloc[0]}`" in codebook
    assert f"- campaign: `{wide['campaign'].iloc[0]}`" in codebook
    assert "Zeta" not in codebook


def test_export_of_the_whole_store_holds_no_personal_data(world, tmp_path):
    store = world["store"]
    forbidden = set(world["secrets"]["tokens"]) | set(world["secrets"]["emails"])
    forbidden |= set(world["secrets"]["names"])
    forbidden |= {org.name for org in store.organisations()}
    forbidden |= {c.name for c in store.campaigns() if "Zeta" in c.name}
    forbidden |= {u.email for u in store.users()} | {u.name for u in store.users() if u.name}
    dataset = prepare_dataset(store.responses(), store.registry, secret=b"k")
    for fmt in FORMAT_NAMES:
        write_export(dataset, fmt, tmp_path / fmt)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= 5 * 3
    # Every format opens in its independent reader with one row per response and all labels.
    for table in dataset.wide:
        name, rows = table.name, len(table.meta)
        items = [i.replace("-", "_") for i in table.instrument.item_ids]
        sav, sav_meta = pyreadstat.read_sav(tmp_path / "sav" / f"responses-{name}.sav")
        dta, dta_meta = pyreadstat.read_dta(tmp_path / "dta" / f"responses-{name}.dta")
        parquet = pq.read_table(tmp_path / "parquet" / f"responses-{name}.parquet")
        csv = pd.read_csv(tmp_path / "csv" / f"responses-{name}.csv")
        assert len(sav) == len(dta) == parquet.num_rows == len(csv) == rows
        for meta in (sav_meta, dta_meta):
            labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
            assert all(labels[v] for v in items)
            assert set(items) <= set(meta.variable_value_labels)
    assert frictionless.validate(tmp_path / "datapackage" / "datapackage.json").valid
    for path in files:
        data = path.read_bytes()
        for value in forbidden:
            assert value.encode("utf-8") not in data, (path.name, value)


@needs_program("pspp", "GNU PSPP")
def test_pspp_reads_the_demo_cohort_sav(world, tmp_path):
    store = world["store"]
    export_dataset(
        store.responses(instrument="interaction-capabilities"),
        store.registry,
        "sav",
        tmp_path,
        secret=b"k",
    )
    sav = tmp_path / "responses-interaction-capabilities-1.0.0.sav"
    syntax = tmp_path / "check.sps"
    syntax.write_text(
        f'GET FILE="{sav}".\nDISPLAY DICTIONARY.\nDESCRIPTIVES VARIABLES=ALL.\n', encoding="utf-8"
    )
    run = subprocess.run(
        ["pspp", "-O", "format=csv", str(syntax)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0 and "error" not in run.stdout.lower(), run.stdout
    assert "IC_IND_1" in run.stdout


def test_unknown_campaign_lists_the_choices(world):
    with pytest.raises(ValueError, match="its campaigns: "):
        firm_results(world["store"], ORG, campaign="Nope")


def test_a_new_empty_campaign_does_not_hide_the_results(world):
    store = world["store"]
    org = world["org"]
    # Runs last in this module: the other tests expect two campaigns.
    store.create_campaign(org.id, "Zeta 2027", instruments=["interaction-capabilities"])
    assert firm_results(store, ORG, min_cohort=5).campaign == SECOND
