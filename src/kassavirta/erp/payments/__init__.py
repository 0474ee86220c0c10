"""Direct payments from ISO 20022 bank statements, as the `paid` events the service needs.

Every payment a customer makes straight to the company's account must be
reported to the service, or it starts collecting an invoice that is already
paid; the service's own settlements (payer name starting with VISMA AMILI or
VISMA FINANC) and its interest settlements ("Korkotilitys PVM") must not be,
or it counts them twice. This module reads bank-to-customer statements
(camt.053), notifications (camt.054) and reports (camt.052), sorts every
credit into one of those kinds, and builds the `paid` event for each direct
payment matched to an assignment.

`statement` reads the statements; `classify` sorts their credits and builds
the events.
"""
