"""The page at `/` in a real headless Chromium: what an accountant sees and can do.

Needs Debian's `chromium` (/usr/bin/chromium) and the `playwright` Python
package, driven with `executable_path` (no browser download). Skips cleanly
without them. The screenshots are kept in the test's tmp folder, and copied
to $KASSAVIRTA_ARTEFACTS when that is set (for CI to keep): look at them.
The server has the sample settings and a ledger of the sample assignments.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLES

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)", allow_module_level=True)
pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api")

from kassavirta.server.launch import ServerProcess  # noqa: E402

expect = sync_api.expect

SETTINGS = SAMPLES / "settings.json"
ROUTE = SAMPLES / "route" / "finvoice-3.0.xml"
REJECTED = SAMPLES / "error" / "finvoice-3.0-address-incomplete-due-date-too-soon.xml"
CREDIT_NOTE = SAMPLES / "route" / "finvoice-3.0-credit-note.xml"
WITH_A_NOTE = SAMPLES / "route" / "cii.xml"  # routed, with an interest-missing note
SERVICE_IBAN = "FI5515725137790445"
SERVICE_IBAN_READ = "FI55 1572 5137 7904 45"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("page-server")
    ledger = tmp / "ledger.sqlite3"
    cli = [sys.executable, "-m", "kassavirta.cli", "ledger", "import"]
    subprocess.run(
        [*cli, str(SAMPLES / "assignments.json"), "--ledger", str(ledger)],
        check=True,
        capture_output=True,
    )
    args = ["--settings", str(SETTINGS), "--today", "2026-12-01", "--no-config"]
    args += ["--ledger", str(ledger)]
    env: dict[str, str | None] = {"XDG_DATA_HOME": str(tmp / "xdg"), "KASSAVIRTA_SCHEMAS": None}
    with ServerProcess(args, cwd=tmp, env=env) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def width() -> int:
    return 1366


@pytest.fixture
def page(browser: Any, server: ServerProcess, width: int) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": width, "height": 844}, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    problems: list[str] = []
    requested: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    opened.on("request", lambda request: requested.append(request.url))
    opened.goto(server.url + "/")
    opened.problems = problems
    opened.requested = requested
    yield opened
    context.close()


def _keep(shot: Path) -> None:
    target = os.environ.get("KASSAVIRTA_ARTEFACTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy2(shot, Path(target) / shot.name)


def _card(page: Any, name: str) -> Any:
    return page.locator(f'article[data-file="{name}"]')


def _shoot(page: Any, shot: Path) -> None:
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    _keep(shot)


def _preview_shown(card: Any) -> Any:
    """The preview frame of a routed card, once drawn and fitted to the width."""
    frame = card.frame_locator("iframe[data-role=preview]")
    expect(frame.locator(".sheet").first).to_be_visible()
    expect(card.locator(".preview-box")).to_have_attribute("data-scale", re.compile(r"^[01]\."))
    return frame


def test_accountant_sees_a_routed_and_a_rejected_invoice(
    page: Any, server: ServerProcess, tmp_path: Path
) -> None:
    page.set_input_files("#files", [str(ROUTE), str(REJECTED)])

    routed = _card(page, ROUTE.name)
    rejected = _card(page, REJECTED.name)
    expect(routed).to_have_attribute("data-decision", "route")
    expect(rejected).to_have_attribute("data-decision", "error")
    assert routed.locator("[data-role=decision]").inner_text().lower() == "route"
    assert rejected.locator("[data-role=decision]").inner_text().lower() == "error"
    expect(page.locator("#status")).to_contain_text("1 routed, 1 rejected")

    # The rejection: every reason in plain words, the service's own message, where to fix it.
    reasons = rejected.locator("[data-role=reasons] > li")
    assert reasons.evaluate_all("items => items.map(i => i.dataset.rule)") == [
        "address-incomplete",
        "due-date-too-soon",
    ]
    assert rejected.locator(".verdict").inner_text().startswith("Rejected by the service")
    first = reasons.nth(0)
    assert "postal address" in first.locator(".reason-title").inner_text()
    assert first.locator("[data-role=message]").inner_text() == (
        "SEND ERROR (REASON: RECEIVABLES-SERVICE: Postal code for Rauma 2610 not found (code #5))."
    )
    # Where in the file is a detail, shown when asked for.
    expect(first.locator(".where")).to_be_hidden()
    page.check("#details")
    expect(first.locator(".where")).to_be_visible()
    assert "line 52" in first.locator(".where").inner_text()
    assert "/BuyerPostCodeIdentifier" in first.locator(".where").inner_text()
    page.uncheck("#details")
    second = reasons.nth(1).locator("[data-role=message]").inner_text()
    assert "code #13" in second
    assert rejected.locator("[data-role=preview]").count() == 0

    # The routed invoice: the field diff, the schedule, the preview, the downloads.
    changes = routed.locator("[data-role=changes]")
    expect(changes).to_be_visible()
    iban_row = changes.locator('tr[data-field="payment.iban"]')
    assert iban_row.locator("td.new").inner_text() == SERVICE_IBAN_READ  # in groups of four
    assert "FI76 5706 2096 6542 82" in iban_row.locator("td.old").inner_text()
    # The reference is one thing to the sender though the Finvoice holds it twice.
    references = changes.locator('tr[data-field^="payment."][data-field$="reference"]')
    assert references.count() == 1
    assert references.locator("td:first-child > span").first.inner_text() == "Reference number"
    expect(references.locator(".xpaths code")).to_have_count(2)
    expect(changes.locator(".xpaths").first).to_be_hidden()
    # The command-line hint about schemas is a detail too.
    hint = page.locator("#notes li", has_text="--schemas")
    expect(hint).to_have_count(1)  # the server was started without schemas
    expect(hint).to_be_hidden()
    page.check("#details")
    expect(hint).to_be_visible()
    expect(references.locator(".xpaths code").nth(1)).to_be_visible()
    page.uncheck("#details")
    schedule = routed.locator("[data-role=schedule]").inner_text()
    assert "reminder" in schedule and "2026-12-28" in schedule
    preview = _preview_shown(routed)
    expect(preview.locator("body")).to_contain_text("2026-4101")

    shot = tmp_path / "page-routed-and-rejected.png"
    routed.locator("iframe[data-role=preview]").scroll_into_view_if_needed()
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    _keep(shot)

    with page.expect_download() as xml_download:
        routed.get_by_role("button", name="Download the rewritten XML").click()
    xml = Path(xml_download.value.path()).read_bytes()
    assert xml_download.value.suggested_filename == "finvoice-3.0-kassavirta.xml"
    assert xml.startswith(b"<?xml") and SERVICE_IBAN.encode() in xml
    with page.expect_download() as pdf_download:
        routed.get_by_role("button", name="Download the PDF").click()
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF-")

    assert page.problems == []
    foreign = [
        u for u in page.requested if not u.startswith((server.url, "blob:", "data:", "about:"))
    ]
    assert foreign == []  # works offline: nothing is fetched from anywhere else


def test_the_sending_date_on_the_page_decides(page: Any) -> None:
    page.click("#options summary")
    page.fill("#today", "2026-12-14")  # the routed sample is due 2026-12-15
    page.set_input_files("#files", [str(ROUTE)])
    card = _card(page, ROUTE.name)
    expect(card).to_have_attribute("data-decision", "error")
    rules = card.locator("[data-role=reasons] > li").evaluate_all(
        "items => items.map(i => i.dataset.rule)"
    )
    assert rules == ["due-date-too-soon"]


def test_keyboard_only(page: Any, tmp_path: Path) -> None:
    """Choose a file and download the rewrite without a mouse."""
    focused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        if focused[-1] == "files":
            break
    assert focused[-1] == "files", focused
    # On a loaded machine the first key press can land before the page handles it:
    # press again (a person would too) rather than fail on timing.
    for attempt in range(3):
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Space")
            break
        except sync_api.TimeoutError:
            if attempt == 2:
                raise
            page.focus("#files")
    chooser.value.set_files([str(ROUTE)])
    card = _card(page, ROUTE.name)
    expect(card).to_have_attribute("data-decision", "route")
    button = card.get_by_role("button", name="Download the rewritten XML")
    expect(button).to_be_visible()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.download || ''") == "application/xml":
            break
    assert page.evaluate("document.activeElement.textContent") == "Download the rewritten XML"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    shot = tmp_path / "page-keyboard-focus.png"
    page.screenshot(path=str(shot))
    _keep(shot)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert SERVICE_IBAN.encode() in Path(download.value.path()).read_bytes()


def test_results_of_several_uploads_stay_until_cleared(page: Any) -> None:
    page.set_input_files("#files", [str(ROUTE)])
    expect(_card(page, ROUTE.name)).to_have_attribute("data-decision", "route")
    page.set_input_files("#files", [str(REJECTED), str(CREDIT_NOTE)])
    expect(_card(page, REJECTED.name)).to_have_attribute("data-decision", "error")
    expect(_card(page, CREDIT_NOTE.name)).to_have_attribute("data-decision", "route")
    cards = page.locator("#results > article.file")
    assert cards.evaluate_all("cards => cards.map(c => c.dataset.file)") == [
        REJECTED.name,
        CREDIT_NOTE.name,
        ROUTE.name,
    ]  # newest first
    expect(page.locator("#results-count")).to_have_text("Results for 3 files, newest first")
    # The same file again (fixed, say, on a later sending date): its result is replaced.
    page.click("#options summary")
    page.fill("#today", "2026-12-14")
    page.set_input_files("#files", [str(ROUTE)])
    expect(_card(page, ROUTE.name)).to_have_attribute("data-decision", "error")
    expect(cards).to_have_count(3)
    assert cards.first.get_attribute("data-file") == ROUTE.name
    page.get_by_role("button", name="Clear the results").click()
    expect(cards).to_have_count(0)
    expect(page.locator("#results-bar")).to_be_hidden()
    expect(page.locator("#status")).to_have_text("")
    assert page.problems == []


def test_the_ledger_view_shows_comments_and_failed_deliveries(page: Any) -> None:
    """Issue 15 items 13 and 17: what the sender must watch, without running a command."""
    ledger = page.locator("#ledger")
    expect(ledger).to_be_visible()
    badge = ledger.locator("[data-role=comments-badge]")
    expect(badge).to_have_text("2 comments from the service, 2 unseen")
    assert (badge.get_attribute("data-comments"), badge.get_attribute("data-unseen")) == ("2", "2")
    expect(ledger.locator("[data-role=failed-badge]")).to_have_text("1 failed delivery")
    failed = ledger.locator("[data-role=failed-deliveries] > li")
    expect(failed).to_have_count(1)
    assert failed.get_attribute("data-assignment") == "bf9e251b-7b5e-5854-b6a5-f0ce136a1587"
    action = failed.locator("[data-role=action]").inner_text()
    assert "Reroute it" in action
    assert "before its due date 2026-12-15, or the service closes the assignment" in action
    comments = ledger.locator("[data-role=comments] > li")
    expect(comments).to_have_count(2)
    assert "invoice 2026-5003" in comments.first.inner_text()  # newest first
    assert "403,20 EUR" in comments.first.locator(".comment").inner_text()
    expect(ledger.locator("code", has_text="--mark-seen")).to_be_hidden()  # a command: a detail
    assert page.problems == []


@pytest.mark.parametrize("width", [1280, 390])
def test_layout_at_desktop_and_phone_width(page: Any, width: int, tmp_path: Path) -> None:
    """Issue 17 item 5: no sideways scrolling, XPaths that wrap, a clause that reads as
    text, the whole A4 image with its totals on a phone."""
    page.set_input_files("#files", [str(ROUTE), str(REJECTED), str(WITH_A_NOTE)])
    routed = _card(page, ROUTE.name)
    expect(_card(page, WITH_A_NOTE.name).locator("[data-role=findings]")).to_be_visible()
    frame = _preview_shown(routed)
    _preview_shown(_card(page, WITH_A_NOTE.name))
    page.check("#details")  # the widest state: every XPath shown
    wide = "document.documentElement.scrollWidth"
    assert page.evaluate(wide) <= page.evaluate("window.innerWidth")
    over = page.evaluate(
        """() => Array.from(document.querySelectorAll("body *"))
             .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
             .map(e => e.tagName + "." + e.className)"""
    )
    assert over == []
    for xpath in page.locator("code.xpath").all()[:20]:
        box = xpath.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    clause = routed.locator('tr[data-field="factoring.clause"] td.new')
    box = clause.bounding_box()
    assert box is not None
    words = len(clause.inner_text().split())
    line = float(clause.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert box["height"] / line < words / 3  # several words on a line, not one
    totals = frame.locator(".grand").first
    expect(totals).to_contain_text("575,55")
    shown = totals.bounding_box()
    assert shown is not None and shown["x"] >= 0 and shown["x"] + shown["width"] <= width
    slip = frame.locator(".slip").first.bounding_box()
    assert slip is not None and slip["x"] + slip["width"] <= width
    _shoot(page, tmp_path / f"page-{width}-details.png")
    page.uncheck("#details")
    assert page.evaluate(wide) <= page.evaluate("window.innerWidth")
    _shoot(page, tmp_path / f"page-{width}.png")
    assert page.problems == []
