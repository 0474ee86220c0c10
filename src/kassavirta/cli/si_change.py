"""`kassavirta si-change`: the SI CHANGE messages consumer e-invoicing needs before the service."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, time
from pathlib import Path

from kassavirta.cli.common import iso_date

HELP = "write the SI CHANGE messages (FinvoiceSenderInfo) consumer e-invoicing needs"
DESCRIPTION = (
    "Write one FinvoiceSenderInfo CHANGE message per bank that adds the "
    "service's IBAN as a seller account and moves SellerInvoiceIdentifierType away from "
    "reference numbers, so that banks accept consumer e-invoices the service has rewritten."
)

EPILOG = """\
Each bank the company has a consumer e-invoicing (SI) agreement with gets its own
file, DIR/senderinfo-change-<BIC>.xml: a SOAP/ebXML frame addressed to that bank
(eb:To, Role Intermediator) followed by the FinvoiceSenderInfo CHANGE message
(--no-frame writes the message alone). What changes:
  * the service's IBAN (vfsfi.iban, with vfsfi.bic) is added as one more
    SellerAccountDetails, after the accounts already there;
  * SellerInvoiceIdentifierType 01 or 02 (reference numbers) becomes the
    settings' si_identifier_type (08, 09 or 99; default 09). The 1.3 schema
    allows only 01 and 02, so a 1.3 message drops the type instead;
  * MessageActionCode CHANGE and MessageDate today.
Everything else is carried over from --from (the SI messages the company sent
before; a file with a frame is for the bank its frame names) or built from
--seller FILE (JSON or TOML; see docs/erp.md).

When the banks have the messages, set "si_change_sent": true in the settings:
until then `kassavirta check` warns consumer-si-message on consumer invoices.

exit status: 0 every message needed was written, 1 a bank's message could not
be written (the reason is printed), 2 for a usage error.
"""


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--settings",
        type=Path,
        required=True,
        metavar="FILE",
        help="activation settings (vfsfi.iban and vfsfi.bic: the service's account; "
        "si_identifier_type)",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--from",
        dest="sources",
        type=Path,
        nargs="+",
        metavar="SENDERINFO.xml",
        help="the company's current SI messages, one per bank (with or without a frame)",
    )
    source.add_argument(
        "--seller",
        type=Path,
        metavar="FILE",
        help="the company's sender info as a small JSON or TOML file (needs --bank)",
    )
    p.add_argument(
        "--bank",
        nargs="+",
        default=[],
        metavar="BIC",
        help="the banks to write for: required with --seller; with --from, the banks for the "
        "messages that have no frame naming their bank",
    )
    p.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="where to write the messages (default: the current folder)",
    )
    p.add_argument(
        "--version",
        dest="si_version",
        choices=("2.0", "1.3"),
        default="2.0",
        help="the schema family: 2.0 (default) or 1.3 (root Version 1.0)",
    )
    p.add_argument(
        "--today",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="the message date (default: today in Europe/Helsinki)",
    )
    p.add_argument(
        "--no-frame",
        dest="frame",
        action="store_false",
        help="write the FinvoiceSenderInfo message without the SOAP/ebXML frame",
    )
    p.set_defaults(run=run)


def _banks(values: list[str]) -> list[str]:
    from kassavirta.errors import SettingsError
    from kassavirta.finnish.bank import validate_bic

    out: list[str] = []
    for value in values:
        try:
            out.append(validate_bic(value))
        except ValueError as exc:
            raise SettingsError(f"--bank {value}: {exc}", path="si-change") from exc
    return out


def run(args: argparse.Namespace) -> int:
    from kassavirta.config.settings import load_settings
    from kassavirta.erp.senderinfo.change import build_messages, describe, service_account
    from kassavirta.erp.senderinfo.model import HELSINKI
    from kassavirta.erp.senderinfo.read import read_sender_info_files
    from kassavirta.erp.senderinfo.seller import load_seller_file
    from kassavirta.erp.senderinfo.write import serialise
    from kassavirta.errors import SettingsError
    from kassavirta.fileio import write_output

    settings = load_settings(args.settings)
    iban, bic = service_account(settings, source=str(args.settings))
    banks = _banks(args.bank)
    if args.seller is not None:
        if not banks:
            raise SettingsError(
                "--seller needs --bank BIC... (the banks to write for)", path="si-change"
            )
        infos = [load_seller_file(args.seller)]
    else:
        infos = read_sender_info_files(args.sources)
        if not infos:
            raise SettingsError(
                "no FinvoiceSenderInfo message in the --from files", path="si-change"
            )
    today = args.today or datetime.now(HELSINKI).date()
    stamp = (
        datetime.combine(today, time(0, 0), HELSINKI)
        if args.today
        else datetime.now(HELSINKI).replace(microsecond=0)
    )
    messages = build_messages(
        infos,
        banks,
        service_iban=iban,
        service_bic=bic,
        identifier_type=settings.si_identifier_type,
        today=today,
        version=args.si_version,
    )
    out = sys.stdout
    failed = 0
    written = 0
    files: list[tuple[Path, bytes]] = []
    for message in messages:
        for line in describe(message):
            out.write(line + "\n")
        if message.problems:
            failed += 1
            out.write("  not written\n")
            continue
        if not message.changed:
            out.write("  no message needed\n")
            continue
        target = args.output_dir / message.file_name
        files.append((target, serialise(message, frame=args.frame, stamp=stamp)))
        out.write(f"  written: {target}\n")
    inputs = [args.settings, *([args.seller] if args.seller else []), *(args.sources or [])]
    for target, data in files:
        write_output(target, data, inputs=inputs)
        written += 1
    out.write(
        f"{len(messages)} bank(s): {written} message(s) written, "
        f"{len(messages) - written - failed} not needed, {failed} not written\n"
    )
    if written and not settings.si_change_sent:
        out.write(
            f'Send them to your bank; once the banks have them, set "si_change_sent": true in '
            f"{args.settings} (until then `kassavirta check` warns consumer-si-message).\n"
        )
    return 1 if failed else 0
