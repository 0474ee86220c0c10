"""Assignment events: creators, data rules, stage rules, derived state, delivery view, CLI."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from helpers import TEST_DATA, TODAY, TODAY_ISO, imported_ledger
from kassavirta.erp.assignments import Assignment, Event, load_assignments
from kassavirta.erp.events import validate
from kassavirta.erp.events.state import COLLECTION_STATUS_BY_EVENT, apply_events, delivery_view
from kassavirta.erp.events.types import EVENT_TYPES, Party
from kassavirta.erp.events.validate import Verdict

DATA = TEST_DATA / "ledger"
STAGES = {a.id: a for a in load_assignments(DATA / "stages.json")}

COMPANY_ONLY = {"due_date_change_request", "credit_note", "cancel", "freeze", "credit_loss"}
BOTH = {"comment", "paid"}
OPERATOR_ONLY = {"delivery_status"}

GOOD_DATA: dict[str, dict[str, Any]] = {
    "comment": {"comment": "Asiakas maksaa ensi viikolla."},
    "paid": {"sum_paid": 50.0, "booked_at": "2026-12-04", "archive_number": "12345"},
    "due_date_change_request": {"due_date": "2026-12-31"},
    "due_date_changed": {"due_date": "2026-12-31"},
    "credit_note": {"number": "H-77", "sum": 48.0},
    "freeze": {"frozen": True, "end_date": "2027-01-15"},
    "freeze_confirmed": {"happened_at": "2026-12-04", "end_date": "2027-01-15"},
    "service_level_changed": {"service_level": "VIP"},
    "delivery_status": {"status": "DELIVERED"},
}


def validate_event(
    assignment: Assignment, event: Event, party: Party | str = Party.COMPANY, today: date = TODAY
) -> Verdict:
    """The verdict on the day the tests post on (the event data's dates lie after it)."""
    return validate.validate_event(assignment, event, party, today)


def event(kind: str, data: dict[str, Any] | None = None, **extra: Any) -> Event:
    return Event.model_validate(
        {"type": kind, "data": GOOD_DATA.get(kind, {}) if data is None else data, **extra}
    )


def fresh() -> Assignment:
    return STAGES["s-fresh"].model_copy(deep=True)


def with_events(*events: Event, base: Assignment | None = None) -> Assignment:
    a = (base or fresh()).model_copy(deep=True)
    a.events = [*a.events, *events]
    return a


# --- who may create what -----------------------------------------------------------------------


def test_every_event_type_of_the_guide_is_known() -> None:
    guide = {
        "comment", "paid", "close", "partially_closed", "due_date_change_request",
        "due_date_changed", "credit_note", "cancel", "freeze", "freeze_confirmed", "unfreezed",
        "interest_paid", "cash_discount", "reminder_sent", "second_reminder_sent",
        "collection_started", "second_demand_sent", "tratta_sent", "legal_collection_started",
        "application_for_enforcement", "lack_of_means", "payment_plan",
        "credit_loss_suggestion", "credit_loss", "service_level_changed", "delivery_status",
    }  # fmt: skip
    assert set(EVENT_TYPES) == guide


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_creators_follow_the_guide(kind: str) -> None:
    if kind in COMPANY_ONLY:
        expected = {Party.COMPANY}
    elif kind in BOTH:
        expected = {Party.COMPANY, Party.SERVICE}
    elif kind in OPERATOR_ONLY:
        expected = {Party.OPERATOR}
    else:
        expected = {Party.SERVICE}
    assert EVENT_TYPES[kind].creators == expected
    for party in Party:
        verdict = validate_event(fresh(), event(kind), party)
        if party in expected:
            assert verdict.accepted, (kind, party, verdict)
        else:
            assert (verdict.accepted, verdict.rule) == (False, "wrong-party"), (kind, party)
            assert f"not {party.label}" in verdict.reason


def test_service_only_event_from_the_company_names_who_may() -> None:
    verdict = validate_event(fresh(), event("close"), "company")
    assert not verdict.accepted
    assert verdict.reason == (
        "only Visma Amili (the service) can create close events, not the sender company"
    )


def test_unknown_type_is_refused() -> None:
    verdict = validate_event(fresh(), event("refund"))
    assert (verdict.accepted, verdict.rule) == (False, "unknown-type")


# --- data rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "data", "problem"),
    [
        ("paid", {}, "data.sum_paid is required"),
        ("paid", {"sum_paid": "lots"}, "data.sum_paid must be a number"),
        ("paid", {"sum_paid": True}, "data.sum_paid must be a number"),
        ("paid", {"sum_paid": 0}, "data.sum_paid must not be zero"),
        ("paid", {"sum_paid": 5, "booked_at": "4.12.2026"}, "data.booked_at must be a date"),
        ("credit_note", {"sum": 10}, "data.number (or credit_note_number) is required"),
        ("credit_note", {"number": "H-1", "sum": -10}, "data.sum must be a positive amount"),
        ("credit_note", {"number": "H-1"}, "data.sum (or credit_sum) is required"),
        ("due_date_change_request", {}, "data.due_date (or new_due_date) is required"),
        ("due_date_change_request", {"due_date": "2026-02-30"}, "must be a date"),
        ("freeze", {"end_date": "2027-01-15"}, "data.frozen is required"),
        ("freeze", {"frozen": False, "end_date": "2027-01-15"}, "data.frozen must be true"),
        ("freeze", {"frozen": True}, "data.end_date is required"),
        ("comment", {"comment": "  "}, "data.comment must be a non-empty text"),
        ("comment", {}, "data.comment (or message, text) is required"),
    ],
)
def test_company_data_rules_refuse(kind: str, data: dict[str, Any], problem: str) -> None:
    verdict = validate_event(fresh(), event(kind, data))
    assert (verdict.accepted, verdict.rule) == (False, "data")
    assert problem in verdict.reason


@pytest.mark.parametrize(
    ("kind", "data", "party"),
    [
        ("delivery_status", {}, "operator"),
        ("service_level_changed", {"service_level": "GOLD"}, "service"),
        ("due_date_changed", {"due_date": "soon"}, "service"),
        ("freeze_confirmed", {"happened_at": "2026-12-04"}, "service"),
    ],
)
def test_service_and_operator_data_rules_refuse(
    kind: str, data: dict[str, Any], party: str
) -> None:
    verdict = validate_event(fresh(), event(kind, data), party)
    assert (verdict.accepted, verdict.rule) == (False, "data")


@pytest.mark.parametrize(
    "data",
    [
        {"sum_paid": 200.5, "booked_at": "2019-01-04", "archive_number": "12345"},  # the guide's
        {"sum_paid": "12.30"},
        {"sum_paid": 1},
    ],
)
def test_paid_data_accepted(data: dict[str, Any]) -> None:
    assert validate_event(fresh(), event("paid", data)).accepted


def test_aliases_are_accepted() -> None:
    assert validate_event(
        fresh(), event("credit_note", {"credit_note_number": 7, "credit_sum": "9.90"})
    ).accepted
    assert validate_event(
        fresh(), event("due_date_change_request", {"new_due_date": "2027-01-02"})
    ).accepted
    assert validate_event(fresh(), event("comment", {"message": "kiitos"})).accepted


# --- stage rules -------------------------------------------------------------------------------


def test_negative_paid_only_on_a_credit_note_assignment() -> None:
    refused = validate_event(fresh(), event("paid", {"sum_paid": -248.0}))
    assert (refused.accepted, refused.rule) == (False, "negative-paid")
    credit_note = STAGES["s-credit-note"]
    assert validate_event(credit_note, event("paid", {"sum_paid": -248.0})).accepted
    positive = validate_event(credit_note, event("paid", {"sum_paid": 248.0}))
    assert (positive.accepted, positive.rule) == (False, "credit-note-paid")


def test_a_recorded_credit_note_counts_as_one() -> None:
    a = fresh()
    marked = Assignment.model_validate({**a.model_dump(), "credit_note": True})
    assert validate_event(marked, event("paid", {"sum_paid": -10})).accepted


@pytest.mark.parametrize(
    ("stage", "accepted", "rule"),
    [
        ("s-fresh", True, "accepted"),
        ("s-reminded", True, "accepted"),
        ("s-collection", True, "accepted"),
        ("s-legal", False, "freeze-after-legal"),
        ("s-insolvent", False, "freeze-after-lack-of-means"),
        ("s-cancelled", False, "cancelled"),
    ],
)
def test_freeze_only_before_legal_collection_and_insolvency(
    stage: str, accepted: bool, rule: str
) -> None:
    verdict = validate_event(STAGES[stage], event("freeze"))
    assert (verdict.accepted, verdict.rule) == (accepted, rule)


def test_freeze_refused_after_enforcement_even_if_a_plan_followed() -> None:
    a = with_events(
        event("legal_collection_started", created_at="2026-12-05T06:00:00Z"),
        event("payment_plan", created_at="2026-12-20T06:00:00Z"),
        base=STAGES["s-fresh"].model_copy(update={"events": []}),
    )
    assert apply_events(a).collection_status == "payment_plan"
    assert validate_event(a, event("freeze")).rule == "freeze-after-legal"


def test_freeze_refused_when_the_api_reports_legal_collection_without_events() -> None:
    a = fresh().model_copy(update={"events": [], "collection_status": "recovery_proceedings"})
    assert validate_event(a, event("freeze")).rule == "freeze-after-legal"


@pytest.mark.parametrize(
    ("stage", "accepted"),
    [("s-fresh", True), ("s-reminded", True), ("s-collection", False), ("s-legal", False),
     ("s-insolvent", False), ("s-credit-loss", False)],
)  # fmt: skip
def test_due_date_change_request_rejected_once_collection_started(
    stage: str, accepted: bool
) -> None:
    verdict = validate_event(STAGES[stage], event("due_date_change_request"))
    assert verdict.accepted is accepted
    if not accepted:
        assert verdict.rule == "collection-started"
        assert "debt collection process has already started" in verdict.reason


def test_credit_loss_is_final() -> None:
    assert validate_event(fresh(), event("credit_loss")).accepted
    again = validate_event(STAGES["s-credit-loss"], event("credit_loss"))
    assert (again.accepted, again.rule) == (False, "credit-loss-final")
    assert "cannot be posted twice, reversed or modified" in again.reason


# --- what the guide says of cancel, new due dates and suspensions ------------------------------

FEE = "the service charges the sender a cancellation fee"
CREDIT_LOSS = "a credit loss is posted with a credit_loss event, never with cancel"


@pytest.mark.parametrize(
    ("stage", "fee", "credit_loss"),
    [
        ("s-fresh", False, False),
        ("s-reminded", True, False),  # reminder_sent
        ("s-collection", True, False),  # collection_started
        ("s-legal", True, False),
        ("s-insolvent", True, False),
        ("s-credit-loss", True, True),  # credit_loss_suggestion, then credit_loss
    ],
)
def test_cancel_is_accepted_with_what_it_costs(stage: str, fee: bool, credit_loss: bool) -> None:
    verdict = validate_event(STAGES[stage], event("cancel"))
    assert (verdict.accepted, verdict.rule) == (True, "accepted")
    assert any(FEE in n for n in verdict.notes) is fee
    assert any(CREDIT_LOSS in n for n in verdict.notes) is credit_loss
    if not fee:
        assert verdict.notes == ()


def test_cancel_after_a_credit_loss_suggestion_names_credit_loss() -> None:
    suggested = with_events(event("credit_loss_suggestion", created_at="2026-12-20T06:00:00Z"))
    verdict = validate_event(suggested, event("cancel"))
    assert verdict.accepted
    assert [n for n in verdict.notes if CREDIT_LOSS in n] == [
        "the service suggested a credit loss: a credit loss is posted with a credit_loss event, "
        "never with cancel (cancel ends the whole process for good, and the service no longer "
        "collects)"
    ]
    assert any("collection status debt_surveillance" in n and FEE in n for n in verdict.notes)


def test_cancel_fee_when_the_api_reports_reminders_without_events() -> None:
    reported = fresh().model_copy(update={"events": [], "collection_status": "reminder_sent"})
    assert any(FEE in n for n in validate_event(reported, event("cancel")).notes)


@pytest.mark.parametrize(
    ("requested", "accepted"),
    [("2026-11-30", False), ("2026-12-01", False), ("2026-12-02", True), ("2027-01-31", True)],
)
def test_a_new_due_date_must_be_after_today(requested: str, accepted: bool) -> None:
    for key in ("due_date", "new_due_date"):
        verdict = validate_event(fresh(), event("due_date_change_request", {key: requested}))
        assert verdict.accepted is accepted
        if not accepted:
            assert verdict.rule == "due-date-not-future"
            assert verdict.reason == (
                f"the requested due date {requested} is not after today (2026-12-01): a due "
                "date can only be moved to a day after today"
            )


def test_the_due_date_is_judged_on_the_day_given() -> None:
    request = event("due_date_change_request", {"due_date": "2026-12-31"})
    assert validate_event(fresh(), request, today=date(2026, 12, 30)).accepted
    late = validate_event(fresh(), request, today=date(2026, 12, 31))
    assert (late.accepted, late.rule) == (False, "due-date-not-future")


@pytest.mark.parametrize(
    ("stage", "kind", "data", "rule"),
    [
        (
            "s-collection",
            "due_date_change_request",
            {"due_date": "2026-11-01"},
            "collection-started",
        ),
        ("s-legal", "freeze", {"frozen": True, "end_date": "2026-01-01"}, "freeze-after-legal"),
    ],
)
def test_the_collection_stage_outranks_a_date_in_the_past(
    stage: str, kind: str, data: dict[str, Any], rule: str
) -> None:
    assert validate_event(STAGES[stage], event(kind, data)).rule == rule


@pytest.mark.parametrize(
    ("end", "accepted", "note"),
    [
        ("2026-11-30", False, None),
        ("2026-12-01", True, "an end date of today ends the suspension early"),
        ("2026-12-02", True, None),
    ],
)
def test_a_suspension_may_end_today_but_not_before(
    end: str, accepted: bool, note: str | None
) -> None:
    verdict = validate_event(fresh(), event("freeze", {"frozen": True, "end_date": end}))
    assert verdict.accepted is accepted
    if not accepted:
        assert verdict.rule == "freeze-end-past"
        assert verdict.reason == (
            f"the suspension end date {end} is before today (2026-12-01): give a later date, or "
            "today's date to end a suspension early"
        )
    elif note is None:
        assert verdict.notes == ()
    else:
        assert verdict.notes == (
            f"{note} (the ledger knows of no confirmed suspension on this assignment)",
        )


def test_ending_a_confirmed_suspension_today_says_until_when_it_ran() -> None:
    frozen = with_events(
        event("freeze", created_at="2026-11-20T06:00:00Z"),
        event("freeze_confirmed", created_at="2026-11-21T06:00:00Z"),
    )
    verdict = validate_event(frozen, event("freeze", {"frozen": True, "end_date": TODAY_ISO}))
    assert verdict.notes == (
        "an end date of today ends the suspension early (it was to last until 2027-01-15)",
    )


def test_the_default_day_is_today_in_helsinki() -> None:
    from kassavirta.pipeline.evaluate import today_in_helsinki

    today = today_in_helsinki().isoformat()
    verdict = validate.validate_event(
        fresh(), event("due_date_change_request", {"due_date": today})
    )
    assert (verdict.accepted, verdict.rule) == (False, "due-date-not-future")


@pytest.mark.parametrize(
    ("stage", "rule", "said"),
    [("s-cancelled", "cancelled", "a cancellation is final"),
     ("s-paid-closed", "closed", "a closure cannot be reversed or modified")],
)  # fmt: skip
@pytest.mark.parametrize(
    "kind", ["paid", "credit_note", "cancel", "freeze", "due_date_change_request", "credit_loss"]
)
def test_nothing_but_comments_after_a_cancel_or_a_close(
    stage: str, rule: str, said: str, kind: str
) -> None:
    verdict = validate_event(STAGES[stage], event(kind))
    assert (verdict.accepted, verdict.rule) == (False, rule)
    assert f"{said}: only comments can still be added" in verdict.reason


@pytest.mark.parametrize("stage", ["s-cancelled", "s-paid-closed"])
def test_comments_are_always_accepted(stage: str) -> None:
    assert validate_event(STAGES[stage], event("comment")).accepted


def test_a_cancel_without_the_close_yet_is_already_final() -> None:
    a = with_events(event("cancel", created_at="2026-12-02T09:00:00Z"))
    assert apply_events(a).status == "closed"
    assert validate_event(a, event("paid")).rule == "cancelled"
    assert validate_event(a, event("cancel")).rule == "cancelled"


def test_partially_closed_is_finished_for_the_company_but_the_service_can_close() -> None:
    a = with_events(event("partially_closed", created_at="2026-12-20T09:00:00Z"))
    assert validate_event(a, event("paid")).rule == "closed"
    assert validate_event(a, event("close"), "service").accepted
    closed = with_events(event("close", created_at="2026-12-21T09:00:00Z"), base=a)
    assert validate_event(closed, event("close"), "service").rule == "closed"


def test_the_guide_example_assignment_and_event(tmp_path: Path) -> None:
    guide = [
        {
            "id": "fa9781ba-20d1-4677-a125-f04bff7bbac0", "status": "open",
            "collection_status": "unknown", "service_level": "default",
            "debtor": {"name": "Hanna's Test Company"}, "due_date": "2020-04-20",
            "issued_at": "2020-04-01", "number": "64488", "sum": 12.3, "paid": 10,
            "currency": "EUR", "events": [
                {"id": "c0c56722-a28b-49d1-aa87-1c4d7f3cf1af", "type": "paid",
                 "data": {"sum_paid": 10, "booked_at": "2020-04-16", "archive_number": "12345"},
                 "created_at": "2020-04-15T21:01:18Z", "happened_at": "2020-04-16T00:00:00Z"}
            ],
        }
    ]  # fmt: skip
    src = tmp_path / "guide.json"
    src.write_text(json.dumps(guide), encoding="utf-8")
    (a,) = load_assignments(src)
    state = apply_events(a)
    assert (state.status, state.paid, state.collection_status) == ("open", Decimal("10"), "unknown")
    assert validate_event(a, event("paid", {"sum_paid": 2.3})).accepted


# --- derived state -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("reminder_sent", "reminder_sent"),
        ("second_reminder_sent", "reminder_sent"),
        ("collection_started", "debt_collection"),
        ("second_demand_sent", "debt_collection"),
        ("tratta_sent", "debt_collection"),
        ("legal_collection_started", "legal_collection"),
        ("application_for_enforcement", "recovery_proceedings"),
        ("credit_loss_suggestion", "debt_surveillance"),
        ("lack_of_means", "lack_of_means"),
        ("payment_plan", "payment_plan"),
    ],
)
def test_collection_status_table(kind: str, status: str) -> None:
    a = with_events(event(kind, created_at="2026-12-20T06:00:00Z"))
    assert apply_events(a).collection_status == status
    assert COLLECTION_STATUS_BY_EVENT[kind] == status


def test_credit_loss_changes_no_collection_status() -> None:
    a = with_events(
        event("credit_loss_suggestion", created_at="2026-12-20T06:00:00Z"),
        event("credit_loss", created_at="2026-12-21T06:00:00Z"),
    )
    state = apply_events(a)
    assert state.collection_status == "debt_surveillance"
    assert state.credit_loss
    assert "credit_loss" not in COLLECTION_STATUS_BY_EVENT
    only = with_events(event("credit_loss", created_at="2026-12-21T06:00:00Z"))
    assert apply_events(only).collection_status == "unknown"


@pytest.mark.parametrize(
    ("kinds", "status"),
    [
        (["reminder_sent", "collection_started"], "debt_collection"),
        (["collection_started", "reminder_sent"], "debt_collection"),  # never moves back
        (["collection_started", "second_reminder_sent"], "debt_collection"),
        (["payment_plan", "second_demand_sent"], "payment_plan"),  # "if not already set"
        (["payment_plan", "legal_collection_started"], "legal_collection"),
        (["legal_collection_started", "payment_plan"], "payment_plan"),
        (["lack_of_means", "credit_loss_suggestion"], "debt_surveillance"),
    ],
)
def test_collection_status_follows_events_in_order(kinds: list[str], status: str) -> None:
    a = with_events(
        *(event(k, created_at=f"2026-12-{10 + i}T06:00:00Z") for i, k in enumerate(kinds))
    )
    assert apply_events(a).collection_status == status


def test_events_are_applied_in_time_order_not_list_order() -> None:
    a = with_events(
        event("payment_plan", created_at="2026-12-20T06:00:00Z"),
        event("legal_collection_started", created_at="2026-12-10T06:00:00Z"),
    )
    assert apply_events(a).collection_status == "payment_plan"
    untimed = with_events(event("payment_plan"), event("legal_collection_started"))
    assert apply_events(untimed).collection_status == "legal_collection"  # as listed


def test_paid_sums_payments_and_credits() -> None:
    a = with_events(
        event("paid", {"sum_paid": 100.1}, created_at="2026-12-10T06:00:00Z"),
        event("paid", {"sum_paid": "50.20"}, created_at="2026-12-11T06:00:00Z"),
        event("credit_note", {"number": "H-1", "sum": 20}, created_at="2026-12-12T06:00:00Z"),
    )
    state = apply_events(a)
    assert state.paid == Decimal("170.30")
    assert state.credited == Decimal("20")


def test_status_service_level_and_due_date_from_events() -> None:
    a = with_events(
        event(
            "service_level_changed", {"service_level": "PREMIUM"}, created_at="2026-12-02T06:00:00Z"
        ),
        event("due_date_changed", {"due_date": "2027-01-15"}, created_at="2026-12-03T06:00:00Z"),
        event("partially_closed", created_at="2026-12-04T06:00:00Z"),
    )
    state = apply_events(a)
    assert (state.service_level, state.due_date, state.status) == (
        "premium",
        date(2027, 1, 15),
        "partially_closed",
    )
    closed = apply_events(with_events(event("close", created_at="2026-12-05T06:00:00Z"), base=a))
    assert closed.status == "closed"


def test_a_due_date_change_request_alone_changes_no_due_date() -> None:
    a = with_events(event("due_date_change_request", created_at="2026-12-02T06:00:00Z"))
    assert apply_events(a).due_date == date(2026, 12, 15)


def test_freeze_confirmed_and_unfreezed() -> None:
    a = with_events(
        event("freeze", created_at="2026-12-02T06:00:00Z"),
        event("freeze_confirmed", created_at="2026-12-03T06:00:00Z"),
    )
    assert apply_events(a).frozen_until == date(2027, 1, 15)
    b = with_events(event("unfreezed", {}, created_at="2026-12-04T06:00:00Z"), base=a)
    assert apply_events(b).frozen_until is None


def test_fields_no_event_sets_keep_the_reported_values() -> None:
    a = fresh().model_copy(
        update={"events": [], "status": "partially_closed", "paid": Decimal("7"),
                "collection_status": "reminder_sent", "service_level": "VIP"}
    )  # fmt: skip
    state = apply_events(a)
    assert (state.status, state.paid, state.collection_status, state.service_level) == (
        "partially_closed",
        Decimal("7"),
        "reminder_sent",
        "vip",
    )
    assert state.derived == set()


# --- delivery-status view ----------------------------------------------------------------------


def deliveries(*statuses: str) -> list[Event]:
    return [
        event(
            "delivery_status", {"status": s}, id=f"d{i}", created_at=f"2026-12-01T{8 + i:02}:00:00Z"
        )
        for i, s in enumerate(statuses)
    ]


@pytest.mark.parametrize(
    ("statuses", "shown"),
    [
        (["DELIVERED"], ["d0"]),
        (["DELIVERED", "DELIVERED", "DELIVERED"], ["d0"]),  # only the first DELIVERED
        (["DELIVERED", "FAILED"], ["d0", "d1"]),  # every FAILED
        (["FAILED", "FAILED"], ["d0", "d1"]),
        (["DELIVERED", "DELIVERED", "FAILED", "DELIVERED", "DELIVERED"], ["d0", "d2", "d3"]),
        (["FAILED", "DELIVERED", "FAILED", "DELIVERED"], ["d0", "d1", "d2", "d3"]),
        ([], []),
    ],
)
def test_delivery_view(statuses: list[str], shown: list[str]) -> None:
    assert [e.id for e in delivery_view(deliveries(*statuses))] == shown


def test_delivery_view_ignores_other_events_and_sorts_by_time() -> None:
    events = [*reversed(deliveries("DELIVERED", "DELIVERED", "FAILED")), event("paid")]
    assert [e.id for e in delivery_view(events)] == ["d0", "d2"]


# --- kassavirta event validate -----------------------------------------------------------------


@pytest.fixture
def stage_ledger(tmp_path: Path) -> Path:
    return imported_ledger(tmp_path, DATA / "stages.json")


@pytest.mark.parametrize(
    ("assignment", "file", "party", "code", "words"),
    [
        ("s-fresh", "paid.json", "company", 0, "accepted: paid"),
        ("s-fresh", "paid-negative.json", "company", 1, "refused [negative-paid]"),
        ("s-credit-note", "paid-negative.json", "company", 0, "accepted: paid"),
        ("s-reminded", "due-date-change-request.json", "company", 0, "accepted"),
        ("s-collection", "due-date-change-request.json", "company", 1, "[collection-started]"),
        ("s-legal", "freeze.json", "company", 1, "[freeze-after-legal]"),
        ("s-insolvent", "freeze.json", "company", 1, "[freeze-after-lack-of-means]"),
        ("s-credit-loss", "credit-loss.json", "company", 1, "[credit-loss-final]"),
        ("s-fresh", "reminder-sent.json", "company", 1, "[wrong-party]"),
        ("s-fresh", "reminder-sent.json", "service", 0, "accepted"),
        ("s-fresh", "delivery-status.json", "service", 1, "only Maventa (the operator)"),
        ("s-fresh", "delivery-status.json", "operator", 0, "accepted"),
    ],
)
def test_event_validate_command(
    cli: Any, stage_ledger: Path, assignment: str, file: str, party: str, code: int, words: str
) -> None:
    done = cli(
        "event", "validate", assignment, str(DATA / "events" / file), "--as", party,
        "--ledger", str(stage_ledger), "--today", TODAY_ISO,
    )  # fmt: skip
    assert done.returncode == code, done.stderr
    assert words in done.stdout


def test_event_validate_prints_notes(cli: Any, stage_ledger: Path) -> None:
    done = cli(
        "event", "validate", "s-credit-loss", str(DATA / "events" / "cancel.json"),
        "--ledger", str(stage_ledger), "--today", TODAY_ISO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("accepted: cancel (cancel the whole process (final)) on assignment")
    assert lines[1:] == [
        "  note: reminder or collection actions have already started (collection status "
        "debt_surveillance): the service charges the sender a cancellation fee",
        "  note: the service suggested a credit loss: a credit loss is posted with a credit_loss "
        "event, never with cancel (cancel ends the whole process for good, and the service no "
        "longer collects)",
    ]
    as_json = cli(
        "event", "validate", "s-reminded", str(DATA / "events" / "cancel.json"),
        "--ledger", str(stage_ledger), "--today", TODAY_ISO, "--output", "json",
    )  # fmt: skip
    doc = json.loads(as_json.stdout)
    assert (doc["accepted"], len(doc["notes"])) == (True, 1)
    assert FEE in doc["notes"][0]


def test_event_validate_judges_dates_on_today(cli: Any, stage_ledger: Path) -> None:
    request = str(DATA / "events" / "due-date-change-request.json")  # due 2026-12-31
    late = cli(
        "event", "validate", "s-fresh", request, "--ledger", str(stage_ledger),
        "--today", "2026-12-31",
    )  # fmt: skip
    assert late.returncode == 1
    assert late.stdout.startswith("refused [due-date-not-future]: due_date_change_request")
    freeze = str(DATA / "events" / "freeze.json")  # ends 2027-01-15
    after = cli(
        "event", "validate", "s-fresh", freeze, "--ledger", str(stage_ledger),
        "--today", "2027-01-16", "--output", "json",
    )  # fmt: skip
    assert after.returncode == 1
    assert json.loads(after.stdout)["rule"] == "freeze-end-past"
    bad = cli("event", "validate", "s-fresh", freeze, "--today", "16.1.2027")
    assert bad.returncode == 2
    assert "is not a date: expected YYYY-MM-DD, e.g. 2027-01-16" in bad.stderr


def test_event_validate_json_and_assignments_file(cli: Any) -> None:
    done = cli(
        "event", "validate", "s-cancelled", str(DATA / "events" / "paid.json"),
        "--assignments", str(DATA / "stages.json"), "--output", "json",
    )  # fmt: skip
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    assert doc["accepted"] is False and doc["rule"] == "cancelled" and doc["event"] == "paid"


def test_event_validate_default_ledger(cli: Any, tmp_path: Path) -> None:
    home = tmp_path / "home"
    imp = cli("ledger", "import", str(DATA / "stages.json"), env={"XDG_DATA_HOME": str(home)})
    assert imp.returncode == 0, imp.stderr
    done = cli(
        "event", "validate", "s-fresh", str(DATA / "events" / "paid.json"),
        env={"XDG_DATA_HOME": str(home)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such", "paid.json"], "no assignment 'no-such'"),
        (["s-fresh", "not-an-object.json"], "expected one event object"),
        (["s-fresh", "missing.json"], "missing.json: cannot read"),
    ],
)
def test_event_validate_usage_errors(
    cli: Any, stage_ledger: Path, args: list[str], message: str
) -> None:
    done = cli(
        "event", "validate", args[0], str(DATA / "events" / args[1]), "--ledger", str(stage_ledger)
    )
    assert done.returncode == 2
    assert message in done.stderr
