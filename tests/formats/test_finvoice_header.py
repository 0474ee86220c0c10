"""The Finvoice header read by look-up in each parent's children: the values, places and errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from helpers import SAMPLES, adapt_as, make_variant
from kassavirta import check_bytes

SAMPLE = SAMPLES / "route" / "finvoice-3.0.xml"

ODD = """<?xml version="1.0" encoding="UTF-8"?>
<Finvoice Version="3.0">
  <SellerPartyDetails>
    <SellerPartyIdentifier SchemeID="0037">1234567-1</SellerPartyIdentifier>
    <SellerOrganisationName>Myyjä Oy</SellerOrganisationName>
    <SellerPostalAddressDetails>
      <SellerStreetName> </SellerStreetName>
      <SellerStreetName>Katu 1</SellerStreetName>
      <SellerTownName>HELSINKI</SellerTownName>
      <CountryCode>FI</CountryCode>
    </SellerPostalAddressDetails>
  </SellerPartyDetails>
  <SellerInformationDetails>
    <SellerAccountDetails>
      <SellerAccountID IdentificationSchemeName="IBAN">FI7429501800000014</SellerAccountID>
      <SellerBic IdentificationSchemeName="BIC">NDEAFIHH</SellerBic>
    </SellerAccountDetails>
    <SellerAccountDetails>
      <SellerAccountID IdentificationSchemeName="BBAN">29501800000014</SellerAccountID>
    </SellerAccountDetails>
  </SellerInformationDetails>
  <BuyerPartyDetails>
    <BuyerPartyIdentifier>2650441-8</BuyerPartyIdentifier>
    <BuyerOrganisationName>Ostaja Oy</BuyerOrganisationName>
  </BuyerPartyDetails>
  <InvoiceDetails>
    <InvoiceTypeCode>INV02</InvoiceTypeCode>
    <InvoiceNumber>77</InvoiceNumber>
    <InvoiceDate Format="CCYYMMDD">20261101</InvoiceDate>
    <OriginalInvoiceNumber> </OriginalInvoiceNumber>
    <OriginalInvoiceReference><InvoiceNumber>55</InvoiceNumber></OriginalInvoiceReference>
    <InvoiceTotalVatIncludedAmount AmountCurrencyIdentifier="EUR">-12,40</InvoiceTotalVatIncludedAmount>
    <PaymentTermsDetails>
      <PaymentTermsFreeText> </PaymentTermsFreeText>
      <InvoiceDueDate Format="CCYYMMDD"/>
      <PaymentOverDueFineDetails>
        <PaymentOverDueFinePercent>0,00</PaymentOverDueFinePercent>
      </PaymentOverDueFineDetails>
    </PaymentTermsDetails>
    <PaymentTermsDetails>
      <PaymentTermsFreeText>14 päivää netto</PaymentTermsFreeText>
      <InvoiceDueDate Format="CCYYMMDD">20261201</InvoiceDueDate>
      <PaymentOverDueFineDetails>
        <PaymentOverDueFineFreeText>Viivästyskorko 8 %</PaymentOverDueFineFreeText>
        <PaymentOverDueFinePercent>8,00</PaymentOverDueFinePercent>
      </PaymentOverDueFineDetails>
    </PaymentTermsDetails>
  </InvoiceDetails>
  <EpiDetails>
    <EpiPartyDetails>
      <EpiBfiPartyDetails/>
      <EpiBeneficiaryPartyDetails>
        <EpiNameAddressDetails>Myyjä Oy</EpiNameAddressDetails>
      </EpiBeneficiaryPartyDetails>
    </EpiPartyDetails>
    <EpiPartyDetails>
      <EpiBfiPartyDetails>
        <EpiBfiIdentifier IdentificationSchemeName="BIC">NDEAFIHH</EpiBfiIdentifier>
      </EpiBfiPartyDetails>
      <EpiBeneficiaryPartyDetails>
        <EpiAccountID IdentificationSchemeName="IBAN">FI7429501800000014</EpiAccountID>
      </EpiBeneficiaryPartyDetails>
    </EpiPartyDetails>
    <EpiPaymentInstructionDetails>
      <EpiRemittanceInfoIdentifier IdentificationSchemeName="SPY">1000012</EpiRemittanceInfoIdentifier>
      <EpiInstructedAmount AmountCurrencyIdentifier="EUR">12,40</EpiInstructedAmount>
      <EpiDateOptionDate Format="CCYYMMDD">20261215</EpiDateOptionDate>
    </EpiPaymentInstructionDetails>
  </EpiDetails>
</Finvoice>
""".encode()
"""Repeated and empty header elements: which one is read is where a finding points."""


def test_repeated_and_empty_header_elements_read_as_the_paths_say() -> None:
    invoice = adapt_as(ODD, "finvoice-3.0")
    where = invoice.locations
    details = "/Finvoice/InvoiceDetails"
    terms = f"{details}/PaymentTermsDetails"
    epi = "/Finvoice/EpiDetails/EpiPartyDetails"
    # The payment's account and bank are the first in document order under any party block.
    assert (invoice.payment.iban, invoice.payment.bic) == ("FI7429501800000014", "NDEAFIHH")
    assert invoice.payment.beneficiary == "Myyjä Oy"
    assert where["payment.iban"].xpath == f"{epi}[2]/EpiBeneficiaryPartyDetails/EpiAccountID"
    assert where["payment.bic"].xpath == f"{epi}[2]/EpiBfiPartyDetails/EpiBfiIdentifier"
    assert where["payment.beneficiary"].xpath == (
        f"{epi}[1]/EpiBeneficiaryPartyDetails/EpiNameAddressDetails"
    )
    # An empty due date is passed over for the next terms block's; the due date stands there.
    assert (invoice.terms_due_date, invoice.due_date) == (date(2026, 12, 1), date(2026, 12, 1))
    assert where["due_date"].xpath == f"{terms}[2]/InvoiceDueDate"
    assert where["due_date"].line == 42
    # A zero penalty rate is no rate: the next block's is read, and named.
    assert invoice.penalty_interest_percent == Decimal("8.00")
    assert where["penalty_interest"].xpath == (
        f"{terms}[2]/PaymentOverDueFineDetails/PaymentOverDueFinePercent"
    )
    assert invoice.payment_terms_text == "14 päivää netto"
    assert invoice.interest_in_free_text == "Viivästyskorko 8 %"
    # An empty OriginalInvoiceNumber gives way to 3.0's reference block.
    assert invoice.credited_invoice == "55"
    assert where["credited_invoice"].xpath == f"{details}/OriginalInvoiceReference/InvoiceNumber"
    assert invoice.seller.address is not None
    assert invoice.seller.address.streets == ["Katu 1"]
    assert where["seller.address.street"].xpath == (
        "/Finvoice/SellerPartyDetails/SellerPostalAddressDetails/SellerStreetName[1]"
    )
    assert invoice.seller.business_id_scheme == "0037"
    assert [(a.account, a.scheme, a.bic) for a in invoice.seller_accounts] == [
        ("FI7429501800000014", "IBAN", "NDEAFIHH"),
        ("29501800000014", "BBAN", None),
    ]
    assert "seller_accounts.2.account" in where
    assert "seller_accounts.2.bic" not in where
    assert (invoice.payment.amount, invoice.payment.due_date) == (
        Decimal("12.40"),
        date(2026, 12, 15),
    )
    assert invoice.vat_lines == [] and invoice.charges == [] and invoice.recipient is None


@pytest.mark.parametrize(
    ("edits", "message", "xpath"),
    [
        pytest.param(
            [
                ("//PaymentTermsDetails/InvoiceDueDate", "20261345"),
                ("//InvoiceDetails/InvoiceTotalVatIncludedAmount", "1.00"),
            ],
            "InvoiceTotalVatIncludedAmount: amount '1.00' must use a decimal comma",
            "/Finvoice/InvoiceDetails/InvoiceTotalVatIncludedAmount",
            id="the total before the terms",
        ),
        pytest.param(
            [
                ("//EpiInstructedAmount", "x"),
                ("//PaymentTermsDetails/InvoiceDueDate", "20261345"),
            ],
            "InvoiceDueDate: '20261345' is not a real calendar date",
            "/Finvoice/InvoiceDetails/PaymentTermsDetails/InvoiceDueDate",
            id="the terms before the payment",
        ),
        pytest.param(
            [
                ("//InvoiceDetails/InvoiceDate", "2026-11-20"),
                ("//VatSpecificationDetails/VatRatePercent", "25.5"),
                ("//EpiInstructedAmount", "x"),
            ],
            "EpiInstructedAmount: 'x' is not an amount",
            "/Finvoice/EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount",
            id="the payment before the VAT",
        ),
        pytest.param(
            [
                ("//InvoiceDetails/InvoiceDate", "2026-11-20"),
                ("//VatSpecificationDetails/VatRatePercent", "25.5"),
            ],
            "VatRatePercent: amount '25.5' must use a decimal comma",
            "/Finvoice/InvoiceDetails/VatSpecificationDetails/VatRatePercent",
            id="the VAT before the invoice date",
        ),
        pytest.param(
            [
                ("//InvoiceDetails/InvoiceTotalVatAmount", "-"),
                ("//InvoiceDetails/InvoiceDate", "2026-11-20"),
            ],
            "InvoiceDate: '2026-11-20' is not a date",
            "/Finvoice/InvoiceDetails/InvoiceDate",
            id="the invoice date before the other totals",
        ),
    ],
)
def test_of_two_bad_header_fields_the_first_read_is_named(
    edits: list[tuple[str, str]], message: str, xpath: str
) -> None:
    result = check_bytes(make_variant(SAMPLE, *((path, "text", text) for path, text in edits)))
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    finding = result.findings[0]
    assert (finding.message, finding.xpath) == (message, xpath)
