"""Direct payments from ISO 20022 bank statements, as the `paid` events the service needs.

Every payment a customer makes straight to the company's account must be
reported to the service, or it starts collecting an invoice that is already
paid; the service's own settlements (payer name starting with VISMA AMILI or
VISMA FINANC) and its interest settlements ("Korkotilitys PVM") must not be,
or it counts them twice. This module reads bank-to-customer statements
(camt.053), notifications (camt.054) and reports (camt.052), sorts every
credit into one of those kinds, and builds the `paid` event for each direct
payment matched to an assignment.

Why lxml and not a statement library: the registry's camt readers are young
(0.0.x releases) or bring PDF, analytics and other formats along, and each
maps the versions its own way; what is needed here is a dozen published
element names read the same way in camt.05x.001.02 … .08, through the same
hardened parser as every invoice (`kassavirta.pipeline.read`: no DTD, no entity,
no network, a size limit). Elements are matched by local name, so any
version's namespace reads alike; the one change between versions that
matters here, the payer's name moving from `Dbtr/Nm` (≤ .07) to
`Dbtr/Pty/Nm` (.08), is read both ways.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from lxml import etree

from kassavirta.erp.assignments import Assignment, Event
from kassavirta.erp.events import Party, apply_events, validate_event
from kassavirta.erp.xmlpath import children, descend, descend_all, local_name, text_at, texts_at
from kassavirta.errors import InputError
from kassavirta.pipeline.read import read_bytes, read_file

__all__ = [
    "CLASSES",
    "Classified",
    "Other",
    "Report",
    "Statement",
    "Transaction",
    "classify",
    "is_interest",
    "is_service_payer",
    "read_statement",
]

Class = Literal["direct-payment", "service-settlement", "interest", "unmatched"]
CLASSES: tuple[Class, ...] = ("direct-payment", "service-settlement", "interest", "unmatched")

SERVICE_PAYERS = ("VISMAAMILI", "VISMAFINANC")
"""Payer names of the service's own settlements, compared without whitespace (the guide)."""
INTEREST_MARK = "korkotilitys"
"""The guide: interest settlements carry the message "Korkotilitys PVM"."""

_CAMT = re.compile(r"camt\.05[234]\.001\.\d+")
_MESSAGES = {
    "BkToCstmrStmt": "Stmt",
    "BkToCstmrDbtCdtNtfctn": "Ntfctn",
    "BkToCstmrAcctRpt": "Rpt",
}


class StatementError(InputError):
    """A file that is not a camt.052/053/054 message, or one that cannot be read."""


# --- reading -----------------------------------------------------------------------------------


def _first(*elements: etree._Element | None) -> etree._Element | None:
    # Never `a or b`: an lxml element without children is falsy.
    return next((e for e in elements if e is not None), None)


@dataclass
class Transaction:
    """One payment: a whole entry, or one transaction of a batch booking."""

    file: str
    id: str
    """The account servicer's reference of the transaction (of the entry when it has none)."""
    archive: str | None
    """What the `paid` event carries as `archive_number` (arkistointitunnus)."""
    booked_at: date | None
    amount: Decimal | None
    currency: str | None
    credit: bool
    reversal: bool
    status: str | None
    payer: str | None
    references: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    batch: int = 1


@dataclass
class Statement:
    file: str
    message: str
    """`camt.053.001.02` and so on, from the namespace (`camt` when it has none)."""
    account: str | None
    transactions: list[Transaction]


def _amount(el: etree._Element | None) -> tuple[Decimal | None, str | None]:
    if el is None:
        return None, None
    try:
        value = Decimal((el.text or "").strip())
    except InvalidOperation:
        return None, el.get("Ccy")
    return (value if value.is_finite() else None), el.get("Ccy")


def _date(el: etree._Element | None) -> date | None:
    text = text_at(el, "Dt") or text_at(el, "DtTm")
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _payer(tx: etree._Element) -> str | None:
    parties = descend(tx, "RltdPties")
    for who in ("Dbtr", "UltmtDbtr"):
        name = text_at(parties, who, "Nm") or text_at(parties, who, "Pty", "Nm")
        if name:
            return name
    return None


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1")


def _status(entry: etree._Element) -> str | None:
    return text_at(entry, "Sts", "Cd") or text_at(entry, "Sts")


def _entry_transactions(entry: etree._Element, file: str, index: int) -> list[Transaction]:
    amount, currency = _amount(descend(entry, "Amt"))
    credit = text_at(entry, "CdtDbtInd") == "CRDT"
    reversal = _true(text_at(entry, "RvslInd"))
    booked = _date(descend(entry, "BookgDt")) or _date(descend(entry, "ValDt"))
    status = _status(entry)
    entry_ref = text_at(entry, "AcctSvcrRef") or text_at(entry, "NtryRef") or f"{file}#{index}"
    archive = text_at(entry, "AcctSvcrRef")
    entry_text = texts_at(entry, "AddtlNtryInf")
    txs = descend_all(entry, "NtryDtls", "TxDtls")
    if not txs:
        return [
            Transaction(
                file=file,
                id=entry_ref,
                archive=archive,
                booked_at=booked,
                amount=amount,
                currency=currency,
                credit=credit,
                reversal=reversal,
                status=status,
                payer=None,
                texts=entry_text,
            )
        ]
    out: list[Transaction] = []
    for n, tx in enumerate(txs, start=1):
        tx_amount, tx_currency = _amount(
            _first(
                descend(tx, "Amt"),
                descend(tx, "AmtDtls", "TxAmt", "Amt"),
                descend(tx, "AmtDtls", "InstdAmt", "Amt"),
            )
        )
        if tx_amount is None and len(txs) == 1:
            tx_amount, tx_currency = amount, currency
        tx_ref = text_at(tx, "Refs", "AcctSvcrRef")
        indicator = text_at(tx, "CdtDbtInd")
        rmt = descend(tx, "RmtInf")
        strd = descend_all(rmt, "Strd")
        out.append(
            Transaction(
                file=file,
                id=tx_ref or (entry_ref if len(txs) == 1 else f"{entry_ref}/{n}"),
                archive=tx_ref or archive,
                booked_at=booked,
                amount=tx_amount,
                currency=tx_currency or currency,
                credit=(indicator == "CRDT") if indicator else credit,
                reversal=reversal,
                status=status,
                payer=_payer(tx),
                references=[r for s in strd for r in texts_at(s, "CdtrRefInf", "Ref")],
                texts=texts_at(rmt, "Ustrd")
                + [t for s in strd for t in texts_at(s, "RfrdDocInf", "Nb")]
                + [t for s in strd for t in texts_at(s, "AddtlRmtInf")]
                + texts_at(tx, "AddtlTxInf")
                + entry_text,
                batch=len(txs),
            )
        )
    return out


def read_statement(path: str | Path) -> list[Statement]:
    """Every statement, notification or report in a camt file, with its transactions in order."""
    name = str(path)
    documents = read_bytes(read_file(name), path=name)
    out: list[Statement] = []
    for doc in documents:
        root = doc.part.root
        namespace = etree.QName(root).namespace or ""
        found = _CAMT.search(namespace)
        message = found.group(0) if found else "camt"
        body = next((c for c in root if local_name(c) in _MESSAGES), None)
        if local_name(root) != "Document" or body is None or (namespace and not found):
            raise StatementError(
                "not-a-statement",
                "not an ISO 20022 camt.052/053/054 message (expected Document with "
                "BkToCstmrStmt, BkToCstmrDbtCdtNtfctn or BkToCstmrAcctRpt)",
                path=name,
            )
        for part in children(body, _MESSAGES[local_name(body)]):
            account = text_at(part, "Acct", "Id", "IBAN") or text_at(
                part, "Acct", "Id", "Othr", "Id"
            )
            txs: list[Transaction] = []
            for index, entry in enumerate(children(part, "Ntry"), start=1):
                txs.extend(_entry_transactions(entry, name, index))
            out.append(Statement(file=name, message=message, account=account, transactions=txs))
    return out


# --- classifying -------------------------------------------------------------------------------


def is_service_payer(name: str | None) -> bool:
    """The payer name starts with VISMA AMILI or VISMA FINANC, whatever its case and spacing."""
    if not name:
        return False
    squeezed = "".join(name.split()).upper()
    return squeezed.startswith(SERVICE_PAYERS)


def is_interest(texts: Iterable[str]) -> bool:
    return any(INTEREST_MARK in t.casefold() for t in texts)


def _ref_key(value: str) -> str:
    return "".join(value.split()).upper().lstrip("0")


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
    matched_by: str | None = None

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
    """The ledger's assignments, indexed the ways a payment can point at one."""

    assignments: list[Assignment]
    service: dict[str, list[Assignment]] = field(default_factory=dict)
    original: dict[str, list[Assignment]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, assignments: Sequence[Assignment], originals: Iterable[tuple[str, date, str, str]] = ()
    ) -> _Known:
        known = cls(list(assignments))
        by_invoice: dict[tuple[str, date], list[Assignment]] = {}
        for a in known.assignments:
            by_invoice.setdefault((a.number.strip(), a.issued_at), []).append(a)
            for ref in a.reference_ids:
                if ref.type == "number":
                    known.service.setdefault(_ref_key(ref.value), []).append(a)
                elif ref.type == "original_number":
                    known.original.setdefault(_ref_key(ref.value), []).append(a)
        for number, issued, printed, _ in originals:
            for a in by_invoice.get((number.strip(), issued), []):
                bucket = known.original.setdefault(_ref_key(printed), [])
                if a not in bucket:
                    bucket.append(a)
        return known


def _by_reference(known: _Known, tx: Transaction) -> tuple[list[Assignment], str] | None:
    structured = [(r, "") for r in tx.references]
    in_text = [(r, " (in the message text)") for r in _references_in(tx.texts)]
    for ref, where in structured + in_text:
        key = _ref_key(ref)
        if not key:
            continue
        if key in known.service:
            return known.service[key], f"service reference {ref}{where}"
        if key in known.original:
            return known.original[key], f"original reference {ref}{where}"
    return None


class _Run:
    """Classifies transactions in order, remembering the events this run adds per assignment."""

    def __init__(self, known: _Known) -> None:
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
        named = [a for a in self.known.assignments if _mentions(tx.texts, a.number.strip())]
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
                matched_by=how,
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
                matched_by=how,
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
            matched_by=how,
        )


def _same_payment(credit: Classified, reversal: Transaction) -> bool:
    tx = credit.tx
    if tx.amount != reversal.amount or (tx.currency or "") != (reversal.currency or ""):
        return False
    refs = {_ref_key(r) for r in tx.references}
    if refs & {_ref_key(r) for r in reversal.references}:
        return True
    return bool(tx.payer and reversal.payer and tx.payer.casefold() == reversal.payer.casefold())


def classify(
    transactions: Iterable[Transaction],
    assignments: Sequence[Assignment],
    originals: Iterable[tuple[str, date, str, str]] = (),
) -> Report:
    """Sort every transaction; build the paid events for the direct payments.

    Transactions are taken in booking-date order (then as given), so that a
    partial payment followed by the rest is measured against what is still
    open. The same transaction read twice (a camt.054 notification and the
    day's camt.053 statement both list it) is reported once. A reversed credit
    (a debit with `RvslInd`) withdraws its credit's event when both are in
    the input; otherwise it is left for a person.
    """
    run = _Run(_Known.build(assignments, originals))
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


def read_statements(paths: Iterable[str | Path]) -> Iterator[Statement | StatementError]:
    """Each file's statements, or the error that makes it unreadable (a batch does not stop)."""
    from kassavirta.pipeline.evaluate import iter_inputs

    for path in iter_inputs(paths):
        try:
            yield from read_statement(path)
        except StatementError as exc:
            yield exc
        except InputError as exc:
            yield StatementError(exc.reason, exc.message, path=exc.path, line=exc.line)
