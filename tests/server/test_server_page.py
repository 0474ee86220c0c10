"""The page at `/` in a real headless Chromium: what an accountant sees and can do.

Needs Debian's `chromium` (/usr/bin/chromium) and the `playwright` Python
package, driven with `executable_path` (no browser download). Skips cleanly
without them. The screenshots are kept in the test's tmp folder, and copied
to $KASSAVIRTA_ARTEFACTS when that is set (for CI to keep).
"""

from __future__ import annotations

import os
import shutil
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
SERVICE_IBAN = "FI5515725137790445"
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
    args = ["--settings", str(SETTINGS), "--today", "2026-12-01", "--no-config"]
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
def page(browser: Any, server: ServerProcess) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
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
    assert "line 52" in first.locator(".where").inner_text()
    second = reasons.nth(1).locator("[data-role=message]").inner_text()
    assert "code #13" in second
    assert rejected.locator("[data-role=preview]").count() == 0

    # The routed invoice: the field diff, the schedule, the preview, the downloads.
    changes = routed.locator("[data-role=changes]")
    expect(changes).to_be_visible()
    iban_row = changes.locator('tr[data-field="payment.iban"]')
    assert iban_row.locator("td.new").inner_text() == SERVICE_IBAN
    schedule = routed.locator("[data-role=schedule]").inner_text()
    assert "reminder" in schedule and "2026-12-28" in schedule
    preview = routed.frame_locator("iframe[data-role=preview]")
    expect(preview.locator(".sheet").first).to_be_visible()
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
