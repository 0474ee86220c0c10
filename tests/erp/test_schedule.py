"""The reminder schedule (SPEC §5): Finnish business days, B2B/B2C, settings, service levels."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLES
from kassavirta.config.settings import Settings, load_settings, settings_from_mapping
from kassavirta.erp.schedule import (
    ScheduleSettings,
    reminder_schedule,
    schedule_entries,
    schedule_for,
    schedule_settings,
)
from kassavirta.errors import SettingsError
from kassavirta.formats import adapter_for, detect
from kassavirta.model import Invoice
from kassavirta.pipeline.read import read_bytes

ROUTE = SAMPLES / "route" / "finvoice-3.0.xml"
CREDIT = SAMPLES / "route" / "finvoice-3.0-credit-note.xml"
SETTINGS = SAMPLES / "settings.json"
BUYER_BID = "2589381-0"  # the buyer of route/finvoice-3.0.xml


def needs_samples() -> None:
    if not ROUTE.is_file() or not SETTINGS.is_file():
        pytest.skip("the sample set is not written yet")


def adapted(path: Path) -> Invoice:
    (document,) = read_bytes(path.read_bytes(), path=str(path))
    adapter = adapter_for(detect(document.part.root).format)
    assert adapter is not None
    return adapter(document)


def settings_with(**extra: Any) -> Settings:
    data = json.loads(SETTINGS.read_text(encoding="utf-8"))
    data.update(extra)
    return settings_from_mapping(data)


def first(due: str, business: bool) -> str:
    return reminder_schedule(date.fromisoformat(due), business=business).steps[0].date.isoformat()


# --- the first reminder ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "reminder", "why"),
    [
        ("2026-10-06", "2026-10-16", "due + 10 is a Friday: not moved"),
        ("2026-10-07", "2026-10-19", "due + 10 is a Saturday"),
        ("2026-03-24", "2026-04-07", "Good Friday 2026, then Easter weekend and Monday"),
        ("2026-03-27", "2026-04-07", "Easter Monday 2026"),
        ("2027-03-16", "2027-03-30", "Good Friday 2027"),
        ("2026-06-09", "2026-06-22", "Midsummer Eve 2026 (Friday)"),
        ("2027-06-15", "2027-06-28", "Midsummer Eve 2027"),
        ("2026-12-14", "2026-12-28", "Christmas Eve 2026 (Thursday), Christmas, weekend"),
        ("2027-12-14", "2027-12-27", "Christmas Eve 2027 (Friday) and the weekend"),
        ("2026-12-22", "2027-01-04", "New Year's Day 2027 (Friday)"),
    ],
)
def test_b2b_first_reminder_is_due_plus_10_on_a_business_day(
    due: str, reminder: str, why: str
) -> None:
    assert first(due, business=True) == reminder, why


@pytest.mark.parametrize(
    ("due", "reminder", "why"),
    [
        ("2026-10-02", "2026-10-16", "due + 14 is a Friday: not moved"),
        ("2026-10-03", "2026-10-19", "due + 14 is a Saturday"),
        ("2026-03-20", "2026-04-07", "Good Friday 2026"),
        ("2027-03-15", "2027-03-30", "Easter Monday 2027"),
        ("2026-06-05", "2026-06-22", "Midsummer Eve 2026"),
        ("2026-12-10", "2026-12-28", "Christmas Eve 2026"),
        ("2026-12-12", "2026-12-28", "Boxing Day 2026 (Saturday)"),
    ],
)
def test_b2c_first_reminder_is_due_plus_14_on_a_business_day(
    due: str, reminder: str, why: str
) -> None:
    assert first(due, business=False) == reminder, why


def test_the_same_due_date_gives_different_b2b_and_b2c_reminders() -> None:
    assert (first("2026-11-02", True), first("2026-11-02", False)) == ("2026-11-12", "2026-11-16")


def test_a_moved_step_says_where_it_was_planned() -> None:
    (step, *_) = reminder_schedule(date(2026, 12, 14), business=True).steps
    assert (step.planned, step.date, step.moved, step.counted_from) == (
        date(2026, 12, 24),
        date(2026, 12, 28),
        True,
        date(2026, 12, 14),
    )


# --- later steps -------------------------------------------------------------------------------


def test_default_later_steps_count_from_the_previous_letter() -> None:
    steps = reminder_schedule(date(2026, 3, 13), business=True).steps
    assert [(s.step, s.date.isoformat()) for s in steps] == [
        ("reminder", "2026-03-23"),
        ("payment_demand", "2026-04-07"),  # 2026-04-06 is Easter Monday
        ("second_payment_demand", "2026-04-21"),
    ]


def test_later_steps_are_settings() -> None:
    config = ScheduleSettings.model_validate(
        {
            "first_reminder_days_b2b": 7,
            "later_steps": [
                {"step": "second_reminder", "days": 10},
                {"step": "payment_demand", "days": 21},
            ],
        }
    )
    steps = reminder_schedule(date(2026, 11, 2), business=True, config=config).steps
    assert [(s.step, s.date.isoformat()) for s in steps] == [
        ("reminder", "2026-11-09"),
        ("second_reminder", "2026-11-19"),
        ("payment_demand", "2026-12-10"),
    ]


def test_schedule_key_in_the_settings_file() -> None:
    needs_samples()
    settings = settings_with(schedule={"first_reminder_days_b2b": 5, "later_steps": []})
    got = schedule_for(adapted(ROUTE), settings)
    assert [(s.step, s.date.isoformat()) for s in got.steps] == [("reminder", "2026-12-21")]


def test_a_bad_schedule_key_names_itself() -> None:
    needs_samples()
    with pytest.raises(SettingsError, match=r"key 'schedule\.later_steps\.0\.days'"):
        schedule_settings(settings_with(schedule={"later_steps": [{"step": "demand", "days": 0}]}))


def test_without_settings_the_defaults_apply() -> None:
    assert schedule_settings(None) == ScheduleSettings()


# --- service levels ----------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["vip", "premium", "service_bypass"])
def test_no_schedule_for_vip_premium_and_service_bypass(level: str) -> None:
    needs_samples()
    settings = settings_with(service_levels={level: [BUYER_BID]})
    got = schedule_for(adapted(ROUTE), settings)
    assert got.steps == []
    assert got.service_level == level
    assert got.none_because is not None and level.upper() in got.none_because


def test_a_level_gets_a_schedule_when_configured() -> None:
    needs_samples()
    settings = settings_with(
        service_levels={"premium": ["FI25893810"]},
        schedule={"levels": {"premium": {"first_reminder_days_b2b": 30, "later_steps": []}}},
    )
    got = schedule_for(adapted(ROUTE), settings)
    assert [(s.step, s.date.isoformat()) for s in got.steps] == [("reminder", "2027-01-14")]


def test_other_buyers_keep_the_default_schedule() -> None:
    needs_samples()
    settings = settings_with(service_levels={"vip": ["2077474-0"]})
    assert len(schedule_for(adapted(ROUTE), settings).steps) == 3


# --- from an invoice ---------------------------------------------------------------------------


def test_buyer_without_business_id_is_b2c() -> None:
    needs_samples()
    invoice = adapted(ROUTE)
    assert invoice.due_date == date(2026, 12, 15)
    b2b = schedule_for(invoice)
    consumer = invoice.model_copy(
        update={"buyer": invoice.buyer.model_copy(update={"business_id": None, "vat_code": None})}
    )
    b2c = schedule_for(consumer)
    assert (b2b.customer, b2b.steps[0].date) == ("b2b", date(2026, 12, 28))  # 25th: Christmas
    assert (b2c.customer, b2c.steps[0].date) == ("b2c", date(2026, 12, 29))


def test_credit_notes_and_missing_due_dates_get_none() -> None:
    needs_samples()
    credit = schedule_for(adapted(CREDIT))
    assert credit.steps == [] and credit.none_because == "a credit note is not reminded"
    undated = schedule_for(adapted(ROUTE).model_copy(update={"due_date": None}))
    assert undated.none_because == "the invoice has no due date"


def test_check_results_carry_the_schedule_of_routed_invoices(cli: Any) -> None:
    needs_samples()
    done = cli(
        "check", str(ROUTE), str(SAMPLES / "error" / "finvoice-3.0-sum-mismatch.xml"),
        "--settings", str(SETTINGS), "--today", "2026-12-01", "--no-config", "--output", "json",
    )  # fmt: skip
    results = {Path(r["path"]).name: r for r in json.loads(done.stdout)["results"]}
    assert results["finvoice-3.0.xml"]["schedule"] == [
        {"step": "reminder", "date": "2026-12-28", "source": "guide"},
        {"step": "payment_demand", "date": "2027-01-11", "source": "assumed"},
        {"step": "second_payment_demand", "date": "2027-01-25", "source": "assumed"},
    ]
    assert results["finvoice-3.0-sum-mismatch.xml"]["schedule"] is None


def test_schedule_entries_is_empty_for_a_vip_buyer() -> None:
    needs_samples()
    settings = settings_with(service_levels={"vip": [BUYER_BID]})
    assert schedule_entries(adapted(ROUTE), settings) == []
    assert [e.step for e in schedule_entries(adapted(ROUTE), load_settings(SETTINGS))] == [
        "reminder", "payment_demand", "second_payment_demand"
    ]  # fmt: skip


# --- kassavirta schedule -----------------------------------------------------------------------


def test_schedule_command_text(cli: Any) -> None:
    needs_samples()
    done = cli("schedule", str(ROUTE), "--settings", str(SETTINGS), "--today", "2026-12-01")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "invoice 2026-4101, due 2026-12-15, business customer (B2B)" in lines[0]
    assert lines[1].split()[:2] == ["reminder", "2026-12-28"]
    assert "due date + 10 days = 2026-12-25, a weekend day or holiday" in lines[1]
    assert lines[2].split()[:2] == ["payment_demand", "2027-01-11"]
    assert lines[3].split()[:2] == ["second_payment_demand", "2027-01-25"]


def test_schedule_command_json_and_vip(cli: Any, tmp_path: Path) -> None:
    needs_samples()
    data = json.loads(SETTINGS.read_text(encoding="utf-8"))
    data["service_levels"] = {"vip": [BUYER_BID]}
    vip = tmp_path / "vip.json"
    vip.write_text(json.dumps(data), encoding="utf-8")
    done = cli("schedule", str(ROUTE), "--settings", str(vip), "--output", "json", "--no-config")
    assert done.returncode == 1
    (entry,) = json.loads(done.stdout)["results"]
    assert entry["schedule"]["steps"] == []
    assert entry["schedule"]["service_level"] == "vip"
    assert "VIP service level group" in entry["schedule"]["none_because"]


def test_schedule_command_notes_an_invoice_the_service_would_not_route(cli: Any) -> None:
    needs_samples()
    late = SAMPLES / "error" / "finvoice-3.0-due-date-too-soon.xml"
    done = cli("schedule", str(late))  # samples/kassavirta.toml pins settings and today
    assert done.returncode == 0
    assert "would not route this invoice as it is (error: due-date-too-soon)" in done.stdout


def test_schedule_command_unreadable_and_bad_settings(cli: Any, tmp_path: Path) -> None:
    needs_samples()
    broken = cli("schedule", str(SAMPLES / "invalid" / "not-xml.xml"), "--no-config")
    assert broken.returncode == 1 and "not-xml" in broken.stdout
    data = json.loads(SETTINGS.read_text(encoding="utf-8"))
    data["schedule"] = {"first_reminder_days_b2c": -1}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    done = cli("schedule", str(ROUTE), "--settings", str(bad), "--no-config")
    assert done.returncode == 2
    assert "key 'schedule.first_reminder_days_b2c'" in done.stderr


# --- where each step comes from (SPEC §5) ------------------------------------------------------


def sources(steps: Any) -> list[tuple[str, str]]:
    return [(s.step, s.source) for s in steps]


def test_default_steps_are_the_guides_first_reminder_and_assumed_later_ones() -> None:
    for business in (True, False):
        steps = reminder_schedule(date(2026, 11, 2), business=business).steps
        assert sources(steps) == [
            ("reminder", "guide"),
            ("payment_demand", "assumed"),
            ("second_payment_demand", "assumed"),
        ]


def test_steps_the_settings_give_are_marked_settings() -> None:
    needs_samples()
    first_only = settings_with(schedule={"first_reminder_days_b2b": 7})
    assert sources(schedule_for(adapted(ROUTE), first_only).steps) == [
        ("reminder", "settings"),
        ("payment_demand", "assumed"),
        ("second_payment_demand", "assumed"),
    ]
    later_only = settings_with(schedule={"later_steps": [{"step": "payment_demand", "days": 21}]})
    assert sources(schedule_for(adapted(ROUTE), later_only).steps) == [
        ("reminder", "guide"),
        ("payment_demand", "settings"),
    ]
    # Only the customer's own first-reminder key counts: a B2C offset leaves B2B the guide's.
    b2c_only = settings_with(schedule={"first_reminder_days_b2c": 20})
    assert schedule_for(adapted(ROUTE), b2c_only).steps[0].source == "guide"


def test_a_levels_schedule_is_never_the_guides() -> None:
    needs_samples()
    settings = settings_with(
        service_levels={"premium": [BUYER_BID]},
        schedule={"levels": {"premium": {"later_steps": []}}},
    )
    assert sources(schedule_for(adapted(ROUTE), settings).steps) == [("reminder", "assumed")]


def test_check_text_marks_every_step(cli: Any) -> None:
    needs_samples()
    done = cli("check", str(ROUTE), "--settings", str(SETTINGS), "--today", "2026-12-01",
               "--no-config")  # fmt: skip
    assert (
        "if unpaid: reminder 2026-12-28 (guide), payment demand 2027-01-11 (assumed), "
        "second payment demand 2027-01-25 (assumed)"
    ) in done.stdout


def test_schedule_command_marks_and_explains_the_sources(cli: Any) -> None:
    needs_samples()
    done = cli("schedule", str(ROUTE), "--settings", str(SETTINGS), "--no-config",
               "--today", "2026-12-01")  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[1].split()[:3] == ["reminder", "2026-12-28", "(guide)"]
    assert lines[2].split()[:3] == ["payment_demand", "2027-01-11", "(assumed)"]
    assert any(line.startswith("  (assumed): our assumption") for line in lines)
    as_json = cli("schedule", str(ROUTE), "--settings", str(SETTINGS), "--no-config",
                  "--output", "json")  # fmt: skip
    (entry,) = json.loads(as_json.stdout)["results"]
    assert [s["source"] for s in entry["schedule"]["steps"]] == ["guide", "assumed", "assumed"]


def test_prepaid_in_full_gets_no_schedule() -> None:
    needs_samples()
    invoice = adapted(ROUTE)
    assert invoice.total is not None
    paid = schedule_for(invoice.model_copy(update={"paid_amount": invoice.total}))
    assert paid.steps == []
    assert paid.none_because == (
        "the invoice is prepaid in full (575.55 of 575.55): nothing is left to remind"
    )
    part = schedule_for(invoice.model_copy(update={"paid_amount": invoice.total / 2}))
    assert len(part.steps) == 3


def test_vat_code_only_buyer_is_grouped_by_the_implied_business_id() -> None:
    needs_samples()
    invoice = adapted(ROUTE)
    no_bid = invoice.model_copy(
        update={"buyer": invoice.buyer.model_copy(update={"business_id": None})}
    )
    assert no_bid.buyer.vat_code == "FI25893810"
    got = schedule_for(no_bid, settings_with(service_levels={"vip": [BUYER_BID]}))
    assert (got.service_level, got.steps) == ("vip", [])


def test_a_due_date_is_planned_once_per_spec_and_each_schedule_has_its_own_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import kassavirta.erp.schedule as schedule

    walked: list[date] = []
    real = schedule.next_business_day

    def counted(day: date) -> date:
        walked.append(day)
        return real(day)

    monkeypatch.setattr(schedule, "next_business_day", counted)
    config = ScheduleSettings.model_validate({"first_reminder_days_b2b": 9})
    due = date(2026, 3, 12)  # never planned by another test with this spec
    first = reminder_schedule(due, business=True, config=config)
    assert len(walked) == 3
    second = reminder_schedule(due, business=True, config=config)
    assert len(walked) == 3  # the same plan, not walked again
    assert first.steps == second.steps and first.steps is not second.steps
    assert first.steps[0].date == date(2026, 3, 23)  # 12 + 9 = Saturday 21 → Monday 23
    reminder_schedule(due, business=False, config=config)  # another customer: another plan
    other = ScheduleSettings.model_validate({"first_reminder_days_b2b": 9})
    reminder_schedule(due, business=True, config=other)  # an equal spec of its own
    assert len(walked) == 9


def test_the_plans_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import kassavirta.erp.schedule as schedule

    monkeypatch.setattr(schedule, "PLANS_KEPT", 5)
    for n in range(12):
        steps = reminder_schedule(date(2027, 1, 1 + n), business=True).steps
        assert steps[0].counted_from == date(2027, 1, 1 + n)
    assert len(schedule._PLANS) <= 5
