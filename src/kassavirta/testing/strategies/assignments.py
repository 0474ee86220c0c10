"""Receivables API assignments: ones that block an invoice's number, and ones that do not."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final

from hypothesis import strategies as st

from kassavirta.finnish.reference import make_fi_reference
from kassavirta.testing.strategies.common import JSON

__all__ = ["BLOCKING_KINDS", "FREE_KINDS", "assignment", "assignments_json"]


def _uuid(n: int) -> str:
    digits = f"{n:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _stamp(day: date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


def _event(kind: str, day: date, hour: int, n: int, **payload: Any) -> JSON:
    return {
        "id": _uuid(n),
        "type": kind,
        "data": payload,
        "party_id": "maventa" if kind == "delivery_status" else _uuid(n + 1),
        "seens": [],
        "created_at": _stamp(day, hour),
        "happened_at": _stamp(day, hour),
    }


BLOCKING_KINDS: Final[tuple[str, ...]] = (
    "open",
    "open-delivered",
    "open-paid",
    "open-credited",
    "closed-paid",
    "partially-closed",
    "closed-paid-amount",
    "open-delivery-failed-paid-amount",
)
PAID_KINDS: Final = (
    "open-paid",
    "closed-paid",
    "partially-closed",
    "closed-paid-amount",
    "open-delivery-failed-paid-amount",
)
FREE_KINDS: Final[tuple[str, ...]] = ("other-date", "closed-unpaid", "open-delivery-failed")


def assignment(number: str, issued_at: date, kind: str, n: int = 1) -> JSON:
    """One assignment as `GET /v1/assignments` returns it, in a state named by `kind`.

    Blocking kinds make a new invoice with the same number and date a
    `duplicate-number` error; free kinds are SPEC §4's three exceptions.
    """
    issued = issued_at - timedelta(days=400) if kind == "other-date" else issued_at
    status = {
        "closed-paid": "closed",
        "closed-paid-amount": "closed",
        "closed-unpaid": "closed",
        "partially-closed": "partially_closed",
    }
    events: list[JSON] = []
    sent = issued + timedelta(days=1)
    if kind in ("open-delivered", "open-paid", "open-credited", "closed-paid", "partially-closed"):
        events.append(_event("delivery_status", sent, 8, n * 10, status="DELIVERED"))
    if kind in ("open-delivery-failed", "open-delivery-failed-paid-amount"):
        events.append(_event("delivery_status", sent, 8, n * 10, status="DELIVERED"))
        events.append(_event("delivery_status", sent, 9, n * 10 + 2, status="FAILED"))
    if kind in ("open-paid", "closed-paid", "partially-closed"):
        events.append(
            _event(
                "paid",
                sent + timedelta(days=5),
                12,
                n * 10 + 4,
                sum_paid=10.0,
                booked_at=(sent + timedelta(days=5)).isoformat(),
                archive_number=f"{n:014d}",
            )
        )
    if kind == "open-credited":
        events.append(_event("credit_note", sent + timedelta(days=3), 10, n * 10 + 6))
    return {
        "id": _uuid(n),
        "status": status.get(kind, "open"),
        "collection_status": "unknown",
        "service_level": "default",
        "debtor": {"name": "Asiakas Oy"},
        "due_date": (issued + timedelta(days=14)).isoformat(),
        "issued_at": issued.isoformat(),
        "number": number,
        "sum": 124.0,
        # The `*-paid-amount` kinds are paid by their amount alone, with no `paid` event
        # (an export without events): "no payments" rules out exceptions 2 and 3 all the same.
        "paid": 10.0 if kind in PAID_KINDS else 0,
        "currency": "EUR",
        "created_at": _stamp(issued, 7),
        "partially_closed_at": None,
        "updated_at": _stamp(issued, 7),
        "closed_at": None,
        "reference_ids": [{"type": "number", "value": make_fi_reference(f"{n + 100}")}],
        "events": events,
    }


@st.composite
def assignments_json(
    draw: st.DrawFn,
    number: str | None = None,
    issued_at: date | None = None,
    blocking: bool | None = None,
) -> list[JSON]:
    """The Receivables API assignments JSON (a list), for the duplicate-number rule.

    Without `number`: assignments for other invoice numbers only (numbers
    `ASG-…`, which the invoice strategies never write). With `number` and
    `issued_at`: `blocking=True` adds at least one assignment that makes that
    invoice a duplicate; `blocking=False` adds only assignments the service lets
    a new invoice pass (another date, closed unpaid, open with failed delivery).
    """
    day = issued_at or date(2026, 1, 2)
    serial = iter(range(1, 10**6))
    items = [
        assignment(f"ASG-{draw(st.integers(1, 99999))}", day, kind, next(serial))
        for kind in draw(st.lists(st.sampled_from(BLOCKING_KINDS + FREE_KINDS), max_size=3))
    ]
    if number is not None:
        free = draw(st.lists(st.sampled_from(FREE_KINDS), max_size=3))
        blockers = (
            draw(st.lists(st.sampled_from(BLOCKING_KINDS), min_size=1, max_size=2))
            if (blocking if blocking is not None else draw(st.booleans()))
            else []
        )
        items += [assignment(number, day, kind, next(serial)) for kind in [*free, *blockers]]
    return draw(st.permutations(items))
