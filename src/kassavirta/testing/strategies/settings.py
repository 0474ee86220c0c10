"""The activation settings a generated invoice is checked under."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final, Literal

from hypothesis import strategies as st

from kassavirta.testing import data
from kassavirta.testing.strategies.common import (
    JSON,
    LANGUAGES,
    SERVICE_LEVEL_IDS,
    pick,
    today_or_helsinki,
)
from kassavirta.testing.strategies.identifiers import business_ids, finnish_accounts
from kassavirta.testing.strategies.invoices import company_names, person_names

__all__ = ["settings_files"]


def _email(local: str, name: str) -> str:
    slug = "".join(
        c for c in name.lower().replace(" ", "-") if (c.isascii() and c.isalnum()) or c == "-"
    )
    return f"{local}@{slug.strip('-') or 'yritys'}.example.fi"


_NOTES: Final[dict[str, str]] = {
    "fi": "Saatava on siirretty Visma Amili Finland Oy:lle. Maksu vain tilille {iban}.",
    "sv": "Fordran har överlåtits till Visma Amili Finland Oy. Betala endast till {iban}.",
    "en": "This receivable has been assigned to Visma Amili Finland Oy. Pay only to {iban}.",
}


@st.composite
def settings_files(
    draw: st.DrawFn,
    status: Literal["ACTIVE", "PENDING", "DISABLED"] | None = "ACTIVE",
    today: date | None = None,
    *,
    accountable_party: Literal["vfsfi", "company"] | None = None,
    si_change_sent: bool = True,
    due_date_rule: Literal["calendar-3", "banking-4"] | None = None,
    service_levels: dict[str, list[str]] | None = None,
    service_type: Literal["full", "express"] | None = "full",
) -> JSON:
    """The activation settings JSON (as `GET /v2/services/amili/receivables` returns it,
    with the toolkit's own keys), as a dict ready for `json.dumps`.

    With the defaults, a valid generated invoice routes under them with no
    finding: the service was activated long enough ago for consumer invoices
    (7 days at least: the guide's longer figure), the SI message has been sent,
    the service is Kassavirta (`service_type` full; `express`, Amili Perintä,
    bypasses every invoice) and the service-level groups hold no generated
    buyer. Pass `service_levels` to put buyers in a group.
    """
    sending = today_or_helsinki(today)
    chosen_status = draw(pick(status, ("ACTIVE", "PENDING", "DISABLED")))
    company = draw(company_names())
    own = draw(finnish_accounts())
    service = draw(finnish_accounts())
    bank = next(b.name for b in data.BANKS if b.bic == own.bic)
    postcode, town = draw(st.sampled_from(data.POSTCODES))
    street = f"{draw(st.sampled_from(data.STREETS))} {draw(st.integers(1, 90))}"
    transition = draw(st.sampled_from((None, 5, 7)))
    activated = sending - timedelta(days=draw(st.integers(max(transition or 5, 7), 400)))
    phone = f"+358{draw(st.sampled_from(('40', '50', '44', '9')))}{draw(st.integers(1_000_000, 9_999_999))}"
    result: JSON = {
        "iban": own.iban,
        "bic": own.bic,
        "bank": bank,
        "contact_person": draw(person_names()),
        "contact_email": _email("talous", company),
        "contact_phone_number": phone,
        "authorization_email": _email("hyvaksynta", company),
        "accountable_party": draw(pick(accountable_party, ("vfsfi", "company"))),
        "service_type": draw(pick(service_type, ("full", "express"))),
        "customer_service_email": _email("reskontra", company),
        "customer_service_phone_number": phone,
        "billing_address": {
            "country": "FI",
            "streets": [street],
            "city": town.title(),
            "zip_code": postcode,
        },
        "postal_address": {
            "country": "FI",
            "streets": [street],
            "city": town.title(),
            "zip_code": postcode,
        },
        "status": chosen_status,
        "vfsfi": {
            "iban": service.iban,
            "bic": service.bic,
            "account_number": draw(st.sampled_from(("", f"{draw(st.integers(10000, 99999))}"))),
            "notes": [
                {"phrase": _NOTES[code].format(iban=service.iban), "code": code}
                for code in draw(st.lists(st.sampled_from(LANGUAGES), unique=True, max_size=3))
            ],
        },
        "activated_on": activated.isoformat(),
        "payee_name": "Visma Amili Finland Oy",
        "si_change_sent": si_change_sent,
    }
    if transition is not None:
        result["consumer_transition_days"] = transition
    rule = due_date_rule or draw(st.sampled_from((None, "calendar-3", "banking-4")))
    if rule is not None:
        result["due_date_rule"] = rule
    if service_levels is not None:
        result["service_levels"] = service_levels
    elif draw(st.booleans()):
        ids = business_ids(*SERVICE_LEVEL_IDS)
        result["service_levels"] = {
            "vip": draw(st.lists(ids, max_size=2)),
            "premium": draw(st.lists(ids, max_size=2)),
        }
    return result
