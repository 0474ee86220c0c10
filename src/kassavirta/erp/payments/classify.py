"""Sorting a statement's credits: direct payments (with their `paid` event), settlements, interest."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from kassavirta.erp.assignments import Assignment, AssignmentKey, Event
from kassavirta.erp.events.state import apply_events
from kassavirta.erp.events.types import Party
from kassavirta.erp.events.validate import validate_event
from kassavirta.erp.matchkeys import number_word, ref_key, text_keys, words
from kassavirta.erp.payments.statement import Transaction

if TYPE_CHECKING:
    from kassavirta.erp.ledger import Ledger

__all__ = [
    "CLASSES",
    "Classified",
    "Other",
    "Report",
    "classify",
    "is_interest",
    "is_service_payer",
]

Class = Literal["direct-payment", "service-settlement", "interest", "unmatched"]
CLASSES: tuple[Class, ...] = ("direct-payment", "service-settlement", "interest", "unmatched")

SERVICE_PAYERS = ("VISMA AMILI", "VISMA FINANC")
"""Payer names of the service's own settlements (the guide), spacing normalised."""
SHORTEST_SERVICE_PAYER = len("VISMA A")
"""The shortest cut-off payer name taken for the service's: a bank may shorten it (issue 15)."""
INTEREST_MARK = "korkotilitys"
"""The guide: interest settlements carry the message "Korkotilitys PVM"."""


def is_service_payer(name: str | None) -> bool:
    """The payer is the service: its name starts with VISMA AMILI or VISMA FINANC, or is one of
    them cut off by the bank ("its length may vary depending on bank").

    Case and spacing do not matter: whitespace is taken out and one space put back
    after VISMA, so `VismaAmili` and `VISMA  AMI` read as `VISMA AMILI` and `VISMA AMI`.
    A cut-off name counts from `SHORTEST_SERVICE_PAYER` characters (`VISMA A`,
    `VISMA F`); `VISMA` alone could be any Visma company and does not.

    >>> [is_service_payer(n) for n in ("VISMA AMI", "visma fin", "VISMAAMILI OY", "VISMA")]
    [True, True, True, False]
    """
    if not name:
        return False
    squeezed = "".join(name.split()).upper()
    if not squeezed.startswith("VISMA"):
        return False
    spaced = "VISMA " + squeezed.removeprefix("VISMA")
    return any(
        spaced.startswith(full)
        or (len(spaced) >= SHORTEST_SERVICE_PAYER and full.startswith(spaced))
        for full in SERVICE_PAYERS
    )


def is_interest(texts: Iterable[str]) -> bool:
    return any(INTEREST_MARK in t.casefold() for t in texts)


_DIGIT_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9]+(?:[ \u00a0][0-9]+)*(?![0-9A-Za-z])")
_RF = re.compile(r"(?<![0-9A-Za-z])RF[0-9]{2}[0-9A-Za-z]*(?:[ \u00a0]+[0-9A-Za-z]+){0,6}", re.I)


def _references_in(texts: Sequence[str]) -> list[str]:
    """Valid Finnish or RF references written into free text ("Viite 35624 12000 67").

    A run of digit groups is tried whole (a reference printed in groups of
    five) and group by group (a reference next to an amount).
    """
    from kassavirta.finnish.reference import is_valid_reference

    found: list[str] = []
    for text in texts:
        candidates: list[str] = []
        for m in _RF.finditer(text):
            parts = m.group(0).split()
            # The longest run of groups that is a valid RF reference: "RF42 2026 6008 19 ok".
            candidates.extend("".join(parts[:n]).upper() for n in range(len(parts), 0, -1))
        for m in _DIGIT_RUN.finditer(text):
            groups = m.group(0).split()
            candidates.append("".join(groups))
            if len(groups) > 1:
                candidates.extend(groups)
        for c in candidates:
            digits = c.isdigit() and 4 <= len(c) <= 20
            if (digits or c.upper().startswith("RF")) and is_valid_reference(c) and c not in found:
                found.append(c)
    return found


def _mentions(texts: Sequence[str], number: str) -> bool:
    pattern = re.compile(r"(?<![A-Za-z0-9])" + re.escape(number) + r"(?![A-Za-z0-9])", re.I)
    return any(pattern.search(t) for t in texts)


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _tx_fields(tx: Transaction) -> dict[str, Any]:
    return {
        "entry": tx.id,
        "booked_at": tx.booked_at.isoformat() if tx.booked_at else None,
        "amount": _money(tx.amount) if tx.amount is not None else None,
        "currency": tx.currency,
    }


@dataclass
class Classified:
    """A credit transaction, what it is, and the event to post when it is a direct payment."""

    tx: Transaction
    kind: Class
    reason: str
    assignment: Assignment | None = None
    event: Event | None = None
    flags: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            **_tx_fields(self.tx),
            "payer": self.tx.payer,
            "class": self.kind,
            "assignment_id": self.assignment.id if self.assignment else None,
            "event": event_json(self.event) if self.event else None,
            "reason": self.reason,
            "flags": self.flags,
            "file": self.tx.file,
        }


@dataclass
class Other:
    """An entry that is not a customer's credit: a debit, a reversal, pending, a duplicate."""

    tx: Transaction
    kind: str
    reason: str
    needs_person: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            **_tx_fields(self.tx),
            "credit_debit": "CRDT" if self.tx.credit else "DBIT",
            "kind": self.kind,
            "reason": self.reason,
            "needs_person": self.needs_person,
            "file": self.tx.file,
        }


@dataclass
class Report:
    entries: list[Classified]
    other: list[Other]

    def events_by_assignment(self) -> dict[str, list[dict[str, Any]]]:
        """The post file: for each assignment, the events to POST to it, in booking order."""
        out: dict[str, list[dict[str, Any]]] = {}
        for c in self.entries:
            if c.event is not None and c.assignment is not None:
                out.setdefault(c.assignment.id, []).append(event_json(c.event))
        return out

    @property
    def needs_person(self) -> bool:
        return any(c.kind == "unmatched" or "over-payment" in c.flags for c in self.entries) or any(
            o.needs_person for o in self.other
        )

    def summary(self) -> dict[str, Any]:
        counts: dict[str, int] = {k: sum(1 for c in self.entries if c.kind == k) for k in CLASSES}
        to_report = sum(
            (Decimal(str(c.event.data["sum_paid"])) for c in self.entries if c.event is not None),
            Decimal(0),
        )
        return {
            "credit_entries": len(self.entries),
            **counts,
            "events": sum(1 for c in self.entries if c.event is not None),
            "sum_to_report": _money(to_report),
            "other_entries": len(self.other),
            "needs_person": self.needs_person,
        }


def event_json(event: Event) -> dict[str, Any]:
    """The event as the Receivables API takes it: amounts as JSON numbers, like the guide's example."""
    data = dict(event.data)
    if isinstance(data.get("sum_paid"), Decimal):
        data["sum_paid"] = float(data["sum_paid"])
    return {"type": event.type, "data": data}


@dataclass
class _Known:
    """A list of assignments (an assignments file), indexed the ways a payment can point at one.

    The index holds positions in `keys` (the list's order), built once per run
    from each assignment's number and references, so a credit is compared only
    with the assignments it may name. An open ledger uses `_InLedger` instead,
    whose index is kept in the ledger file.
    """

    keys: list[AssignmentKey]
    fetch: Callable[[list[int]], list[Assignment]]
    service: dict[str, list[int]] = field(default_factory=dict)
    original: dict[str, list[int]] = field(default_factory=dict)
    by_word: dict[str, list[int]] = field(default_factory=dict)
    """Positions by the first word of their invoice number."""
    wordless: list[int] = field(default_factory=list)
    """Positions of the assignments whose number has no letter or digit: always compared."""
    fetched: dict[int, Assignment] = field(default_factory=dict)

    def get(self, positions: Sequence[int]) -> list[Assignment]:
        """The assignments at `positions`, fetched once each."""
        missing = [p for p in positions if p not in self.fetched]
        if missing:
            self.fetched.update(zip(missing, self.fetch(missing), strict=True))
        return [self.fetched[p] for p in positions]

    def named(self, texts: Sequence[str]) -> list[Assignment]:
        """The assignments whose invoice number `texts` mention, in ledger order.

        A number that a text mentions has its first word (run of letters and
        digits) standing whole in that text, so only the assignments indexed
        under the text's words can be mentioned; `_mentions` decides for those.
        """
        candidates = set(self.wordless)
        for text in texts:
            for word in words(text):
                candidates.update(self.by_word.get(word, ()))
        keys = self.keys
        return self.get([p for p in sorted(candidates) if _mentions(texts, keys[p].number.strip())])

    @classmethod
    def build(
        cls, assignments: Sequence[Assignment], originals: Iterable[tuple[str, date, str, str]] = ()
    ) -> _Known:
        listed = list(assignments)
        known = cls([AssignmentKey.of(a) for a in listed], lambda ps: [listed[p] for p in ps])
        # Two equal entries in an assignments file are one assignment to an original reference.
        return known._index(originals, lambda p, q: listed[p] == listed[q])

    def _index(
        self, originals: Iterable[tuple[str, date, str, str]], same: Callable[[int, int], bool]
    ) -> _Known:
        by_invoice: dict[tuple[str, date], list[int]] = {}
        for position, key in enumerate(self.keys):
            by_invoice.setdefault((key.number.strip(), key.issued_at), []).append(position)
            word = number_word(key.number)
            if word:
                self.by_word.setdefault(word, []).append(position)
            else:
                self.wordless.append(position)
            for kind, value in key.references:
                if kind == "number":
                    self.service.setdefault(ref_key(value), []).append(position)
                elif kind == "original_number":
                    self.original.setdefault(ref_key(value), []).append(position)
        for number, issued, printed, _ in originals:
            for position in by_invoice.get((number.strip(), issued), []):
                bucket = self.original.setdefault(ref_key(printed), [])
                if not any(same(position, other) for other in bucket):
                    bucket.append(position)
        return self

    def service_of(self, key: str) -> list[Assignment]:
        return self.get(self.service.get(key, []))

    def original_of(self, key: str) -> list[Assignment]:
        return self.get(self.original.get(key, []))


@dataclass
class _InLedger:
    """The ledger's assignments, looked up with its indexed key table, one credit at a time.

    Nothing is read per assignment up front: a run costs in proportion to its
    credits (and the invoices given for original references), not the ledger.
    Candidates come back in the ledger's order and pass the same rules as
    `_Known`'s, so both give the same report.
    """

    ledger: Ledger
    extra_originals: dict[str, list[str]] = field(default_factory=dict)
    """Ids by the original reference printed on the invoices given (`--invoices`)."""
    fetched: dict[str, Assignment] = field(default_factory=dict)

    @classmethod
    def build(cls, ledger: Ledger, originals: Iterable[tuple[str, date, str, str]]) -> _InLedger:
        known = cls(ledger)
        for number, issued, printed, _ in originals:
            ids = ledger.ids_by_invoice(number.strip(), issued)
            known.extra_originals.setdefault(ref_key(printed), []).extend(ids)
        return known

    def get(self, ids: Sequence[str]) -> list[Assignment]:
        """The assignments with `ids`, read once each."""
        missing = list(dict.fromkeys(i for i in ids if i not in self.fetched))
        if missing:
            self.fetched.update((a.id, a) for a in self.ledger.by_ids(missing))
        return [self.fetched[i] for i in ids]

    def service_of(self, key: str) -> list[Assignment]:
        return self.get(self.ledger.ids_by_key("number", key))

    def original_of(self, key: str) -> list[Assignment]:
        ids = self.ledger.ids_by_key("original_number", key)
        for extra in self.extra_originals.get(key, []):
            if extra not in ids:  # ids are unique in a ledger
                ids.append(extra)
        return self.get(ids)

    def named(self, texts: Sequence[str]) -> list[Assignment]:
        """As `_Known.named`: the ledger's number keys narrow, `_mentions` decides."""
        hits = self.ledger.ids_by_number_keys(text_keys(texts))
        return self.get([i for i, number in hits if _mentions(texts, number.strip())])


def _by_reference(
    known: _Known | _InLedger, tx: Transaction
) -> tuple[list[Assignment], str] | None:
    structured = [(r, "") for r in tx.references]
    in_text = [(r, " (in the message text)") for r in _references_in(tx.texts)]
    for ref, where in structured + in_text:
        key = ref_key(ref)
        if not key:
            continue
        service = known.service_of(key)
        if service:
            return service, f"service reference {ref}{where}"
        original = known.original_of(key)
        if original:
            return original, f"original reference {ref}{where}"
    return None


class _Run:
    """Classifies transactions in order, remembering the events this run adds per assignment."""

    def __init__(self, known: _Known | _InLedger) -> None:
        self.known = known
        self.added: dict[str, list[Event]] = {}

    def _with_run(self, a: Assignment) -> Assignment:
        return a.model_copy(update={"events": [*a.events, *self.added.get(a.id, [])]})

    def _open(self, a: Assignment) -> Decimal | None:
        if a.sum is None:
            return None
        paid = apply_events(self._with_run(a)).paid or Decimal(0)
        return a.sum - paid

    def classify(self, tx: Transaction) -> Classified:
        amount = tx.amount
        if amount is None or amount <= 0:
            return Classified(tx, "unmatched", "the amount cannot be read")
        if (tx.currency or "").upper() != "EUR":
            return Classified(
                tx,
                "unmatched",
                f"in {tx.currency or 'an unknown currency'}, not EUR: the service follows EUR "
                "invoices only, so this is not reported; book it by hand",
            )
        if is_interest(tx.texts):
            return Classified(
                tx,
                "interest",
                "an interest settlement by the service (Korkotilitys): not a direct payment; the "
                "service reports the interest itself with an interest_paid event",
            )
        if is_service_payer(tx.payer):
            return Classified(
                tx,
                "service-settlement",
                f'paid by the service (payer "{tx.payer}"): the service\'s own settlement of what '
                "it collected, never reported as a direct payment",
            )
        hit = _by_reference(self.known, tx)
        if hit is not None:
            found, how = hit
            if len(found) > 1:
                ids = ", ".join(a.id for a in found)
                return Classified(
                    tx, "unmatched", f"the {how} matches {len(found)} assignments ({ids})"
                )
            return self._direct(tx, found[0], f"its {how}")
        return self._by_number(tx)

    def _by_number(self, tx: Transaction) -> Classified:
        assert tx.amount is not None
        named = self.known.named(tx.texts)
        fitting: list[Assignment] = []
        for a in named:
            balance = self._open(a)
            if tx.amount in {balance, a.sum}:
                fitting.append(a)
        if len(fitting) == 1:
            a = fitting[0]
            return self._direct(tx, a, f"invoice number {a.number} in the message and the amount")
        if len(fitting) > 1:
            ids = ", ".join(a.id for a in fitting)
            return Classified(
                tx, "unmatched", f"the message and amount fit several assignments ({ids})"
            )
        if named:
            parts = []
            for a in named:
                balance = self._open(a)
                parts.append(
                    f"invoice {a.number} (assignment {a.id}, open "
                    f"{_money(balance) if balance is not None else '?'}, sum "
                    f"{_money(a.sum) if a.sum is not None else '?'})"
                )
            return Classified(
                tx,
                "unmatched",
                f"the message names {'; '.join(parts)}, but the amount {_money(tx.amount)} is "
                "neither its open balance nor its sum, and there is no reference: check it by hand",
            )
        if tx.references:
            return Classified(
                tx,
                "unmatched",
                f"the reference {', '.join(tx.references)} is not one the ledger knows (neither "
                "the service's nor an original one: --invoices reads those from the invoices "
                "as sent), and the message names no known invoice number: check it by hand",
            )
        return Classified(
            tx, "unmatched", "no reference and no invoice number the ledger knows: check it by hand"
        )

    def _direct(self, tx: Transaction, a: Assignment, how: str) -> Classified:
        assert tx.amount is not None
        if tx.archive and any(
            e.type == "paid" and str(e.data.get("archive_number", "")) == tx.archive
            for e in a.events
        ):
            return Classified(
                tx,
                "direct-payment",
                f"assignment {a.id} (invoice {a.number}) already has a paid event with archive "
                f"number {tx.archive}: reported before, not again",
                assignment=a,
            )
        data: dict[str, Any] = {"sum_paid": tx.amount}
        if tx.booked_at:
            data["booked_at"] = tx.booked_at.isoformat()
        if tx.archive:
            data["archive_number"] = tx.archive
        event = Event(type="paid", data=data)
        current = self._with_run(a)
        verdict = validate_event(current, event, Party.COMPANY)
        if not verdict.accepted:
            return Classified(
                tx,
                "unmatched",
                f"matched assignment {a.id} (invoice {a.number}) by {how}, but the service would "
                f"refuse a paid event [{verdict.rule}]: {verdict.reason}",
                assignment=a,
            )
        balance = self._open(a)
        flags: list[str] = []
        if balance is None:
            note = "the assignment has no sum, so the open balance is unknown"
        elif tx.amount == balance:
            note = "pays the open balance in full"
        elif tx.amount < balance:
            note = f"a partial payment: {_money(balance - tx.amount)} remains open"
        else:
            excess = tx.amount - balance
            flags.append("over-payment")
            note = (
                f"an over-payment: {_money(balance)} was open, so {_money(excess)} is extra; the "
                "whole amount is reported as paid, and the excess is yours to refund (the service "
                "refunds over-payments only on what it collects itself)"
            )
        self.added.setdefault(a.id, []).append(event)
        return Classified(
            tx,
            "direct-payment",
            f"assignment {a.id} (invoice {a.number}) by {how}: paid {_money(tx.amount)}, {note}",
            assignment=a,
            event=event,
            flags=flags,
        )


def _same_payment(credit: Classified, reversal: Transaction) -> bool:
    tx = credit.tx
    if tx.amount != reversal.amount or (tx.currency or "") != (reversal.currency or ""):
        return False
    refs = {ref_key(r) for r in tx.references}
    if refs & {ref_key(r) for r in reversal.references}:
        return True
    return bool(tx.payer and reversal.payer and tx.payer.casefold() == reversal.payer.casefold())


def classify(
    transactions: Iterable[Transaction],
    assignments: Sequence[Assignment] | Ledger,
    originals: Iterable[tuple[str, date, str, str]] = (),
) -> Report:
    """Sort every transaction; build the paid events for the direct payments.

    Transactions are taken in booking-date order (then as given), so that a
    partial payment followed by the rest is measured against what is still
    open. The same transaction read twice (a camt.054 notification and the
    day's camt.053 statement both list it) is reported once. A reversed credit
    (a debit with `RvslInd`) withdraws its credit's event when both are in
    the input; otherwise it is left for a person.

    Given an open `Ledger` rather than a list, only the assignments a payment
    points at are read from it whole (the ledger must stay open meanwhile).
    """
    known = (
        _Known.build(assignments, originals)
        if isinstance(assignments, Sequence)
        else _InLedger.build(assignments, originals)
    )
    run = _Run(known)
    seen: dict[str, str] = {}
    entries: list[Classified] = []
    other: list[Other] = []
    reversals: list[Transaction] = []
    ordered = sorted(enumerate(transactions), key=lambda p: (p[1].booked_at or date.max, p[0]))
    for _, tx in ordered:
        if tx.id in seen:
            other.append(Other(tx, "duplicate", f"the same transaction as in {seen[tx.id]}"))
            continue
        seen[tx.id] = tx.file
        if tx.status and tx.status.upper() != "BOOK":
            other.append(Other(tx, "not-booked", f"status {tx.status}: not booked yet"))
            continue
        if tx.reversal:
            reversals.append(tx)
            continue
        if not tx.credit:
            other.append(Other(tx, "debit", "a debit: money out, not a payment to you"))
            continue
        entries.append(run.classify(tx))
    for rev in reversals:
        if rev.credit:
            other.append(
                Other(rev, "reversal", "a reversed debit (money returned to you): not a payment")
            )
            continue
        target = next(
            (
                c
                for c in entries
                if c.tx.credit and _same_payment(c, rev) and "reversed" not in c.flags
            ),
            None,
        )
        if target is None:
            other.append(
                Other(
                    rev,
                    "reversal",
                    "reverses a credit that is not in these statements: if it was reported as a "
                    "direct payment, tell the service (a comment event) — a negative paid event "
                    "is only for credit notes",
                    needs_person=True,
                )
            )
            continue
        target.flags.append("reversed")
        if target.event is not None and target.assignment is not None:
            run.added[target.assignment.id].remove(target.event)
            target.event = None
            target.reason += f"; reversed by entry {rev.id}, so not reported"
        else:
            target.reason += f"; reversed by entry {rev.id}"
        other.append(Other(rev, "reversal", f"reverses entry {target.tx.id}"))
    return Report(entries=entries, other=other)
