"""Hostile field values: over-long, control characters, formulas, blanks and unknown codes are
refused by one set of rules (``survey.storage.fields``) on every write path, alike on SQLite and
PostgreSQL, with a message that names the field and never the SQL; nothing stored changes.
Organisation names are unique per consultant, and refusals reveal nobody else's clients."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text

from survey.storage import Store, open_store
from survey.storage.engine import alembic_config, make_engine
from survey.storage.errors import (
    AmbiguousName,
    DatabaseRefused,
    FieldError,
    NameTaken,
    StorageError,
)
from survey.storage.fields import FIELDS, UNKNOWN_SIZE_BAND, clean
from survey.storage.rows import insert_organisation, utcnow
from tests.hostile.harness import database_fingerprint, run_bounded

ALPHA = [f"A-{s}-{i}" for s in (1, 2) for i in range(1, 5)]
#: Words of SQL a message must never show.
SQL = ("INSERT", "SELECT", "UPDATE ", "VALUES", "[SQL", "psycopg", "sqlite3")
PASSWORD = "long enough password"


def _clean_message(message: str, field: str) -> None:
    assert field in message, message
    for word in SQL:
        assert word not in message, message
    assert "Traceback" not in message


def _refused(store: Store, url: str, action: Callable[[], Any], field: str) -> StorageError:
    """``action`` raises a StorageError naming ``field``; the database is unchanged."""
    before = database_fingerprint(url)
    with pytest.raises(StorageError) as caught:
        action()
    _clean_message(str(caught.value), field)
    assert database_fingerprint(url) == before
    return caught.value


@pytest.fixture
def world(store: Store) -> dict[str, Any]:
    consultant = store.create_user("c@example.org", PASSWORD, "consultant")
    other = store.create_user("o@example.org", PASSWORD, "consultant")
    org = store.create_organisation(
        "Acme", industry="Machinery", size_band="1-49", region="EU", consultant_id=consultant.id
    )
    campaign = store.create_campaign(org.id, "Pilot", instruments=["alpha"], sides=["self"])
    _, token = store.create_invitation(campaign.id, role="sales")
    return {
        "consultant": consultant,
        "other": other,
        "org": org,
        "campaign": campaign,
        "token": token,
    }


# -- the rules themselves ------------------------------------------------------------------------
def test_every_length_comes_from_its_column() -> None:
    for field in FIELDS:
        assert field.length == getattr(field.column.type, "length", None), field.name
    assert {f.name: f.length for f in FIELDS}["organisation name"] == 200
    assert clean(FIELDS[0], " Acme ") == "Acme"


@pytest.mark.parametrize(
    "value",
    ["a\x00b", "a\nb", "a\tb", "a\x1b[31mb", "a\u2028b", "a\ud800b"],
    ids=["nul", "newline", "tab", "escape", "line-separator", "surrogate"],
)
def test_control_characters_are_refused(value: str) -> None:
    with pytest.raises(FieldError, match="control characters"):
        clean(FIELDS[0], value)


# -- the store's writes, on SQLite and PostgreSQL -----------------------------------------------
ORGANISATION_CASES = {
    "long-name": ({"name": "N" * 201}, "organisation name"),
    "blank-name": ({"name": "   "}, "organisation name"),
    "nul-name": ({"name": "Ac\x00me"}, "organisation name"),
    "escape-name": ({"name": "Acme\x1b[2J"}, "organisation name"),
    "long-industry": ({"industry": "I" * 101}, "industry"),
    "newline-industry": ({"industry": "Machinery\n=1+1"}, "industry"),
    "long-region": ({"region": "R" * 101}, "region"),
    "long-size-band": ({"size_band": "S" * 51}, "size band"),
    "unknown-size-band": ({"size_band": "huge"}, "size band"),
}


@pytest.mark.parametrize("case", ORGANISATION_CASES, ids=list(ORGANISATION_CASES))
def test_organisation_fields(store: Store, store_url: str, world: dict, case: str) -> None:
    change, field = ORGANISATION_CASES[case]
    values = {"name": "New client", "industry": "x", "size_band": "1-49", "region": "y"} | change
    name = values.pop("name")
    error = _refused(
        store,
        store_url,
        lambda: store.create_organisation(name, consultant_id=world["consultant"].id, **values),
        field,
    )
    assert isinstance(error, FieldError) and error.field == field


@pytest.mark.parametrize("name", ["C" * 201, "Pi\x00lot", "  "], ids=["long", "nul", "blank"])
def test_campaign_name(store: Store, store_url: str, world: dict, name: str) -> None:
    _refused(
        store,
        store_url,
        lambda: store.create_campaign(world["org"].id, name, instruments=["alpha"]),
        "campaign name",
    )


@pytest.mark.parametrize(
    ("email", "role", "name", "field"),
    [
        ("a" * 320 + "@x.org", "consultant", None, "e-mail address"),
        ("ana\x00@x.org", "consultant", None, "e-mail address"),
        ("ana@x.org", "superuser", None, "account role"),
        ("ana@x.org", "consultant", "N" * 201, "name"),
        ("ana@x.org", "consultant", "Ana\r\nBcc: all", "name"),
    ],
    ids=["long-email", "nul-email", "unknown-role", "long-name", "crlf-name"],
)
def test_account_fields(
    store: Store, store_url: str, world: dict, email: str, role: str, name: str | None, field: str
) -> None:
    _refused(store, store_url, lambda: store.create_user(email, PASSWORD, role, name=name), field)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "ceo"}, "role"),
        ({"role": "=cmd|' /C calc'!A0"}, "role"),
        ({"side": "supplier"}, "side"),
        ({"language": "fr"}, "language"),
        ({"language": "L" * 300}, "language"),
        ({"language": '=HYPERLINK("http://x")'}, "language"),
        ({"language": "e\x00n"}, "language"),
        ({"email": "ana\x00@x.org"}, "e-mail address"),
        ({"email": "a" * 321}, "e-mail address"),
    ],
    ids=[
        "role",
        "formula-role",
        "side",
        "language-not-the-instrument's",
        "long-language",
        "formula-language",
        "nul-language",
        "nul-email",
        "long-email",
    ],
)
def test_invitation_fields(
    store: Store, store_url: str, world: dict, change: dict, field: str
) -> None:
    values = {"role": "sales", "side": "self", "language": "en"} | change
    _refused(
        store,
        store_url,
        lambda: store.create_invitation(world["campaign"].id, **values),
        field,
    )


@pytest.mark.parametrize("language", ["fr", "x" * 300, "de\x00"], ids=["other", "long", "nul"])
def test_set_language(store: Store, store_url: str, world: dict, language: str) -> None:
    _refused(store, store_url, lambda: store.set_language(world["token"], language), "language")
    store.set_language(world["token"], "de")
    assert store.invitation_by_token(world["token"]).language == "de"


def test_a_hostile_item_id_in_a_draft(store: Store, store_url: str, world: dict) -> None:
    before = database_fingerprint(store_url)
    with pytest.raises(StorageError) as caught:
        store.save_draft(world["token"], "alpha", {"A-1-1\x00": 3, "X" * 300: 1})
    for word in SQL:
        assert word not in str(caught.value)
    assert database_fingerprint(store_url) == before


def test_erasure_record_fields(store: Store, store_url: str, world: dict) -> None:
    _refused(
        store,
        store_url,
        lambda: store.erase_organisation(world["org"].id, by="x" * 321),
        "erased by",
    )
    _refused(
        store,
        store_url,
        lambda: store.erase_organisation(world["org"].id, reason="because\x00"),
        "reason",
    )


def test_database_errors_never_show_the_statement(
    store: Store, store_url: str, world: dict
) -> None:
    """Past the field rules (rows written directly), the database's refusal is a clean
    DatabaseRefused on both backends."""
    before = database_fingerprint(store_url)

    def twin(conn: Any) -> int:
        return insert_organisation(
            conn,
            name="Acme",
            industry="x",
            size_band="1-49",
            region="y",
            created_at=utcnow(),
            consultant_id=world["consultant"].id,
        )

    with pytest.raises(DatabaseRefused) as caught:
        store.write(twin)
    _clean_message(str(caught.value), "refused")
    assert "Acme" not in str(caught.value)
    if store.dialect == "postgresql":

        def long_row(conn: Any) -> int:
            return insert_organisation(
                conn, name="N" * 300, industry="x", size_band="1", region="y", created_at=utcnow()
            )

        with pytest.raises(DatabaseRefused) as too_long:
            store.write(long_row)
        _clean_message(str(too_long.value), "refused")
        assert "N" * 50 not in str(too_long.value)
    assert database_fingerprint(store_url) == before


# -- names unique per consultant --------------------------------------------------------------
def test_another_consultants_client_name_is_allowed_and_revealed_nowhere(
    store: Store, store_url: str, world: dict
) -> None:
    other = world["other"]
    theirs = store.create_organisation(
        "Acme", industry="x", size_band="1-49", region="y", consultant_id=other.id
    )
    assert theirs.id != world["org"].id
    # Their own duplicate is refused and said to be theirs, with their id only.
    error = _refused(
        store,
        store_url,
        lambda: store.create_organisation(
            " Acme ", industry="x", size_band="1-49", region="y", consultant_id=other.id
        ),
        "Acme",
    )
    assert isinstance(error, NameTaken)
    assert "among your clients" in str(error) and f"id {theirs.id})" in str(error)
    assert f"id {world['org'].id})" not in str(error)
    # Without a consultant (an admin's or an import's) names are unique among themselves.
    store.create_organisation("Acme", industry="x", size_band="1-49", region="y")
    with pytest.raises(NameTaken, match="without a consultant"):
        store.create_organisation("Acme", industry="x", size_band="1-49", region="y")


def test_name_lookups_are_scoped_and_never_ambiguous(store: Store, world: dict) -> None:
    consultant, other = world["consultant"], world["other"]
    theirs = store.create_organisation(
        "Acme", industry="x", size_band="1-49", region="y", consultant_id=other.id
    )
    assert store.organisation("Acme", user=consultant).id == world["org"].id
    assert store.organisation("Acme", user=other).id == theirs.id
    with pytest.raises(AmbiguousName) as caught:
        store.organisation("Acme")
    assert f"ids {world['org'].id}, {theirs.id}" in str(caught.value)
    researcher = store.create_user("r@example.org", PASSWORD, "researcher")
    with pytest.raises(AmbiguousName):
        store.organisation("Acme", user=researcher)  # a researcher sees every organisation
    firm = store.create_user("f@example.org", PASSWORD, "firm_admin", organisation_id=theirs.id)
    assert store.organisation("Acme", user=firm).id == theirs.id
    assert store.organisation(world["org"].id).name == "Acme"


def test_migration_0004_keeps_clients_campaigns_and_ids(store_url: str, test_registry) -> None:
    """A database at 0003 with clients, a campaign and an erased organisation: after 0004
    nothing is lost (no cascade from the rebuilt table) and no id comes back."""
    open_store(store_url, registry=test_registry).close()
    engine = make_engine(store_url)
    config = alembic_config()
    with engine.connect().execution_options(cocreate_write=True) as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
        conn.commit()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, email, role, password_hash, created_at) "
                "VALUES (1, 'c@x.org', 'consultant', 'h', '2026-01-01')"
            )
        )
        for org_id in (1, 2, 3):
            conn.execute(
                text(
                    "INSERT INTO organisations (id, name, industry, size_band, region, "
                    "consultant_id, created_at) VALUES "
                    f"({org_id}, 'O{org_id}', 'x', '1-49', 'r', 1, '2026-01-01')"
                )
            )
        conn.execute(
            text(
                "INSERT INTO campaigns (id, organisation_id, name, sides, created_at) "
                "VALUES (1, 2, 'C', 'self', '2026-01-01')"
            )
        )
        conn.execute(text("UPDATE users SET organisation_id = 2"))
        conn.execute(text("DELETE FROM organisations WHERE id = 3"))
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval('organisations_id_seq', 3)"))
    engine.dispose()
    store = open_store(store_url, registry=test_registry)
    try:
        assert [o.name for o in store.organisations()] == ["O1", "O2"]
        assert [c.name for c in store.campaigns()] == ["C"]
        assert store.read(lambda c: c.execute(text("SELECT organisation_id FROM users")).all()) == [
            (2,)
        ]
        again = store.create_organisation(
            "O1", industry="x", size_band="1-49", region="r", consultant_id=None
        )
        assert again.id > 3
        consultant = store.user("c@x.org")
        with pytest.raises(NameTaken):
            store.create_organisation(
                "O1", industry="x", size_band="1-49", region="r", consultant_id=consultant.id
            )
        if store.dialect == "sqlite":
            assert store.read(lambda c: c.exec_driver_sql("PRAGMA foreign_keys").scalar()) == 1
    finally:
        store.close()


# -- the import, in a child process (`cocreate import`) ---------------------------------------
def _csv(tmp_path: Path, extra: dict[str, str] | None = None, *, name: str = "in.csv") -> Path:
    columns = {"respondent_id": "r1", "role": "sales", "side": "self", "language": "en"}
    columns |= extra or {}
    header = ",".join([*columns, *ALPHA])
    row = ",".join([*columns.values(), *["3"] * len(ALPHA)])
    path = tmp_path / name
    path.write_bytes((header + "\n" + row + "\n").encode("utf-8"))
    return path


def _cocreate(args: list[str], instruments: Path, *, bounded: bool) -> tuple[int, str, str, bool]:
    """``cocreate ARGS``: in a child process under the harness's ceilings (``bounded``), or in
    this process (quicker, for refusals that come before the file is read or are not about
    resources). Returns exit code, stdout, stderr and whether a traceback showed."""
    env = {"COCREATE_INSTRUMENTS_DIR": str(instruments)}
    if bounded:
        outcome = run_bounded(*args, env=env)
        return outcome.code, outcome.stdout, outcome.stderr, outcome.traceback
    from typer.testing import CliRunner

    from survey.cli.main import app

    result = CliRunner().invoke(app, args, env=env)
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout, result.stderr, crashed


IMPORT_CASES: dict[str, tuple[dict[str, str], list[str], list[str], bool]] = {
    # name: (cells of the row, options, fragments the refusal shows, in a child process)
    "formula-language": (
        {"language": '"=HYPERLINK(""http://x"",""y"")"'},
        [],
        ["language must be one of en, de", "=HYPERLINK"],
        True,
    ),
    "long-language": ({"language": "L" * 300}, [], ["language", "LLLL..."], True),
    "nul-language": ({"language": "e\x00n"}, [], ["language", "\\x00"], True),
    "unknown-language": ({"language": "fr"}, [], ["language must be one of en, de"], False),
    "unknown-role": ({"role": "ceo"}, [], ["role must be one of"], False),
    "unknown-side": ({"side": "supplier"}, [], ["side must be one of"], False),
    "long-respondent-id": ({"respondent_id": "r" * 201}, [], ["respondent id"], False),
    "blank-organisation": ({}, ["--organization", "   "], ["organisation name"], True),
    "nul-organisation": (
        {},
        ["--organization", "Ac\x00me"],
        ["organisation name", "U+0000"],
        False,
    ),
    "long-organisation": (
        {},
        ["--organization", "O" * 201],
        ["organisation name", "at most 200"],
        False,
    ),
    "long-industry": ({}, ["--industry", "I" * 101], ["industry", "at most 100"], False),
    "long-region": ({}, ["--region", "R" * 101], ["region", "at most 100"], False),
    "long-size-band": ({}, ["--size-band", "S" * 51], ["size band"], False),
    "unknown-size-band": ({}, ["--size-band", "huge"], ["size band", "1-49, 50-249"], False),
    "long-campaign": ({}, ["--campaign", "C" * 201], ["campaign name", "at most 200"], False),
    "escape-campaign": ({}, ["--campaign", "C\x1b[2J"], ["campaign name", "U+001B"], False),
}


@pytest.mark.parametrize("case", IMPORT_CASES, ids=list(IMPORT_CASES))
def test_import_refuses_hostile_fields(
    store: Store, store_url: str, world: dict, tmp_path: Path, test_instruments_dir: Path, case: str
) -> None:
    cells, options, fragments, bounded = IMPORT_CASES[case]
    path = _csv(tmp_path, cells)
    if "--organization" not in options:
        options = [*options, "--organization", "Imported"]
    args = ["import", str(path), "--db", store_url, "--instrument", "alpha", *options]
    before = database_fingerprint(store_url)
    code, _stdout, stderr, traceback = _cocreate(args, test_instruments_dir, bounded=bounded)
    assert code == 1 and not traceback, stderr
    for fragment in fragments:
        assert fragment in stderr, (fragment, stderr)
    _clean_message(stderr, fragments[0].split()[0])
    assert database_fingerprint(store_url) == before


def test_import_names_an_ambiguous_organisation_by_id(
    store: Store, store_url: str, world: dict, tmp_path: Path, test_instruments_dir: Path
) -> None:
    theirs = store.create_organisation(
        "Acme", industry="x", size_band="1-49", region="y", consultant_id=world["other"].id
    )
    path = _csv(tmp_path)
    args = ["import", str(path), "--db", store_url, "--instrument", "alpha"]
    before = database_fingerprint(store_url)
    code, _, stderr, _ = _cocreate(
        [*args, "--organization", "Acme"], test_instruments_dir, bounded=False
    )
    assert code == 1
    assert f"ids {world['org'].id}, {theirs.id}" in stderr and "give --organization ID" in stderr
    assert database_fingerprint(store_url) == before
    # Erasing by an ambiguous name erases nothing and lists the ids to choose from.
    code, _, stderr, _ = _cocreate(
        ["erase", "--db", store_url, "--organization", "Acme"], test_instruments_dir, bounded=False
    )
    assert code == 1 and f"ids {world['org'].id}, {theirs.id}" in stderr, stderr
    assert database_fingerprint(store_url) == before
    code, stdout, stderr, _ = _cocreate(
        [*args, "--organization", str(theirs.id)], test_instruments_dir, bounded=False
    )
    assert code == 0, stderr
    assert "of Acme" in stdout
    assert [c.organisation_id for c in store.campaigns(theirs.id)] == [theirs.id]
    # A new organisation from an import gets the 'unknown' size band unless one is given.
    code, _, stderr, _ = _cocreate(
        [*args, "--organization", "Fresh", "--campaign", "second"],
        test_instruments_dir,
        bounded=False,
    )
    assert code == 0, stderr
    assert store.organisation("Fresh").size_band == UNKNOWN_SIZE_BAND
    assert store.read(lambda c: c.execute(text("SELECT count(*) FROM organisations")).scalar()) == 3


# -- the Consultant page ------------------------------------------------------------------------
def test_consultant_page_shows_a_clean_message_for_an_over_long_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    import streamlit as st

    from tests.app_support import app, seed, submit_new_client, use_fixture_environment

    url = use_fixture_environment(tmp_path, monkeypatch)
    seeded = seed(url)
    # The page caches its client list by data version and user, and every copy of the seeded
    # database starts at the same version: this test's clients must not be served to another.
    st.cache_data.clear()
    request.addfinalizer(st.cache_data.clear)
    at = app("app_pages/consultant.py", user=seeded.consultant)
    at.run()
    at.button_group(key="consultant.section").set_value("New client").run()
    before = database_fingerprint(url)
    labels = {"name": "Name", "industry": "Industry", "region": "Region"}
    submit_new_client(
        at,
        name="Caldera Heat",
        industry="I" * 300,
        region="Europe",
        labels={**labels, "submit": "Create organisation"},
    )
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("Could not create the organisation: industry")
    # Markdown-escaped: "(300 characters): must be at most 100 characters long".
    assert "300 characters\\)\\: must be at most 100 characters long" in message
    _clean_message(message, "industry")
    assert database_fingerprint(url) == before
    # The other consultant's client name is free for this consultant.
    submit_new_client(
        at,
        name="Borealis Valves",
        industry="Machinery",
        region="Europe",
        labels={**labels, "submit": "Create organisation"},
    )
    assert not at.exception and not at.error
    assert "Created the organisation Borealis Valves" in at.success[0].value
    seeded.store.close()


def test_a_database_refusal_while_answering_shows_no_sql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the database refuse a respondent's save (a DatabaseRefused past every rule), the
    assessment says so in the respondent's language and keeps the step."""
    from tests.app_support import PILOT, app, seed, use_fixture_environment

    seeded = seed(use_fixture_environment(tmp_path, monkeypatch))

    def refused(self: Store, *args: Any, **kwargs: Any) -> Any:
        raise DatabaseRefused(
            "the database refused the request (constraint x); nothing was changed"
        )

    monkeypatch.setattr(Store, "save_draft", refused)
    at = app(token=seeded.tokens["rnd"])  # invited in German
    at.run()
    at.button(key="take.start").click().run()
    next(r for r in at.radio if r.key.endswith(f"{PILOT}.PR-LIS-1")).set_value(4)
    at.button(key="take.next").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("Ihre Antworten konnten gerade nicht gespeichert werden")
    _clean_message(at.error[0].value, "Antworten")
    seeded.store.close()


def test_migration_0004_down_and_up_keeps_campaigns(store: Store, store_url: str) -> None:
    """Alembic run on its own (``alembic downgrade``, no connection passed in) rebuilds the
    SQLite table without its foreign key actions too: the clients' campaigns stay."""
    consultant = store.create_user("c@x.org", PASSWORD, "consultant")
    org = store.create_organisation(
        "A", industry="x", size_band="1-49", region="r", consultant_id=consultant.id
    )
    store.create_campaign(org.id, "C", instruments=["alpha"])
    store.close()
    command.downgrade(alembic_config(store_url), "0003")
    engine = make_engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM campaigns")).scalar() == 1
    engine.dispose()
    again = open_store(store_url, registry=store.registry)
    try:
        assert [c.name for c in again.campaigns(org.id)] == ["C"]
    finally:
        again.close()
