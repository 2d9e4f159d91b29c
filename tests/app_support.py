"""Shared set-up for the app tests: a real SQLite store in a temporary folder, seeded through
the store API, and AppTest instances of the real entry point (``streamlit_app.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_INSTRUMENTS = ROOT / "tests" / "fixtures" / "instruments"
PILOT = "pilot-readiness@1.0.0"
PASSWORD = "correct horse battery staple"


def use_fixture_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the app at a fresh SQLite file and at the test instruments; return the URL."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("COCREATE_DATABASE_URL", url)
    monkeypatch.setenv("COCREATE_INSTRUMENTS_DIR", str(FIXTURE_INSTRUMENTS))
    return url


def app(page: str | None = None, *, user: Any = None, token: str | None = None) -> AppTest:
    """The real app, opened on ``page`` (a path such as ``app_pages/results.py``)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    if user is not None:
        at.session_state["auth.user"] = user
    if token is not None:
        at.query_params["t"] = token
    if page is not None:
        at.switch_page(page)
    return at


@dataclass
class Seeded:
    """What :func:`seed` created: the store, accounts and invitation tokens."""

    store: Any
    consultant: Any
    other_consultant: Any
    firm_admin: Any
    researcher: Any
    admin: Any
    organisation: Any
    other_organisation: Any
    campaign: Any
    tokens: dict[str, str] = field(default_factory=dict)


_TEMPLATE: dict[str, Any] = {}


def seed(url: str) -> Seeded:
    """Two organisations with one campaign each, every kind of account, three invitations.

    The database is built once per test process (password hashing and migrations take
    seconds) and copied for every test, so that each test still has its own file.
    """
    import atexit
    import shutil
    import tempfile

    from sqlalchemy.engine import make_url

    from survey.storage import open_store

    target = Path(str(make_url(url).database))
    if "seeded" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="cocreate-app-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = folder / "template.db"
        seeded = _build(f"sqlite:///{template}")
        seeded.store.close()  # folds the WAL into the file, so a plain copy is complete
        seeded.store = None
        _TEMPLATE.update(seeded=seeded, file=template)
    shutil.copyfile(_TEMPLATE["file"], target)
    copy = Seeded(**{**_TEMPLATE["seeded"].__dict__, "tokens": dict(_TEMPLATE["seeded"].tokens)})
    copy.store = open_store(url)
    return copy


def _build(url: str) -> Seeded:
    from survey.storage import open_store

    store = open_store(url)
    consultant = store.create_user(
        "consultant@example.org", PASSWORD, "consultant", name="Casey Consultant"
    )
    other = store.create_user("other@example.org", PASSWORD, "consultant", name="Olu Other")
    admin = store.create_user("admin@example.org", PASSWORD, "admin", name="Ada Admin")
    researcher = store.create_user(
        "research@example.org", PASSWORD, "researcher", name="Rae Researcher"
    )
    organisation = store.create_organisation(
        "Acme *Pumps*",
        industry="Machinery",
        size_band="250-999",
        region="Europe",
        consultant_id=consultant.id,
    )
    other_organisation = store.create_organisation(
        "Borealis Valves",
        industry="Machinery",
        size_band="50-249",
        region="Europe",
        consultant_id=other.id,
    )
    firm_admin = store.create_user(
        "firm@example.org",
        PASSWORD,
        "firm_admin",
        organisation_id=organisation.id,
        name="Fran Firm",
    )
    campaign = store.create_campaign(organisation.id, "Spring 2026", instruments=[PILOT])
    store.create_campaign(other_organisation.id, "Borealis 2026", instruments=[PILOT])
    tokens = {}
    for role, language in (("sales", "en"), ("rnd", "de"), ("service", "en")):
        _invitation, token = store.create_invitation(campaign.id, role=role, language=language)
        tokens[role] = token
    return Seeded(
        store,
        consultant,
        other,
        firm_admin,
        researcher,
        admin,
        organisation,
        other_organisation,
        campaign,
        tokens,
    )


def seed_cohort(seeded: Seeded, n: int = 6, *, respondents: int = 2) -> list[Any]:
    """``n`` more organisations of the first consultant's industry and region, each with a
    submitted campaign, so that benchmarks have a cohort. Answers differ by organisation."""
    store = seeded.store
    created = []
    for number in range(n):
        org = store.create_organisation(
            f"Cohort {number + 1}", industry="Machinery", size_band="250-999", region="Europe"
        )
        campaign = store.create_campaign(org.id, "2026", instruments=[PILOT])
        for person in range(respondents):
            _invitation, token = store.create_invitation(campaign.id, role="sales")
            answer_all(store, token, value=1 + (number + person) % 5, jitter=number + person)
        created.append(org)
    return created


PILOT_ITEMS = ("PR-LIS-1", "PR-LIS-2", "PR-LIS-3", "PR-TRY-1", "PR-TRY-2", "PR-TRY-3")


def pilot_answers(value: int, jitter: int = 0) -> dict[str, int]:
    """Answers that mean ``value`` on every scale: the reverse-keyed item answered the other
    way, and one item nudged by ``jitter`` so that items are not perfectly parallel."""
    answers = {item: value for item in PILOT_ITEMS}
    answers["PR-LIS-3"] = 6 - value
    nudged = ("PR-LIS-1", "PR-LIS-2", "PR-TRY-1", "PR-TRY-2")[jitter % 4]
    answers[nudged] = value + 1 if value < 3 else value - 1
    return answers


def answer_all(store: Any, token: str, value: int = 4, *, jitter: int = 0) -> None:
    """Answer every item of the pilot instrument around ``value`` and submit."""
    store.save_draft(token, PILOT, pilot_answers(value, jitter))
    store.submit(token)


@contextmanager
def seeded_environment(folder: Path) -> Iterator[Seeded]:
    """:func:`seed` in ``folder`` with the app's environment set, for module-scoped fixtures
    (tests that only read can share one database)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield seed(use_fixture_environment(folder, monkeypatch))


def submit_new_client(
    at: AppTest, *, name: str, industry: str, region: str, labels: dict[str, str]
) -> None:
    """Fill the Consultant page's new-client form and submit it.

    ``labels`` are the page's words in its language: ``name``, ``industry``, ``region`` and
    ``submit`` (the button). Industry accepts a new option typed in; AppTest offers no typing,
    so a value that is not an option is added to the box's options as the browser would send it.
    """
    next(t for t in at.text_input if t.label == labels["name"]).input(name)
    box = next(s for s in at.selectbox if s.label == labels["industry"])
    if industry not in box.options:
        box.options.append(industry)
    box.set_value(industry)
    next(s for s in at.selectbox if s.label == labels["region"]).set_value(region)
    at.button(key=f"FormSubmitter:consultant.new_org-{labels['submit']}").click().run()
