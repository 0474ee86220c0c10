"""Text from input files, made safe to print on a terminal.

An assignment's debtor name, a comment from the API or an invoice number from
an XML file can hold ESC (`\\x1b[2J` clears the screen; OSC 52 writes the
clipboard), the 8-bit CSI `\\x9b` or a right-to-left override that makes a
line read differently from what it is. Such characters are shown as escapes
(`\\x1b`, `\\u202e`) instead of being obeyed; every other character is left as it is.
"""

from __future__ import annotations

_CONTROLS = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_TABLE: dict[int, str] = {
    **{c: f"\\x{c:02x}" for c in _CONTROLS},
    **{c: f"\\u{c:04x}" for c in _BIDI},
}


def shown(text: str) -> str:
    r"""`text` with control and bidirectional-override characters written as escapes.

    >>> shown("Oy\x1b[2J Ab\u202eevil")
    'Oy\\x1b[2J Ab\\u202eevil'
    """
    return text.translate(_TABLE)
