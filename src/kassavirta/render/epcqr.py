"""The payment QR code: the European Payments Council's "SCT" QR code.

A Finnish invoice image may carry, beside the bank barcode, the EPC QR code
(EPC069-12) that a banking app reads to fill in a SEPA credit transfer. Its
payload is up to twelve lines, in this order: service tag `BCD`, version
`002`, character set `1` (UTF-8), identification `SCT`, BIC, beneficiary
name (≤ 70), IBAN, amount (`EUR` + amount with a dot), purpose code,
structured reference (≤ 35), unstructured text (≤ 140; never with a
reference), information to the payer (≤ 70). Empty trailing lines are left
out. The guideline fixes error correction level M and at most version 13.

As the Finnish application of the guideline does, the structured reference
line carries either an RF reference or the national reference, and the
payer-information line carries the due date as `ReqdExctnDt/YYYY-MM-DD`.

segno builds the symbol: pure Python, no dependencies, maintained, and it
hands back the module matrix, which both renderers draw as vectors.

>>> print(epc_payload('DABAFIHH', 'Visma Amili Finland Oy', 'FI95 8000 0012 3456 02',
...                   Decimal('424.2'), '841937935203', date(2026, 12, 11)))
BCD
002
1
SCT
DABAFIHH
Visma Amili Finland Oy
FI9580000012345602
EUR424.20
<BLANKLINE>
841937935203
<BLANKLINE>
ReqdExctnDt/2026-12-11
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

MAX_AMOUNT: Final = Decimal("999999999.99")
MAX_VERSION: Final = 13
QUIET_ZONE: Final = 4


def epc_payload(
    bic: str | None,
    name: str,
    iban: str,
    amount: Decimal | None,
    reference: str | None,
    due_date: date | None,
) -> str:
    """The EPC QR payload; a missing or non-payable amount leaves the amount line empty."""
    money = ""
    if amount is not None and Decimal("0.01") <= amount <= MAX_AMOUNT:
        money = f"EUR{amount.quantize(Decimal('0.01'))}"
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        (bic or "").strip(),
        " ".join(name.split())[:70],
        "".join(iban.split()).upper(),
        money,
        "",
        "".join((reference or "").split())[:35],
        "",
        f"ReqdExctnDt/{due_date.isoformat()}" if due_date else "",
    ]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def matrix(payload: str) -> list[list[bool]]:
    """The QR symbol's dark modules, row by row, with the 4-module quiet zone."""
    import segno

    code = segno.make_qr(payload, error="m", boost_error=False, encoding="utf-8")
    if int(code.version) > MAX_VERSION:
        raise ValueError(f"the payment QR code would need version {code.version} (at most 13)")
    size = len(code.matrix)
    blank = [False] * (size + 2 * QUIET_ZONE)
    rows = [list(blank) for _ in range(QUIET_ZONE)]
    for row in code.matrix:
        rows.append([False] * QUIET_ZONE + [bool(v) for v in row] + [False] * QUIET_ZONE)
    rows.extend(list(blank) for _ in range(QUIET_ZONE))
    return rows


def runs(rows: list[list[bool]]) -> list[tuple[int, int, int]]:
    """(x, y, length) of each horizontal run of dark modules: few shapes to draw."""
    found: list[tuple[int, int, int]] = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                found.append((start, y, x - start))
            else:
                x += 1
    return found


def svg(payload: str, *, module: float = 1.0) -> str:
    """A standalone SVG of the QR code (user units: `module` per module)."""
    rows = matrix(payload)
    size = len(rows) * module
    path = "".join(
        f"M{x * module:g} {y * module:g}h{n * module:g}v{module:g}h-{n * module:g}z"
        for x, y, n in runs(rows)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size:g} {size:g}" '
        f'width="{size:g}" height="{size:g}" shape-rendering="crispEdges">'
        f'<rect width="100%" height="100%" fill="#fff"/><path fill="#000" d="{path}"/></svg>'
    )
