"""docs/testing.md, run: an ERP team property-tests its own Finvoice writer with kassavirta.testing.

`write_finvoice` below stands for the ERP's code under test: it writes a
Finvoice 3.0 from the ERP's invoice data (here, the normalised invoice that
hypothesis draws). The ten-line test after it is the one the documentation
shows. The rest of the module tests the pytest plugin itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from lxml import etree

from kassavirta.config.settings import Settings
from kassavirta.findings import CheckResult, Decision
from kassavirta.model import Address, Invoice, Party
from kassavirta.testing import assert_routes, defective_invoices, finvoice_invoices
from kassavirta.testing.profiles import profile

# --------------------------------------------------------------------------
# The ERP's writer (the code under test)
# --------------------------------------------------------------------------


def _amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def _add(parent: etree._Element, tag: str, text: str | None, **attrs: str) -> etree._Element | None:
    if text is None:
        return None
    element = etree.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _money(parent: etree._Element, tag: str, value: Decimal | None) -> None:
    _add(parent, tag, None if value is None else _amount(value), AmountCurrencyIdentifier="EUR")


def _date(parent: etree._Element, tag: str, value: date | None) -> None:
    _add(parent, tag, None if value is None else value.strftime("%Y%m%d"), Format="CCYYMMDD")


def _party(root: etree._Element, prefix: str, party: Party) -> None:
    block = etree.SubElement(root, f"{prefix}PartyDetails")
    _add(block, f"{prefix}PartyIdentifier", party.business_id)
    _add(block, f"{prefix}OrganisationName", party.name)
    _add(block, f"{prefix}OrganisationTaxCode", party.vat_code)
    address: Address | None = party.address
    if address is not None:
        postal = etree.SubElement(block, f"{prefix}PostalAddressDetails")
        for street in address.streets:
            _add(postal, f"{prefix}StreetName", street)
        _add(postal, f"{prefix}TownName", address.town)
        _add(postal, f"{prefix}PostCodeIdentifier", address.postcode)
        _add(postal, "CountryCode", address.country)


def write_finvoice(invoice: Invoice, *, round_rows: bool = False) -> bytes:
    """The ERP's Finvoice 3.0 writer. `round_rows` plants the bug a test must catch."""
    root = etree.Element("Finvoice", Version="3.0")
    _party(root, "Seller", invoice.seller)
    if invoice.seller_accounts:
        info = etree.SubElement(root, "SellerInformationDetails")
        for account in invoice.seller_accounts:
            block = etree.SubElement(info, "SellerAccountDetails")
            _add(block, "SellerAccountID", account.account, IdentificationSchemeName="IBAN")
            _add(block, "SellerBic", account.bic, IdentificationSchemeName="BIC")
    _add(root, "InvoiceRecipientLanguageCode", invoice.language)
    _party(root, "Buyer", invoice.buyer)
    details = etree.SubElement(root, "InvoiceDetails")
    _add(details, "InvoiceTypeCode", invoice.type_code or "INV01")
    _add(details, "InvoiceTypeText", "LASKU")
    _add(details, "OriginCode", "Original")
    _add(details, "InvoiceNumber", invoice.number)
    _date(details, "InvoiceDate", invoice.issue_date)
    _money(details, "InvoiceTotalVatExcludedAmount", invoice.total_vat_excluded)
    _money(details, "InvoiceTotalVatAmount", invoice.total_vat)
    _money(details, "InvoiceTotalVatIncludedAmount", invoice.total)
    _money(details, "InvoicePaidAmount", invoice.paid_amount)
    for line in invoice.vat_lines:
        vat = etree.SubElement(details, "VatSpecificationDetails")
        _money(vat, "VatBaseAmount", line.base)
        _add(vat, "VatRatePercent", None if line.percent is None else _number(line.percent))
        _money(vat, "VatRateAmount", line.amount)
    terms = etree.SubElement(details, "PaymentTermsDetails")
    _add(terms, "PaymentTermsFreeText", invoice.payment_terms_text)
    _date(terms, "InvoiceDueDate", invoice.terms_due_date)
    if invoice.penalty_interest_percent is not None:
        fine = etree.SubElement(terms, "PaymentOverDueFineDetails")
        _add(fine, "PaymentOverDueFineFreeText", invoice.interest_in_free_text)
        _add(fine, "PaymentOverDueFinePercent", _number(invoice.penalty_interest_percent))
    for row in invoice.rows:
        element = etree.SubElement(root, "InvoiceRow")
        _add(element, "ArticleName", row.article)
        _add(
            element,
            "InvoicedQuantity",
            _number(row.quantity or Decimal(1)),
            QuantityUnitCode=row.unit or "kpl",
        )
        _money(element, "UnitPriceAmount", row.unit_price)
        _add(element, "RowVatRatePercent", _number(row.vat_percent or Decimal(0)))
        _money(element, "RowVatAmount", row.vat_amount)
        _money(element, "RowVatExcludedAmount", row.vat_excluded)
        amount = row.amount
        if round_rows and amount is not None:
            amount = amount.quantize(Decimal(1))  # the bug: whole euros on the rows
        _money(element, "RowAmount", amount)
    epi = etree.SubElement(root, "EpiDetails")
    ident = etree.SubElement(epi, "EpiIdentificationDetails")
    _date(ident, "EpiDate", invoice.issue_date)
    _add(ident, "EpiReference", invoice.payment.reference)
    parties = etree.SubElement(epi, "EpiPartyDetails")
    bank = etree.SubElement(parties, "EpiBfiPartyDetails")
    _add(bank, "EpiBfiIdentifier", invoice.payment.bic, IdentificationSchemeName="BIC")
    payee = etree.SubElement(parties, "EpiBeneficiaryPartyDetails")
    _add(payee, "EpiNameAddressDetails", invoice.payment.beneficiary)
    _add(payee, "EpiAccountID", invoice.payment.iban, IdentificationSchemeName="IBAN")
    instruction = etree.SubElement(epi, "EpiPaymentInstructionDetails")
    _add(instruction, "EpiPaymentInstructionId", invoice.payment.instruction_id)
    _add(
        instruction,
        "EpiRemittanceInfoIdentifier",
        invoice.payment.reference,
        IdentificationSchemeName=invoice.payment.reference_scheme or "SPY",
    )
    _money(instruction, "EpiInstructedAmount", invoice.payment.amount)
    _add(instruction, "EpiCharge", "SLEV", ChargeOption="SLEV")
    _date(instruction, "EpiDateOptionDate", invoice.payment.due_date)
    data = etree.tostring(root, xml_declaration=True, encoding="ISO-8859-15")
    assert isinstance(data, bytes)
    return data


# --------------------------------------------------------------------------
# The documented example (docs/testing.md)
# --------------------------------------------------------------------------


@profile()
@given(generated=finvoice_invoices(version="3.0"))
def test_every_invoice_we_write_routes(
    generated: tuple[bytes, Invoice], kassavirta_settings: Settings, kassavirta_today: date
) -> None:
    _, invoice = generated  # an invoice hypothesis drew: valid, realistic, due ahead
    xml = write_finvoice(invoice)  # ...written by our own code
    assert_routes(xml, kassavirta_settings, kassavirta_today)


# --------------------------------------------------------------------------
# The example can fail, with the service's words
# --------------------------------------------------------------------------


@profile(scale=0.4)
@given(generated=finvoice_invoices(version="3.0"))
def test_the_kassavirta_check_fixture_reads_back_what_we_wrote(
    generated: tuple[bytes, Invoice], kassavirta_check: Callable[..., CheckResult]
) -> None:
    _, invoice = generated
    result = kassavirta_check(write_finvoice(invoice))
    assert result.decision is Decision.ROUTE
    assert result.invoice is not None
    assert Decimal(result.invoice.total or "0") == invoice.total
    assert result.invoice.number == invoice.number


def test_a_writer_bug_fails_with_the_service_message(
    kassavirta_settings: Settings, kassavirta_today: date
) -> None:
    from kassavirta.formats.finvoice.write import example_spec, expected

    invoice = expected(example_spec(kassavirta_today))
    with pytest.raises(AssertionError) as failure:
        assert_routes(
            write_finvoice(invoice, round_rows=True), kassavirta_settings, kassavirta_today
        )
    message = str(failure.value)
    assert "error (sum-mismatch)" in message
    assert "SEND ERROR (REASON: RECEIVABLES-SERVICE: The sum of the invoice rows 301.00" in message
    assert "at line" in message


@profile(scale=0.4)
@given(case=defective_invoices(rule="address-incomplete"))
def test_defective_invoices_fail_assert_routes(case: object) -> None:
    from kassavirta.testing.strategies.cases import DefectiveInvoice

    assert isinstance(case, DefectiveInvoice)
    with pytest.raises(AssertionError, match=r"Postal code for.* not found \(code #5\)"):
        assert_routes(case.xml, today=case.today)
    assert_routes(case.valid.xml, today=case.today, strict=True)


def test_strict_assert_routes_fails_on_warnings(kassavirta_today: date) -> None:
    from dataclasses import replace

    from kassavirta.formats.finvoice.write import example_spec, render

    xml = render(replace(example_spec(kassavirta_today), language=None))
    assert_routes(xml, today=kassavirta_today)
    with pytest.raises(AssertionError, match="language-defaulted"):
        assert_routes(xml, today=kassavirta_today, strict=True)


# --------------------------------------------------------------------------
# The plugin: fixtures, ini keys, profiles, start-up, life without hypothesis
# --------------------------------------------------------------------------


def test_the_fixtures(
    kassavirta_settings: Settings,
    kassavirta_today: date,
    kassavirta_check: Callable[..., CheckResult],
) -> None:
    assert kassavirta_settings.active and kassavirta_settings.si_change_sent
    assert kassavirta_settings.activated_on is not None
    assert (kassavirta_today - kassavirta_settings.activated_on).days >= 5
    assert kassavirta_check(b"<Finvoice").decision is Decision.INVALID


def _pytest(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_ini_keys_set_the_date_and_the_settings(tmp_path: Path) -> None:
    import json

    from kassavirta.testing.assertions import default_settings_mapping

    settings = default_settings_mapping(date(2027, 3, 1)) | {"si_change_sent": False}
    (tmp_path / "amili.json").write_text(json.dumps(settings), encoding="utf-8")
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nkassavirta_today = 2027-03-01\nkassavirta_settings = amili.json\n",
        encoding="utf-8",
    )
    (tmp_path / "test_erp.py").write_text(
        textwrap.dedent(
            """
            from datetime import date

            def test_fixtures(kassavirta_today, kassavirta_settings):
                assert kassavirta_today == date(2027, 3, 1)
                assert kassavirta_settings.si_change_sent is False
            """
        ),
        encoding="utf-8",
    )
    run = _pytest(tmp_path)  # every installed plugin: ours is found by its pytest11 entry point
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize(("chosen", "examples"), [("soak", 2000), ("kassavirta-ci", 25)])
def test_profiles_are_selectable_on_the_command_line(
    tmp_path: Path, chosen: str, examples: int
) -> None:
    (tmp_path / "test_profile.py").write_text(
        textwrap.dedent(
            f"""
            from kassavirta.testing.profiles import current_profile_name, profile

            def test_profile():
                assert current_profile_name() == {chosen!r}
                assert profile().max_examples == {examples}
            """
        ),
        encoding="utf-8",
    )
    # Only the two plugins involved, for speed; the ini test above loads ours by its entry point.
    run = _pytest(
        tmp_path,
        "-p",
        "_hypothesis_pytestplugin",
        "-p",
        "kassavirta.testing.plugin",
        f"--hypothesis-profile={chosen}",
        env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_plugin_imports_nothing_heavy_at_start_up() -> None:
    code = (
        "import sys, pytest, kassavirta.testing.plugin\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('hypothesis', 'lxml', 'pydantic', 'xmlschema', 'schwifty')]\n"
        "print(heavy)\n"
        "assert not heavy\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_plugin_works_without_hypothesis(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    (blocker / "hypothesis").mkdir(parents=True)
    (blocker / "hypothesis" / "__init__.py").write_text(
        "raise ImportError('hypothesis is not installed (simulated)')\n", encoding="utf-8"
    )
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_erp.py").write_text(
        textwrap.dedent(
            """
            from kassavirta.testing import assert_routes
            from kassavirta.formats.finvoice.write import example_spec, render

            def test_known_invoice_routes(kassavirta_check, kassavirta_today):
                xml = render(example_spec(kassavirta_today))
                assert kassavirta_check(xml).decision.value == "route"
                assert_routes(xml, today=kassavirta_today, strict=True)

            def test_hypothesis_is_really_absent():
                import pytest
                with pytest.raises(ImportError):
                    import hypothesis
            """
        ),
        encoding="utf-8",
    )
    # Other installed plugins (hypothesis's own, schemathesis) need hypothesis: load only ours.
    run = _pytest(
        project,
        "-p",
        "kassavirta.testing.plugin",
        env={
            "PYTHONPATH": os.pathsep.join([str(blocker), os.environ.get("PYTHONPATH", "")]),
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        },
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
