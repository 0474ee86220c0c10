"""How payments compare invoice numbers and references, shared by the ledger's lookup table.

The ledger stores these keys beside each assignment so that a credit finds its
candidates with an indexed query; the payment rules then confirm each one.
Both sides must fold the same way, so the folding lives here once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_FOLD = str.maketrans({"İ": "i", "ı": "i", "ſ": "s", "K": "k"})
"""The four non-ASCII letters that `re.I` takes for an ASCII one (Python's `re` docs)."""
_WORD = re.compile(r"[a-z0-9]+")


def ref_key(value: str) -> str:
    """References are printed in groups and padded with zeros: compared without either."""
    return "".join(value.split()).upper().lstrip("0")


def words(text: str) -> list[str]:
    """The runs of letters and digits in `text`, folded the way a case-blind regex compares them."""
    return _WORD.findall(text.translate(_FOLD).lower())


def number_word(number: str) -> str:
    """The first word of an invoice number ("" when it has none): a text naming it holds it whole."""
    found = words(number)
    return found[0] if found else ""


MAX_NUMBER_WORDS = 12
"""Numbers of more words than this are keyed "", with the wordless ones: always compared."""


def number_key(number: str) -> str:
    """An invoice number's words, space-separated: "" for none or more than `MAX_NUMBER_WORDS`.

    A text that names the number holds these words next to each other, so the
    number is found among the runs of up to `MAX_NUMBER_WORDS` words of the text
    (`text_keys`), whichever words its numbering scheme shares with others.
    """
    found = words(number)
    return " ".join(found) if len(found) <= MAX_NUMBER_WORDS else ""


def text_keys(texts: Iterable[str]) -> set[str]:
    """Every key (`number_key`) of a number that `texts` may name, "" included."""
    keys = {""}
    for text in texts:
        found = words(text)
        for start in range(len(found)):
            for end in range(start + 1, min(start + MAX_NUMBER_WORDS, len(found)) + 1):
                keys.add(" ".join(found[start:end]))
    return keys
