"""Code 128, set C: the symbology of the Finnish bank barcode.

The bank barcode guide prints the 54-digit virtual barcode as Code 128 in
character set C (two digits per symbol): start C, 27 data symbols, the
modulo-103 check symbol and stop. Only set C is needed, so this is a few
lines over the published symbol table instead of a dependency; the result is
a list of bar and space widths that the HTML (SVG) and PDF renderers draw as
vectors, crisp at any zoom and in print.

>>> symbols('12345678')
[105, 12, 34, 56, 78, 47, 106]
>>> sum(widths('12345678'))  # 6 symbols × 11 modules + stop 13
79
"""

from __future__ import annotations

from typing import Final

# Bar/space widths (bar first) of the symbols 0–106, from the Code 128
# symbology specification (ISO/IEC 15417); 103–105 are the start symbols A/B/C
# and 106 the stop pattern, which has a seventh element (the final bar).
PATTERNS: Final[tuple[str, ...]] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312",
    "132212", "221213", "221312", "231212", "112232", "122132", "122231", "113222",
    "123122", "123221", "223211", "221132", "221231", "213212", "223112", "312131",
    "311222", "321122", "321221", "312212", "322112", "322211", "212123", "212321",
    "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121",
    "313121", "211331", "231131", "213113", "213311", "213131", "311123", "311321",
    "331121", "312113", "312311", "332111", "314111", "221411", "431111", "111224",
    "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112",
    "421211", "212141", "214121", "412121", "111143", "111341", "131141", "114113",
    "114311", "411113", "411311", "113141", "114131", "311141", "411131", "211412",
    "211214", "211232", "2331112",
)  # fmt: skip
START_C: Final = 105
STOP: Final = 106
QUIET_ZONE: Final = 10
"""Modules of blank space each side: the symbology's minimum."""


def symbols(digits: str) -> list[int]:
    """Start C, one symbol per digit pair, the check symbol, stop."""
    if not digits or len(digits) % 2 or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"set C encodes an even number of digits: {digits!r}")
    data = [int(digits[i : i + 2]) for i in range(0, len(digits), 2)]
    check = (START_C + sum(weight * value for weight, value in enumerate(data, start=1))) % 103
    return [START_C, *data, check, STOP]


def widths(digits: str) -> list[int]:
    """Alternating bar and space widths in modules, starting and ending with a bar."""
    return [int(w) for symbol in symbols(digits) for w in PATTERNS[symbol]]


def bars(digits: str) -> list[tuple[int, int]]:
    """(offset, width) of each bar in modules, after the left quiet zone."""
    found: list[tuple[int, int]] = []
    position = QUIET_ZONE
    for index, width in enumerate(widths(digits)):
        if index % 2 == 0:
            found.append((position, width))
        position += width
    return found


def total_modules(digits: str) -> int:
    return sum(widths(digits)) + 2 * QUIET_ZONE


def svg(digits: str, *, module: float = 1.0, height: float = 50.0) -> str:
    """A standalone SVG of the barcode (user units: `module` per module)."""
    width = total_modules(digits) * module
    rects = "".join(
        f'<rect x="{x * module:g}" y="0" width="{w * module:g}" height="{height:g}"/>'
        for x, w in bars(digits)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" shape-rendering="crispEdges">'
        f'<rect width="100%" height="100%" fill="#fff"/><g fill="#000">{rects}</g></svg>'
    )
