"""`kassavirta ledger import|list|status|comments`: the assignments the service holds, kept
locally, with the service-level groups and the comments seen."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kassavirta import terminal
from kassavirta.cli.common import action_parsers, add_output_option, ledger_path, write_json
from kassavirta.errors import SettingsError

if TYPE_CHECKING:
    from kassavirta.erp.assignments import Assignment, Event
    from kassavirta.erp.events.state import AssignmentState
    from kassavirta.erp.ledger import Ledger

HELP = "import, list and inspect the assignments the service holds (SQLite ledger)"
DESCRIPTION = (
    "Keep the service's assignments in a local ledger: import a Receivables API "
    "export (GET /v1/assignments with events, or GET /v1/service_levels), list them, show one "
    "with the state its events derive, and list the service's comments across them."
)

EPILOG = """\
The ledger is one SQLite file (default: $XDG_DATA_HOME/kassavirta/ledger.sqlite3,
i.e. ~/.local/share/kassavirta/ledger.sqlite3); --ledger FILE picks another.
`kassavirta check --ledger FILE` reads it for duplicate invoice numbers;
`kassavirta check --record` adds the routed invoices of a run to it.
"""


def _ledger_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ledger",
        type=Path,
        metavar="FILE",
        help="the ledger file (default: $XDG_DATA_HOME/kassavirta/ledger.sqlite3)",
    )


def register(p: argparse.ArgumentParser) -> None:
    s = action_parsers(p)

    imp = s.add_parser(
        "import",
        help="load a Receivables API assignments or service-levels JSON (idempotent)",
        description="Load the assignments JSON (a list, events embedded, as GET /v1/assignments "
        "returns it) into the ledger. Assignments are matched by id and events by id, so "
        "importing the same file twice changes nothing, and a newer export updates what changed. "
        "The GET /v1/service_levels answer (customers with vip, premium or service_bypass; "
        "recognised by its shape) replaces the ledger's service-level groups instead, which "
        "`kassavirta check --ledger` then uses beside the settings' service_levels. "
        "A file that is not valid JSON or not the API's shape is refused as a whole, naming the "
        "key, and the ledger is left as it was.",
        epilog="exit status: 0 imported, 2 for an unreadable or wrongly shaped file.",
    )
    imp.add_argument(
        "file", type=Path, metavar="FILE", help="the assignments or service-levels JSON"
    )
    imp.add_argument(
        "--service-levels",
        action="store_true",
        help="read FILE as the GET /v1/service_levels answer whatever its shape looks like "
        "(an empty list then empties the groups)",
    )
    _ledger_option(imp)
    imp.set_defaults(run=run_import)

    ls = s.add_parser(
        "list",
        help="list assignments, optionally by status or invoice number",
        description="List the assignments in the ledger, by invoice number and date.",
        epilog="exit status: 0 when at least one assignment matches, 1 when none does.",
    )
    ls.add_argument(
        "--status",
        choices=("open", "closed", "partially_closed"),
        help="only assignments with this status (as the API reported it, or closed by --record)",
    )
    ls.add_argument("--number", metavar="N", help="only assignments for invoice number N")
    _ledger_option(ls)
    add_output_option(ls, help="text for people (default) or json")
    ls.set_defaults(run=run_list)

    st = s.add_parser(
        "status",
        help="one assignment with its derived state, delivery status and events",
        description="Show one assignment: the fields the API reported, the state its events "
        "derive (status, paid, collection status, service level, due date), the delivery-status "
        "events worth showing, every event, and whether a new invoice with its number and date "
        "would be a duplicate.",
        epilog="exit status: 0 found, 2 no such assignment in the ledger (a usage error, as "
        "in `event validate`).",
    )
    st.add_argument("id", metavar="ID", help="the assignment id")
    _ledger_option(st)
    add_output_option(st, help="text for people (default) or json")
    st.set_defaults(run=run_status)

    co = s.add_parser(
        "comments",
        help="the service's comments across assignments, newest first",
        description="List the comment events of every assignment in the ledger, newest first, "
        "with the assignment and its invoice number: the dedicated comment view the guide "
        "recommends, so that a question from Visma Amili is not missed. The company's own "
        "comments are left out; a comment by a party the ledger cannot tell (no other event of "
        "it says who it is) is listed as 'unknown'. A comment is unseen until --mark-seen has "
        "listed it; the time it was marked is kept in the ledger.",
        epilog="exit status: 0 when at least one comment is listed, 1 when none is.",
    )
    co.add_argument("--unseen", action="store_true", help="only comments not yet marked as seen")
    co.add_argument(
        "--mark-seen",
        action="store_true",
        help="after listing them, mark the listed comments as seen (now) in the ledger",
    )
    _ledger_option(co)
    add_output_option(co, help="text for people (default) or json")
    co.set_defaults(run=run_comments)


def _open_existing(args: argparse.Namespace) -> tuple[Path, Ledger]:
    """List and status never create a ledger; they do migrate an older one."""
    from kassavirta.erp.ledger import Ledger, LedgerError

    path = ledger_path(args)
    if not path.is_file():
        raise LedgerError(
            f"no such ledger file (create one with `kassavirta ledger import FILE --ledger {path}`)",
            path=str(path),
        )
    return path, Ledger.open(path)


def run_import(args: argparse.Namespace) -> int:
    from kassavirta.erp.assignments import parse_assignments, read_json
    from kassavirta.erp.ledger import Ledger
    from kassavirta.erp.service_levels import is_service_levels

    data = read_json(args.file)
    if args.service_levels or is_service_levels(data):
        return _import_levels(args, data)
    # the whole file is checked before the ledger is touched
    items = parse_assignments(data, source=str(args.file))
    path = ledger_path(args)
    with Ledger.open(path) as ledger:
        c = ledger.import_assignments(items)
    print(
        f"ledger {path}: {len(items)} assignment(s) from {args.file}: "
        f"{c.assignments_new} new, {c.assignments_updated} updated, "
        f"{c.assignments_unchanged} unchanged; events: {c.events_new} new, "
        f"{c.events_updated} updated, {c.events_unchanged} unchanged"
    )
    return 0


def _import_levels(args: argparse.Namespace, data: Any) -> int:
    from kassavirta.erp.ledger import Ledger
    from kassavirta.erp.service_levels import LEVELS, parse_service_levels

    customers = parse_service_levels(data, source=str(args.file))
    path = ledger_path(args)
    with Ledger.open(path) as ledger:
        c = ledger.import_service_levels(customers, source=str(args.file))
    by_level = ", ".join(f"{sum(x.level == lv for x in customers)} {lv}" for lv in LEVELS)
    print(
        f"ledger {path}: service levels from {args.file}: {len(customers)} customer(s) in a "
        f"group ({by_level}): {c.new} new, {c.changed} changed, {c.removed} removed, "
        f"{c.unchanged} unchanged"
    )
    return 0


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _row(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.id,
        "number": a.number,
        "issued_at": a.issued_at.isoformat(),
        "due_date": a.due_date.isoformat() if a.due_date else None,
        "status": a.status,
        "collection_status": a.collection_status,
        "service_level": a.service_level,
        "sum": _money(a.sum) or None,
        "paid": _money(a.paid) or None,
        "currency": a.currency,
        "debtor": {"name": a.debtor.name, "bid": a.debtor.bid},
        "events": len(a.events),
        "delivery_status": a.latest_delivery_status(),
        "action_needed": a.reroute_note(),
    }


def run_list(args: argparse.Namespace) -> int:
    _, opened = _open_existing(args)
    with opened as ledger:
        found = ledger.assignments(status=args.status, number=args.number)
    out = sys.stdout
    if args.output == "json":
        write_json([_row(a) for a in found])
        return 0 if found else 1
    header = ("ID", "NUMBER", "ISSUED", "DUE", "STATUS", "COLLECTION", "SUM", "PAID", "DEBTOR")
    rows = [
        (
            terminal.shown(a.id),
            terminal.shown(a.number),
            a.issued_at.isoformat(),
            a.due_date.isoformat() if a.due_date else "-",
            terminal.shown(a.status),
            terminal.shown(a.collection_status),
            _money(a.sum) or "-",
            _money(a.paid) or "-",
            terminal.shown(a.debtor.name or "-"),
        )
        for a in found
    ]
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header) - 1)]
    for r in (header, *rows):
        cells = [str(v).ljust(w) for v, w in zip(r[:-1], widths, strict=True)]
        out.write("  ".join([*cells, str(r[-1])]).rstrip() + "\n")
    for a in found:
        note = a.reroute_note()
        if note:
            out.write(terminal.shown(f"! {a.number} ({a.id}): {note}") + "\n")
    out.write(f"{len(rows)} assignment(s)\n")
    return 0 if found else 1


def duplicate_note(a: Assignment, links: Sequence[str] = ()) -> tuple[bool, str]:
    """Would a new invoice with this number and invoice date be let through (SPEC §4)? And why.

    `links`: how other assignments link this one as a credit note (`AssignmentIndex.links`).
    """
    from kassavirta.erp.assignments import judge

    verdict = judge(a, a.issued_at, links)
    return verdict.allowed, verdict.explain(a)


def _event_line(e: Event) -> str:
    when = e.happened_at or e.created_at
    stamp = when.isoformat().replace("+00:00", "Z") if when else "-"
    data = json.dumps(e.data, ensure_ascii=False, sort_keys=True)
    return terminal.shown(f"{stamp}  {e.type}  {data}")


def _state_dict(state: AssignmentState) -> dict[str, Any]:
    return {
        "status": state.status,
        "paid": _money(state.paid) or None,
        "collection_status": state.collection_status,
        "service_level": state.service_level,
        "due_date": state.due_date.isoformat() if state.due_date else None,
        "cancelled": state.cancelled,
        "credit_loss": state.credit_loss,
        "frozen_until": state.frozen_until.isoformat() if state.frozen_until else None,
        "derived_from_events": sorted(state.derived),
    }


def _fields(
    status: str, paid: Decimal | None, collection: str, level: str, due: date | None
) -> dict[str, str]:
    return {
        "status": status,
        "paid": _money(paid) or "-",
        "collection status": collection,
        "service level": level,
        "due date": due.isoformat() if due else "-",
    }


def run_status(args: argparse.Namespace) -> int:
    from kassavirta.erp.events.state import apply_events, delivery_view, ordered

    path, opened = _open_existing(args)
    with opened as ledger:
        a = ledger.get(args.id)
        links = ledger.crediting().links(a) if a is not None else []
    if a is None:
        raise SettingsError(f"no assignment {args.id!r}", path=f"ledger {path}")
    state = apply_events(a)
    allowed, note = duplicate_note(a, links)
    shown = delivery_view(a.events)
    reroute = a.reroute_note(state.status, state.due_date)
    out = sys.stdout
    if args.output == "json":
        doc = {
            "assignment": _row(a),
            "derived": _state_dict(state),
            "delivery": [e.model_dump(mode="json") for e in shown],
            "events": [e.model_dump(mode="json") for e in ordered(a.events)],
            "duplicate": {"new_invoice_allowed": allowed, "reason": note},
            "action_needed": reroute,
        }
        write_json(doc)
        return 0
    reported = _fields(a.status, a.paid, a.collection_status, a.service_level, a.due_date)
    derived = _fields(
        state.status, state.paid, state.collection_status, state.service_level, state.due_date
    )
    debtor = a.debtor.name or "-"
    if a.debtor.bid:
        debtor += f" ({a.debtor.bid})"
    out.write(terminal.shown(f"assignment {a.id}") + "\n")
    out.write(terminal.shown(f"  invoice number     {a.number}") + "\n")
    out.write(f"  invoice date       {a.issued_at.isoformat()}\n")
    out.write(terminal.shown(f"  debtor             {debtor}") + "\n")
    out.write(f"  sum                {_money(a.sum) or '-'} {a.currency or ''}".rstrip() + "\n")
    out.write(
        f"state (derived from {len(a.events)} event(s); reported by the API in brackets where different)\n"
    )
    for key, value in derived.items():
        differs = f"  [{reported[key]}]" if reported[key] != value else ""
        out.write(terminal.shown(f"  {key:<18} {value}{differs}") + "\n")
    flags = [
        f for f, on in (("cancelled", state.cancelled), ("credit loss", state.credit_loss)) if on
    ]
    if state.frozen_until:
        flags.append(f"frozen until {state.frozen_until.isoformat()}")
    if flags:
        out.write(f"  {'also':<18} {', '.join(flags)}\n")
    out.write("delivery status\n")
    for e in shown:
        out.write(f"  {_event_line(e)}\n")
    if not shown:
        out.write("  (none)\n")
    hidden = sum(1 for e in a.events if e.type == "delivery_status") - len(shown)
    if hidden:
        out.write(f"  ({hidden} repeated DELIVERED event(s) hidden)\n")
    if reroute:
        out.write(terminal.shown(f"  ! {reroute}") + "\n")
    out.write("events\n")
    for e in ordered(a.events):
        out.write(f"  {_event_line(e)}\n")
    if not a.events:
        out.write("  (none)\n")
    out.write(
        terminal.shown(f"a new invoice {a.number} dated {a.issued_at.isoformat()}: {note}") + "\n"
    )
    return 0


def run_comments(args: argparse.Namespace) -> int:
    from kassavirta.erp.comments import comments_from

    path, opened = _open_existing(args)
    with opened as ledger:
        found = comments_from(
            ledger.events_of_type("comment"), ledger.parties(), unseen=args.unseen
        )
        marked = ledger.mark_seen(c.key for c in found) if args.mark_seen else None
    if args.output == "json":
        write_json([c.as_dict() for c in found])
    else:
        header = ("AT", "NUMBER", "ASSIGNMENT", "FROM", "SEEN", "COMMENT")
        rows = [
            (
                str(c.as_dict()["at"] or "-"),
                terminal.shown(c.stored.number),
                terminal.shown(c.stored.assignment_id),
                c.author,
                c.stored.seen_at or "new",
                terminal.shown(" ".join(c.text.split())),
            )
            for c in found
        ]
        widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header) - 1)]
        for r in (header, *rows) if rows else ():
            cells = [v.ljust(w) for v, w in zip(r[:-1], widths, strict=True)]
            sys.stdout.write("  ".join([*cells, r[-1]]).rstrip() + "\n")
        new = sum(1 for c in found if not c.seen)
        what = "unseen comment(s)" if args.unseen else f"comment(s), {new} unseen"
        sys.stdout.write(f"{len(found)} {what}\n")
    if marked is not None:
        count, at = marked
        print(f"ledger {path}: marked {count} comment(s) as seen at {at}", file=sys.stderr)
    return 0 if found else 1
