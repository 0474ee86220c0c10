"""Bank-to-customer statements (camt.052/053/054) read as their credit and debit transactions.

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

from kassavirta.erp.xmlpath import children, descend, descend_all, local_name, text_at, texts_at
from kassavirta.errors import InputError
from kassavirta.pipeline.read import read_bytes, read_file

__all__ = ["Statement", "StatementError", "Transaction", "read_statement", "read_statements"]

_CAMT = re.compile(r"camt\.05[234]\.001\.\d+")
_MESSAGES = {
    "BkToCstmrStmt": "Stmt",
    "BkToCstmrDbtCdtNtfctn": "Ntfctn",
    "BkToCstmrAcctRpt": "Rpt",
}


class StatementError(InputError):
    """A file that is not a camt.052/053/054 message, or one that cannot be read."""


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


def read_statements(paths: Iterable[str | Path]) -> Iterator[Statement | StatementError]:
    """Each file's statements, or the error that makes it unreadable (a batch does not stop)."""
    from kassavirta.pipeline.walk import iter_inputs

    for path in iter_inputs(paths):
        try:
            yield from read_statement(path)
        except StatementError as exc:
            yield exc
        except InputError as exc:
            yield StatementError(exc.reason, exc.message, path=exc.path, line=exc.line)
