"""`kassavirta check --record`: what a run adds to the ledger, written in one transaction.

Every routed invoice becomes an open assignment, as the service would open
one (with the invoice's prepaid amount as paid), and an open assignment that
duplicate exception 3 lets through (same number and date, no payment or credit
note, delivery FAILED) is closed, as the service closes it. Nothing is written until the whole run is done, so an
interrupted or failing run leaves the ledger as it was.

The run holds the ledger's write lock from before it reads the ledger until
it has recorded (`hold_for_record`): a second `--record` run waits, then
decides against what the first recorded, so two runs over the same invoices
never open two assignments for one (number, date).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from kassavirta.config.settings import Settings
from kassavirta.erp.assignments import Assignment, Debtor, judge
from kassavirta.erp.index import AssignmentIndex
from kassavirta.erp.ledger.store import Counts, Ledger
from kassavirta.findings import CheckResult, Decision

EXCEPTION_3 = (
    "closed by kassavirta check --record: a new invoice {label} with the same number and invoice "
    "date replaces it, because its own invoice is in an error state (duplicate exception 3)"
)


def assignment_from_result(result: CheckResult, settings: Settings | None) -> Assignment | None:
    """The open assignment the service would create for a routed invoice."""
    inv = result.invoice
    if result.decision is not Decision.ROUTE or inv is None or not inv.number or not inv.date:
        return None
    level = settings.service_levels.level_of(inv.buyer.business_id) if settings else None
    total = Decimal(inv.total) if inv.total is not None else None
    credit_note = inv.type_code == "INV02" or (total is not None and total < 0)
    fields: dict[str, object] = {
        "id": f"preflight-{uuid.uuid4()}",
        "number": inv.number,
        "issued_at": date.fromisoformat(inv.date),
        "status": "open",
        "collection_status": "unknown",
        "service_level": level if level in ("vip", "premium") else "default",
        "debtor": Debtor(name=inv.buyer.name, bid=inv.buyer.business_id),
        "due_date": date.fromisoformat(inv.due_date) if inv.due_date else None,
        "sum": total,
        # The prepaid amount the invoice states is paid: the assignment then has a payment.
        "paid": Decimal(inv.paid) if inv.paid is not None else Decimal(0),
        "currency": inv.currency,
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "recorded_from": result.label,
    }
    if credit_note:
        fields["credit_note"] = True
    assignment = Assignment.model_validate(fields)
    assignment.source = f"recorded by kassavirta check from {result.label}"
    return assignment


def closures(known: AssignmentIndex, new: Sequence[Assignment]) -> list[tuple[str, str]]:
    """The `(id, why)` of open assignments that exception 3 closes for the `new` ones.

    `known` is the whole ledger, so that a credit note linked from another
    assignment keeps exception 3 from applying, as it does in the check.
    """
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    by_key: dict[tuple[str, date], Assignment] = {}
    for a in new:
        by_key.setdefault((a.number.strip(), a.issued_at), a)
    for old in known:
        replacement = by_key.get((old.number.strip(), old.issued_at))
        if replacement is None or old.id in seen:
            continue
        if judge(old, replacement.issued_at, known.links(old)).exception == 3:
            label = str((replacement.model_extra or {}).get("recorded_from", replacement.number))
            out.append((old.id, EXCEPTION_3.format(label=label)))
            seen.add(old.id)
    return out


def record_results(
    ledger: Ledger, results: Iterable[CheckResult], settings: Settings | None
) -> Counts:
    """Write a run's routed invoices into `ledger`: all of it, or nothing."""
    new = [a for r in results if (a := assignment_from_result(r, settings)) is not None]
    close = closures(ledger.index(), new)
    return ledger.record(new, close)


def ledger_for_record(given: Path | None) -> Path:
    """Where `--record` writes: `--ledger`, or the user's default ledger."""
    from kassavirta.erp.ledger import default_ledger_path

    return given if given is not None else default_ledger_path()


@contextmanager
def hold_for_record(path: Path) -> Iterator[Ledger]:
    """The ledger at `path` (created if new), its write lock held until the block ends.

    The run reads the ledger for duplicates and records into it inside the
    block; an error or an interrupt rolls back, leaving the ledger as it was
    (a ledger created here stays, empty).
    """
    with Ledger.open(path) as ledger, ledger.locked():
        yield ledger


def report_recorded(path: Path, counts: Counts, out: TextIO) -> None:
    out.write(
        f"ledger {path}: recorded {counts.assignments_new} routed invoice(s) as open "
        f"assignment(s)"
        + (f", closed {counts.closed} (duplicate exception 3)" if counts.closed else "")
        + "\n"
    )
