"""The ERP side: assignments, ledger, events, payments, references, sender info, schedule."""
