"""What the CHANGE message for each bank changes, carries over, notes, and cannot write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from kassavirta.erp.senderinfo.model import (
    IDENTIFIER_TYPES,
    REFERENCE_TYPES,
    Account,
    BankMessage,
    SenderInfo,
)
from kassavirta.errors import SettingsError
from kassavirta.finnish.bank import bank_label, bic_of, compact_iban, format_iban

__all__ = ["build_messages", "change_for_bank", "describe", "service_account"]


def _carried(info: SenderInfo) -> list[str]:
    kept = ["seller name", "business ID", "e-invoice address and bank"]
    if info.address:
        kept.append("postal address")
    kept.append("PaymentInstructionIdentifier " + (info.payment_instruction_id or "(empty)"))
    kept.append(f"{len(info.invoice_types)} invoice type(s)")
    if info.free_texts:
        kept.append("instruction texts")
    if info.web_address or info.web_name:
        kept.append("web address")
    return kept


def change_for_bank(
    info: SenderInfo,
    bank: str,
    *,
    service_iban: str,
    service_bic: str,
    identifier_type: str,
    today: date,
    version: str,
) -> BankMessage:
    """The CHANGE message for `bank`: the service's account added, reference types replaced."""
    new = replace(
        info,
        accounts=[replace(a) for a in info.accounts],
        invoice_types=[
            replace(t, identifiers=[replace(i) for i in t.identifiers]) for t in info.invoice_types
        ],
        target_bank=bank,
    )
    changes: list[str] = []
    notes: list[str] = []
    problems: list[str] = []
    service = compact_iban(service_iban)
    listed = [compact_iban(a.account) for a in new.accounts] + [
        compact_iban(a.new_account) for a in new.accounts if a.new_account
    ]
    existing = ", ".join(
        format_iban(a.account) + (f" ({a.bic})" if a.bic else "") for a in new.accounts
    )
    if service in listed:
        notes.append(f"the service's account {format_iban(service)} is already a seller account")
    else:
        new.accounts.append(Account(account=service, bic=service_bic))
        changes.append(
            f"adds the service's account {format_iban(service)} ({service_bic}) as a seller "
            f"account beside {existing or 'no other account'}"
        )
    for t in new.invoice_types:
        for ident in t.identifiers:
            if ident.type not in REFERENCE_TYPES:
                continue
            old = ident.type
            if version == "1.3":
                ident.type = None
                changes.append(
                    f'identifier "{ident.text}": type {old} ({IDENTIFIER_TYPES[old]}) removed; '
                    "the 1.3 schema knows only the reference types 01 and 02, and without a "
                    "type banks do not validate it as a reference"
                )
            else:
                ident.type = identifier_type
                changes.append(
                    f'identifier "{ident.text}": type {old} ({IDENTIFIER_TYPES[old]}) → '
                    f"{identifier_type} ({IDENTIFIER_TYPES[identifier_type]})"
                )
    if info.action != "CHANGE":
        changes.append(f"message: action {info.action} → CHANGE")
    new.action = "CHANGE"
    new.message_date = today
    changes.append(f"message: dated {today.isoformat()}")
    if info.family != version:
        notes.append(f"converted from the {info.family} schema family to {version}")
    notes.extend(f"not carried over (not in the schema): {n}" for n in info.not_read)
    _fit(new, version, notes, problems)
    return BankMessage(
        bank=bank,
        info=new,
        changes=changes,
        kept=_carried(new),
        notes=notes,
        problems=problems,
        version=version,
    )


def _fit(info: SenderInfo, version: str, notes: list[str], problems: list[str]) -> None:
    """What the target family cannot carry: dropped with a note, or a problem that stops it."""
    if version == "1.3":
        if len(info.names) > 1:
            notes.append(
                "1.3 has one set of names without a language: kept "
                f"{info.names[0][0]}, dropped {', '.join(lang for lang, _ in info.names[1:])}"
            )
        for name in info.names[0][1]:
            if len(name) > 35:
                problems.append(f'the name "{name}" is longer than the 35 characters 1.3 allows')
        for label, value in (
            ("IndustryCode", info.industry_code),
            ("MessageActionCodeIdentifier", info.action_identifier),
            ("SellerServiceCode", info.service_code),
        ):
            if value:
                notes.append(f"{label} {value} dropped: the 1.3 schema has no such element")
        for text, _ in info.free_texts:
            if len(text) > 140:
                problems.append("an instruction text is longer than the 140 characters 1.3 allows")
        if info.bank_names:
            notes.append("SellerOrganisationBankName dropped: the 1.3 schema has no such element")
        for t in info.invoice_types:
            for i in t.identifiers:
                if i.type is not None and i.type not in REFERENCE_TYPES:
                    notes.append(
                        f'identifier "{i.text}": type {i.type} dropped (1.3 knows only 01 and 02)'
                    )
                    i.type = None
                if i.min_length or i.max_length or i.spaces or i.hyphens:
                    notes.append(
                        f'identifier "{i.text}": length/space/hyphen rules dropped (not in 1.3)'
                    )
        return
    if info.direct_payment_id:
        notes.append("SellerDirectPaymentIdentifier dropped: the 2.0 schema has no such element")
    if info.service_code is None:
        info.service_code = "00"
        notes.append("SellerServiceCode set to 00 (the input had none; check it with your bank)")
    for a in info.accounts:
        if a.scheme != "IBAN":
            problems.append(f"account {a.account} is a {a.scheme}: 2.0 takes IBANs only")
        if not a.bic:
            a.bic = bic_of(a.account)
            if a.bic:
                notes.append(f"BIC {a.bic} of account {format_iban(a.account)} taken from the IBAN")
            else:
                problems.append(f"account {a.account} has no BIC, which 2.0 requires")
    for t in info.invoice_types:
        if not t.text:
            problems.append("an invoice type has no SellerInvoiceTypeText, which 2.0 requires")
        for i in t.identifiers:
            if len(i.text) < 4:
                problems.append(
                    f'identifier text "{i.text}" is shorter than the 4 characters 2.0 requires'
                )


def build_messages(
    infos: Sequence[SenderInfo],
    banks: Sequence[str],
    *,
    service_iban: str,
    service_bic: str,
    identifier_type: str,
    today: date,
    version: str,
) -> list[BankMessage]:
    """One CHANGE message per bank.

    An SI file read with its frame is for the bank its frame names; `banks`
    are the banks for sender info that names none (a seller file, or a
    message without a frame). Two sender infos for one bank are refused:
    which one is current is for the company to say.
    """
    out: list[BankMessage] = []
    seen: dict[str, str] = {}
    for info in infos:
        targets = [info.target_bank] if info.target_bank else [b.upper() for b in banks]
        if not targets:
            raise SettingsError(
                "the message has no frame naming its bank: say which bank(s) it is for with "
                "--bank BIC",
                path=info.source,
            )
        for bank in targets:
            if bank in seen:
                raise SettingsError(
                    f"two sender infos for bank {bank} ({seen[bank]} and {info.source}): give one "
                    "per bank",
                    path=info.source,
                )
            seen[bank] = info.source
            out.append(
                change_for_bank(
                    info,
                    bank,
                    service_iban=service_iban,
                    service_bic=service_bic,
                    identifier_type=identifier_type,
                    today=today,
                    version=version,
                )
            )
    return out


def describe(message: BankMessage) -> list[str]:
    """The plain-language summary lines for one bank."""
    lines = [f"bank {bank_label(message.bank)}: FinvoiceSenderInfo {message.version} CHANGE"]
    changes = [c for c in message.changes if not c.startswith("message:")]
    for c in changes:
        lines.append(f"  changes: {c}")
    if not changes:
        lines.append("  changes: nothing — the sender info already has what the service needs")
    for c in message.changes:
        if c.startswith("message:"):
            lines.append(f"  message: {c.removeprefix('message: ')}")
    lines.append(f"  carried over: {', '.join(message.kept)}")
    for n in message.notes:
        lines.append(f"  note: {n}")
    for p in message.problems:
        lines.append(f"  cannot write: {p}")
    return lines


def service_account(settings: Any, *, source: str | None = None) -> tuple[str, str]:
    """The service's IBAN and BIC from the settings' `vfsfi` block (BIC from the IBAN if absent)."""
    vfsfi = getattr(settings, "vfsfi", None)
    iban = getattr(vfsfi, "iban", None)
    if not iban:
        raise SettingsError(
            "the settings have no vfsfi.iban (the service's account)", path=source, key="vfsfi.iban"
        )
    bic = getattr(vfsfi, "bic", None) or bic_of(iban)
    if not bic:
        raise SettingsError(
            "the settings have no vfsfi.bic and the IBAN does not tell the bank",
            path=source,
            key="vfsfi.bic",
        )
    return compact_iban(iban), bic.upper()
