"""Properties of the check on generated invoices (kassavirta.testing, issue 5).

Every property runs under the `kassavirta-ci` hypothesis profile (bounded,
derandomised, no deadline) unless another is chosen:
`pytest tests/test_properties.py --hypothesis-profile=soak`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from kassavirta.config.policy import RunOptions, build_policy
from kassavirta.config.settings import settings_from_mapping
from kassavirta.erp.assignments import parse_assignments
from kassavirta.erp.index import AssignmentIndex
from kassavirta.findings import Decision, Severity
from kassavirta.finnish.barcode import parse_virtual_barcode
from kassavirta.finnish.reference import is_valid_reference
from kassavirta.formats import adapter_for, detect
from kassavirta.formats.finvoice.write import (
    VERSIONS,
    AccountSpec,
    InvoiceSpec,
    comparable,
    expected,
    render,
)
from kassavirta.formats.registry import SCHEMA_FILES
from kassavirta.formats.schemas import compile_schema
from kassavirta.model import Channel, Invoice
from kassavirta.pipeline.read import read_bytes
from kassavirta.testing import data
from kassavirta.testing.profiles import profile
from kassavirta.testing.strategies.assignments import assignments_json
from kassavirta.testing.strategies.cases import Case, DefectiveInvoice, routable_invoices
from kassavirta.testing.strategies.common import NOTES, SEND_ERRORS, WARNINGS
from kassavirta.testing.strategies.defects import DEFECT_RULES, defective_invoices
from kassavirta.testing.strategies.identifiers import finnish_accounts
from kassavirta.testing.strategies.invoices import finvoice_invoices, invoice_specs
from kassavirta.testing.strategies.settings import settings_files

TODAYS = st.dates(date(2025, 1, 1), date(2030, 12, 31))
"""Sending dates: years of Finnish holidays, leap days and year ends included."""


def read(xml: bytes) -> Invoice:
    """What the product reads from `xml`: detection, then the format's adapter."""
    (document,) = read_bytes(xml)
    detected = detect(document.part.root)
    adapter = adapter_for(detected.format)
    assert adapter is not None, detected
    return adapter(document)


def shown(result: object) -> str:
    findings = getattr(result, "findings", [])
    return "; ".join(f"{f.rule}: {f.message}" for f in findings)


# --------------------------------------------------------------------------
# Valid invoices route, with nothing to say about them
# --------------------------------------------------------------------------


@profile()
@given(today=TODAYS, data=st.data())
def test_every_generated_valid_invoice_routes_with_no_finding(
    today: date, data: st.DataObject
) -> None:
    case = data.draw(routable_invoices(version=None, today=today))
    result = case.check()
    assert result.decision is Decision.ROUTE, shown(result)
    assert result.findings == [], shown(result)
    assert result.format == f"finvoice-{case.spec.version}"
    assert result.invoice is not None
    assert result.invoice.channel == case.spec.channel.value


@profile(scale=0.4)
@pytest.mark.parametrize("channel", [c.value for c in Channel])
@given(data=st.data())
def test_finvoice_invoices_honours_its_arguments(channel: str, data: st.DataObject) -> None:
    version = data.draw(st.sampled_from(VERSIONS))
    language = data.draw(st.sampled_from(("fi", "sv", "en")))
    encoding = data.draw(st.sampled_from(("UTF-8", "ISO-8859-15", "ISO-8859-1")))
    today = data.draw(TODAYS)
    xml, invoice = data.draw(finvoice_invoices(version, channel, language, encoding, today))
    assert xml.startswith(f"<?xml version='1.0' encoding='{encoding}'?>".encode("ascii"))
    assert invoice.version == version
    assert invoice.channel.value == channel
    assert (invoice.language or "").lower() == language
    assert invoice.due_date is not None and (invoice.due_date - today).days >= 3
    assert invoice.issue_date is not None and invoice.issue_date <= today


# --------------------------------------------------------------------------
# Each defect fails with exactly its rule
# --------------------------------------------------------------------------

CHANGED_FIELDS: dict[str, set[str] | None] = {
    "address-incomplete": {"buyer"},
    "duplicate-number": set(),
    "due-date-too-soon": {"due_date", "terms_due_date", "payment"},
    "sum-mismatch": {"rows"},
    "postcode-town-mismatch": {"buyer"},
    "iban-invalid": {"payment"},
    "bic-invalid": {"payment"},
    "iban-bic-mismatch": {"payment"},
    "reference-invalid": {"payment"},
    "business-id-invalid": {"seller"},
    "language-defaulted": {"language"},
    "language-unsupported": {"language"},
    "service-level": {"buyer"},
    "interest-not-in-xml": {"penalty_interest_percent"},
    "consumer-si-message": {"payment", "channel"},
    "due-date-weekend": {"due_date", "terms_due_date", "payment"},
    "due-date-conflict": {"payment"},
    "instructed-amount-mismatch": {"payment"},
    "credit-note": None,
    "business-id-missing": {"buyer"},
    "consumer-transition-uncertain": set(),
    "consumer-transition-unknown": set(),
    "currency-code-case": {"currency", "currencies"},
    "interest-missing": {"penalty_interest_percent", "interest_in_free_text"},
    "prepaid": {"paid_amount", "payment"},
}
"""The normalised fields each defect may change (None: a credit note changes every amount;
an empty set: the defect is in the assignments or the settings, not in the invoice)."""


def test_every_rule_has_a_defect() -> None:
    assert set(DEFECT_RULES) == set(SEND_ERRORS) | set(WARNINGS) | set(NOTES)
    assert set(DEFECT_RULES) == set(CHANGED_FIELDS)
    assert set(NOTES) == {"interest-missing", "prepaid"}
    assert set(SEND_ERRORS) == {
        "address-incomplete",
        "duplicate-number",
        "due-date-too-soon",
        "sum-mismatch",
    }


def test_an_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown rule 'no-such-rule'"):
        defective_invoices(rule="no-such-rule")


@profile(scale=0.4)
@pytest.mark.parametrize("rule", DEFECT_RULES)
@given(today=TODAYS, data=st.data())
def test_defective_invoice_fails_with_exactly_its_rule(
    rule: str, today: date, data: st.DataObject
) -> None:
    case: DefectiveInvoice = data.draw(defective_invoices(rule=rule, version=None, today=today))
    assert case.rule == rule

    valid = case.valid.check()
    assert valid.decision is Decision.ROUTE and valid.findings == [], shown(valid)

    result = case.check()
    if rule in SEND_ERRORS:
        assert case.kind == "send-error"
        assert result.decision is Decision.ERROR, shown(result)
        assert result.reasons == [rule], shown(result)
        assert {f.rule for f in result.findings} == {rule}, shown(result)
        assert all(
            f.message.startswith("SEND ERROR (REASON: RECEIVABLES-SERVICE: ")
            for f in result.findings
        )
    else:
        note = rule in NOTES
        assert case.kind == ("note" if note else "warning")
        assert result.decision is Decision.ROUTE, shown(result)
        assert result.reasons == []
        assert {f.rule for f in result.findings} == {rule}, shown(result)
        assert {f.severity for f in result.findings} == {
            Severity.INFO if note else Severity.WARNING
        }


@profile(scale=0.4)
@pytest.mark.parametrize("rule", DEFECT_RULES)
@given(data=st.data())
def test_a_defect_changes_only_what_it_names(rule: str, data: st.DataObject) -> None:
    case = data.draw(defective_invoices(rule=rule, version=None, today=date(2026, 12, 1)))
    before, after = comparable(case.valid.expected), comparable(case.expected)
    changed = {key for key in before if before[key] != after[key]}
    allowed = CHANGED_FIELDS[rule]
    if allowed is None:
        assert changed
    elif not allowed:
        assert case.xml == case.valid.xml
        assert (case.assignments, case.settings) != (case.valid.assignments, case.valid.settings)
    else:
        assert changed and changed <= allowed, changed


# --------------------------------------------------------------------------
# Reading is lossless for what the model holds
# --------------------------------------------------------------------------


@profile()
@given(today=TODAYS, data=st.data())
def test_parse_then_normalise_gives_back_the_generated_invoice(
    today: date, data: st.DataObject
) -> None:
    xml, invoice = data.draw(finvoice_invoices(version=None, today=today))
    assert comparable(read(xml)) == comparable(invoice)


@profile(scale=0.5)
@given(data=st.data())
def test_defective_invoices_read_back_as_generated_too(data: st.DataObject) -> None:
    case = data.draw(defective_invoices(version=None, today=date(2026, 6, 15)))
    assert comparable(read(case.xml)) == comparable(case.expected)
    assert comparable(read(case.valid.xml)) == comparable(case.valid.expected)


def test_the_reading_is_compared_field_by_field() -> None:
    """The comparison sees a one-cent change in a row (so the lossless property can fail)."""
    from dataclasses import replace

    from kassavirta.formats.finvoice.write import example_spec

    spec = example_spec(date(2026, 12, 1))
    row = replace(spec.rows[0], amount=spec.rows[0].amount + Decimal("0.01"))
    assert comparable(read(render(replace(spec, rows=(row,))))) != comparable(expected(spec))
    assert comparable(read(render(spec))) == comparable(expected(spec))


# --------------------------------------------------------------------------
# Generated identifiers are the real thing
# --------------------------------------------------------------------------


def test_every_bank_in_the_table_is_the_bank_schwifty_knows() -> None:
    from schwifty import IBAN

    for bank in data.BANKS:
        iban = IBAN.generate("FI", bank_code=bank.code, account_code="12345")
        assert str(iban.bic) == bank.bic, bank


def _barcode_matches(spec: InvoiceSpec) -> None:
    if spec.barcode is None:
        return
    decoded = parse_virtual_barcode(spec.barcode)  # strict: IBAN and reference checksums
    assert decoded.iban == spec.payment.iban
    assert decoded.amount == spec.instructed
    assert decoded.due_date == spec.due_date
    wanted = spec.reference if spec.reference_scheme == "ISO" else spec.reference.lstrip("0")
    assert decoded.reference == wanted


@profile()
@given(spec=invoice_specs(version=None, today=date(2026, 12, 1)))
def test_every_generated_identifier_passes_its_validator(spec: InvoiceSpec) -> None:
    from schwifty import IBAN
    from stdnum import iban as stdnum_iban
    from stdnum.fi import ytunnus

    for account in {spec.payment, *spec.seller_accounts}:
        assert stdnum_iban.is_valid(account.iban)
        assert str(IBAN(account.iban).bic) == account.bic
    assert is_valid_reference(spec.reference, spec.reference_scheme)
    for party in (spec.seller, spec.buyer):
        if party.business_id:
            assert ytunnus.is_valid(party.business_id)
    if spec.buyer.address is not None:
        assert (spec.buyer.address.postcode, spec.buyer.address.town.upper()) in data.POSTCODES
    _barcode_matches(spec)
    assert spec.total == sum(r.amount for r in spec.rows)
    assert spec.total == spec.total_vat_excluded + spec.total_vat


@profile()
@given(accounts=st.lists(finnish_accounts(), min_size=1, max_size=5))
def test_generated_accounts_carry_their_banks_bic(accounts: list[AccountSpec]) -> None:
    from schwifty import IBAN

    for account in accounts:
        iban = IBAN(account.iban)
        assert iban.country_code == "FI" and len(iban.compact) == 18
        assert str(iban.bic) == account.bic


@profile()
@given(mapping=settings_files(status=None, today=date(2026, 12, 1)))
def test_generated_settings_are_settings_the_toolkit_accepts(mapping: dict[str, object]) -> None:
    settings = settings_from_mapping(mapping)
    assert settings.status == mapping["status"]
    assert settings.activated_on is not None
    assert (date(2026, 12, 1) - settings.activated_on).days >= settings.consumer_transition_days


@profile()
@given(
    number=st.sampled_from(("2026-00017", "4711", "L900")),
    day=st.dates(date(2025, 1, 1), date(2030, 12, 31)),
    blocking=st.booleans(),
    data=st.data(),
)
def test_generated_assignments_block_exactly_when_asked(
    number: str, day: date, blocking: bool, data: st.DataObject
) -> None:
    raw = data.draw(assignments_json(number, day, blocking=blocking))
    index = AssignmentIndex(parse_assignments(raw))
    assert bool(index.blockers(number, day)) is blocking
    assert any(a.number == number for a in index) or not blocking


# --------------------------------------------------------------------------
# Generated invoices are valid against the official schemas
# --------------------------------------------------------------------------


def _schema(schema_dir: Path, version: str) -> etree.XMLSchema:
    return compile_schema(schema_dir / SCHEMA_FILES[f"finvoice-{version}"][0])


def test_every_generated_invoice_validates_against_its_xsd(schema_dir: Path) -> None:
    @profile()
    @given(today=TODAYS, data=st.data())
    def valid(today: date, data: st.DataObject) -> None:
        spec = data.draw(invoice_specs(version=None, today=today))
        xml = render(spec)
        schema = _schema(schema_dir, spec.version)
        tree = read_bytes(xml)[0].part.tree
        assert schema.validate(tree), schema.error_log  # type: ignore[attr-defined]

    valid()


def test_defective_invoices_are_schema_valid_too(schema_dir: Path) -> None:
    """Each defect is a content defect: the service's rules see it, the schema does not."""

    @profile(scale=0.5)
    @given(data=st.data())
    def defective(data: st.DataObject) -> None:
        case = data.draw(defective_invoices(version=None, today=date(2026, 12, 1)))
        schema = _schema(schema_dir, case.defective.spec.version)
        assert schema.validate(read_bytes(case.xml)[0].part.tree), schema.error_log  # type: ignore[attr-defined]

    defective()


def test_the_check_with_schemas_agrees(schema_dir: Path) -> None:
    @profile(scale=0.4)
    @given(data=st.data())
    def checked(data: st.DataObject) -> None:
        case: Case = data.draw(routable_invoices(version=None, today=date(2026, 12, 1)))
        from kassavirta import check_bytes

        result = check_bytes(
            case.xml, settings_from_mapping(case.settings), case.today, schemas=schema_dir
        )
        assert result.schema_check == "valid", shown(result)
        assert result.decision is Decision.ROUTE, shown(result)

    checked()


# --------------------------------------------------------------------------
# The rewrite of a routed invoice (SPEC §3)
# --------------------------------------------------------------------------

PAYMENT_ELEMENTS = (
    "EpiBfiIdentifier",
    "EpiBfiName",
    "EpiNameAddressDetails",
    "EpiBei",
    "EpiAccountID",
    "EpiRemittanceInfoIdentifier",
    "EpiReference",
    "SellerAccountDetails",
    "FactoringAgreementDetails",
    "VirtualBankBarcode",
)
"""What the service may change in a Finvoice: the payment details and their artefacts."""


def _without_payment(xml: bytes) -> bytes:
    """The document with every element the rewrite may touch removed, canonicalised."""
    tree = read_bytes(xml)[0].part.tree
    for name in PAYMENT_ELEMENTS:
        for element in tree.getroot().iter(name):
            element.getparent().remove(element)
    info = tree.getroot().find("SellerInformationDetails")
    if info is not None and len(info) == 0:
        tree.getroot().remove(info)
    for element in tree.getroot().iter():
        if isinstance(element.tag, str):
            element.tail = None
            if len(element):
                element.text = None
    return etree.tostring(tree, method="c14n")


routed_for_rewrite = st.builds(
    lambda spec, settings, rf: (spec, settings, rf),
    invoice_specs(version=None, today=date(2026, 12, 1)),
    settings_files("ACTIVE", date(2026, 12, 1), accountable_party="vfsfi"),
    st.booleans(),
)


def _rewrite(xml: bytes, mapping: dict[str, object], rf: bool) -> object:
    from kassavirta.rewrite import rewrite_document

    settings = settings_from_mapping(mapping)
    policy = build_policy(RunOptions(), today=date(2026, 12, 1), settings=settings)
    return rewrite_document(xml, policy, rf=rf)


@profile(scale=0.6)
@given(case=routed_for_rewrite)
def test_the_rewrite_is_idempotent_and_keeps_every_non_payment_field(
    case: tuple[InvoiceSpec, dict[str, object], bool],
) -> None:
    spec, mapping, rf = case
    xml = render(spec)
    first = _rewrite(xml, mapping, rf)
    assert first.decision is Decision.ROUTE and first.rewritten  # type: ignore[attr-defined]
    assert first.changes  # type: ignore[attr-defined]
    out: bytes = first.data  # type: ignore[attr-defined]
    assert _rewrite(out, mapping, rf).data == out  # type: ignore[attr-defined]

    before, after = comparable(expected(spec)), comparable(read(out))
    for key in before.keys() - {"payment", "seller_accounts"}:
        assert after[key] == before[key], key
    payment_before, payment_after = before["payment"], after["payment"]
    assert isinstance(payment_before, dict) and isinstance(payment_after, dict)
    for key in ("amount", "due_date", "instruction_id"):
        assert payment_after[key] == payment_before[key], key
    vfsfi = mapping["vfsfi"]
    assert isinstance(vfsfi, dict)
    assert payment_after["iban"] == vfsfi["iban"] and payment_after["bic"] == vfsfi["bic"]
    assert is_valid_reference(payment_after["reference"], payment_after["reference_scheme"])
    assert (payment_after["reference_scheme"] == "ISO") is rf
    assert _without_payment(out) == _without_payment(xml)


def test_the_rewrite_of_a_routed_invoice_is_schema_valid(schema_dir: Path) -> None:
    @profile(scale=0.6)
    @given(case=routed_for_rewrite)
    def rewritten_valid(case: tuple[InvoiceSpec, dict[str, object], bool]) -> None:
        spec, mapping, rf = case
        out: bytes = _rewrite(render(spec), mapping, rf).data  # type: ignore[attr-defined]
        schema = _schema(schema_dir, spec.version)
        assert schema.validate(read_bytes(out)[0].part.tree), schema.error_log  # type: ignore[attr-defined]

    rewritten_valid()
