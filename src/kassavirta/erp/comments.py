"""The service's comments across assignments: the view the guide asks ERPs to build.

The guide: "We strongly recommend monitoring comment events closely. A good
approach is to create a dedicated view that displays only comment events",
so that a question from Visma Amili is not lost among the other events.

Who wrote a comment is not in the event itself, only its `party_id`. A party
is known by the other events it created (**decision**): one that created an
event only the service may create (`reminder_sent`, `close`, ...) is the
service, one that created an event only the company may create
(`credit_note`, `cancel`, `due_date_change_request`, ...) is the company. A
comment by a party known as neither is listed too, as `unknown`: better shown
than missed.

"Unseen" (**decision**) is kept in the ledger, not at the service: a comment is
unseen until `ledger comments --mark-seen` has listed it, which records the
time it was marked. The API's own `seens` list says who saw an event in the
service's UI, under user names the toolkit cannot know to be yours, so it is
not used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from kassavirta.erp.events.types import EVENT_TYPES, Party, data_value
from kassavirta.erp.ledger.store import StoredEvent

__all__ = ["Author", "Comment", "author_of", "comments_from"]

Author = Literal["service", "company", "operator", "unknown"]

_ONLY: dict[Party, Author] = {
    Party.SERVICE: "service",
    Party.COMPANY: "company",
    Party.OPERATOR: "operator",
}


def author_of(party_id: str | None, parties: Mapping[str, set[str]]) -> Author:
    """Who a party is, by the event types it created (see the module); `unknown` when they
    say nothing or contradict each other."""
    if not party_id:
        return "unknown"
    found: set[Author] = set()
    for kind in parties.get(party_id, ()):
        spec = EVENT_TYPES.get(kind)
        if spec is not None and len(spec.creators) == 1:
            (only,) = spec.creators
            found.add(_ONLY[only])
    return found.pop() if len(found) == 1 else "unknown"


def comment_text(data: Mapping[str, Any]) -> str:
    """The comment's text (`comment`, also `message` or `text`), as written."""
    found = data_value("comment", dict(data), "comment")
    return "" if found is None else str(found)


@dataclass(frozen=True)
class Comment:
    """One comment event, with the assignment it is on and who wrote it."""

    stored: StoredEvent
    author: Author

    @property
    def when(self) -> datetime | None:
        e = self.stored.event
        return e.happened_at or e.created_at

    @property
    def text(self) -> str:
        return comment_text(self.stored.event.data)

    @property
    def seen(self) -> bool:
        return self.stored.seen_at is not None

    @property
    def key(self) -> tuple[str, str]:
        """(assignment id, event id): what `Ledger.mark_seen` records (the ledger gives every
        event an id)."""
        return self.stored.assignment_id, self.stored.event.id or ""

    def as_dict(self) -> dict[str, Any]:
        s = self.stored
        when = self.when
        return {
            "at": when.isoformat().replace("+00:00", "Z") if when else None,
            "assignment": s.assignment_id,
            "number": s.number,
            "invoice_date": s.issued_at,
            "debtor": s.debtor,
            "event_id": s.event.id,
            "from": self.author,
            "party_id": s.event.party_id,
            "comment": self.text,
            "seen_at": s.seen_at,
        }


def _newest_first(c: Comment) -> tuple[int, float, str, str]:
    when = c.when
    # Comments without a time go last, in a stable order.
    return (0 if when else 1, -when.timestamp() if when else 0.0, c.stored.number, c.key[1])


def comments_from(
    stored: Sequence[StoredEvent],
    parties: Mapping[str, set[str]],
    *,
    unseen: bool = False,
) -> list[Comment]:
    """The comments that are not the company's own, newest first (`unseen`: only those not
    marked as seen)."""
    found = [Comment(s, author_of(s.event.party_id, parties)) for s in stored]
    kept = [c for c in found if c.author != "company" and not (unseen and c.seen)]
    return sorted(kept, key=_newest_first)
