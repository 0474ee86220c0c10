"""UN/CEFACT Cross Industry Invoice D16B (EN 16931, XRechnung, Factur-X/ZUGFeRD) → the model.

CII amounts carry a decimal point; dates are `udt:DateTimeString format="102"`
(`CCYYMMDD`), the only date format EN 16931 allows.

**The sum rule** is the one of `formats.peppol.read`, in CII's terms: lines are
VAT-excluded (`ram:LineTotalAmount`, BT-131), so the check that mirrors "the
sum of the invoice rows must match the invoice total" is

    Σ line net + Σ document charges − Σ document allowances + `ram:TaxTotalAmount`
        =  `ram:GrandTotalAmount`

Each `Row` carries its net amount and, when the line's rate is given, its VAT
(net × rate, to the cent); the header's allowances and charges are
`Invoice.charges`, each with its VAT at its rate, and `rows_adjustment` carries
the part of the tax total that this VAT does not explain. As for UBL, `total` = GrandTotalAmount (BT-112) + RoundingAmount
(BT-114), `paid_amount` = TotalPrepaidAmount (BT-113) and `payment.amount` =
DuePayableAmount (BT-115).

Lines with an `ram:ParentLineID` (XRechnung sub-lines) are details of another
line and are not rows, like Finvoice's `SubInvoiceRow`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from kassavirta.formats.cii.paths import AGREEMENT, NS, RAM, SETTLEMENT, TRANSACTION
from kassavirta.formats.en16931 import (
    CREDIT_NOTE_CODES,
    FINNISH_SCHEMES,
    FoundAccount,
    amount_currencies,
    document_charge,
    first_identifier,
    iban_or_bban,
    interest_text,
    invoice_of,
    measured,
    net_row,
    split_accounts,
)
from kassavirta.formats.xml import Fields, missing, streets, text_of
from kassavirta.model import (
    LEGAL_REGISTRATION,
    PARTNER_ASSIGNED,
    Account,
    Address,
    DocumentCharge,
    Invoice,
    Party,
    Payment,
    Row,
    VatLine,
)
from kassavirta.pipeline.read import Document


def _date(f: Fields, key: str, expr: str, base: etree._Element | None = None) -> date | None:
    """A `udt:DateTimeString` under `expr`; only format 102 (CCYYMMDD) is a date here."""
    element = f.filled(key, f"{expr}/udt:DateTimeString", base)
    if element is None:
        return None
    declared = element.get("format")
    if declared not in (None, "102"):
        raise f.fail(element, f"date format {declared!r} is not 102 (CCYYMMDD)")
    return f.date_of(element, compact=True)


def _address(f: Fields, key: str, party: etree._Element) -> Address | None:
    block = f.element(f"{key}.address", "ram:PostalTradeAddress", party)
    if block is None:
        return None
    lines = [
        e for tag in ("ram:LineOne", "ram:LineTwo", "ram:LineThree") for e in f.findall(tag, block)
    ]
    return Address(
        streets=streets(f, key, lines),
        town=f.text(f"{key}.address.town", "ram:CityName", block),
        postcode=f.text(f"{key}.address.postcode", "ram:PostcodeCode", block),
        country=f.text(f"{key}.address.country", "ram:CountryID", block),
    )


def _business_id(f: Fields, key: str, party: etree._Element) -> tuple[str | None, str | None]:
    """BT-30/47 legal registration, else BT-29/46 party identifier, else a Finnish global ID;
    with its scheme."""
    candidates: list[tuple[etree._Element, str | None]] = [
        *(
            (e, LEGAL_REGISTRATION)
            for e in f.findall("ram:SpecifiedLegalOrganization/ram:ID", party)
        ),
        *((e, PARTNER_ASSIGNED) for e in f.findall("ram:ID", party)),
        *(
            (e, None)
            for e in f.findall("ram:GlobalID", party)
            if e.get("schemeID") in FINNISH_SCHEMES
        ),
    ]
    return first_identifier(f, key, candidates)


def _party(f: Fields, key: str, expr: str) -> Party | None:
    party = f.element(key, expr)
    if party is None:
        return None
    business_id, scheme = _business_id(f, key, party)
    return Party(
        name=f.text(f"{key}.name", "ram:Name", party),
        business_id=business_id,
        business_id_scheme=scheme,
        vat_code=f.text(
            f"{key}.vat_code", "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", party
        ),
        address=_address(f, key, party),
    )


def _rows(f: Fields) -> list[Row]:
    rows: list[Row] = []
    lines = (
        line
        for line in f.findall(f"{TRANSACTION}/ram:IncludedSupplyChainTradeLineItem")
        if f.find("ram:AssociatedDocumentLineDocument/ram:ParentLineID", line) is None
    )
    for position, line in f.each(lines):
        key = f"rows.{position}"
        f.note(key, line)
        measure = measured(
            f,
            f.element(f"{key}.quantity", "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", line),
        )
        settlement = f.find("ram:SpecifiedLineTradeSettlement", line)
        net = percent = None
        if settlement is not None:
            net = f.amount(
                f"{key}.vat_excluded",
                "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
                settlement,
            )
            percent = f.amount(
                f"{key}.vat_percent", "ram:ApplicableTradeTax/ram:RateApplicablePercent", settlement
            )
        rows.append(
            net_row(
                position,
                measure,
                article=f.text(None, "ram:SpecifiedTradeProduct/ram:Name", line),
                net=net,
                percent=percent,
                unit_price=f.amount(
                    f"{key}.unit_price",
                    "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount",
                    line,
                ),
            )
        )
    return rows


def _allowances_and_charges(f: Fields, settlement: etree._Element) -> list[DocumentCharge]:
    """The header's `ram:SpecifiedTradeAllowanceCharge` blocks (BG-20 / BG-21), in order."""
    found: list[DocumentCharge] = []
    for n, block in enumerate(f.findall("ram:SpecifiedTradeAllowanceCharge", settlement), start=1):
        f.note(f"charges.{n}", block)
        indicator = f.text(None, "ram:ChargeIndicator/udt:Indicator", block) or ""
        found.append(
            document_charge(
                charge=indicator.lower() == "true",
                amount=f.amount(f"charges.{n}.amount", "ram:ActualAmount", block),
                reason=f.text(None, "ram:Reason", block) or f.text(None, "ram:ReasonCode", block),
                percent=f.amount(
                    f"charges.{n}.vat_percent",
                    "ram:CategoryTradeTax/ram:RateApplicablePercent",
                    block,
                ),
            )
        )
    return found


def _tax_total(
    f: Fields, summation: etree._Element | None, currency: str | None
) -> etree._Element | None:
    """`ram:TaxTotalAmount` in the invoice currency (a second one may be in the tax currency)."""
    if summation is None:
        return None
    totals = f.findall("ram:TaxTotalAmount", summation)
    for element in totals:
        if element.get("currencyID") in (None, currency):
            return element
    return totals[0] if totals else None


def _payment(
    f: Fields, settlement: etree._Element, payable: Decimal | None, due: date | None
) -> tuple[Payment, list[Account]]:
    payment = Payment(
        reference=f.text("payment.reference", "ram:PaymentReference", settlement),
        amount=payable,
        due_date=due,
    )
    found: list[FoundAccount] = []
    for means in f.findall("ram:SpecifiedTradeSettlementPaymentMeans", settlement):
        account = f.find("ram:PayeePartyCreditorFinancialAccount", means)
        if account is None:
            continue
        entry = iban_or_bban(
            f.find("ram:IBANID", account),
            f.find("ram:ProprietaryID", account),
            f.find("ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID", means),
        )
        if entry is None:
            continue
        found.append(entry)
        if len(found) == 1:
            payment.beneficiary = f.text("payment.beneficiary", "ram:AccountName", account)
    accounts = split_accounts(
        f,
        found,
        payment,
        lambda: f.text("payment.beneficiary", "ram:PayeeTradeParty/ram:Name", settlement),
    )
    return payment, accounts


def adapt(document: Document) -> Invoice:
    """Read a CII `rsm:CrossIndustryInvoice` into an `Invoice`."""
    part = document.part
    root = part.root
    f = Fields(part, namespaces=NS)
    locations = f.locations
    f.note("details", root)

    number = f.text("number", "rsm:ExchangedDocument/ram:ID")
    if number is None:
        raise missing(
            part,
            "the invoice has no rsm:ExchangedDocument/ram:ID (invoice number)",
            root,
        )
    settlement = f.find(SETTLEMENT)
    if settlement is None:
        raise missing(
            part,
            "the invoice has no ram:ApplicableHeaderTradeSettlement",
            root,
        )
    currency_el = f.element("currency", "ram:InvoiceCurrencyCode", settlement)
    currency = text_of(currency_el)
    currencies = amount_currencies(
        f,
        root,
        currency_el,
        f.text(None, "ram:TaxCurrencyCode", settlement),
        lambda element: element.tag == f"{{{RAM}}}TaxTotalAmount",
    )

    summation = f.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", settlement)
    grand = f.amount("total", "ram:GrandTotalAmount", summation) if summation is not None else None
    if grand is None:
        where = summation if summation is not None else settlement
        raise missing(
            part,
            "the invoice has no ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount",
            where,
        )
    assert summation is not None
    rounding = f.amount("rounding", "ram:RoundingAmount", summation)
    tax_el = _tax_total(f, summation, currency)
    total_vat = None
    if tax_el is not None and text_of(tax_el):
        f.note("total_vat", tax_el)
        total_vat = f.amount_of(tax_el, comma=False)

    rows = _rows(f)
    charges = _allowances_and_charges(f, settlement)

    terms = f.findall("ram:SpecifiedTradePaymentTerms", settlement)
    due = None
    penalty_percent = penalty_fixed = None
    for block in terms:
        due = due or _date(f, "due_date", "ram:DueDateDateTime", block)
        penalty = f.find("ram:ApplicableTradePaymentPenaltyTerms", block)
        if penalty is not None:
            penalty_percent = penalty_percent or f.amount(
                "penalty_interest", "ram:CalculationPercent", penalty
            )
            penalty_fixed = penalty_fixed or f.amount(
                "penalty_interest", "ram:ActualPenaltyAmount", penalty
            )
    locations.alias("payment.due_date", "due_date")
    payment, accounts = _payment(
        f, settlement, f.amount("payment.amount", "ram:DuePayableAmount", summation), due
    )

    terms_texts = [t for block in terms for t in f.texts("ram:Description", block)]
    notes = f.texts("rsm:ExchangedDocument/ram:IncludedNote/ram:Content")
    type_code = f.text("type_code", "rsm:ExchangedDocument/ram:TypeCode")
    return invoice_of(
        format="cii",
        version=f.text(
            None,
            "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
        ),
        type_code=type_code,
        credit_note=type_code in CREDIT_NOTE_CODES,
        credited_invoice=f.text(
            "credited_invoice", "ram:InvoiceReferencedDocument/ram:IssuerAssignedID", settlement
        ),
        number=number,
        issue_date=_date(f, "issue_date", "rsm:ExchangedDocument/ram:IssueDateTime"),
        due_date=due,
        currency=currency,
        currencies=currencies,
        total=grand,
        rounding=rounding,
        rows=rows,
        charges=charges,
        total_vat=total_vat,
        total_vat_excluded=f.amount("total_vat_excluded", "ram:TaxBasisTotalAmount", summation),
        paid_amount=f.amount("paid_amount", "ram:TotalPrepaidAmount", summation),
        vat_lines=[
            VatLine(
                percent=f.amount("vat.percent", "ram:RateApplicablePercent", tax),
                base=f.amount("vat.base", "ram:BasisAmount", tax),
                amount=f.amount("vat.amount", "ram:CalculatedAmount", tax),
            )
            for tax in f.findall("ram:ApplicableTradeTax", settlement)
        ],
        seller=_party(f, "seller", f"{AGREEMENT}/ram:SellerTradeParty") or Party(),
        seller_accounts=accounts,
        buyer=_party(f, "buyer", f"{AGREEMENT}/ram:BuyerTradeParty") or Party(),
        recipient=_party(f, "recipient", f"{SETTLEMENT}/ram:InvoiceeTradeParty"),
        language=f.text("language", "rsm:ExchangedDocument/ram:LanguageID"),
        payment=payment,
        penalty_interest_percent=penalty_percent,
        penalty_fixed_amount=penalty_fixed,
        interest_in_free_text=interest_text([*terms_texts, *notes]),
        payment_terms_text=terms_texts[0] if terms_texts else None,
        locations=locations,
    )
