"""Every send-error rule and every warning: one invoice that triggers it, one that passes it.

Each case starts from one of our routed samples and changes exactly the field the
rule is about; the unchanged sample is the passing case.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import ROOT, TODAY
from kassavirta import check_bytes
from kassavirta.config.settings import Settings, load_settings
from kassavirta.erp.assignments import parse_assignments
from kassavirta.findings import CheckResult

ROUTE = ROOT / "samples" / "route"
VERSIONS = ("3.0", "2.01", "2.0", "1.3")
Variant = Callable[..., bytes]


@pytest.fixture
def settings() -> Settings:
    return load_settings(ROOT / "samples" / "settings.json")


def base(version: str) -> Path:
    path = ROUTE / f"finvoice-{version}.xml"
    if not path.is_file():
        pytest.skip(f"{path} is not written yet")
    return path


def run(data: bytes, settings: Settings | None, **kw: object) -> CheckResult:
    return check_bytes(data, settings, TODAY, **kw)  # type: ignore[arg-type]


def rules_of(result: CheckResult) -> set[str]:
    return {f.rule for f in result.findings}


def due(value: str) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
    return (
        ("//InvoiceDetails/PaymentTermsDetails/InvoiceDueDate", "text", value),
        ("//EpiPaymentInstructionDetails/EpiDateOptionDate", "text", value),
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_routed_samples_route_without_any_finding(version: str, settings: Settings) -> None:
    result = run(base(version).read_bytes(), settings)
    assert result.decision.value == "route", result.findings
    assert result.findings == []
    assert result.format == f"finvoice-{version}"


# --- send errors -------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "edits",
    [
        [("//BuyerPartyDetails/BuyerPostalAddressDetails", "remove", None)],
        [("//BuyerPostalAddressDetails/BuyerStreetName", "remove", None)],
        [("//BuyerPostalAddressDetails/BuyerTownName", "text", "")],
        [("//BuyerPostalAddressDetails/BuyerPostCodeIdentifier", "text", "0010")],
        [("//BuyerPostalAddressDetails/BuyerPostCodeIdentifier", "text", "FI-00100")],
    ],
    ids=["no-address", "no-street", "no-town", "four-digits", "letters"],
)
def test_address_incomplete(
    version: str, edits: list[tuple[str, str, str | None]], settings: Settings, variant: Variant
) -> None:
    result = run(variant(base(version), *edits), settings)
    assert result.decision.value == "error"
    assert result.reasons == ["address-incomplete"]
    [f] = result.findings
    assert f.service_code == 5
    assert f.message.startswith("SEND ERROR (REASON: RECEIVABLES-SERVICE: Postal code for ")
    assert f.message.endswith(" not found (code #5)).")
    assert f.line is not None and f.xpath and f.xpath.startswith("/Finvoice/BuyerPartyDetails")


def test_address_message_names_town_and_postcode(settings: Settings, variant: Variant) -> None:
    data = variant(
        base("3.0"), ("//BuyerPostalAddressDetails/BuyerPostCodeIdentifier", "text", "9999")
    )
    [f] = run(data, settings).findings
    town = f.value.split()[0] if f.value else ""
    assert (
        f.message
        == f"SEND ERROR (REASON: RECEIVABLES-SERVICE: Postal code for {town} 9999 not found (code #5))."
    )


@pytest.mark.parametrize(
    ("edits", "place"),
    [
        ([("//BuyerPostalAddressDetails/BuyerTownName", "text", "")], "{postcode}"),
        ([("//BuyerPostalAddressDetails/BuyerPostCodeIdentifier", "text", "")], "{town}"),
        ([("//BuyerPartyDetails/BuyerPostalAddressDetails", "remove", None)], ""),
    ],
    ids=["no-town", "no-postcode", "no-address"],
)
def test_address_message_without_town_or_postcode_has_no_double_space(
    edits: list[tuple[str, str, str | None]], place: str, settings: Settings, variant: Variant
) -> None:
    """SPEC: `Postal code for {TOWN} {POSTCODE} not found`; what is empty is left out."""
    from lxml import etree

    tree = etree.parse(str(base("3.0")))
    town = tree.findtext(".//BuyerPostalAddressDetails/BuyerTownName")
    postcode = tree.findtext(".//BuyerPostalAddressDetails/BuyerPostCodeIdentifier")
    [f] = run(variant(base("3.0"), *edits), settings).findings
    words = " ".join(
        w for w in ("Postal code for", place.format(town=town, postcode=postcode)) if w
    )
    assert f.message == f"SEND ERROR (REASON: RECEIVABLES-SERVICE: {words} not found (code #5))."
    assert "  " not in f.message


def test_foreign_postcode_needs_only_to_be_present(settings: Settings, variant: Variant) -> None:
    data = variant(
        base("3.0"),
        ("//BuyerPostalAddressDetails/BuyerPostCodeIdentifier", "text", "SE-112 51"),
        ("//BuyerPostalAddressDetails/CountryCode", "text", "SE"),
    )
    assert run(data, settings).decision.value == "route"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("due_date", "decision"),
    [
        ("20261130", "error"),
        ("20261201", "error"),
        ("20261203", "error"),
        ("20261204", "route"),
        ("20270115", "route"),
    ],
)
def test_due_date_boundary_calendar_3(
    version: str, due_date: str, decision: str, settings: Settings, variant: Variant
) -> None:
    result = run(variant(base(version), *due(due_date)), settings)
    assert result.decision.value == decision
    if decision == "error":
        assert result.reasons == ["due-date-too-soon"]
        f = next(f for f in result.findings if f.rule == "due-date-too-soon")
        assert f.service_code == 13
        assert f.message == (
            "SEND ERROR (REASON: RECEIVABLES-SERVICE: The due date for the invoice is within three (3) "
            "days or has already passed (code #13))."
        )


@pytest.mark.parametrize(
    ("due_date", "decision"),
    # Tue 1 Dec 2026: Wed, Thu, Fri are 3 banking days; Mon 7 Dec is the 4th (Sun 6 Dec is Independence Day).
    [("20261204", "error"), ("20261207", "route")],
)
def test_due_date_banking_4(
    due_date: str, decision: str, settings: Settings, variant: Variant
) -> None:
    banking = settings.model_copy(update={"due_date_rule": "banking-4"})
    result = run(variant(base("3.0"), *due(due_date)), banking)
    assert result.decision.value == decision
    if decision == "error":
        assert "banking day" in (result.findings[0].detail or "")


def test_due_date_missing_is_an_error(settings: Settings, variant: Variant) -> None:
    data = variant(
        base("3.0"),
        ("//InvoiceDetails/PaymentTermsDetails/InvoiceDueDate", "remove", None),
        ("//EpiPaymentInstructionDetails/EpiDateOptionDate", "remove", None),
    )
    result = run(data, settings)
    assert result.reasons == ["due-date-too-soon"]
    assert "no due date" in (result.findings[0].detail or "")


@pytest.mark.parametrize("version", VERSIONS)
def test_sum_mismatch(version: str, settings: Settings, variant: Variant) -> None:
    from lxml import etree

    sample = base(version)
    tree = etree.parse(str(sample))
    first = tree.getroot().findtext("InvoiceRow/RowAmount")
    assert first is not None
    euros, cents = first.split(",")
    changed = f"{int(euros) + 10},{cents}"
    result = run(variant(sample, ("/Finvoice/InvoiceRow[1]/RowAmount", "text", changed)), settings)
    assert result.reasons == ["sum-mismatch"]
    [f] = result.findings
    assert f.service_code is None
    assert f.message.startswith(
        "SEND ERROR (REASON: RECEIVABLES-SERVICE: The sum of the invoice rows "
    )
    assert "does not match the invoice total" in f.message
    assert "difference -10.00" in (f.detail or "")


def test_rows_without_vat_included_amount_count_net_plus_vat(
    settings: Settings, variant: Variant
) -> None:
    # Dropping every RowAmount leaves net + VAT per row, which still adds up.
    assert (
        run(
            variant(base("3.0"), ("/Finvoice/InvoiceRow/RowAmount", "remove", None)), settings
        ).decision.value
        == "route"
    )


def _assignment(
    number: str, issued: str, status: str = "open", events: list[dict[str, object]] | None = None
) -> dict[str, object]:
    return {
        "id": f"a-{number}-{status}",
        "number": number,
        "issued_at": issued,
        "status": status,
        "events": events or [],
    }


def _number_and_date(sample: Path) -> tuple[str, str]:
    from lxml import etree

    tree = etree.parse(str(sample))
    number = tree.findtext(".//InvoiceDetails/InvoiceNumber") or ""
    raw = tree.findtext(".//InvoiceDetails/InvoiceDate") or ""
    return number, f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"


PAID = {"type": "paid", "data": {"sum_paid": 10}}
CREDIT = {"type": "credit_note", "data": {"sum": 10}}
FAILED = {
    "type": "delivery_status",
    "data": {"status": "FAILED"},
    "happened_at": "2026-11-21T10:00:00Z",
}
DELIVERED = {
    "type": "delivery_status",
    "data": {"status": "DELIVERED"},
    "happened_at": "2026-11-20T10:00:00Z",
}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("status", "events", "other_date", "decision"),
    [
        ("open", [], False, "error"),
        ("open", [PAID], False, "error"),
        ("closed", [PAID], False, "error"),
        ("closed", [CREDIT], False, "error"),
        ("partially_closed", [], False, "error"),
        ("open", [DELIVERED], False, "error"),
        ("open", [], True, "route"),  # exception 1: another invoice date
        ("closed", [PAID], True, "route"),
        ("closed", [], False, "route"),  # exception 2: closed, no payments or credits
        ("open", [DELIVERED, FAILED], False, "route"),  # exception 3: errored invoice
        ("open", [FAILED, DELIVERED | {"happened_at": "2026-11-22T10:00:00Z"}], False, "error"),
        ("open", [PAID, FAILED], False, "error"),
    ],
)
def test_duplicate_number(
    version: str,
    status: str,
    events: list[dict[str, object]],
    other_date: bool,
    decision: str,
    settings: Settings,
) -> None:
    sample = base(version)
    number, issued = _number_and_date(sample)
    if other_date:
        issued = "2025-01-01"
    assignments = parse_assignments([_assignment(number, issued, status, events)])
    result = run(sample.read_bytes(), settings, assignments=assignments)
    assert result.decision.value == decision
    if decision == "error":
        [f] = result.findings
        assert f.rule == "duplicate-number" and f.service_code == 6
        assert f.message == (
            f"SEND ERROR (REASON: RECEIVABLES-SERVICE: An assignment for this invoice number {number} already "
            "exists and is still open. If you want to open a new assignment for this invoice number, you must "
            "first cancel the existing one (code #6))."
        )
        assert f"a-{number}-{status}" in (f.detail or "")


def test_every_assignment_with_the_number_must_allow_it(settings: Settings) -> None:
    sample = base("3.0")
    number, issued = _number_and_date(sample)
    allowed = _assignment(number, issued, "closed")
    blocking = _assignment(number, issued, "open") | {"id": "the-blocker"}
    result = run(sample.read_bytes(), settings, assignments=parse_assignments([allowed, blocking]))
    assert result.reasons == ["duplicate-number"]
    assert "the-blocker" in (result.findings[0].detail or "")
    assert f"a-{number}-closed" not in (result.findings[0].detail or "")


def test_all_failing_rules_are_reported(settings: Settings, variant: Variant) -> None:
    data = variant(
        base("3.0"),
        ("//BuyerPartyDetails/BuyerPostalAddressDetails", "remove", None),
        *due("20261202"),
    )
    result = run(data, settings)
    assert result.reasons == ["address-incomplete", "due-date-too-soon"]


# --- warnings ----------------------------------------------------------------


WARNING_CASES: list[tuple[str, list[tuple[str, str, str | None]]]] = [
    ("iban-invalid", [("//EpiBeneficiaryPartyDetails/EpiAccountID", "text", "FI2112345600000786")]),
    ("bic-invalid", [("//EpiBfiPartyDetails/EpiBfiIdentifier", "text", "NDEAXXHH")]),
    (
        "reference-invalid",
        [
            ("//EpiRemittanceInfoIdentifier", "text", "1043002"),
            ("//EpiRemittanceInfoIdentifier", "attr:IdentificationSchemeName", "SPY"),
        ],
    ),
    (
        "reference-invalid",
        [
            ("//EpiRemittanceInfoIdentifier", "text", "RF804806FA0472034B5D722A"),
            ("//EpiRemittanceInfoIdentifier", "attr:IdentificationSchemeName", "ISO"),
        ],
    ),
    ("business-id-invalid", [("//BuyerPartyDetails/BuyerPartyIdentifier", "text", "1234567-8")]),
    ("business-id-invalid", [("//SellerPartyDetails/SellerPartyIdentifier", "text", "1234567-8")]),
    ("language-defaulted", [("/Finvoice/InvoiceRecipientLanguageCode", "remove", None)]),
    ("language-unsupported", [("/Finvoice/InvoiceRecipientLanguageCode", "text", "DE")]),
    ("due-date-weekend", list(due("20261206"))),
    (
        "due-date-conflict",
        [("//EpiPaymentInstructionDetails/EpiDateOptionDate", "text", "20261216")],
    ),
    ("instructed-amount-mismatch", [("//EpiInstructedAmount", "text", "1,00")]),
]


@pytest.mark.parametrize(
    ("slug", "edits"), WARNING_CASES, ids=[f"{s}-{i}" for i, (s, _) in enumerate(WARNING_CASES)]
)
@pytest.mark.parametrize("version", ["3.0", "2.01"])
def test_warning_triggers_and_never_changes_the_decision(
    version: str,
    slug: str,
    edits: list[tuple[str, str, str | None]],
    settings: Settings,
    variant: Variant,
) -> None:
    sample = base(version)
    assert slug not in rules_of(run(sample.read_bytes(), settings))
    result = run(variant(sample, *edits), settings)
    assert slug in rules_of(result)
    assert result.decision.value == "route"
    f = next(f for f in result.findings if f.rule == slug)
    assert f.severity.value == "warning"


def test_iban_bic_mismatch(settings: Settings, variant: Variant) -> None:
    from schwifty import IBAN

    sample = base("3.0")
    from lxml import etree

    iban = etree.parse(str(sample)).findtext(".//EpiBeneficiaryPartyDetails/EpiAccountID") or ""
    own = str(IBAN(iban).bic)
    other = "OKOYFIHH" if not own.startswith("OKOY") else "NDEAFIHH"
    result = run(
        variant(sample, ("//EpiBfiPartyDetails/EpiBfiIdentifier", "text", other)), settings
    )
    assert "iban-bic-mismatch" in rules_of(result)
    assert result.decision.value == "route"


def test_service_level_warning(settings: Settings) -> None:
    sample = base("3.0")
    from lxml import etree

    bid = etree.parse(str(sample)).findtext(".//BuyerPartyDetails/BuyerPartyIdentifier") or ""
    vip = settings.model_copy(
        update={"service_levels": settings.service_levels.model_copy(update={"vip": [bid]})}
    )
    result = run(sample.read_bytes(), vip)
    assert "service-level" in rules_of(result)
    assert "VIP" in next(f.message for f in result.findings if f.rule == "service-level")


def test_interest_only_in_free_text(settings: Settings, variant: Variant) -> None:
    data = variant(
        base("3.0"),
        ("//PaymentTermsDetails/PaymentOverDueFineDetails", "remove", None),
        ("//PaymentTermsDetails/PaymentTermsFreeText", "text", "14 pv netto, viivästyskorko 8 %"),
    )
    result = run(data, settings)
    assert "interest-not-in-xml" in rules_of(result)
    no_mention = variant(
        base("3.0"), ("//PaymentTermsDetails/PaymentOverDueFineDetails", "remove", None)
    )
    assert "interest-not-in-xml" not in rules_of(run(no_mention, settings))


@pytest.mark.parametrize(
    ("sample", "terms", "detail"),
    [
        (
            "finvoice-3.0.xml",
            "//PaymentTermsDetails/PaymentTermsFreeText",
            "Put the rate in PaymentTermsDetails/PaymentOverDueFineDetails/PaymentOverDueFinePercent.",
        ),
        (
            "teappsxml.xml",
            "//HEADER/TERMS_OF_PAYMENT",
            "Put the rate in HEADER/PAYMENT_OVERDUE_FINE/INTEREST_RATE.",
        ),
        (
            "cii.xml",
            "//*[local-name()='SpecifiedTradePaymentTerms']/*[local-name()='Description']",
            "Put the rate in ram:SpecifiedTradePaymentTerms/ram:ApplicableTradePaymentPenaltyTerms/"
            "ram:CalculationPercent.",
        ),
        (
            "peppol-bis-3.xml",
            "//*[local-name()='PaymentTerms']/*[local-name()='Note']",
            "This format has no element for a penalty interest rate (Peppol BIS 3.0 has none), "
            "so only the free text mentions it.",
        ),
    ],
)
def test_interest_detail_names_the_element_of_the_invoice_format(
    sample: str, terms: str, detail: str, settings: Settings, variant: Variant
) -> None:
    edits: list[tuple[str, str, str | None]] = [(terms, "text", "14 pv netto, viivästyskorko 8 %")]
    if sample.startswith("finvoice"):
        edits.append(("//PaymentTermsDetails/PaymentOverDueFineDetails", "remove", None))
    result = run(variant(ROUTE / sample, *edits), settings)
    [found] = [f for f in result.findings if f.rule == "interest-not-in-xml"]
    assert found.detail == detail


def test_credit_note_is_routed_with_a_warning_and_no_due_date_rule(settings: Settings) -> None:
    path = ROUTE / "finvoice-3.0-credit-note.xml"
    if not path.is_file():
        pytest.skip("credit-note sample not written yet")
    result = run(path.read_bytes(), settings)
    assert result.decision.value == "route"
    assert "credit-note" in rules_of(result)
    assert "due-date-too-soon" not in rules_of(result)
