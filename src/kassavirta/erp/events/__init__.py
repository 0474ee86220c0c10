"""Assignment events: who may post each one, what its data must hold, and what it changes.

An ERP posts events to the Receivables API (direct payments, credit notes,
due-date change requests, freezes, cancellations) and reads the ones the
service and the operator post. The service refuses an event from the wrong
party, with the wrong data, or at the wrong stage of the assignment, and the
ERP only learns so after the fact; `validate_event` answers beforehand, from
the assignment as the ledger knows it.

The rules restate the guide's "Events" chapter. Where the guide names a field
but not its JSON key (credit note number and sum, the new due date, the comment
text, the service level), the key is a **Decision** listed in `EVENT_TYPES`,
with the aliases we also accept.

`apply_events` derives an assignment's state from its events: `status`,
`paid`, `collection_status` (the guide's table), `service_level` and the due
date after `due_date_changed`. A field that no event sets keeps the value the
API reported, so that an export whose events are incomplete still reads right.

`types` holds the catalogue (who posts what, with which data), `state` what a
list of events makes of an assignment, and `validate` the verdict on one more.
"""
