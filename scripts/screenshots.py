"""Screenshots of every page for the README and docs: ``make screenshots``.

Seeds a throw-away database the way ``cocreate setup`` does (demo cohort and demo accounts),
starts the app with ``streamlit run`` on a free loopback port, and drives Debian's chromium with
Playwright (no browser download) through each page, saving PNGs under ``docs/screenshots/``.

Usage: ``python scripts/screenshots.py [--out docs/screenshots] [--organisations 40]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.app_server import CHROMIUM_ARGS, chromium_path, running_app  # noqa: E402

TIMEOUT_MS = 90_000
DESKTOP = {"width": 1360, "height": 900}
PHONE = {"width": 390, "height": 844}


def seed(url: str, organisations: int) -> dict[str, str]:
    """Demo data as ``cocreate setup`` makes it, plus answers in the live campaign."""
    import contextlib
    import io

    from survey.cli.database import DEMO_ACCOUNTS, setup
    from survey.storage import open_store

    with contextlib.redirect_stdout(io.StringIO()):
        setup(db=url, organizations=organisations, seed=7)
    store = open_store(url)
    firm = next(u for u in store.users() if u.role == "firm_admin")
    live = next(c for c in store.campaigns(firm.organisation_id) if c.name == "Live demo")
    instruments = [store.instrument(ref) for ref in live.instruments]
    # A few colleagues and two customers have answered the live campaign.
    for number, (role, side) in enumerate(
        [
            ("sales", "self"),
            ("rnd", "self"),
            ("operations", "self"),
            ("service", "self"),
            ("customer", "customer"),
            ("customer", "customer"),
        ]
    ):
        _invitation, token = store.create_invitation(live.id, role=role, side=side)
        for instrument in instruments:
            answers: dict[str, int | str | None] = {}
            for position, item in enumerate(instrument.items):
                scale = instrument.scale_of_item(item.id)
                rs = instrument.item_response_scale(item, scale)
                # Firms are stronger on some scales than others; customers see them lower.
                level = (
                    1
                    + sum(map(ord, scale.id)) % 4
                    + (side == "self")
                    + number % 3
                    - 1
                    + (position % 2 if number % 2 else 0)
                )
                value = min(rs.max, max(rs.min, level))
                answers[item.id] = rs.min + rs.max - value if item.reverse else value
            store.save_draft(token, instrument.key, answers)
        store.submit(token)
    _invitation, fresh = store.create_invitation(live.id, role="management")
    accounts = {role: (email, password) for role, email, password, _ in DEMO_ACCOUNTS}
    store.close()
    return {
        "token": fresh,
        **{f"{r}_email": e for r, (e, _p) in accounts.items()},
        **{f"{r}_password": p for r, (_e, p) in accounts.items()},
    }


def wait_idle(page) -> None:  # type: ignore[no-untyped-def]
    """Until Streamlit has finished the script run and charts have drawn."""
    page.wait_for_selector("[data-testid='stApp']", timeout=TIMEOUT_MS)
    # While a script runs, Streamlit shows a "Stop" button in the header.
    page.wait_for_function(
        "() => !Array.from(document.querySelectorAll('button'))"
        ".some(b => b.innerText.trim() === 'Stop')",
        timeout=TIMEOUT_MS,
    )
    time.sleep(1.2)


def shoot(page, out: Path, name: str, *, full_page: bool = True) -> None:  # type: ignore[no-untyped-def]
    wait_idle(page)
    path = out / f"{name}.png"
    size = page.viewport_size
    if full_page:
        # Streamlit scrolls inside its main block, so grow the window to the content instead.
        height = page.evaluate(
            "() => { const m = document.querySelector('[data-testid=\"stMainBlockContainer\"]');"
            " return m ? m.scrollHeight + 140 : document.body.scrollHeight; }"
        )
        page.set_viewport_size(
            {"width": size["width"], "height": max(size["height"], min(int(height), 6000))}
        )
        time.sleep(1.5)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def sign_in(page, base: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/sign_in")
    page.get_by_role("textbox", name="E-mail").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--organisations", type=int, default=40)
    args = parser.parse_args()
    browser_path = chromium_path()
    if browser_path is None:
        print(
            "chromium is not installed: run `make system-deps` (Debian: apt-get install chromium)",
            file=sys.stderr,
        )
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'screens.db'}"
        print(f"Seeding {args.organisations} demo organisations…")
        demo = seed(url, args.organisations)
        env = {"COCREATE_DATABASE_URL": url}
        with (
            running_app(env, log=Path(folder) / "streamlit.log") as base,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
            print("Pages:")
            page = browser.new_page(viewport=DESKTOP)
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(base)
            page.get_by_role("heading", name="cocreate").wait_for()
            shoot(page, args.out, "home")

            # The respondent's way, on a phone.
            phone = browser.new_page(viewport=PHONE, device_scale_factor=2)
            phone.set_default_timeout(TIMEOUT_MS)
            phone.goto(f"{base}/?t={demo['token']}")
            phone.get_by_role("heading", name="Welcome").wait_for()
            shoot(phone, args.out, "assessment-welcome-phone")
            phone.get_by_role("button", name="Start").click()
            phone.get_by_role("radiogroup").first.wait_for()
            groups = phone.get_by_role("radiogroup")
            for index in range(min(2, groups.count())):
                groups.nth(index).locator("label").nth(3).click()
            shoot(phone, args.out, "assessment-step-phone", full_page=False)
            phone.close()

            page.goto(f"{base}/?t={demo['token']}")
            page.get_by_role("button", name="Start").click()
            page.get_by_role("radiogroup").first.wait_for()
            shoot(page, args.out, "assessment-step")

            page.goto(f"{base}/instruments")
            page.get_by_role("heading", name="Instruments").wait_for()
            shoot(page, args.out, "instruments")
            compare = page.get_by_role("tab", name="Compare versions")
            options = page.get_by_role("combobox", name="Instrument", exact=True)
            options.click()
            page.get_by_role("option").filter(has_text="engagement").first.click()
            compare.click()
            page.get_by_text("Reworded items").wait_for()
            shoot(page, args.out, "instruments-compare")

            page.goto(f"{base}/sign_in")
            page.get_by_role("heading", name="Sign in").wait_for()
            shoot(page, args.out, "sign-in")

            firm = browser.new_page(viewport=DESKTOP)
            firm.set_default_timeout(TIMEOUT_MS)
            sign_in(firm, base, demo["firm_admin_email"], demo["firm_admin_password"])
            firm.get_by_role("link", name="Results").click()
            firm.locator("[data-testid='stVegaLiteChart']").first.wait_for()
            shoot(firm, args.out, "results")
            firm.locator("[data-testid='stButtonGroup'] button").nth(1).click()
            firm.locator("[data-testid='stVegaLiteChart']").nth(1).wait_for()
            shoot(firm, args.out, "results-capabilities")
            firm.close()

            consultant = browser.new_page(viewport=DESKTOP)
            consultant.set_default_timeout(TIMEOUT_MS)
            sign_in(consultant, base, demo["consultant_email"], demo["consultant_password"])
            consultant.get_by_role("link", name="Consultant").click()
            consultant.get_by_role("heading", name="Consultant").wait_for()
            shoot(consultant, args.out, "consultant")
            consultant.get_by_text("Benchmark", exact=True).click()
            wait_idle(consultant)
            shoot(consultant, args.out, "consultant-benchmark")
            consultant.close()

            research = browser.new_page(viewport=DESKTOP)
            research.set_default_timeout(TIMEOUT_MS)
            sign_in(research, base, demo["researcher_email"], demo["researcher_password"])
            research.get_by_role("link", name="Research").click()
            research.get_by_role("heading", name="Research").wait_for()
            shoot(research, args.out, "research")
            research.get_by_role("tab", name="Factor structure").click()
            research.get_by_role("button", name="Fit the factor model").click()
            wait_idle(research)  # the fit, or the message that says what it needs
            shoot(research, args.out, "research-cfa")
            research.close()
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
