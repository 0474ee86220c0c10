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
    "ovt": ("OVT-tunnus", "OVT-kod", "OVT code"),
    "company_id": ("Yritystunniste", "Organisations-ID", "Company ID"),
    "scheme": ("tunnistelaji", "schema", "scheme"),
    "party_id": ("Osapuolen tunniste", "Partens ID", "Party ID"),
    "customer_number": ("Asiakasnumero", "Kundnummer", "Customer number"),
    "supplier_number": ("Toimittajanumero", "Leverantörsnummer", "Supplier number"),
    "item": ("Tuote", "Produkt", "Item"),
    "quantity": ("Määrä", "Antal", "Qty"),
    "unit_price": ("À-hinta", "À-pris", "Unit price"),
    "vat_percent": ("ALV %", "Moms %", "VAT %"),
    "vat_excluded": ("Veroton", "Exkl. moms", "Excl. VAT"),
    "vat": ("ALV", "Moms", "VAT"),
    "row_total": ("Yhteensä", "Totalt", "Total"),
    "more_rows": (
        "… ja {n} riviä lisää (rivit {first}–{last}), joita esikatselu ei näytä; "
        "summat sisältävät kaikki rivit",
        "… och {n} rader till (rader {first}–{last}) som förhandsvisningen inte visar; "
        "summorna räknar alla rader",
        "… and {n} more rows (rows {first}–{last}), not shown in this preview; "
        "the totals count every row",
    ),
    "vat_breakdown": ("ALV-erittely", "Momsspecifikation", "VAT breakdown"),
    "vat_base": ("Veron peruste", "Beskattningsunderlag", "Taxable amount"),
    "total_vat_excluded": ("Veroton yhteensä", "Totalt exkl. moms", "Total excl. VAT"),
    "total_vat": ("ALV yhteensä", "Moms totalt", "Total VAT"),
    "rounding": ("Pyöristys", "Avrundning", "Rounding"),
    "charge": ("Lisämaksu", "Tillägg", "Charge"),
    "allowance": ("Alennus", "Rabatt", "Allowance"),
    "vat_rounding": ("ALV-pyöristys", "Momsavrundning", "VAT rounding"),
    "vat_other": ("Muu ALV", "Övrig moms", "Other VAT"),
    "total": ("Laskun summa", "Fakturans belopp", "Invoice total"),
    "paid": ("Maksettu", "Betalt", "Paid"),
    "amount_due": ("Maksettava", "Att betala", "Amount due"),
    "amount_credited": ("Hyvitettävä", "Att kreditera", "Amount to be credited"),
    "do_not_pay": ("ÄLÄ MAKSA", "BETALA INTE", "DO NOT PAY"),
    "credit_note_text": (
        "Tämä on hyvityslasku: sitä ei makseta, vaan summa hyvitetään.",
        "Detta är en kreditnota: den betalas inte, beloppet krediteras.",
        "This is a credit note: it is not paid; the amount is credited.",
    ),
    "payment": ("Maksutiedot", "Betalningsuppgifter", "Payment details"),
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
SCHEME_NAMES: Final[dict[str, str]] = {
    # ISO 6523 ICD (Peppol EAS list): the identifier's own name, the same in every language
    "0002": "SIREN",
    "0007": "Organisationsnummer",
    "0009": "SIRET",
    "0060": "D-U-N-S",
    "0088": "GLN",
    "0106": "KvK-nummer",
    "0151": "ABN",
    "0183": "UID",
    "0190": "OIN",
    "0191": "Registrikood",
    "0192": "Organisasjonsnummer",
    "0195": "UEN",
    "0196": "Kennitala",
    "0199": "LEI",
    "0204": "Leitweg-ID",
    "0208": "Ondernemingsnummer",
    "0210": "Codice fiscale",
    "9956": "Ondernemingsnummer",
}
"""Identifier schemes printed under their own names (the Finnish ones have labels of their own)."""
VAT_SCHEMES: Final[frozenset[str]] = frozenset(
    {"0211", "0213", "9906", "9909", "9910", "9912", "9914", "9920", "9955", "9957"}
    | {str(code) for code in range(9922, 9954)}
)
"""ICDs whose identifier is a VAT number (the 99xx `XX:VAT` codes, IT:IVA, FI:VAT)."""
REGISTRIES: Final[dict[str, str]] = {
    # ISO 3166 country: what its legal registration identifier (EN 16931 BT-30) is called
    "GB": "Company number",
    "IE": "Company number",
    "SE": "Organisationsnummer",
    "NO": "Organisasjonsnummer",
    "DK": "CVR-nummer",
    "EE": "Registrikood",
    "DE": "Handelsregister",
    "AT": "Firmenbuchnummer",
    "NL": "KvK-nummer",
    "BE": "Ondernemingsnummer",
    "FR": "SIREN/SIRET",
    "CH": "UID",
}
"""A legal registration written without a scheme is named after the registry of the party's
country; elsewhere it is a neutral company ID."""
FIELD_NAMES: Final[dict[str, str]] = {
    # FieldChange.field: what the `--compare` view calls it (the element path is its detail)
    "payment.iban": "Payee's account (IBAN)",
    "payment.bic": "Payee's bank (BIC)",
    "payment.beneficiary": "Payee",
    "payment.beneficiary_business_id": "Payee's business ID",
    "payment.reference": "Reference number",
    "payment.reference_scheme": "Reference number type",
    "payment.epi_reference": "Payment reference of the invoice",
    "payment.instruction_id": "Payment instruction ID",
    "payment.account": "Payee's account",
    "payment.account_name": "Payee's account name",
    "payment.bank": "Payee's bank",
    "payment.bank_name": "Payee's bank name",
    "payment.bank_country": "Payee's bank country",
    "payment.default": "Default payment account",
    "payment.amount": "Amount due",
    "payment.due_date": "Due date",
    "seller": "Seller",
    "seller.bank": "Seller's bank",
    "seller_accounts": "Seller's bank accounts",
    "factoring.agreement_id": "Factoring agreement ID",
    "factoring.clause": "Transfer clause",
    "factoring.party_name": "Factoring company",
    "virtual_barcode": "Bank barcode",
    "number": "Invoice number",
}
"""The `--compare` view speaks one language, the tool's: a readable name for every field a
rewriter changes, never an element name or an internal id (those are the detail under it)."""
SLIP_LABELS: Final[dict[str, tuple[str, str]]] = {
    # key: (fi, sv), as printed on the Finnish bank transfer form (tilisiirtolomake /
    # gireringsblankett, Finance Finland's guide), in both languages whatever the invoice's
    "payee_account": ("Saajan tilinumero", "Mottagarens kontonummer"),
    "payee": ("Saaja", "Mottagare"),
    "payer": ("Maksaja", "Betalare"),
    "signature": ("Allekirjoitus", "Underskrift"),
    "from_account": ("Tililtä nro", "Från konto nr"),
    "reference": ("Viitenro", "Ref.nr"),
    "due_date": ("Eräpäivä", "Förfallodag"),
    "amount": ("Euro", "Euro"),
    "title": ("Tilisiirto", "Girering"),
}
"""The payment slip is the bilingual Finnish form: a payer reads the labels they know from
every other bill, in Finnish and Swedish, even on an English invoice."""
_INDEX: Final[dict[Language, int]] = {"fi": 0, "sv": 1, "en": 2}


def label(key: str, language: Language) -> str:
    return LABELS[key][_INDEX[language]]


def slip_label(key: str) -> tuple[str, str]:
    """A payment slip caption as the form prints it: Finnish above, Swedish below."""
    return SLIP_LABELS[key]


def field_name(field: str) -> str:
    """The readable name of a changed field; an unlisted one in words (`a_b.c` → "A b c")."""
    known = FIELD_NAMES.get(field)
    if known:
        return known
    words = field.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def unit_label(unit: str | None, language: Language) -> str:
    """A row's unit for print: a common Rec 20 code in words (`C62` → `kpl`), else as written."""
    code = (unit or "").strip()
    known = UNITS.get(code)
    return known[_INDEX[language]] if known else code
