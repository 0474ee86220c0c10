"""The seller file: the company's sender info when it has no SI file at hand."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kassavirta.erp.senderinfo.model import (
    LANGUAGES,
    Account,
    Address,
    Identifier,
    InvoiceType,
    SenderInfo,
)
from kassavirta.errors import SettingsError
from kassavirta.finnish.bank import bic_of, compact_iban

__all__ = ["SellerFile", "load_seller_file"]


class _AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iban: str
    bic: str | None = None


class _IdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    language: str = "FI"
    type: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    spaces: bool | None = None
    hyphens: bool | None = None


class _InvoiceTypeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    language: str = "FI"
    identifiers: list[_IdentifierIn] = Field(min_length=1, max_length=2)


class _AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: str
    town: str
    postcode: str
    country_code: str | None = "FI"
    country_name: str | None = None
    po_box: str | None = None


class _FreeTextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    language: str | None = None


class SellerFile(BaseModel):
    """The company's sender info when it has no SI file at hand (`si-change --seller FILE`).

    Keys are named after what they mean, not after the XML; every optional
    one maps to an optional element of the message.
    """

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    """The seller's name, in Finnish (FI); `names` gives names per language instead."""
    names: dict[str, list[str]] = Field(default_factory=dict)
    business_id: str
    bank_names: list[str] = Field(default_factory=list, max_length=2)
    address: _AddressIn | None = None
    industry_code: str | None = None
    unit_number: str | None = None
    """SellerOrganisationUnitNumber, e.g. the company's OVT code."""
    web_name: str | None = None
    web_address: str | None = None
    sender_address: str | None = None
    """InvoiceSenderAddress, the company's e-invoice address (default: the first account)."""
    sender_bank: str | None = None
    """The BIC of the company's own e-invoicing bank (default: the first account's BIC)."""
    accounts: list[_AccountIn] = Field(min_length=1)
    sender_info_id: str | None = None
    """SenderInfoIdentifier (default: the business ID without hyphen)."""
    payment_instruction_id: str
    direct_debit_id: str | None = None
    free_texts: list[_FreeTextIn] = Field(default_factory=list, max_length=3)
    invoice_types: list[_InvoiceTypeIn] = Field(min_length=1, max_length=3)
    service_code: Literal["00", "01", "02"] = "00"
    proposed_due_date_accepted: bool | None = None
    proposed_invoice_period_accepted: bool | None = None

    @field_validator("names")
    @classmethod
    def _languages(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        out = {k.upper(): v for k, v in value.items()}
        wrong = sorted(set(out) - LANGUAGES)
        if wrong:
            raise ValueError(f"language codes must be FI, SV, SE or EN (got {', '.join(wrong)})")
        return out


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("YES" if value else "NO")


def _str(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load_seller_file(path: str | Path) -> SenderInfo:
    """A `SellerFile` (JSON or TOML) as the sender info it describes."""
    from kassavirta.config.settings import load_mapping

    p = Path(path)
    data = load_mapping(p)
    try:
        seller = SellerFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(x) for x in err["loc"])
        msg = "missing (required)" if err["msg"] == "Field required" else err["msg"]
        raise SettingsError(msg, path=str(p), key=key) from exc
    names = dict(seller.names)
    if seller.name:
        names.setdefault("FI", [seller.name])
    if not names:
        raise SettingsError("give the seller's name (name, or names per language)", path=str(p))
    accounts = [
        Account(account=compact_iban(a.iban), bic=(a.bic or bic_of(a.iban) or None))
        for a in seller.accounts
    ]
    sender_bank = seller.sender_bank or accounts[0].bic
    if not sender_bank:
        raise SettingsError(
            "sender_bank is needed: the BIC of the bank that sends your e-invoices", path=str(p)
        )
    a = seller.address
    return SenderInfo(
        business_id=seller.business_id,
        names=list(names.items()),
        bank_names=seller.bank_names,
        address=Address(a.street, a.town, a.postcode, a.country_code, a.country_name, a.po_box)
        if a
        else None,
        industry_code=seller.industry_code,
        unit_number=seller.unit_number,
        web_name=seller.web_name,
        web_address=seller.web_address,
        sender_address=seller.sender_address or accounts[0].account,
        sender_bank=sender_bank.upper(),
        accounts=accounts,
        sender_info_id=seller.sender_info_id or seller.business_id.replace("-", ""),
        payment_instruction_id=seller.payment_instruction_id,
        direct_debit_id=seller.direct_debit_id,
        free_texts=[(t.text, t.language) for t in seller.free_texts],
        invoice_types=[
            InvoiceType(
                text=t.text,
                language=t.language.upper(),
                identifiers=[
                    Identifier(
                        text=i.text,
                        language=i.language.upper(),
                        type=i.type,
                        min_length=_str(i.min_length),
                        max_length=_str(i.max_length),
                        spaces=_str(i.spaces),
                        hyphens=_str(i.hyphens),
                    )
                    for i in t.identifiers
                ],
            )
            for t in seller.invoice_types
        ],
        service_code=seller.service_code,
        proposed_due_date_accepted=_yes_no(seller.proposed_due_date_accepted),
        proposed_invoice_period_accepted=_yes_no(seller.proposed_invoice_period_accepted),
        source=str(p),
    )
