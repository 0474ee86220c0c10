"""Finnish identifiers and calendars: references, bank barcode, business id, business days, postcodes."""
