"""The rewrite: every changed field per Finvoice version, faithfulness, idempotence,
schema validity, the clause, company mode, refusals and the console script."""

from __future__ import annotations

import difflib
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from helpers import TEST_DATA, TODAY
from kassavirta.config.policy import Policy, RunOptions, build_policy
from kassavirta.config.settings import Settings, load_settings, settings_from_mapping
from kassavirta.findings import Decision
from kassavirta.finnish.barcode import parse_virtual_barcode, virtual_barcode
from kassavirta.finnish.reference import (
    preview_reference,
    validate_fi_reference,
    validate_rf_reference,
)
from kassavirta.pipeline.read import read_bytes
from kassavirta.rewrite import RewriteResult, rewrite_document
from kassavirta.rewrite.clause import clause_language, split_lines, transfer_clause

DATA = TEST_DATA / "rewrite"
SERVICE_IBAN = "FI9580000012345602"
SERVICE_BIC = "DABAFIHH"
PAYEE = "Visma Amili Finland Oy"

FILES = {
    # file: (version, language of the clause, had a VirtualBankBarcode)
    "finvoice-1.3.xml": ("1.3", "fi", False),
    "finvoice-2.0.xml": ("2.0", "en", True),
    "finvoice-2.01.xml": ("2.01", "sv", False),
    "finvoice-3.0.xml": ("3.0", "fi", True),
    "finvoice-3.0-soap.xml": ("3.0", "fi", True),
    "finvoice-3.0-crlf.xml": ("3.0", "fi", True),
}
CHANGED_TAGS = (
    "SellerAccountDetails|SellerAccountID|SellerBic|FactoringAgreementDetails|Factoring\\w+|"
    "VirtualBankBarcode|EpiAccountID|EpiBfi\\w+|EpiNameAddressDetails|EpiBei|"
    "EpiRemittanceInfoIdentifier|EpiReference"
)


def settings(**changes: object) -> Settings:
    base = json.loads((DATA / "settings.json").read_text(encoding="utf-8"))
    base.update(changes)
    return settings_from_mapping(base)


def policy(s: Settings | None = None, today: date = TODAY) -> Policy:
    return build_policy(RunOptions(), today=today, settings=s or settings())


def rewrite(name: str, s: Settings | None = None, *, rf: bool = False) -> RewriteResult:
    return rewrite_document((DATA / name).read_bytes(), policy(s), rf=rf, path=name)


def finvoice(data: bytes) -> etree._Element:
    """The (first) Finvoice root of a file, frame or not."""
    return read_bytes(data)[0].part.root


def text(root: etree._Element, path: str) -> str | None:
    found = root.find(path)
    return None if found is None else (found.text or "")


# --------------------------------------------------------------------------- fields


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_payment_field_is_rewritten(name: str) -> None:
    version, language, had_barcode = FILES[name]
    before = finvoice((DATA / name).read_bytes())
    result = rewrite(name)
    assert result.decision is Decision.ROUTE and result.rewritten
    root = finvoice(result.data)
    assert root.get("Version") == version

    account = root.find("EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiAccountID")
    assert account is not None
    assert (account.text, account.get("IdentificationSchemeName")) == (SERVICE_IBAN, "IBAN")
    bic = root.find("EpiDetails/EpiPartyDetails/EpiBfiPartyDetails/EpiBfiIdentifier")
    assert bic is not None
    assert (bic.text, bic.get("IdentificationSchemeName")) == (SERVICE_BIC, "BIC")
    assert root.find("EpiDetails/EpiPartyDetails/EpiBfiPartyDetails/EpiBfiName") is None
    assert root.find("EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiBei") is None
    assert (
        text(root, "EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiNameAddressDetails")
        == PAYEE
    )

    blocks = root.findall("SellerInformationDetails/SellerAccountDetails")
    assert len(blocks) == 1
    assert [(c.tag, c.text, c.get("IdentificationSchemeName")) for c in blocks[0]] == [
        ("SellerAccountID", SERVICE_IBAN, "IBAN"),
        ("SellerBic", SERVICE_BIC, "BIC"),
    ]

    seller = text(before, "SellerPartyDetails/SellerPartyIdentifier") or ""
    number = text(before, "InvoiceDetails/InvoiceNumber") or ""
    issued = text(before, "InvoiceDetails/InvoiceDate") or ""
    expected = preview_reference(
        seller, number, date(int(issued[:4]), int(issued[4:6]), int(issued[6:]))
    )
    reference = root.find("EpiDetails/EpiPaymentInstructionDetails/EpiRemittanceInfoIdentifier")
    assert reference is not None
    assert (reference.text, reference.get("IdentificationSchemeName")) == (expected, "SPY")
    assert validate_fi_reference(expected) == expected and len(expected) == 12
    assert any(f"reference {expected} is a preview value" in n for n in result.notes)

    factoring = root.find("FactoringAgreementDetails")
    assert factoring is not None
    assert [c.tag for c in factoring] == [
        "FactoringAgreementIdentifier",
        *["FactoringFreeText"] * len(factoring.findall("FactoringFreeText")),
        "FactoringPartyName",
    ]
    assert text(factoring, "FactoringAgreementIdentifier") == "AK-20261"
    assert text(factoring, "FactoringPartyName") == PAYEE
    lines = [e.text or "" for e in factoring.findall("FactoringFreeText")]
    assert lines and all(0 < len(line) <= 70 for line in lines)
    clause = transfer_clause(settings(), language, SERVICE_IBAN)
    assert " ".join(lines) == clause.text
    # Schema position: after InvoiceDetails, before VirtualBankBarcode / the first InvoiceRow.
    names = [c.tag for c in root if isinstance(c.tag, str)]
    position = names.index("FactoringAgreementDetails")
    assert names[position - 1] == "InvoiceDetails"
    assert names[position + 1] == ("VirtualBankBarcode" if had_barcode else "InvoiceRow")

    barcode = root.find("VirtualBankBarcode")
    if not had_barcode:
        assert barcode is None
    else:
        assert barcode is not None and barcode.text
        amount = Decimal((text(root, ".//EpiInstructedAmount") or "").replace(",", "."))
        due = text(root, ".//EpiDateOptionDate") or ""
        due_date = date(int(due[:4]), int(due[4:6]), int(due[6:]))
        assert barcode.text == virtual_barcode(SERVICE_IBAN, amount, expected, due_date)
        decoded = parse_virtual_barcode(barcode.text)
        assert (decoded.version, decoded.iban, decoded.reference) == (4, SERVICE_IBAN, expected)
        assert (decoded.amount, decoded.due_date) == (amount, due_date)

    fields = {c.field for c in result.changes}
    assert {
        "payment.iban",
        "payment.bic",
        "payment.beneficiary",
        "payment.reference",
        "seller_accounts",
        "factoring.agreement_id",
        "factoring.clause",
        "factoring.party_name",
    } <= fields
    assert ("virtual_barcode" in fields) == had_barcode
    # The normalised model of the output says the same.
    model = result.invoices[0]
    assert (model.payment.iban, model.payment.bic) == (SERVICE_IBAN, SERVICE_BIC)
    assert (model.payment.reference, model.payment.beneficiary) == (expected, PAYEE)


def test_diff_names_old_and_new_values_with_xpaths() -> None:
    result = rewrite("finvoice-3.0.xml")
    by_field = {c.field: c for c in result.changes}
    iban = by_field["payment.iban"]
    assert (
        iban.xpath == "/Finvoice/EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiAccountID"
    )
    assert (iban.old, iban.new) == ("FI5050000001205037", SERVICE_IBAN)
    accounts = by_field["seller_accounts"]
    assert accounts.old == "FI5050000001205037 OKOYFIHH; FI0815745000123458 NDEAFIHH"
    assert accounts.new == f"{SERVICE_IBAN} {SERVICE_BIC}"
    assert by_field["payment.epi_reference"].old == "551232"
    assert by_field["payment.bank_name"].new is None
    assert by_field["factoring.agreement_id"].old is None
    # Listed in document order.
    assert [c.field for c in result.changes][:2] == ["seller_accounts", "virtual_barcode"]


def test_missing_reference_scheme_is_set_and_existing_factoring_block_replaced() -> None:
    result = rewrite("finvoice-2.01.xml")
    by_field = {c.field: c for c in result.changes}
    scheme = by_field["payment.reference_scheme"]
    assert scheme.xpath.endswith("EpiRemittanceInfoIdentifier/@IdentificationSchemeName")
    assert (scheme.old, scheme.new) == (None, "SPY")
    assert by_field["factoring.agreement_id"].old == "RAH-778"
    assert by_field["factoring.party_name"].old == "Rahoitus Oy"
    root = finvoice(result.data)
    assert len(root.findall("FactoringAgreementDetails")) == 1
    # New account block goes before the seller's own InvoiceRecipientDetails.
    info = [c.tag for c in root.find("SellerInformationDetails")]  # type: ignore[union-attr]
    assert info == ["SellerHomeTownName", "SellerAccountDetails", "InvoiceRecipientDetails"]


def test_epi_reference_follows_only_when_it_held_the_old_reference() -> None:
    # 3.0: EpiReference copied the reference -> follows; 1.3: empty -> stays empty.
    assert "payment.epi_reference" in {c.field for c in rewrite("finvoice-3.0.xml").changes}
    result = rewrite("finvoice-1.3.xml")
    assert "payment.epi_reference" not in {c.field for c in result.changes}
    assert b"<EpiReference/>" in result.data


def test_rf_option_writes_an_iso_reference_and_a_version_5_barcode() -> None:
    result = rewrite("finvoice-3.0.xml", rf=True)
    root = finvoice(result.data)
    reference = root.find(".//EpiRemittanceInfoIdentifier")
    assert reference is not None and reference.text
    assert reference.get("IdentificationSchemeName") == "ISO"
    assert validate_rf_reference(reference.text) == reference.text
    decoded = parse_virtual_barcode(text(root, "VirtualBankBarcode") or "")
    assert decoded.version == 5 and decoded.reference == reference.text


def test_an_rf_input_gets_a_national_reference_and_version_4_by_default() -> None:
    before = finvoice((DATA / "finvoice-2.0.xml").read_bytes())
    assert parse_virtual_barcode(text(before, "VirtualBankBarcode") or "").version == 5
    root = finvoice(rewrite("finvoice-2.0.xml").data)
    assert root.find(".//EpiRemittanceInfoIdentifier").get("IdentificationSchemeName") == "SPY"  # type: ignore[union-attr]
    assert parse_virtual_barcode(text(root, "VirtualBankBarcode") or "").version == 4
    assert text(root, ".//EpiReference") == text(root, ".//EpiRemittanceInfoIdentifier")


def test_payee_name_longer_than_35_characters_is_shortened_with_a_note() -> None:
    result = rewrite(
        "finvoice-3.0.xml",
        settings(payee_name="Visma Amili Finland Oy Perintäpalvelut ja Rahoitus"),
    )
    name = text(finvoice(result.data), ".//EpiNameAddressDetails") or ""
    assert len(name) <= 35 and name.startswith("Visma Amili Finland Oy")
    assert any("shortened" in n for n in result.notes)


def test_agreement_identifier_falls_back_with_a_note() -> None:
    s = settings(vfsfi={"iban": SERVICE_IBAN, "bic": SERVICE_BIC, "account_number": ""})
    result = rewrite("finvoice-3.0.xml", s)
    assert text(finvoice(result.data), ".//FactoringAgreementIdentifier") == "2345678-0"
    assert any("stand-in" in n for n in result.notes)
    s = settings(factoring_agreement_id="KV-1")
    assert (
        text(finvoice(rewrite("finvoice-3.0.xml", s).data), ".//FactoringAgreementIdentifier")
        == "KV-1"
    )


def test_missing_service_bic_is_derived_from_the_service_iban() -> None:
    s = settings(vfsfi={"iban": SERVICE_IBAN, "account_number": "AK-20261"})
    result = rewrite("finvoice-3.0.xml", s)
    assert text(finvoice(result.data), ".//EpiBfiIdentifier") == SERVICE_BIC
    assert any("vfsfi.bic is not set" in n for n in result.notes)


# --------------------------------------------------------------------------- faithfulness


@pytest.mark.parametrize("name", sorted(FILES))
def test_output_validates_against_the_official_schema(name: str, schema_dir: Path) -> None:
    version = FILES[name][0]
    schema = etree.XMLSchema(etree.parse(str(schema_dir / f"Finvoice{version}.xsd")))
    before = read_bytes((DATA / name).read_bytes())[0].part.tree
    assert schema.validate(before), schema.error_log
    for rf in (False, True):
        after = read_bytes(rewrite(name, rf=rf).data)[0].part.tree
        assert schema.validate(after), schema.error_log


@pytest.mark.parametrize("name", sorted(FILES))
def test_same_input_gives_identical_bytes_and_a_second_run_changes_nothing(name: str) -> None:
    first = rewrite(name)
    again = rewrite(name)
    assert first.data == again.data
    assert first.data != (DATA / name).read_bytes()
    second = rewrite_document(first.data, policy(), path=name)
    assert second.decision is Decision.ROUTE
    assert second.changes == []
    assert second.data == first.data


def _strip(root: etree._Element, version_tags: re.Pattern[str]) -> bytes:
    """The document with the changed elements removed and whitespace-only text dropped."""
    for element in list(root.iter()):
        if isinstance(element.tag, str) and version_tags.fullmatch(element.tag):
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
    for element in root.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    for element in list(root.iter("SellerInformationDetails")):
        if len(element) == 0 and element.getparent() is not None:
            element.getparent().remove(element)  # type: ignore[union-attr]
    return etree.tostring(root, encoding="utf-8")


@pytest.mark.parametrize("name", sorted(FILES))
def test_untouched_parts_are_unchanged(name: str) -> None:
    source = (DATA / name).read_bytes()
    output = rewrite(name).data
    changed = re.compile(CHANGED_TAGS)
    # 1. The documents are equal once the changed elements are removed from both.
    assert _strip(finvoice(source), changed) == _strip(finvoice(output), changed)
    # 2. Byte for byte: every line the rewrite did not touch is still there, in order.
    document = read_bytes(source)[0]
    encoding = document.part.encoding or "utf-8"
    old = source.decode(encoding).splitlines(keepends=True)
    new = output.decode(encoding).splitlines(keepends=True)
    touched = re.compile(rf"</?(?:{CHANGED_TAGS}|SellerInformationDetails)\b")
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, old, new, autojunk=False
    ).get_opcodes():
        if tag == "equal":
            continue
        for line in old[i1:i2] + new[j1:j2]:
            assert touched.search(line), f"{tag} touched an unchanged line: {line!r}"
    # 3. The prolog (declaration, PIs, comments) and any transmission frame are the same bytes.
    start = document.part.start
    head = source[: source.index(b"<Finvoice", start)]
    assert output.startswith(head)


def test_declaration_line_endings_and_quoting_are_kept() -> None:
    source = (DATA / "finvoice-3.0-crlf.xml").read_bytes()
    output = rewrite("finvoice-3.0-crlf.xml").data
    assert output.startswith(b"<?xml version='1.0' encoding='ISO-8859-15' standalone='yes'?>\r\n")
    assert output.count(b"\n") == output.count(b"\r\n")  # no bare LF crept in
    for kept in (
        b"H&#228;meenkatu",
        b"<![CDATA[Alv.rek. <ALV>]]>",
        b"<!-- payee: changed by the service -->",
        b"Kiitos &amp; tervetuloa uudelleen &gt; 2027",
        b"<EpiAccountID IdentificationSchemeName='IBAN'>FI9580000012345602</EpiAccountID>",
    ):
        assert kept in output
    # Inserted elements are indented like their siblings (tabs here).
    assert b"\r\n\t<FactoringAgreementDetails>\r\n\t\t<FactoringAgreementIdentifier>" in output
    assert source.count(b"\t<InvoiceRow>") == output.count(b"\t<InvoiceRow>")


@pytest.mark.parametrize(
    ("name", "encoding", "word"),
    [
        ("finvoice-1.3.xml", "ISO-8859-1", "Tämä saatava"),
        ("finvoice-2.01.xml", "UTF-8", "överlåtits"),
        ("finvoice-3.0.xml", "ISO-8859-15", "Tämä saatava"),
    ],
)
def test_encoding_declaration_is_kept_and_used(name: str, encoding: str, word: str) -> None:
    output = rewrite(name).data
    assert output.startswith(f'<?xml version="1.0" encoding="{encoding}"?>'.encode())
    assert word.encode(encoding) in output


def test_the_transmission_frame_is_kept_byte_for_byte() -> None:
    source = (DATA / "finvoice-3.0-soap.xml").read_bytes()
    frame_end = source.index(b"</SOAP-ENV:Envelope>") + len(b"</SOAP-ENV:Envelope>")
    output = rewrite("finvoice-3.0-soap.xml").data
    assert output[:frame_end] == source[:frame_end]
    assert read_bytes(output)[0].frame is not None


def test_several_invoices_in_one_file_are_each_rewritten() -> None:
    one = (DATA / "finvoice-3.0-soap.xml").read_bytes()
    two = one.replace(b"2026-0420", b"2026-0422")
    result = rewrite_document(one + two, policy(), path="two.xml")
    assert result.decision is Decision.ROUTE
    documents = read_bytes(result.data)
    assert len(documents) == 2
    references = [text(d.part.root, ".//EpiRemittanceInfoIdentifier") for d in documents]
    assert len(set(references)) == 2
    assert {c.document for c in result.changes} == {1, 2}
    # Both frames are kept.
    assert result.data.count(b"<SOAP-ENV:Envelope") == 2
    assert result.data.count(b"<eb:MessageId>SUMU-2026-0422</eb:MessageId>") == 1


def test_invoice_without_payment_structure_cannot_be_rewritten() -> None:
    from kassavirta.rewrite import RewriteError

    broken = (DATA / "finvoice-1.3.xml").read_bytes()
    broken = re.sub(
        rb"\s*<EpiBeneficiaryPartyDetails>.*?</EpiBeneficiaryPartyDetails>", b"", broken, flags=re.S
    )
    with pytest.raises(RewriteError, match="EpiBeneficiaryPartyDetails"):
        rewrite_document(broken, policy(), path="broken.xml")


# --------------------------------------------------------------------------- clause


@pytest.mark.parametrize(
    ("code", "language"),
    [
        (None, "fi"),
        ("FI", "fi"),
        ("sv", "sv"),
        ("SV", "sv"),
        ("en-GB", "en"),
        ("de", "fi"),
        ("", "fi"),
    ],
)
def test_clause_language_follows_the_recipient_language_code(
    code: str | None, language: str
) -> None:
    assert clause_language(code) == language


def test_clause_templates_name_the_service_account_and_contacts() -> None:
    s = settings()
    for language, word in (("fi", "velkojalle"), ("sv", "överlåtits"), ("en", "assigned")):
        clause = transfer_clause(s, language, SERVICE_IBAN)
        assert clause.source == "template" and clause.language == language
        assert word in clause.text
        for part in (PAYEE, "FI95 8000 0012 3456 02", "laskutus@sumu.example", "+358 40 123 4567"):
            assert part in clause.text
        assert " ".join(clause.lines) == clause.text


def test_clause_without_contacts_leaves_the_contact_sentence_out() -> None:
    s = settings(customer_service_email=None, customer_service_phone_number=None)
    clause = transfer_clause(s, "en", SERVICE_IBAN)
    assert "Questions" not in clause.text and "assigned" in clause.text


def test_vfsfi_notes_override_the_template_for_their_language_only() -> None:
    phrase = (
        "Tämä lasku on siirretty Visma Amili Finland Oy:lle, jolle maksu on suoritettava "
        "pätevästi. Lisätiedot: asiakaspalvelu@amili.example"
    )
    s = settings(
        vfsfi={
            "iban": SERVICE_IBAN,
            "bic": SERVICE_BIC,
            "account_number": "AK-20261",
            "notes": [{"phrase": phrase, "code": "FI"}, {"phrase": "Överlåten.", "code": "sv"}],
        }
    )
    fi = transfer_clause(s, "FI", SERVICE_IBAN)
    assert (fi.source, fi.text) == ("vfsfi.notes", phrase)
    assert transfer_clause(s, "sv", SERVICE_IBAN).text == "Överlåten."
    assert transfer_clause(s, "en", SERVICE_IBAN).source == "template"
    # In the XML: the phrase, split into lines of at most 70 characters.
    root = finvoice(rewrite("finvoice-3.0.xml", s).data)
    lines = [e.text or "" for e in root.findall(".//FactoringFreeText")]
    assert " ".join(lines) == phrase and max(map(len, lines)) <= 70 and len(lines) == 2
    en = finvoice(rewrite("finvoice-2.0.xml", s).data)
    assert "assigned" in " ".join(e.text or "" for e in en.findall(".//FactoringFreeText"))


def test_split_lines_keeps_words_and_cuts_only_overlong_ones() -> None:
    assert split_lines("a b c", 3) == ("a b", "c")
    assert split_lines("x" * 75, 70) == ("x" * 70, "x" * 5)
    text = "Saatavan voi maksaa velasta vapauttavasti vain tilille FI95 8000 0012 3456 02."
    assert all(len(line) <= 70 for line in split_lines(text))


# --------------------------------------------------------------------------- vectors


def test_preview_reference_vectors() -> None:
    # Deterministic, 12 digits, 7-3-1 check digit; the RF form wraps the national one.
    ref = preview_reference("2345678-0", "2026-0412", date(2026, 11, 20))
    assert ref == preview_reference(" 2345678-0 ", "2026-0412", date(2026, 11, 20))
    assert len(ref) == 12 and validate_fi_reference(ref) == ref
    rf = preview_reference("2345678-0", "2026-0412", date(2026, 11, 20), rf=True)
    assert rf.endswith(ref) and validate_rf_reference(rf) == rf
    assert preview_reference("2345678-0", "2026-0413", date(2026, 11, 20)) != ref


@pytest.mark.parametrize(
    ("iban", "amount", "reference", "due", "expected"),
    [
        # Worked examples of the bank barcode guide (Pankkiviivakoodi-opas), restated.
        ("FI79 4405 2020 0360 82", "4883.15", "86851 62596 19897", date(2010, 6, 12),
         "479440520200360820048831500000000868516259619897100612"),
        ("FI79 4405 2020 0360 82", "4883.15", "RF09 8685 1625 9619 897", date(2010, 6, 12),
         "579440520200360820048831509000000868516259619897100612"),
    ],
)  # fmt: skip
def test_virtual_barcode_vectors(
    iban: str, amount: str, reference: str, due: date, expected: str
) -> None:
    assert virtual_barcode(iban, Decimal(amount), reference, due) == expected


# --------------------------------------------------------------------------- company, refusal


def test_company_mode_changes_nothing() -> None:
    source = (DATA / "finvoice-3.0.xml").read_bytes()
    result = rewrite_document(source, policy(settings(accountable_party="company")))
    assert result.decision is Decision.ROUTE and result.company and not result.rewritten
    assert result.data == source and result.changes == []
    assert any("accountable_party is company" in n for n in result.notes)


def test_non_routed_invoices_are_refused_with_their_decision() -> None:
    source = (DATA / "finvoice-3.0.xml").read_bytes()
    late = rewrite_document(source, policy(today=date(2026, 12, 10)))
    assert late.decision is Decision.ERROR and late.reasons == ["due-date-too-soon"]
    assert late.data == source and late.changes == []
    inactive = rewrite_document(source, policy(settings(status="PENDING")))
    assert (inactive.decision, inactive.reasons) == (Decision.BYPASS, ["service-inactive"])
    usd = source.replace(b'AmountCurrencyIdentifier="EUR"', b'AmountCurrencyIdentifier="USD"')
    assert rewrite_document(usd, policy()).reasons == ["non-eur"]
    broken = rewrite_document(b"<Finvoice Version='3.0'><oops", policy())
    assert (broken.decision, broken.reasons) == (Decision.INVALID, ["not-xml"])


# --------------------------------------------------------------------------- console script

ARGS = ("--settings", str(DATA / "settings.json"), "--today", "2026-12-01", "--no-config")


def test_cli_rewrite_to_stdout_and_diff_on_stderr(cli) -> None:  # type: ignore[no-untyped-def]
    # A UTF-8 invoice, so that the fixture's text-mode pipe can read the XML back.
    done = cli("rewrite", str(DATA / "finvoice-2.01.xml"), *ARGS, "--diff")
    assert done.returncode == 0, done.stderr
    assert done.stdout == rewrite("finvoice-2.01.xml").data.decode("utf-8")
    assert (
        "/Finvoice/EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiAccountID: "
        f"FI0815745000123458 → {SERVICE_IBAN}"
    ) in done.stderr
    assert "FactoringAgreementIdentifier: RAH-778 → AK-20261" in done.stderr
    assert "EpiBfiName: Nordea → (removed)" in done.stderr
    assert "is a preview value" in done.stderr


def test_cli_rewrite_to_a_file_with_the_diff_on_stdout(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out" / "rewritten.xml"
    done = cli("rewrite", str(DATA / "finvoice-2.01.xml"), *ARGS, "-o", str(out), "--diff")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == rewrite("finvoice-2.01.xml").data
    assert "EpiRemittanceInfoIdentifier/@IdentificationSchemeName: (none) → SPY" in done.stdout
    assert [p.name for p in out.parent.iterdir()] == ["rewritten.xml"]  # no temp file left


def test_cli_rewrite_json(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.xml"
    done = cli(
        "rewrite", str(DATA / "finvoice-3.0.xml"), *ARGS, "--output", "json", "--rf", "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["decision"] == "route" and doc["reasons"] == [] and doc["rewritten"] is True
    change = next(c for c in doc["changes"] if c["field"] == "payment.reference")
    assert set(change) == {"xpath", "field", "old", "new"}
    assert change["new"].startswith("RF") and change["old"] == "551232"
    assert any("preview value" in n for n in doc["notes"])
    assert out.read_bytes() == rewrite("finvoice-3.0.xml", rf=True).data


def test_cli_rewrite_company_mode_outputs_the_input(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    company = tmp_path / "company.json"
    data = json.loads((DATA / "settings.json").read_text(encoding="utf-8"))
    company.write_text(json.dumps({**data, "accountable_party": "company"}), encoding="utf-8")
    out = tmp_path / "same.xml"
    done = cli(
        "rewrite",
        str(DATA / "finvoice-3.0.xml"),
        "--settings",
        str(company),
        "--today",
        "2026-12-01",
        "--no-config",
        "-o",
        str(out),
        "--diff",
    )
    assert done.returncode == 0
    assert out.read_bytes() == (DATA / "finvoice-3.0.xml").read_bytes()
    assert "accountable_party is company" in done.stderr
    assert "→" not in done.stdout


def test_cli_rewrite_refuses_a_non_routed_invoice(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "never.xml"
    late = ("--settings", str(DATA / "settings.json"), "--today", "2026-12-10", "--no-config")
    done = cli("rewrite", str(DATA / "finvoice-3.0.xml"), *late, "-o", str(out))
    assert done.returncode == 1
    assert "not rewritten: the decision is error (due-date-too-soon)" in done.stderr
    assert "code #13" in done.stderr
    assert not out.exists() and done.stdout == ""
    done = cli("rewrite", str(DATA / "finvoice-3.0.xml"), *late, "--output", "json")
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    assert doc["decision"] == "error" and doc["changes"] == []
    assert doc["findings"][0]["rule"] == "due-date-too-soon"


def test_cli_rewrite_usage_errors(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    no_settings = cli("rewrite", str(DATA / "finvoice-3.0.xml"), "--no-config")
    assert no_settings.returncode == 2 and "settings" in no_settings.stderr
    missing = cli("rewrite", str(tmp_path / "nope.xml"), *ARGS)
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    helped = cli("rewrite", "--help")
    assert helped.returncode == 0 and "--diff" in helped.stdout and "--today" in helped.stdout


def test_cli_rewrite_sample_set(cli, samples: Path) -> None:  # type: ignore[no-untyped-def]
    invoice = samples / "route" / "finvoice-3.0.xml"
    if not invoice.is_file():
        pytest.skip("the sample set has no routed Finvoice 3.0 invoice")
    done = cli("rewrite", str(invoice), "--diff")  # settings and today from samples/kassavirta.toml
    assert done.returncode == 0, done.stderr
    service = load_settings(samples / "settings.json").vfsfi
    assert service is not None and service.iban
    assert f"→ {service.iban}" in done.stderr
    assert service.iban in done.stdout


def test_the_input_is_read_and_adapted_once_and_the_output_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One pass: the check's document and invoice feed the rewrite; only the output is read again.

    The output is parsed to verify it; it is read into models only when asked
    (the preview does; a rewrite to a file does not), and then once.
    """
    import kassavirta.formats
    import kassavirta.pipeline.evaluate
    import kassavirta.rewrite
    from kassavirta.decision import steps

    reads: list[bytes] = []
    adapted: list[str] = []

    def counting_read(data: bytes, **kwargs: Any) -> Any:
        reads.append(data)
        return read_bytes(data, **kwargs)

    def counting_lookup(lookup: Any) -> Any:
        def adapter_for(format_id: str) -> Any:
            adapter = lookup(format_id)

            def adapt(document: Any) -> Any:
                adapted.append(format_id)
                return adapter(document)

            return adapt if adapter is not None else None

        return adapter_for

    monkeypatch.setattr(kassavirta.pipeline.evaluate, "read_bytes", counting_read)
    monkeypatch.setattr(kassavirta.rewrite, "read_written", counting_read)
    monkeypatch.setattr(steps, "adapter_for", counting_lookup(steps.adapter_for))
    monkeypatch.setattr(
        kassavirta.formats, "adapter_for", counting_lookup(kassavirta.formats.adapter_for)
    )
    source = (DATA / "finvoice-3.0.xml").read_bytes()
    result = rewrite("finvoice-3.0.xml")
    assert result.rewritten
    assert reads == [source, result.data]
    assert adapted == ["finvoice-3.0"]
    assert result.invoices[0].payment.iban == result.plans[0].iban
    assert result.invoices is result.invoices
    assert reads == [source, result.data, result.data]
    assert adapted == ["finvoice-3.0", "finvoice-3.0"]
    # A preview asks for the models up front: the parse that verifies the output reads them.
    reads.clear()
    adapted.clear()
    previewed = rewrite_document(source, policy(), path="finvoice-3.0.xml", models=True)
    assert reads == [source, previewed.data]
    assert adapted == ["finvoice-3.0", "finvoice-3.0"]
    assert previewed.invoices[0].payment.iban == previewed.plans[0].iban
    assert reads == [source, previewed.data]


def test_a_dense_invoice_the_check_takes_is_rewritten_and_read_back() -> None:
    """The output is read again under the default limit's markup allowance, not one scaled
    down to its own size: a small file may be denser than a full-size one (`read_bytes`)."""
    source = (DATA / "finvoice-3.0.xml").read_bytes()
    padding = b"<InvoiceDetails>" + b"<Unknown/>" * 5000
    dense = source.replace(b"<InvoiceDetails>", padding, 1)
    assert len(dense) / 6 < 2 * 5000  # denser than the allowance scaled to its size
    result = rewrite_document(dense, policy(), path="dense.xml")
    assert result.decision is Decision.ROUTE and result.rewritten, result.reasons
    assert result.data.count(b"<Unknown/>") == 5000
