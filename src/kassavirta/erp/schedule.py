"""The reminder and collection schedule the service follows when an invoice is not paid (SPEC §5).

The guide gives the first step only: a reminder 10 days after the due date
for business customers, 14 days for consumers, never posted on a weekend or
a public holiday. A consumer here is any buyer without a business identifier,
whatever channel the invoice takes. The later steps are in a process picture
the guide does not put into words, so they are settings with defaults that
are our guesses (documented in docs/assignments.md):

    "schedule": {
      "first_reminder_days_b2b": 10,
      "first_reminder_days_b2c": 14,
      "later_steps": [{"step": "payment_demand", "days": 14},
                      {"step": "second_payment_demand", "days": 14}],
      "levels": {"premium": {...the same keys...}}
    }

in the activation settings file, beside the operator's keys. Each later step
is counted from the date the previous letter goes out. Buyers in the VIP,
PREMIUM or service_bypass group (`service_levels`, by business ID, or by the one
a Finnish VAT code implies) get no schedule unless `levels` configures one for
their group; nor do credit notes and invoices prepaid in full.

Every step says where its offset comes from (`source`): `guide` for the first
reminder's 10 / 14 days, `settings` for a value the settings file gives, and
`assumed` for our defaults of the later steps (and of a level's schedule, which
the guide does not describe at all). A user must be able to tell a date the
guide promises from one we guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from kassavirta.config.settings import LaterStep, ScheduleSettings, ScheduleSpec, Settings
from kassavirta.findings import ScheduleEntry, ScheduleSource
from kassavirta.finnish.business_id import grouping_id
from kassavirta.finnish.businessdays import next_business_day
from kassavirta.model import Invoice
from kassavirta.rules.notes import prepaid_in_full

__all__ = [
    "LaterStep",
    "Schedule",
    "ScheduleSettings",
    "ScheduleSource",
    "ScheduleSpec",
    "ScheduledStep",
    "reminder_schedule",
    "schedule_entries",
    "schedule_for",
    "schedule_settings",
]

FIRST_STEP = "reminder"


_DEFAULT = ScheduleSettings()


def schedule_settings(settings: Settings | None) -> ScheduleSettings:
    """The settings' `schedule` key (validated with the settings file), or the defaults."""
    return _DEFAULT if settings is None else settings.schedule


Day = date  # the field below is called `date`


@dataclass(frozen=True)
class ScheduledStep:
    step: str
    date: Day
    counted_from: Day
    days: int
    planned: Day
    """`counted_from + days`, before moving off a weekend or holiday."""
    source: ScheduleSource = "assumed"
    """Where `days` comes from: the guide, the settings file, or our assumption."""

    @property
    def moved(self) -> bool:
        return self.date != self.planned


@dataclass
class Schedule:
    """The steps, or why there are none (`none_because`)."""

    customer: Literal["b2b", "b2c"]
    due_date: date | None
    service_level: str | None = None
    steps: list[ScheduledStep] = field(default_factory=list)
    none_because: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "service_level": self.service_level or "default",
            "steps": [
                {
                    "step": s.step,
                    "date": s.date.isoformat(),
                    "counted_from": s.counted_from.isoformat(),
                    "days": s.days,
                    "moved_from": s.planned.isoformat() if s.moved else None,
                    "source": s.source,
                }
                for s in self.steps
            ],
            "none_because": self.none_because,
        }


def reminder_schedule(
    due_date: date,
    *,
    business: bool,
    service_level: str | None = None,
    config: ScheduleSettings = _DEFAULT,
) -> Schedule:
    """The schedule from a due date: the pure calculation behind `schedule_for`."""
    customer: Literal["b2b", "b2c"] = "b2b" if business else "b2c"
    result = Schedule(customer=customer, due_date=due_date, service_level=service_level)
    spec: ScheduleSpec = config
    if service_level is not None:
        level_spec = config.levels.get(service_level)  # type: ignore[call-overload]
        if level_spec is None:
            result.none_because = (
                f"the buyer is in the {service_level.upper()} service level group: the service "
                "does not follow the default reminder schedule (configure schedule.levels."
                f"{service_level} in the settings to give one)"
            )
            return result
        spec = level_spec
    result.steps.extend(_planned(due_date, business, service_level, spec))
    return result


_Plan = tuple[ScheduleSpec, tuple[ScheduledStep, ...]]
_PLANS: dict[tuple[int, date, bool, str | None], _Plan] = {}
"""(spec, due date, customer, level) → the steps: a run's invoices share a few hundred due dates
at most, and each plan walks the holidays for every step."""
PLANS_KEPT = 4096
"""Plans kept at most: a long-running server starts the table again when it is full."""


def _planned(
    due_date: date, business: bool, service_level: str | None, spec: ScheduleSpec
) -> tuple[ScheduledStep, ...]:
    """The steps from `due_date` under `spec`, worked out once per run and due date.

    Keyed by the spec's identity, and the spec kept with its plans so that the
    identity stays its own; a `ScheduledStep` is frozen, so the plans are shared.
    """
    key = (id(spec), due_date, business, service_level)
    kept = _PLANS.get(key)
    if kept is not None and kept[0] is spec:
        return kept[1]
    first_key = "first_reminder_days_b2b" if business else "first_reminder_days_b2c"
    given = spec.model_fields_set
    first_source: ScheduleSource = (
        "settings" if first_key in given else "assumed" if service_level else "guide"
    )
    later_source: ScheduleSource = "settings" if "later_steps" in given else "assumed"
    plan = [
        (FIRST_STEP, getattr(spec, first_key), first_source),
        *((s.step, s.days, later_source) for s in spec.later_steps),
    ]
    steps = []
    base = due_date
    for name, days, source in plan:
        planned = base + timedelta(days=days)
        when = next_business_day(planned)
        steps.append(ScheduledStep(name, when, base, days, planned, source))
        base = when
    if len(_PLANS) >= PLANS_KEPT:
        _PLANS.clear()
    planned_steps = tuple(steps)
    _PLANS[key] = (spec, planned_steps)
    return planned_steps


def schedule_for(invoice: Invoice, settings: Settings | None = None) -> Schedule:
    """The schedule for one invoice, with its settings (service levels, `schedule` key)."""
    business = invoice.buyer_is_business
    customer: Literal["b2b", "b2c"] = "b2b" if business else "b2c"
    if invoice.is_credit_note:
        return Schedule(customer, invoice.due_date, none_because="a credit note is not reminded")
    if invoice.due_date is None:
        return Schedule(customer, None, none_because="the invoice has no due date")
    if prepaid_in_full(invoice):
        return Schedule(
            customer,
            invoice.due_date,
            none_because=f"the invoice is prepaid in full ({invoice.paid_amount} of "
            f"{invoice.total}): nothing is left to remind",
        )
    level = settings.service_levels.level_of(grouping_id(invoice.buyer)) if settings else None
    return reminder_schedule(
        invoice.due_date,
        business=business,
        service_level=level,
        config=schedule_settings(settings),
    )


def schedule_entries(invoice: Invoice, settings: Settings | None) -> list[ScheduleEntry]:
    """The short form a check result carries: step, date and source; nothing when none applies."""
    found = schedule_for(invoice, settings)
    return [
        ScheduleEntry(step=s.step, date=s.date.isoformat(), source=s.source) for s in found.steps
    ]
