"""FinvoiceSenderInfo (SI) CHANGE messages for Finnish consumer e-invoicing.

Once the service rewrites consumer e-invoices, they carry the service's IBAN
and a reference number the company never issued. Banks reject an e-invoice
whose IBAN is not in the seller's sender info, and some banks validate the
identifier a consumer types in when the SI message says it is a reference
number (SellerInvoiceIdentifierType 01 or 02). So before consumer invoices go
through the service, the company sends every bank it has an SI agreement
with a CHANGE message that adds the service's IBAN as one more seller
account and moves the identifier type to one that banks do not validate.

The company's current sender info is read from the SI files it sent before
(`parse_sender_info`) or described in a small seller file (`SellerFile`);
everything but the account list, the identifier type and the message
details is carried over. Messages are written for the schema family of
Finvoice 2.0 (root Version "2.0") or, on request, of Finvoice 1.3 (whose
schema only allows Version "1.0" and identifier types 01/02), each in the
SOAP/ebXML frame that tells the operator bank which bank it is for.

The package follows the message's way: `model` (the sender info and the
per-bank message), `read` (SI files), `seller` (the seller file), `change`
(what the CHANGE message for each bank changes) and `write` (the XML).
"""
