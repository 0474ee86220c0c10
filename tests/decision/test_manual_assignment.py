"""`check --manual-assignment`: an assignment created with `prevent_routing = true`.

The guide: "you must provide a valid invoice XML including full recipient
address details and a due date in the future"; the invoice is not delivered,
its payments are direct ("report payments for these invoices as direct
payments"), and "creating manual assignments results in debit action and it
will be billed".
"""

from __future__ import annotations

import dataclasses
import json
import pickle
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLES, TODAY
from kassavirta.config.policy import Policy
from kassavirta.config.settings import Settings, load_settings
from kassavirta.findings import CheckResult
from kassavirta.pipeline.evaluate import Checker

ROUTED = sorted(
    p for p in (SAMPLES / "route").glob("*.xml") if "credit-note" not in p.name
)  # every supported format, each with a due date
SETTINGS = load_settings(SAMPLES / "settings.json")


def check(path: Path, today: date, *, manual: bool, settings: Settings = SETTINGS) -> CheckResult:
    policy = Policy(today=today, settings=settings, manual_assignment=manual)
    [result] = Checker(policy, track_run=False).check_path(path)
    return result


def due_of(path: Path) -> date:
    result = check(path, TODAY, manual=False)
    assert result.invoice is not None and result.invoice.due_date is not None
    return date.fromisoformat(result.invoice.due_date)


@pytest.mark.parametrize("path", ROUTED, ids=lambda p: p.name)
def test_a_due_date_in_the_future_is_enough(path: Path) -> None:
    due = due_of(path)
    day_before = due - timedelta(days=1)
    sent = check(path, day_before, manual=False)
    assert "due-date-too-soon" in sent.reasons  # one day ahead: refused when sent
    manual = check(path, day_before, manual=True)
    assert "due-date-too-soon" not in manual.reasons
    assert [f.rule for f in manual.findings if f.rule == "due-date-too-soon"] == []
    on_the_day = check(path, due, manual=True)
    assert "due-date-too-soon" in on_the_day.reasons
    finding = next(f for f in on_the_day.findings if f.rule == "due-date-too-soon")
    assert (finding.service_code, finding.severity.value) == (13, "error")
    assert finding.detail == (
        f"the due date {due.isoformat()} is not after {due.isoformat()}; a manual assignment "
        "needs a due date in the future. Create a new invoice with a later due date."
    )
    assert "due-date-too-soon" in check(path, due + timedelta(days=5), manual=True).reasons


def test_the_banking_day_setting_does_not_apply() -> None:
    banking = SETTINGS.model_copy(update={"due_date_rule": "banking-4"})
    path = SAMPLES / "route" / "finvoice-3.0.xml"  # due 2026-12-15, a Tuesday
    assert check(path, date(2026, 12, 11), manual=False, settings=banking).decision.value == "error"
    assert check(path, date(2026, 12, 14), manual=True, settings=banking).decision.value == "route"


def test_a_full_address_is_still_required() -> None:
    result = check(SAMPLES / "error" / "finvoice-3.0-address-incomplete.xml", TODAY, manual=True)
    assert result.reasons == ["address-incomplete"]


def test_the_note_on_every_result_and_only_with_the_flag() -> None:
    path = SAMPLES / "route" / "finvoice-3.0.xml"
    plain = check(path, TODAY, manual=False)
    assert "manual-assignment" not in [f.rule for f in plain.findings]
    manual = check(path, TODAY, manual=True)
    assert manual.decision.value == "route"  # a note never changes the decision
    [note] = [f for f in manual.findings if f.rule == "manual-assignment"]
    assert note.severity.value == "info"
    assert "not delivered and nothing on it is rewritten" in note.message
    assert "Report every payment on it as a direct payment (a paid event)" in note.message
    assert "Creating the assignment is billed" in note.message
    refused = check(path, date(2026, 12, 15), manual=True)
    assert refused.decision.value == "error"
    assert "manual-assignment" in [f.rule for f in refused.findings]


def test_a_credit_note_has_no_due_date_rule_either_way() -> None:
    path = SAMPLES / "route" / "finvoice-3.0-credit-note.xml"
    assert check(path, date(2027, 1, 1), manual=True).decision.value == "route"


def test_the_policy_flag_travels_to_worker_processes() -> None:
    policy = Policy(today=TODAY, manual_assignment=True)
    assert dataclasses.replace(policy).manual_assignment
    assert pickle.loads(pickle.dumps(policy)).manual_assignment


# --- kassavirta check --manual-assignment ------------------------------------------------------


def test_check_flag(cli: Any) -> None:
    args = [
        "check",
        "route/finvoice-3.0-due-in-3-days.xml",
        "error/finvoice-3.0-due-date-too-soon.xml",
    ]
    sent = cli(*args, "--output", "json", cwd=SAMPLES)
    assert sent.returncode == 1
    assert [r["decision"] for r in json.loads(sent.stdout)["results"]] == ["route", "error"]
    for jobs in ("1", "2"):
        manual = cli(*args, "--manual-assignment", "--jobs", jobs, "--output", "json", cwd=SAMPLES)
        assert manual.returncode == 0, manual.stdout
        results = json.loads(manual.stdout)["results"]
        assert [r["decision"] for r in results] == ["route", "route"]
        assert all(any(f["rule"] == "manual-assignment" for f in r["findings"]) for r in results)
    text = cli(*args, "--manual-assignment", "--today", "2026-12-03", cwd=SAMPLES)
    assert text.returncode == 1
    assert "a manual assignment needs a due date in the future" in text.stdout
    assert "note [manual-assignment] Manual assignment (prevent_routing = true)" in text.stdout
    sarif = cli(*args, "--manual-assignment", "--output", "sarif", cwd=SAMPLES)
    rules = json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]
    [rule] = [r for r in rules if r["id"] == "manual-assignment"]
    assert rule["defaultConfiguration"]["level"] == "note"


# --- the consumer transition concerns delivered invoices only ----------------------------------

TRANSITION = SAMPLES / "bypass" / "finvoice-3.0-consumer-transition.xml"
CONSUMER_RULES = {
    "consumer-transition",
    "consumer-si-message",
    "consumer-transition-uncertain",
    "consumer-transition-unknown",
}


@pytest.mark.parametrize(
    ("update", "day", "sent_rule"),
    [
        ({}, TODAY, "consumer-transition"),  # activated 3 days before: bypassed when sent
        ({"si_change_sent": False}, date(2026, 12, 10), "consumer-si-message"),
        ({}, date(2026, 12, 3), "consumer-transition-uncertain"),  # day 5
        ({"activated_on": None}, TODAY, "consumer-transition-unknown"),
    ],
)
def test_a_manual_assignment_is_not_in_the_consumer_transition(
    update: dict[str, Any], day: date, sent_rule: str
) -> None:
    """The guide: a manual assignment is "marked as SENT immediately, without any delivery to
    the receiver" — no netbank sees it, so neither the transition nor the SI messages apply."""
    settings = SETTINGS.model_copy(update=update)
    sent = check(TRANSITION, day, manual=False, settings=settings)
    assert sent_rule in sent.reasons + [f.rule for f in sent.findings]
    manual = check(TRANSITION, day, manual=True, settings=settings)
    assert manual.decision.value == "route", manual.reasons
    assert CONSUMER_RULES.isdisjoint(f.rule for f in manual.findings)
    assert "manual-assignment" in [f.rule for f in manual.findings]
