"""The Peppol BIS 3.0 rewrite: changed fields, the untouched rest byte for byte, determinism."""

from __future__ import annotations

import difflib
from datetime import date

from lxml import etree

from helpers import SAMPLES, TEST_DATA, TODAY
from kassavirta.config.policy import Policy, RunOptions, build_policy
from kassavirta.config.settings import Settings
from kassavirta.formats import adapter_for
from kassavirta.pipeline.read import read_bytes
from kassavirta.rewrite import RewriteResult, rewrite_document

DATA = TEST_DATA / "formats"
SERVICE_IBAN = "FI5515725137790445"
SERVICE_BIC = "NDEAFIHH"
PAYEE = "Visma Amili Finland Oy"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"


def policy(settings: Settings) -> Policy:
    return build_policy(RunOptions(), today=TODAY, settings=settings)


def run(data: bytes, settings: Settings) -> RewriteResult:
    return rewrite_document(data, policy(settings))


def changed_lines(before: bytes, after: bytes) -> tuple[list[int], list[str]]:
    """1-based numbers of the original lines that changed, and the lines added."""
    old = before.decode("utf-8").splitlines()
    new = after.decode("utf-8").splitlines()
    gone: list[int] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            gone += range(i1 + 1, i2 + 1)
        if tag in ("replace", "insert"):
            added += new[j1:j2]
    return gone, added


def test_sample_invoice_changes(settings: Settings) -> None:
    source = (SAMPLES / "route" / "peppol-bis-3.xml").read_bytes()
    result = run(source, settings)
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
        ("/*/cac:PayeeParty", "payment.beneficiary", None, PAYEE),
        ("/*/cac:PaymentMeans/cbc:PaymentID", "payment.reference", "202603111", reference),
        (
            "/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID",
            "payment.iban",
            "FI3734093754188204",
            SERVICE_IBAN,
        ),
        (
            "/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:Name",
            "payment.account_name",
            "Hämeen Laboratoriopalvelut Oy",
            PAYEE,
        ),
        (
            "/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID",
            "payment.bic",
            "DABAFIHH",
            SERVICE_BIC,
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
    result = run((SAMPLES / "route" / "peppol-bis-3.xml").read_bytes(), settings)
    [document] = read_bytes(result.data)
    adapter = adapter_for("peppol-bis-3")
    assert adapter is not None
    invoice = adapter(document)
    assert (invoice.payment.iban, invoice.payment.bic, invoice.payment.beneficiary) == (
        SERVICE_IBAN,
        SERVICE_BIC,
        PAYEE,
    )
    assert invoice.payment.reference == result.plans[0].reference
    assert (invoice.number, invoice.total, invoice.due_date) == (
        "HLP-2026-0311",
        result.originals[0].total,
        date(2026, 12, 15),
    )
    again = run(result.data, settings)
    assert (again.decision.value, again.changes, again.data) == ("route", [], result.data)


def test_deterministic(settings: Settings) -> None:
    source = (DATA / "peppol-bis-3-allowances.xml").read_bytes()
    assert run(source, settings).data == run(source, settings).data


def test_further_accounts_are_removed_and_payee_goes_before_payment_means(
    settings: Settings,
) -> None:
    source = (DATA / "peppol-bis-3-allowances.xml").read_bytes()
    result = run(source, settings)
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
    result = run(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), settings)
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
    result = run(source, company)
    assert (result.routed, result.rewritten, result.data) == (True, False, source)


def test_not_routed_is_not_rewritten(settings: Settings) -> None:
    source = (SAMPLES / "error" / "peppol-bis-3-due-date-too-soon.xml").read_bytes()
    result = run(source, settings)
    assert (result.decision.value, result.reasons, result.data) == (
        "error",
        ["due-date-too-soon"],
        source,
    )
