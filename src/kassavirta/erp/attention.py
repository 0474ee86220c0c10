"""What in the ledger waits for the sender: the service's comments and the failed deliveries.

The guide puts two duties on the sender that no invoice check can show: to
watch the comment events (a question from Visma Amili goes unanswered
otherwise), and to reroute an invoice whose delivery FAILED before it falls due
(or the service closes the assignment). `ledger comments` and `ledger list`
show them one command at a time; this is the one look at both that the
server's page (`GET /v1/ledger/summary`) gives, built from the same pieces so
that the page and the commands cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kassavirta.erp.assignments import Assignment
from kassavirta.erp.comments import Comment, comments_from
from kassavirta.erp.ledger import Ledger

__all__ = ["UNSEEN_SHOWN", "Attention", "attention"]

UNSEEN_SHOWN = 50
"""Unseen comments carried in full (newest first); the counts cover them all, and
`kassavirta ledger comments --unseen` lists every one."""


@dataclass(frozen=True)
class Attention:
    """The comments (not the company's own, newest first) and the open assignments whose
    latest delivery FAILED, each with what the sender must do."""

    comments: list[Comment]
    failed: list[tuple[Assignment, str]]

    def as_dict(self) -> dict[str, Any]:
        unseen = [c for c in self.comments if not c.seen]
        return {
            "comments": len(self.comments),
            "unseen_comments": len(unseen),
            "unseen": [c.as_dict() for c in unseen[:UNSEEN_SHOWN]],
            "failed_deliveries": [
                {
                    "assignment": a.id,
                    "number": a.number,
                    "invoice_date": a.issued_at.isoformat(),
                    "due_date": a.due_date.isoformat() if a.due_date else None,
                    "debtor": a.debtor.name,
                    "action_needed": note,
                }
                for a, note in self.failed
            ],
        }


def attention(ledger: Ledger) -> Attention:
    """Read both from an open ledger. The reroute note is `ledger list`'s: the status and due
    date the API reported (`Assignment.reroute_note`)."""
    comments = comments_from(ledger.events_of_type("comment"), ledger.parties())
    failed = [(a, note) for a in ledger.assignments(status="open") if (note := a.reroute_note())]
    return Attention(comments, failed)
