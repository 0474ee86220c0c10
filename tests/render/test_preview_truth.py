"""The preview tells the truth for every format (issue 14): identifiers under their own
names, document-level charges and allowances printed so the page adds up, long texts
wrapped rather than cut, and a credit note printed as one (no payment slip, no barcode).

Expected values are read from the XML files by hand (the reference files are others'
writing; `tests/data` and `samples` are ours), never taken from our own output.
"""

from __future__ import annotations

import base64
import io
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import REFERENCE, TEST_DATA, adapt_as, make_variant
from kassavirta.config.policy import RunOptions, build_policy
from kassavirta.config.settings import settings_from_mapping
from kassavirta.model import (
    LEGAL_REGISTRATION,
    PARTNER_ASSIGNED,
    Address,
    DocumentCharge,
    Party,
)
from kassavirta.render import build_pages, render_html, render_pdf
from kassavirta.render.view import Page, charge_line, identifier_label
from kassavirta.rewrite import RewriteResult, rewrite_document

pypdf = pytest.importorskip("pypdf")

D = Decimal
DATA = TEST_DATA / "rewrite"
OTHER = REFERENCE / "samples" / "other"
PEPPOL_EXAMPLE = OTHER / "peppol_bis3_base-example.xml"
PEPPOL_CREDIT_NOTE = OTHER / "peppol_bis3_base-creditnote-correction.xml"
CII_EXAMPLE1 = OTHER / "cii_en16931_CII_example1.xml"
FINVOICE_CREDIT_NOTE = REFERENCE / "samples" / "fv1.3_gobl_credit-note_INV02_RECONSTRUCTED.xml"
ALLOWANCES = TEST_DATA / "formats" / "peppol-bis-3-allowances.xml"


def rewrite(source: Path | bytes, today: date = date(2026, 12, 1)) -> RewriteResult:
    if isinstance(source, Path) and not source.is_file():
        pytest.skip(f"{source} is not available")
    data = source.read_bytes() if isinstance(source, Path) else source
    settings = settings_from_mapping(json.loads((DATA / "settings.json").read_text("utf-8")))
    policy = build_policy(RunOptions(), today=today, settings=settings)
    result = rewrite_document(data, policy, path="invoice.xml")
    assert result.routed, result.reasons
    return result


def pdf_text(pages: list[Page]) -> str:
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(pages)))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def html_text(pages: list[Page]) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", render_html(pages)).split())


# --------------------------------------------------------------------------- identifiers


def party(value: str, scheme: str | None, country: str | None = None) -> Party:
    return Party(business_id=value, business_id_scheme=scheme, address=Address(country=country))


@pytest.mark.parametrize(
    ("value", "scheme", "country", "which", "expected"),
    [
        ("2345678-0", None, None, "seller", "Y-tunnus"),  # Finvoice, TEAPPSXML: no scheme
        ("2345678-0", "0212", None, "seller", "Y-tunnus"),
        ("1572860-0", "0216", "FI", "seller", "Y-tunnus"),  # an OVT code read as the Y-tunnus
        ("1572860-0", "0213", "FI", "seller", "Y-tunnus"),  # a FI VAT number read as one
        ("2345678-0", LEGAL_REGISTRATION, "FI", "seller", "Y-tunnus"),
        ("2345678-1", None, "FI", "seller", "Osapuolen tunniste"),  # wrong check digit
        ("000000-1", None, "FI", "buyer", "Osapuolen tunniste"),
        ("CL12221", None, None, "buyer", "Osapuolen tunniste"),  # Finvoice 1.0's buyer code
        ("FI1234567-8", None, "FI", "buyer", "Osapuolen tunniste"),
        ("0037123456", "0037", "FI", "seller", "OVT-tunnus"),  # not a valid OVT code
        ("FI12345678", "0213", "FI", "seller", "ALV-tunniste"),
        ("DE123456789", "9930", "DE", "seller", "ALV-tunniste"),
        ("6412345678908", "0088", "FI", "buyer", "GLN"),
        ("5567321707", "0007", "SE", "seller", "Organisationsnummer"),
        ("974760673", "0192", "NO", "seller", "Organisasjonsnummer"),
        ("GB983294", LEGAL_REGISTRATION, "GB", "seller", "Company number"),
        ("HRB 12345", LEGAL_REGISTRATION, "DE", "seller", "Handelsregister"),
        ("5567321707", LEGAL_REGISTRATION, "SE", "buyer", "Organisationsnummer"),
        ("12-345", LEGAL_REGISTRATION, "PL", "seller", "Yritystunniste"),
        ("12-345", LEGAL_REGISTRATION, None, "seller", "Yritystunniste"),
        ("10202", PARTNER_ASSIGNED, "NL", "buyer", "Asiakasnumero"),
        ("99887766", PARTNER_ASSIGNED, "GB", "seller", "Toimittajanumero"),
        ("AB123", "0230", "MY", "seller", "Yritystunniste (tunnistelaji 0230)"),
    ],
)
def test_identifiers_are_named_by_their_scheme(
    value: str, scheme: str | None, country: str | None, which: str, expected: str
) -> None:
    assert identifier_label(party(value, scheme, country), which, "fi") == expected


def test_identifier_names_per_language() -> None:
    partner = party("10202", PARTNER_ASSIGNED, "NL")
    unknown = party("AB123", "0230", "MY")
    assert [identifier_label(partner, "buyer", lang) for lang in ("fi", "sv", "en")] == [
        "Asiakasnumero",
        "Kundnummer",
        "Customer number",
    ]
    assert identifier_label(unknown, "seller", "en") == "Company ID (scheme 0230)"
    assert identifier_label(party("2345678-0", None), "seller", "sv") == "FO-nummer"


def test_peppol_example_foreign_ids_are_not_y_tunnus() -> None:
    """Seller: `PartyLegalEntity/CompanyID` GB983294 without a scheme, in GB (a UK company
    number); buyer: CompanyID schemeID 0183 (the Swiss UID); both VAT numbers in
    `PartyTaxScheme/CompanyID`."""
    pages = build_pages(rewrite(PEPPOL_EXAMPLE, date(2017, 11, 1)))
    for text in (pdf_text(pages), html_text(pages)):
        assert "Y-tunnus" not in text
        assert "Company number GB983294" in text
        assert "UID 39937423947" in text
        assert "ALV-tunniste GB1232434" in text and "ALV-tunniste SE4598375937" in text


def test_cii_customer_number_is_not_a_business_id(reference: Path) -> None:
    """CII example 1: the buyer is known only by `BuyerTradeParty/ram:ID` 10202 (BT-46,
    no scheme: the seller's number for its customer); the seller by
    `SpecifiedLegalOrganization/ram:ID` 57151520, in NL (a KvK number)."""
    if not CII_EXAMPLE1.is_file():
        pytest.skip(f"{CII_EXAMPLE1} is not available")
    invoice = adapt_as(CII_EXAMPLE1, "cii")
    assert (invoice.buyer.business_id, invoice.buyer.business_id_scheme) == (
        "10202",
        PARTNER_ASSIGNED,
    )
    assert identifier_label(invoice.buyer, "buyer", "en") == "Customer number"
    assert identifier_label(invoice.seller, "seller", "en") == "KvK-nummer"


def test_finvoice_3_scheme_id_is_kept() -> None:
    """Finvoice 3.0 `SellerPartyIdentifier/@SchemeID` (ISO 6523) names the identifier."""
    source = make_variant(
        DATA / "finvoice-3.0.xml",
        ("//SellerPartyIdentifier", "attr:SchemeID", "0088"),
        ("//SellerPartyIdentifier", "text", "6412345678908"),
    )
    result = rewrite(source)
    assert result.invoices[0].seller.business_id_scheme == "0088"
    text = pdf_text(build_pages(result))
    assert "GLN 6412345678908" in text and "Y-tunnus 6412345678908" not in text
    # The buyer's own Y-tunnus, written without a scheme, is still one.
    assert "Y-tunnus" in text


# --------------------------------------------------------------------------- charges


def test_charge_line_vat_as_written_or_at_its_rate() -> None:
    written = charge_line(DocumentCharge(amount=D("12.00"), vat_amount=D("3.06")), "en")
    assert (written.text, written.vat, written.total) == ("Charge", D("3.06"), D("15.06"))
    gross = DocumentCharge(
        allowance=True, reason="Bonus", amount=D("10"), amount_with_vat=D("12.55")
    )
    line = charge_line(gross, "fi")
    assert (line.text, line.vat_excluded, line.vat, line.total) == (
        "Alennus: Bonus", D("-10"), D("-2.55"), D("-12.55"),
    )  # fmt: skip
    rated = charge_line(DocumentCharge(amount=D("15.00"), vat_percent=D("25.5")), "sv")
    assert (rated.text, rated.vat, rated.total) == ("Tillägg", D("3.83"), D("18.83"))
    bare = charge_line(DocumentCharge(amount=D("5")), "en")
    assert (bare.vat, bare.total) == (None, D("5"))


def adds_up(page: Page) -> list[str]:
    """The total column as printed (rows, charges, the VAT beyond the lines'), checked to
    add up with the rounding to the invoice total; rows the format's own total leaves out
    are printed in parentheses and not added."""
    printed = [line.cells[-1] for line in page.lines]
    added = [x for x in printed if x and not x.startswith("(")]
    as_number = (D(x.replace(" ", "").replace(",", ".")) for x in added)
    assert sum(as_number, D(0)) + (page.invoice.rounding or 0) == page.invoice.total
    return printed


@pytest.mark.parametrize(
    ("source", "today", "printed", "lines"),
    [
        # Ours: rows 420.00 at 25.5 % (VAT 107.10) and 37.05 at 14 % (VAT 5.19); an allowance
        # of 20.00 and a charge of 15.00 at 25.5 %; rounding 0.03: 563.07 + 0.03.
        (
            ALLOWANCES,
            date(2026, 12, 1),
            ["527,10", "42,24", "-25,10", "18,83"],
            [
                "Alennus: Sopimusalennus 25,5 -20,00 -5,10 -25,10",
                "Lisämaksu: Rahti 25,5 15,00 3,83 18,83",
            ],
        ),
        # Ours: rows 602.40 and 45.40; DiscountDetails 30.00 and ChargeDetails 65.00 at 25.5 %.
        (
            TEST_DATA / "formats" / "finvoice-3.0-document-charges.xml",
            date(2026, 12, 1),
            ["602,40", "45,40", "-37,65", "81,58"],
            [
                "Alennus: Kanta-asiakasalennus 25,5 -30,00 -7,65 -37,65",
                "Lisämaksu: Kuljetus työmaalle 25,5 65,00 16,58 81,58",
            ],
        ),
        # Ours (sv): lines 500.00 at 25.5 % and 80.00 at 14 % (a sub-line is a detail, not a
        # row); an allowance of 25.00 and a charge of 10.00 at 25.5 %; the tax total's 123.68
        # at 25.5 % is a cent more than the lines' own VAT (127.50 − 6.38 + 2.55); rounding 0.02.
        (
            TEST_DATA / "formats" / "cii-xrechnung.xml",
            date(2026, 11, 25),
            ["627,50", "91,20", "-31,38", "12,55", "0,01"],
            [
                "Rabatt: Avtalsrabatt 25,5 -25,00 -6,38 -31,38",
                "Tillägg: Frakt 25,5 10,00 2,55 12,55",
                "Momsavrundning 0,01 0,01",
            ],
        ),
        # Ours: "josta matkatyötä" (of which travel) and "Välisumma" (subtotal) are rows its
        # own row total leaves out; DISCOUNT 20.00 and CHARGES 5.00 at 25.5 %.
        (
            TEST_DATA / "formats" / "teappsxml-3.0-charges.xml",
            date(2026, 12, 1),
            ["753,00", "(150,60)", "75,30", "(828,30)", "-25,10", "6,28"],
            [
                "josta matkatyötä 2 h 60,00 25,5 (120,00) (30,60) (150,60)",
                "Välisumma (660,00) (828,30)",
                "Alennus: Kanta-asiakasalennus 25,5 -20,00 -5,10 -25,10",
            ],
        ),
        # The Peppol billing example: rows 2,800.00 and −1,500.00 at 25 % (3,500.00 and
        # −1,875.00 with VAT, 1,625.00 together) under a total of 1,656.25; its AllowanceCharge
        # "Insurance", 25 at 25 %, is the missing 31.25.
        (
            PEPPOL_EXAMPLE,
            date(2017, 11, 1),
            ["3 500,00", "-1 875,00", "31,25"],
            ["Lisämaksu: Insurance 25 25,00 6,25 31,25"],
        ),
    ],
    ids=[
        "peppol-allowance-and-charge",
        "finvoice-3.0",
        "cii-xrechnung",
        "teappsxml-3.0",
        "peppol-example",
    ],
)
def test_document_charges_make_the_page_add_up(
    source: Path, today: date, printed: list[str], lines: list[str]
) -> None:
    [page] = build_pages(rewrite(source, today))
    assert adds_up(page) == printed
    text = pdf_text([page])
    for line in lines:
        assert line in text
    html = render_html([page])
    charges = [line for line in page.lines if line.kind == "charge"]
    assert html.count('<tr class="charge">') == len(charges)
    for line in page.lines:
        assert f"<td>{line.cells[0]}</td>" in html


def test_no_charges_no_charge_lines() -> None:
    [page] = build_pages(rewrite(DATA / "finvoice-3.0.xml"))
    assert page.charges == [] and 'class="charge"' not in render_html([page])


# --------------------------------------------------------------------------- wrapping


def test_long_payment_terms_are_wrapped_not_cut() -> None:
    """The Peppol example's `cac:PaymentTerms/cbc:Note`: "Payment within 10 days, 2% discount"
    (it was printed "Payment within 10 days, 2…")."""
    pages = build_pages(rewrite(PEPPOL_EXAMPLE, date(2017, 11, 1)))
    text = pdf_text(pages)
    assert "Payment within 10 days, 2% discount" in text and "…" not in text
    assert "<td>Payment within 10 days, 2% discount</td>" in render_html(pages)


def test_long_row_text_and_names_are_wrapped_not_cut() -> None:
    article = (
        "Kahvipapu Sumu Blend 1 kg, vaaleapaahtoinen, luomu ja reilun kaupan sertifioitu, "
        "toimitus kuukausittain"
    )
    seller = "Kahvipaahtimo Sumu Oy Tampereen Paahtimo ja Kahvilatukku Pirkanmaan Toimipiste"
    source = make_variant(
        DATA / "finvoice-3.0.xml",
        ("(//InvoiceRow/ArticleName)[1]", "text", article),
        ("//SellerOrganisationName", "text", seller),
    )
    pages = build_pages(rewrite(source))
    text = pdf_text(pages)
    assert article in text and seller in text and "…" not in text
    html = html_text(pages)
    assert article in html and seller in html


def test_pdf_wrap_fits_every_line_and_keeps_every_word() -> None:
    from kassavirta.render.pdf import _Invoice

    pdf = _Invoice(unit="mm", format="A4")
    text = "Maksuehto: 14 päivää netto, " + "x" * 80 + " viivästyskorko 8 %"
    lines = pdf.wrap(text, 44, size=9)
    assert len(lines) > 2 and "".join(lines).replace(" ", "") == text.replace(" ", "")
    pdf.set_font("Helvetica", "", 9)
    assert all(pdf.get_string_width(line) <= 43 for line in lines)


# --------------------------------------------------------------------------- credit notes


@pytest.mark.parametrize(
    ("source", "today", "credited"),
    [
        # gobl's Finvoice 1.3 INV02: EpiInstructedAmount and the total are -125.50.
        (FINVOICE_CREDIT_NOTE, date(2026, 12, 1), "125,50"),
        # Peppol CreditNote: positive amounts, PayableAmount 1656.25.
        (PEPPOL_CREDIT_NOTE, date(2017, 11, 1), "1 656,25"),
    ],
    ids=["finvoice-1.3-INV02", "peppol-CreditNote"],
)
def test_credit_note_is_printed_as_a_credit_note(source: Path, today: date, credited: str) -> None:
    result = rewrite(source, today)
    [page] = build_pages(result)
    assert page.credit and page.barcode is None and page.qr_payload is None
    text = pdf_text([page])
    assert "HYVITYSLASKU" in text and "ÄLÄ MAKSA" in text
    assert f"Hyvitettävä: {credited} EUR" in text
    # No payment slip: no bank barcode, no payer box, no amount to pay, no due date.
    for slip_word in ("PANKKIVIIVAKOODI", "MAKSAJA", "Maksettava", "Eräpäivä", "EURO"):
        assert slip_word.casefold() not in text.casefold(), slip_word
    html = render_html([page])
    assert "data:image" not in html and "ÄLÄ MAKSA" in html
    assert f'<span class="big">{credited} EUR</span>' in html
    assert "Eräpäivä" not in html and "Maksettava" not in html


def test_invoice_still_has_its_slip() -> None:
    [page] = build_pages(rewrite(DATA / "finvoice-3.0.xml"))
    assert not page.credit and page.barcode and page.qr_payload
    text = pdf_text([page])
    assert "ÄLÄ MAKSA" not in text and "PANKKIVIIVAKOODI" in text and "Maksettava" in text
    images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', render_html([page]))
    assert [base64.b64decode(i)[:4] for i in images] == [b"<svg", b"<svg"]
