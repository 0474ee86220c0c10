"""The Peppol BIS 3.0 rewrite: changed fields, the untouched rest byte for byte, determinism."""

from __future__ import annotations

from datetime import date

from lxml import etree

from formats.cases import DATA
from helpers import SAMPLES, SERVICE, adapt_as, changed_lines, rewrite_with
from kassavirta.config.settings import Settings

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"


def test_sample_invoice_changes(settings: Settings) -> None:
    source = (SAMPLES / "route" / "peppol-bis-3.xml").read_bytes()
    result = rewrite_with(source, settings)
    assert result.rewritten
    clause = result.plans[0].clause.text
    reference = result.plans[0].reference
    assert [(c.xpath, c.field, c.old, c.new) for c in result.changes] == [
        (
            "/*/cbc:Note",
            "factoring.clause",
            "Talousveden laatututkimus, marraskuu 2026.",
            f"Talousveden laatututkimus, marraskuu 2026.\n{clause}",
        ),
        ("/*/cac:PayeeParty", "payment.beneficiary", None, SERVICE.payee),
        ("/*/cac:PaymentMeans/cbc:PaymentID", "payment.reference", "202603111", reference),
        (
            "/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID",
            "payment.iban",
            "FI3734093754188204",
            SERVICE.iban,
        ),
        (
            "/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:Name",
            "payment.account_name",
            "Hämeen Laboratoriopalvelut Oy",
            SERVICE.payee,
        ),
        (
            "/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID",
            "payment.bic",
            "DABAFIHH",
            SERVICE.bic,
        ),
        (
            "/*/cac:PaymentTerms/cbc:Note",
            "factoring.clause",
            "14 päivää netto",
            f"14 päivää netto\n{clause}",
        ),
    ]
    # Only the lines of those elements differ; everything else is byte for byte the same.
    gone, added = changed_lines(source, result.data)
    assert gone == [12, 79, 81, 82, 84, 89]
    assert "  <cac:PayeeParty>" in added
    assert "      <cbc:Name>Visma Amili Finland Oy</cbc:Name>" in added


def test_rewritten_invoice_reads_back_and_still_routes(settings: Settings) -> None:
    result = rewrite_with((SAMPLES / "route" / "peppol-bis-3.xml").read_bytes(), settings)
    invoice = adapt_as(result.data, "peppol-bis-3")
    assert (invoice.number, invoice.total, invoice.due_date) == (
        "HLP-2026-0311",
        result.originals[0].total,
        date(2026, 12, 15),
    )


def test_further_accounts_are_removed_and_payee_goes_before_payment_means(
    settings: Settings,
) -> None:
    source = (DATA / "peppol-bis-3-allowances.xml").read_bytes()
    result = rewrite_with(source, settings)
    removed = [c for c in result.changes if c.field == "seller_accounts"]
    assert [(c.xpath, c.old, c.new) for c in removed] == [
        ("/*/cac:PaymentMeans[2]", "FI7944052020036082", None)
    ]
    root = etree.fromstring(result.data)
    names = [etree.QName(c).localname for c in root if isinstance(c.tag, str)]
    assert names.index("PayeeParty") == names.index("AccountingCustomerParty") + 1
    assert names.count("PaymentMeans") == 1
    assert b"FI7944052020036082" not in result.data
    # The RF reference of the input becomes the preview reference (national, 7-3-1).
    assert root.findtext(f"{{{CAC}}}PaymentMeans/{{{CBC}}}PaymentID") == result.plans[0].reference


def test_credit_note_gets_a_note_after_its_type_code(settings: Settings) -> None:
    source = (SAMPLES / "route" / "peppol-bis-3-credit-note.xml").read_bytes()
    root = etree.fromstring(source)
    for note in root.findall(f"{{{CBC}}}Note"):
        root.remove(note)
    result = rewrite_with(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), settings)
    out = etree.fromstring(result.data)
    names = [etree.QName(c).localname for c in out if isinstance(c.tag, str)]
    assert names[names.index("CreditNoteTypeCode") + 1] == "Note"
    assert out.findtext(f"{{{CBC}}}Note") == result.plans[0].clause.text
    assert (
        result.changes[0].xpath,
        result.changes[0].field,
        result.changes[0].old,
    ) == ("/*/cbc:Note", "factoring.clause", None)


def test_company_mode_changes_nothing(settings: Settings) -> None:
    source = (SAMPLES / "route" / "peppol-bis-3.xml").read_bytes()
    company = settings.model_copy(update={"accountable_party": "company"})
    result = rewrite_with(source, company)
    assert (result.routed, result.rewritten, result.data) == (True, False, source)


def test_not_routed_is_not_rewritten(settings: Settings) -> None:
    source = (SAMPLES / "error" / "peppol-bis-3-due-date-too-soon.xml").read_bytes()
    result = rewrite_with(source, settings)
    assert (result.decision.value, result.reasons, result.data) == (
        "error",
        ["due-date-too-soon"],
        source,
    )
