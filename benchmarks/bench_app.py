"""How long each page's script run takes on a large database, with Streamlit's AppTest.

Builds a database the way ``cocreate setup`` does (demo accounts, a synthetic cohort from the
demo generator sized to about ``--responses`` responses), then runs every page as the role that
uses it: the first run of the process (cold caches), runs with warm caches (the same data
version), runs right after a new submission (the cached reads are stale: what a firm admin
waits for after a colleague submitted), and a respondent's step (open the link, answer a
section, save and continue). As the reference on the same data in the same run, it times the
library call each page is built on. AppTest's wall time includes its own harness (a bare page
that only writes a title shows it); the "script" column is the server's time for the script
run itself after a submission, measured inside Streamlit's script runner.

Usage: ``python benchmarks/bench_app.py [--responses 100000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(action: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median wall time in seconds of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def submit_colleague(store: Any, campaign: Any, answer: Callable[[int], int]) -> None:
    """One more respondent of ``campaign`` answers every item (``answer(position)``) and
    submits."""
    _invitation, token = store.create_invitation(campaign.id, role="sales")
    for ref in campaign.instruments:
        items = store.instrument(ref).items
        store.save_draft(token, ref, {item.id: answer(k) for k, item in enumerate(items)})
    store.submit(token)


def build(url: str, responses: int) -> dict[str, Any]:
    from survey.cli.database import DEMO_ACCOUNTS, setup
    from survey.storage import open_store

    # With an existing database (--db), setup only checks it and the cohort stays as it is.
    # The demo gives each organisation about 31 responses (3-8 respondents, 4 instruments,
    # one or two campaigns); ask for enough organisations to reach the target.
    organisations = max(10, round(responses / 31))
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        setup(db=url, organizations=organisations, seed=11)
    store = open_store(url)
    table = store.responses(include_drafts=True)
    users = {user.role: user for user in store.users()}
    firm = users["firm_admin"]
    live = next(c for c in store.campaigns(firm.organisation_id) if c.name == "Live demo")
    # Five colleagues have answered the live campaign, so the Results page has a profile.
    for number in range(5):
        submit_colleague(store, live, lambda position, number=number: 2 + (number + position) % 3)
    _invitation, token = store.create_invitation(live.id, role="sales")
    info = {
        "organisations": len(store.organisations()),
        "responses": len(table),
        "built_s": time.perf_counter() - start,
        "users": users,
        "token": token,
        "store": store,
        "accounts": DEMO_ACCOUNTS,
        "live": live,
    }
    return info


#: Durations of the script runs since the last clear: the server's own time for a page,
#: without AppTest's harness (starting the runner, collecting the elements).
SCRIPT_RUNS: list[float] = []


def time_script_runs() -> None:
    """Record how long each script run takes inside Streamlit's script runner."""
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def timed_run(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            SCRIPT_RUNS.append(time.perf_counter() - start)

    script_runner.ScriptRunner._run_script = timed_run  # type: ignore[method-assign]


def page_run(
    page: str,
    user: Any = None,
    token: str | None = None,
    state: dict[str, Any] | None = None,
) -> Callable[[], Any]:
    from streamlit.testing.v1 import AppTest

    def run() -> Any:
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600)
        if user is not None:
            at.session_state["auth.user"] = user
        if token is not None:
            at.query_params["t"] = token
        for key, value in (state or {}).items():  # widget choices, as a user left them
            at.session_state[key] = value
        if page:
            at.switch_page(page)
        at.run()
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].message}")
        return at

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", help="an existing database URL built by an earlier run")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="cocreate-bench-app-")
    url = args.db or f"sqlite:///{Path(folder) / 'bench.db'}"
    os.environ["COCREATE_DATABASE_URL"] = url
    print(f"Building the database ({args.responses:,} responses requested)…", flush=True)
    info = build(url, args.responses)
    store = info["store"]
    users = info["users"]
    print(
        f"  {info['organisations']:,} organisations, {info['responses']:,} responses "
        f"(built in {info['built_s']:.1f} s)\n"
    )

    from survey.instrument.registry import default_registry
    from survey.services.psychometrics import instrument_factor_model, instrument_psychometrics
    from survey.services.results import firm_results

    firm = users["firm_admin"]
    live = info["live"]
    # The Research page opens on the newest version a campaign uses, as the page itself picks.
    pinned = set(store.instruments_in_use())
    refs = [instrument.key for instrument in default_registry()]
    latest = default_registry().get(next(r for r in reversed(refs) if r in pinned))
    section = live.instruments[0]
    org, campaign = firm.organisation_id, live.id
    fit_key = f"research.fit.{latest.key}.self"

    references: dict[str, Callable[[], Any]] = {
        "home": lambda: default_registry().latest(),
        "instruments": lambda: default_registry().latest(),
        "results: overview": lambda: firm_results(store, org, campaign, compare=False),
        "results: one instrument": lambda: firm_results(store, org, campaign, only=(section,)),
        "consultant (clients)": lambda: store.organisation_progress(
            [org.id for org in store.organisations(user=users["consultant"])]
        ),
        "research: reliability": lambda: instrument_psychometrics(store, latest),
        "research: CFA fitted": lambda: instrument_factor_model(store, latest),
        "assessment (welcome)": lambda: store.resume(info["token"]),
    }
    pages: dict[str, Callable[[], Any]] = {
        "home": page_run("app_pages/home.py"),
        "instruments": page_run("app_pages/instruments.py"),
        "results: overview": page_run("app_pages/results.py", user=firm),
        "results: one instrument": page_run(
            "app_pages/results.py", user=firm, state={f"results.view.{org}.{campaign}": section}
        ),
        "consultant (clients)": page_run("app_pages/consultant.py", user=users["consultant"]),
        "research: reliability": page_run("app_pages/research.py", user=users["researcher"]),
        "research: CFA fitted": page_run(
            "app_pages/research.py", user=users["researcher"], state={fit_key: True}
        ),
        "assessment (welcome)": page_run("", token=info["token"]),
    }

    def new_submission() -> None:
        """A colleague submits: the data version moves on and every cached read is stale."""
        submit_colleague(store, live, lambda position: 3)

    time_script_runs()
    # The floor: a page that only writes a title, run the same way (AppTest, same process).
    bare_script = Path(folder) / "bare.py"
    bare_script.write_text("import streamlit as st\nst.title('bare')\n", encoding="utf-8")

    def bare_run() -> Any:
        from streamlit.testing.v1 import AppTest

        return AppTest.from_file(str(bare_script), default_timeout=60).run()

    bare, _ = timed(bare_run, args.repeat)
    print(f"A bare page (one title) runs in {bare:.3f} s under AppTest.\n")
    header = (
        f"{'page':<26}{'cold s':>8}{'warm s':>8}{'submit s':>10}{'script s':>10}"
        f"{'library s':>11}{'script/library':>16}"
    )
    print(header)
    print("-" * len(header))
    for name, run in pages.items():
        cold, _ = timed(run)  # first run of the process: empty caches
        warm, _ = timed(run, args.repeat)  # same data version: cached reads
        after, script = [], []
        for _ in range(args.repeat):  # a new submission first: the cached reads are stale
            new_submission()
            SCRIPT_RUNS.clear()
            after.append(timed(run)[0])
            script.append(sum(SCRIPT_RUNS))
        submit, server = statistics.median(after), statistics.median(script)
        library, _ = timed(references[name], args.repeat)
        ratio = server / library if library > 0.001 else float("nan")
        print(
            f"{name:<26}{cold:>8.2f}{warm:>8.2f}{submit:>10.2f}{server:>10.2f}"
            f"{library:>11.3f}{ratio:>16.2f}",
            flush=True,
        )

    # A respondent's step: open the link, start, answer the first section, save and continue.
    at = page_run("", token=info["token"])()
    start = time.perf_counter()
    at.button(key="take.start").click().run()
    to_first = time.perf_counter() - start
    for radio in at.radio:
        radio.set_value(4)
    first_ref = store.resume(info["token"]).campaign.instruments[0]
    save_reference, _ = timed(lambda: store.save_draft(info["token"], first_ref, {}), args.repeat)
    start = time.perf_counter()
    at.button(key="take.next").click().run()
    step = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    print(
        f"\nRespondent: start {to_first:.2f} s; answer a section and save {step:.2f} s "
        f"(store.save_draft alone {save_reference:.3f} s)"
    )
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
