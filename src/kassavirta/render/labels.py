"""The printed words of the invoice image, in the recipient's language (fi / sv / en)."""

from __future__ import annotations

from typing import Final

from kassavirta.rewrite.clause import Language

LABELS: Final[dict[str, tuple[str, str, str]]] = {
    # key: (fi, sv, en)
    "invoice": ("LASKU", "FAKTURA", "INVOICE"),
    "credit_note": ("HYVITYSLASKU", "KREDITNOTA", "CREDIT NOTE"),
    "seller": ("Myyjä", "Säljare", "Seller"),
    "buyer": ("Ostaja", "Köpare", "Buyer"),
    "recipient": ("Laskun vastaanottaja", "Fakturamottagare", "Invoice recipient"),
    "number": ("Laskun numero", "Fakturanummer", "Invoice number"),
    "date": ("Laskun päivämäärä", "Fakturadatum", "Invoice date"),
    "due_date": ("Eräpäivä", "Förfallodag", "Due date"),
    "reference": ("Viitenumero", "Referensnummer", "Reference"),
    "terms": ("Maksuehto", "Betalningsvillkor", "Payment terms"),
    "interest": ("Viivästyskorko", "Dröjsmålsränta", "Late payment interest"),
    "business_id": ("Y-tunnus", "FO-nummer", "Business ID"),
    "vat_number": ("ALV-tunniste", "Momsnummer", "VAT number"),
    "item": ("Tuote", "Produkt", "Item"),
    "quantity": ("Määrä", "Antal", "Qty"),
    "unit_price": ("À-hinta", "À-pris", "Unit price"),
    "vat_percent": ("ALV %", "Moms %", "VAT %"),
    "vat_excluded": ("Veroton", "Exkl. moms", "Excl. VAT"),
    "vat": ("ALV", "Moms", "VAT"),
    "row_total": ("Yhteensä", "Totalt", "Total"),
    "vat_breakdown": ("ALV-erittely", "Momsspecifikation", "VAT breakdown"),
    "vat_base": ("Veron peruste", "Beskattningsunderlag", "Taxable amount"),
    "total_vat_excluded": ("Veroton yhteensä", "Totalt exkl. moms", "Total excl. VAT"),
    "total_vat": ("ALV yhteensä", "Moms totalt", "Total VAT"),
    "rounding": ("Pyöristys", "Avrundning", "Rounding"),
    "total": ("Laskun summa", "Fakturans belopp", "Invoice total"),
    "paid": ("Maksettu", "Betalt", "Paid"),
    "amount_due": ("Maksettava", "Att betala", "Amount due"),
    "payment": ("Maksutiedot", "Betalningsuppgifter", "Payment details"),
    "payee_account": ("Saajan tilinumero", "Mottagarens kontonummer", "Payee's account"),
    "payee": ("Saaja", "Mottagare", "Payee"),
    "payer": ("Maksaja", "Betalare", "Payer"),
    "amount": ("Euro", "Euro", "Amount (EUR)"),
    "clause": ("Siirtolauseke", "Överlåtelseklausul", "Transfer clause"),
    "barcode": ("Pankkiviivakoodi", "Bankstreckkod", "Bank barcode"),
    "qr": ("Maksa QR-koodilla", "Betala med QR-kod", "Pay with the QR code"),
    "preview": (
        "ESIKATSELU: viitenumero on esikatseluarvo, palvelu antaa lopullisen viitteen.",
        "FÖRHANDSVISNING: referensnumret är ett exempel, tjänsten ger det slutliga.",
        "PREVIEW: the reference is a preview value; the service assigns the real one.",
    ),
    "original_image": (
        "Lasku lähetetään omilla maksutiedoillaan (accountable_party = company).",
        "Fakturan skickas med sina egna betalningsuppgifter (accountable_party = company).",
        "The invoice is sent with its own payment details (accountable_party = company).",
    ),
}
UNITS: Final[dict[str, tuple[str, str, str]]] = {
    # UN/ECE Recommendation 20 code (UBL unitCode, CII unitCode): (fi, sv, en)
    "C62": ("kpl", "st", "pcs"),  # "one"
    "H87": ("kpl", "st", "pcs"),  # piece
    "EA": ("kpl", "st", "pcs"),  # each (withdrawn from Rec 20, still sent)
    "HUR": ("h", "h", "h"),
    "DAY": ("pv", "dag", "day"),
    "MON": ("kk", "mån", "month"),
    "KGM": ("kg", "kg", "kg"),
    "MTR": ("m", "m", "m"),
    "LTR": ("l", "l", "l"),
    "KWH": ("kWh", "kWh", "kWh"),
}
"""The common unit codes, printed as people write them; any other unit is printed as it is."""
_INDEX: Final[dict[Language, int]] = {"fi": 0, "sv": 1, "en": 2}


def label(key: str, language: Language) -> str:
    return LABELS[key][_INDEX[language]]


def unit_label(unit: str | None, language: Language) -> str:
    """A row's unit for print: a common Rec 20 code in words (`C62` → `kpl`), else as written."""
    code = (unit or "").strip()
    known = UNITS.get(code)
    return known[_INDEX[language]] if known else code
