"""Hypothesis strategies: Finvoice invoices the service routes, and ones it must not.

`finvoice_invoices()` draws a schema-valid Finvoice (1.3, 2.0, 2.01 or 3.0)
with realistic Finnish content and returns its bytes with the normalised
`Invoice` it encodes. `defective_invoices(rule=R)` draws a valid invoice and
then changes exactly what makes rule R fire: a send error makes the service
refuse the invoice with R alone, a warning leaves it routed with R as the only
warning. `settings_files()` and `assignments_json()` draw the two input files
a check needs besides the invoice.

Everything a strategy draws is relative to one sending date (`today`), so
that "due in three days" means the same to the generator and to the check.

One module per thing drawn: `identifiers` (business IDs, accounts,
references), `invoices` (the invoice data and its Finvoice bytes), `settings`
and `assignments` (the check's other two inputs), `cases` (an invoice with the
inputs it is checked against) and `defects` (one defect per rule).
"""
