"""Issue 15's warnings and notes: duties the guide puts on the sender that a check must say.

Each case starts from one of our routed samples and changes what the rule is
about; the sample as it is passes. Warnings and notes never change the decision.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLES, TODAY
from kassavirta import check_bytes, check_file
from kassavirta.config.settings import Settings, load_settings
from kassavirta.findings import CheckResult, Finding

ROUTE = SAMPLES / "route"
FINVOICE = ROUTE / "finvoice-3.0.xml"
CONSUMER = SAMPLES / "bypass" / "finvoice-3.0-consumer-transition.xml"
BUYER_BID, BUYER_VAT = "2589381-0", "FI25893810"  # the buyer of route/finvoice-3.0.xml
Variant = Callable[..., bytes]


@pytest.fixture
def settings() -> Settings:
    return load_settings(SAMPLES / "settings.json")


def found(result: CheckResult, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


def rules_of(result: CheckResult) -> set[str]:
    return {f.rule for f in result.findings}


# --- currency-code-case, in every format that writes a currency code ---------------------------

FORMATS = [
    "finvoice-3.0.xml",
    "finvoice-2.01.xml",
    "finvoice-1.3.xml",
    "peppol-bis-3.xml",
    "cii.xml",
    "teappsxml.xml",
    "s-edi-3.0.xml",
    "maventa-xml-1.0.xml",
    "liinos.xml",
]


@pytest.mark.parametrize("sample", FORMATS)
def test_currency_code_case_in_every_format(sample: str, settings: Settings) -> None:
    original = (ROUTE / sample).read_bytes()
    assert "currency-code-case" not in rules_of(check_bytes(original, settings, TODAY))
    lower = original.replace(b'"EUR"', b'"eur"').replace(b">EUR<", b">eur<")
    assert lower != original
    result = check_bytes(lower, settings, TODAY)
    assert result.decision.value == "route", (result.reasons, result.findings[:2])
    [f] = found(result, "currency-code-case")
    assert f.value == "eur"
    assert f.message.startswith("The currency code eur is not upper case: the ISO code is EUR")


# --- consumer transition: 5 days or 7 -----------------------------------------------------------


def on_day(settings: Settings, day: int) -> CheckResult:
    assert settings.activated_on is not None
    return check_file(CONSUMER, settings, settings.activated_on + timedelta(days=day))


@pytest.mark.parametrize("day", [5, 6])
def test_days_5_and_6_are_uncertain(settings: Settings, day: int) -> None:
    result = on_day(settings, day)
    assert result.decision.value == "route"
    [f] = found(result, "consumer-transition-uncertain")
    assert f.severity.value == "warning" and f.value == str(day)
    assert "5 days" in f.message and "a mandatory 7 days" in f.message
    assert "consumer_transition_days is 5" in (f.detail or "")
    assert "consumer-transition-unknown" not in rules_of(result)


def test_before_day_5_bypassed_from_day_7_certain(settings: Settings) -> None:
    assert on_day(settings, 4).reasons == ["consumer-transition"]
    later = on_day(settings, 7)
    assert later.decision.value == "route"
    assert not rules_of(later) & {"consumer-transition-uncertain", "consumer-transition-unknown"}


def test_a_seven_day_setting_leaves_no_uncertain_days(settings: Settings) -> None:
    seven = settings.model_copy(update={"consumer_transition_days": 7})
    assert on_day(seven, 6).reasons == ["consumer-transition"]
    assert "consumer-transition-uncertain" not in rules_of(on_day(seven, 7))


def test_business_invoices_never_carry_the_transition_warnings(settings: Settings) -> None:
    assert settings.activated_on is not None
    result = check_file(FINVOICE, settings, settings.activated_on + timedelta(days=5))
    assert result.findings == []
    unknown = settings.model_copy(update={"activated_on": None})
    assert check_file(FINVOICE, unknown, TODAY).findings == []


def test_unknown_activation_date(settings: Settings) -> None:
    unknown = settings.model_copy(update={"activated_on": None})
    result = check_file(CONSUMER, unknown, TODAY)
    assert result.decision.value == "route"
    [f] = found(result, "consumer-transition-unknown")
    assert f.severity.value == "warning"
    assert "could not be checked" in f.message
    assert "activated_on" in (f.detail or "")
    # Only active settings: an inactive service sends every invoice directly anyway.
    pending = unknown.model_copy(update={"status": "PENDING"})
    assert "consumer-transition-unknown" not in rules_of(check_file(CONSUMER, pending, TODAY))


# --- business-id-missing and the service-level look-up ------------------------------------------


def vat_code_only(variant: Variant) -> bytes:
    return variant(FINVOICE, ("//BuyerPartyDetails/BuyerPartyIdentifier", "remove", None))


def test_buyer_with_only_a_vat_code(settings: Settings, variant: Variant) -> None:
    assert "business-id-missing" not in rules_of(check_file(FINVOICE, settings, TODAY))
    result = check_bytes(vat_code_only(variant), settings, TODAY)
    assert result.decision.value == "route"
    [f] = found(result, "business-id-missing")
    assert f.value == BUYER_VAT
    assert f"Looked up here as {BUYER_BID}." in f.message
    assert f.line is not None
    assert result.invoice is not None and result.invoice.buyer.business_id is None


def test_service_level_is_found_by_the_implied_business_id(
    settings: Settings, variant: Variant
) -> None:
    vip = settings.model_copy(
        update={"service_levels": settings.service_levels.model_copy(update={"vip": [BUYER_BID]})}
    )
    result = check_bytes(vat_code_only(variant), vip, TODAY)
    [f] = found(result, "service-level")
    assert f"The buyer {BUYER_BID} is in the VIP group" in f.message
    assert result.schedule == []  # the VIP group has no default schedule


def test_service_level_warning_says_the_guides_cost_note(settings: Settings) -> None:
    premium = settings.model_copy(
        update={
            "service_levels": settings.service_levels.model_copy(update={"premium": [BUYER_BID]})
        }
    )
    [f] = found(check_file(FINVOICE, premium, TODAY), "service-level")
    assert "In some cases, this may incur additional costs".lower() in f.message.lower()
    assert "transfers the responsibility for monitoring assignments" in f.message


@pytest.mark.parametrize(
    ("vat_code", "looked_up", "check_digit_note"),
    [
        ("SE556677889901", None, None),  # a foreign VAT code implies no Finnish business ID
        ("FI12345678", "1234567-8", "1234567-8 does not carry a valid check digit"),
    ],
)
def test_what_another_vat_code_implies(
    vat_code: str,
    looked_up: str | None,
    check_digit_note: str | None,
    settings: Settings,
    variant: Variant,
) -> None:
    data = variant(
        FINVOICE,
        ("//BuyerPartyDetails/BuyerPartyIdentifier", "remove", None),
        ("//BuyerPartyDetails/BuyerOrganisationTaxCode", "text", vat_code),
    )
    missing = found(check_bytes(data, settings, TODAY), "business-id-missing")
    if looked_up is None:
        assert missing == []
        return
    [f] = missing
    assert f"Looked up here as {looked_up}." in f.message
    assert check_digit_note is not None and check_digit_note in (f.detail or "")


# --- interest-missing ----------------------------------------------------------------------------


def test_no_interest_in_the_xml_is_a_note(settings: Settings, variant: Variant) -> None:
    assert "interest-missing" not in rules_of(check_file(FINVOICE, settings, TODAY))
    data = variant(FINVOICE, ("//PaymentTermsDetails/PaymentOverDueFineDetails", "remove", None))
    result = check_bytes(data, settings, TODAY)
    assert (result.decision.value, result.reasons) == ("route", [])
    [f] = found(result, "interest-missing")
    assert f.severity.value == "info"
    assert "the service will collect no late-payment interest" in f.message
    assert f.detail == (
        "To have interest collected, put the rate in "
        "PaymentTermsDetails/PaymentOverDueFineDetails/PaymentOverDueFinePercent."
    )


def test_interest_missing_never_changes_the_exit_status(
    variant: Variant, cli: Any, tmp_path: Path
) -> None:
    path = tmp_path / "no-interest.xml"
    path.write_bytes(
        variant(FINVOICE, ("//PaymentTermsDetails/PaymentOverDueFineDetails", "remove", None))
    )
    done = cli("check", str(path), "--settings", str(SAMPLES / "settings.json"),
               "--today", "2026-12-01", "--no-config")  # fmt: skip
    assert done.returncode == 0, done.stdout
    assert "note [interest-missing]" in done.stdout


def test_interest_in_free_text_only_warns_once(settings: Settings, variant: Variant) -> None:
    data = variant(
        FINVOICE,
        ("//PaymentTermsDetails/PaymentOverDueFineDetails", "remove", None),
        ("//PaymentTermsDetails/PaymentTermsFreeText", "text", "14 pv netto, viivästyskorko 8 %"),
    )
    rules = rules_of(check_bytes(data, settings, TODAY))
    assert "interest-not-in-xml" in rules and "interest-missing" not in rules


def test_a_format_without_an_interest_element(settings: Settings) -> None:
    [f] = found(check_file(ROUTE / "peppol-bis-3.xml", settings, TODAY), "interest-missing")
    assert f.detail == (
        "This format has no element for a penalty interest rate, so the service can collect "
        "none on it."
    )


# --- prepaid -------------------------------------------------------------------------------------


def prepaid(paid: str, instructed: str) -> bytes:
    """route/finvoice-3.0.xml (total 575,55) with an `InvoicePaidAmount`, in its schema place."""
    data = FINVOICE.read_bytes()
    total = b'<InvoiceTotalVatIncludedAmount AmountCurrencyIdentifier="EUR">575,55</InvoiceTotalVatIncludedAmount>'
    assert total in data
    paid_el = f'\n    <InvoicePaidAmount AmountCurrencyIdentifier="EUR">{paid}</InvoicePaidAmount>'
    data = data.replace(total, total + paid_el.encode())
    return data.replace(
        b'<EpiInstructedAmount AmountCurrencyIdentifier="EUR">575,55</EpiInstructedAmount>',
        f'<EpiInstructedAmount AmountCurrencyIdentifier="EUR">{instructed}</EpiInstructedAmount>'.encode(),
    )


def test_prepaid_in_full_gets_no_schedule_and_a_note(settings: Settings) -> None:
    plain = check_file(FINVOICE, settings, TODAY)
    assert "prepaid" not in rules_of(plain) and plain.schedule
    result = check_bytes(prepaid("575,55", "0,00"), settings, TODAY)
    assert (result.decision.value, result.reasons) == ("route", [])
    assert [(f.rule, f.severity.value) for f in result.findings] == [("prepaid", "info")]
    [f] = result.findings
    assert f.message.startswith("Prepaid in full: 575.55 paid of the total 575.55")
    assert "no reminders" in f.message
    assert f.value == "0.00"
    assert result.schedule == []


def test_partly_prepaid_shows_the_open_amount(settings: Settings) -> None:
    result = check_bytes(prepaid("100,00", "475,55"), settings, TODAY)
    assert result.decision.value == "route"
    [f] = found(result, "prepaid")
    assert (
        f.message == "Partly prepaid: 100.00 paid of the total 575.55; the open amount is 475.55."
    )
    assert (f.value, f.severity.value) == ("475.55", "info")
    assert result.schedule and result.schedule[0].date == "2026-12-28"
    assert "instructed-amount-mismatch" not in rules_of(result)


def test_prepaid_text_output(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "prepaid.xml"
    path.write_bytes(prepaid("575,55", "0,00"))
    done = cli("check", str(path), "--settings", str(SAMPLES / "settings.json"),
               "--today", "2026-12-01", "--no-config")  # fmt: skip
    assert done.returncode == 0
    assert "note [prepaid] Prepaid in full" in done.stdout
    assert "if unpaid: no reminders from the service (prepaid in full)" in done.stdout
    sched = cli("schedule", str(path), "--settings", str(SAMPLES / "settings.json"), "--no-config")
    assert sched.returncode == 1
    assert "no schedule: the invoice is prepaid in full (575.55 of 575.55)" in sched.stdout


def test_prepaid_from_another_format(settings: Settings) -> None:
    """Peppol's `cbc:PrepaidAmount` (BT-113) is the model's `paid_amount` too."""
    data = (ROUTE / "peppol-bis-3.xml").read_bytes()
    payable = b'<cbc:PayableAmount currencyID="EUR">637.54</cbc:PayableAmount>'
    assert payable in data
    data = data.replace(
        payable,
        b'<cbc:PrepaidAmount currencyID="EUR">637.54</cbc:PrepaidAmount>\n'
        b'    <cbc:PayableAmount currencyID="EUR">0.00</cbc:PayableAmount>',
    )
    result = check_bytes(data, settings, TODAY)
    assert result.decision.value == "route", result.findings
    assert "prepaid" in rules_of(result) and result.schedule == []
    assert "interest-missing" not in rules_of(result)  # nothing is open to charge interest on


def test_a_credit_note_is_never_prepaid(settings: Settings) -> None:
    result = check_file(ROUTE / "finvoice-3.0-credit-note.xml", settings, TODAY)
    assert not rules_of(result) & {"prepaid", "interest-missing"}
    assert Decimal(result.invoice.total or "0") < 0  # type: ignore[union-attr]


def test_notes_and_warnings_are_in_the_rules_table() -> None:
    from kassavirta.rules import RULES, Kind

    kinds = {slug: rule.kind for rule in RULES for slug in rule.slugs}
    for slug in (
        "currency-code-case",
        "consumer-transition-uncertain",
        "consumer-transition-unknown",
        "business-id-missing",
    ):
        assert kinds[slug] is Kind.WARNING, slug
    assert kinds["interest-missing"] is Kind.NOTE
    assert kinds["prepaid"] is Kind.NOTE
