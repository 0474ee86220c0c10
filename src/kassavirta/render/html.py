"""The invoice image as one self-contained HTML page.

Inline CSS, the barcode and QR code as `data:` URIs, no script and no link to
anything outside the file: the page opens the same offline, in a mail
attachment or in a browser with the network off.
"""

from __future__ import annotations

import base64
from html import escape

from kassavirta.render import code128, epcqr
from kassavirta.render.labels import field_name, slip_label
from kassavirta.render.view import (
    Comparison,
    Page,
    comparisons,
    money,
    number,
    party_ids,
    party_lines,
    printed_date,
    printed_iban,
    printed_reference,
)

CSS = """
*{box-sizing:border-box}
body{margin:0;background:#e9ecef;font:13px/1.4 "Helvetica Neue",Arial,sans-serif;color:#111}
.sheet{width:210mm;min-height:297mm;margin:12px auto;padding:14mm 15mm;background:#fff;
 box-shadow:0 1px 4px rgba(0,0,0,.25)}
.head{display:flex;justify-content:space-between;gap:12mm}
.seller .name{font-size:18px;font-weight:bold}
.title{font-size:22px;font-weight:bold;letter-spacing:.05em;text-align:right}
table{border-collapse:collapse;width:100%}
.facts td{padding:1px 0 1px 8px;vertical-align:top}.facts td:first-child{color:#555;padding-left:0;white-space:nowrap}
.facts td:last-child{min-width:36mm;max-width:62mm;overflow-wrap:anywhere}
.head .seller{flex:1 1 0;min-width:0;overflow-wrap:anywhere}.head>div:last-child{flex:0 0 auto}
.buyer .ids{font-size:11px;margin-top:1mm}
.buyer{margin:10mm 0 8mm;min-height:28mm}
.buyer .lbl,.lbl{color:#555;font-size:11px;text-transform:uppercase;letter-spacing:.04em}
.rows th{border-bottom:1.5px solid #111;text-align:left;font-size:11px;padding:3px 4px}
.rows th.num{text-align:right}
.rows td{border-bottom:1px solid #ddd;padding:3px 4px;vertical-align:top;overflow-wrap:anywhere}
.rows tr.charge td{font-style:italic}.rows tr.uncounted td{color:#777}
.num{text-align:right;white-space:nowrap}
.sums{display:flex;justify-content:space-between;gap:10mm;margin-top:6mm}
.sums table{width:auto}.sums td{padding:1px 6px}
.grand td{font-weight:bold;border-top:1.5px solid #111}
.clause{margin-top:7mm;padding:3mm 4mm;border:1.5px solid #111;background:#f6f6f6}
.clause p{margin:0;font-family:"DejaVu Sans Mono",Consolas,monospace;font-size:12px}
.slip{margin-top:8mm;border-top:2px dashed #777;padding-top:5mm;display:flex;gap:6mm}
.slip table td{border:1px solid #111;padding:2px 6px;vertical-align:top}
.slip .big{font-size:15px;font-weight:bold;letter-spacing:.03em}
.giro .lbl{font-size:9px;line-height:1.25;width:31mm;white-space:nowrap;text-transform:none;letter-spacing:0}
.giro td.blank{width:28mm}.giro td.big{white-space:nowrap;overflow-wrap:normal}
.giro td.lbl.short{width:17mm}.giro td.lbl.euro{width:9mm}
.slip td{overflow-wrap:anywhere}
.slip.credit{border:2px solid #111;border-top:2px solid #111;padding:5mm 6mm}
.slip.credit .big{font-size:20px}
.codes{margin-top:4mm;display:flex;justify-content:space-between;align-items:flex-end}
.digits{font-family:monospace;font-size:11px;letter-spacing:.05em}
.qr{text-align:center;font-size:11px}
.note{margin-top:5mm;font-size:11px;color:#8a4b00}
mark{background:#fff3a0;padding:0 2px}
.compare{width:210mm;margin:12px auto;padding:8mm 15mm;background:#fff}
.compare table{table-layout:fixed}
.compare td,.compare th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top;
 overflow-wrap:anywhere}
.compare th:first-child{width:30%}
.compare li{overflow-wrap:anywhere}
.clause.changed{background:#fff3a0}
.compare tr.changed td{background:#fff3a0}
.compare code{font-size:11px;color:#555}
@media print{body{background:#fff}.sheet,.compare{margin:0;box-shadow:none}}
"""


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _e(value: object) -> str:
    return escape(str(value)) if value is not None else ""


def _mark(text: str, on: bool) -> str:
    return f"<mark>{text}</mark>" if on and text else text


def _facts(page: Page, highlight: bool) -> str:
    inv = page.invoice
    rows = [
        (page.t("number"), _e(inv.number)),
        (page.t("date"), _e(printed_date(inv.issue_date))),
    ]
    if not page.credit:
        due = printed_date(inv.payment.due_date or inv.due_date)
        rows.append((page.t("due_date"), f"<b>{_e(due)}</b>"))
    rows += [
        (
            page.t("reference"),
            _mark(
                _e(printed_reference(inv.payment.reference)),
                highlight and page.changed("payment.reference"),
            ),
        ),
    ]
    if page.terms:
        rows.append((page.t("terms"), _e(page.terms)))
    if inv.penalty_interest_percent is not None:
        rows.append(
            (page.t("interest"), _e(number(inv.penalty_interest_percent, page.language)) + " %")
        )
    return "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)


def _rows(page: Page) -> str:
    head = "".join(
        f'<th class="{cls}">{page.t(key)}</th>'
        for key, cls in (
            ("item", ""),
            ("quantity", "num"),
            ("unit_price", "num"),
            ("vat_percent", "num"),
            ("vat_excluded", "num"),
            ("vat", "num"),
            ("row_total", "num"),
        )
    )
    body = []
    for line in page.lines:
        cls = f' class="{line.kind}"' if line.kind != "row" else ""
        item, *numbers = line.cells
        body.append(
            f"<tr{cls}><td>{_e(item)}</td>"
            + "".join(f"<td class=num>{_e(v)}</td>" for v in numbers)
            + "</tr>"
        )
    return f'<table class="rows"><tr>{head}</tr>{"".join(body)}</table>'


def _sums(page: Page) -> str:
    inv, lang = page.invoice, page.language
    vat = "".join(
        f"<tr><td class=num>{number(v.percent, lang)} %</td><td class=num>{money(v.base, lang)}</td>"
        f"<td class=num>{money(v.amount, lang)}</td></tr>"
        for v in inv.vat_lines
    )
    vat_table = (
        f'<table><tr><td class="lbl" colspan=3>{page.t("vat_breakdown")}</td></tr>'
        f'<tr><td class="lbl num">{page.t("vat_percent")}</td><td class="lbl num">{page.t("vat_base")}</td>'
        f'<td class="lbl num">{page.t("vat")}</td></tr>{vat}</table>'
        if inv.vat_lines
        else "<div></div>"
    )
    totals = [
        ("total_vat_excluded", inv.total_vat_excluded),
        ("total_vat", inv.total_vat),
        ("rounding", inv.rounding),
        ("total", inv.total),
        ("paid", inv.paid_amount),
    ]
    lines = "".join(
        f"<tr><td>{page.t(k)}</td><td class=num>{money(v, lang)} EUR</td></tr>"
        for k, v in totals
        if v is not None
    )
    key, due = (
        ("amount_credited", page.amount_credited)
        if page.credit
        else ("amount_due", page.amount_due)
    )
    lines += (
        f'<tr class="grand"><td>{page.t(key)}</td><td class=num>{money(due, lang)} EUR</td></tr>'
    )
    return f'<div class="sums">{vat_table}<table>{lines}</table></div>'


def _do_not_pay(page: Page) -> str:
    """Where an invoice has its payment slip, a credit note says it is not to be paid."""
    amount = money(page.amount_credited, page.language)
    return (
        f'<div class="slip credit"><div><div class="big">{page.t("do_not_pay")}</div>'
        f"<p>{_e(page.t('credit_note_text'))}</p>"
        f'<p>{page.t("amount_credited")}: <span class="big">{amount} EUR</span></p></div></div>'
    )


def _slip_label(key: str) -> str:
    """The form's caption, Finnish above Swedish (both the same word: printed once)."""
    fi, sv = slip_label(key)
    return _e(fi) if fi == sv else f"{_e(fi)}<br>{_e(sv)}"


def _slip(page: Page, highlight: bool) -> str:
    if page.credit:
        return _do_not_pay(page)
    inv, lang = page.invoice, page.language
    p = inv.payment
    account = _mark(
        f'<span class="big">{_e(printed_iban(p.iban))}</span> &nbsp; BIC {_e(p.bic)}',
        highlight and page.changed("payment.iban", "payment.bic"),
    )
    payee = _mark(_e(page.payee), highlight and page.changed("payment.beneficiary"))
    payer = "<br>".join(_e(x) for x in party_lines(inv, "buyer"))
    reference = _mark(
        f'<span class="big">{_e(printed_reference(p.reference))}</span>',
        highlight and page.changed("payment.reference"),
    )
    amount = money(page.amount_due, lang)
    due = _e(printed_date(p.due_date))
    table = (
        '<table class="giro">'
        f'<tr><td class="lbl">{_slip_label("payee_account")}</td><td colspan=5>{account}</td></tr>'
        f'<tr><td class="lbl">{_slip_label("payee")}</td><td colspan=5>{payee}</td></tr>'
        f'<tr><td class="lbl">{_slip_label("payer")}</td><td colspan=5>{payer}</td></tr>'
        f'<tr><td class="lbl">{_slip_label("signature")}</td><td class="blank"></td>'
        f'<td class="lbl short">{_slip_label("reference")}</td><td colspan=3>{reference}</td></tr>'
        f'<tr><td class="lbl">{_slip_label("from_account")}</td><td class="blank"></td>'
        f'<td class="lbl short">{_slip_label("due_date")}</td><td class="big">{due}</td>'
        f'<td class="lbl euro">{_slip_label("amount")}</td><td class="big num">{amount}</td></tr>'
        "</table>"
    )
    qr = ""
    if page.qr_payload:
        qr = (
            f'<div class="qr"><img alt="{page.t("qr")}" width="120" height="120" '
            f'src="{_data_uri(epcqr.svg(page.qr_payload))}"><br>{page.t("qr")}</div>'
        )
    codes = ""
    if page.barcode:
        codes = (
            f'<div><div class="lbl">{page.t("barcode")}</div>'
            f'<img alt="{page.t("barcode")}" style="width:105mm;height:13mm" '
            f'src="{_data_uri(code128.svg(page.barcode, height=40))}">'
            f'<div class="digits">{_e(page.barcode)}</div></div>'
        )
    return f'<div class="slip"><div style="flex:1">{table}<div class="codes">{codes}</div></div>{qr}</div>'


def _sheet(page: Page, highlight: bool) -> str:
    inv = page.invoice
    seller = party_lines(inv, "seller")
    seller_html = (
        f'<div class="name">{_e(seller[0] if seller else "")}</div>'
        + "".join(f"<div>{_e(x)}</div>" for x in seller[1:])
        + "".join(f"<div>{_e(x)}</div>" for x in party_ids(inv, "seller", page.language))
    )
    buyer = "<br>".join(_e(x) for x in party_lines(inv, "buyer"))
    buyer += "".join(
        f'<div class="ids">{_e(x)}</div>' for x in party_ids(inv, "buyer", page.language)
    )
    clause = ""
    if page.clause:
        text = "".join(f"<p>{_e(line)}</p>" for line in page.clause)
        cls = "clause changed" if highlight else "clause"
        clause = f'<div class="{cls}"><div class="lbl">{page.t("clause")}</div>{text}</div>'
    note = page.t("preview") if page.rewritten else page.t("original_image")
    return (
        f'<section class="sheet" lang="{page.language}">'
        f'<div class="head"><div class="seller">{seller_html}</div>'
        f'<div><div class="title">{page.title}</div><table class="facts">{_facts(page, highlight)}</table></div></div>'
        f'<div class="buyer"><div class="lbl">{page.t("buyer")}</div>{buyer}</div>'
        f"{_rows(page)}{_sums(page)}{clause}{_slip(page, highlight)}"
        f'<div class="note">{_e(note)}</div>'
        "</section>"
    )


def _compare(page: Page) -> str:
    def cell(row: Comparison) -> str:
        where = f"<br><code>{_e(row.xpath)}</code>" if row.xpath else ""
        cls = ' class="changed"' if row.changed else ""
        return (
            f"<tr{cls}><td>{_e(row.label)}{where}</td><td>{_e(row.original or '(none)')}</td>"
            f"<td>{_e(row.rewritten or ('(removed)' if row.original else '(none)'))}</td></tr>"
        )

    rows = "".join(cell(r) for r in comparisons(page))
    changes = "".join(
        f"<li>{_e(field_name(c.field))}: {_e(c.old if c.old is not None else '(none)')} → "
        f"{_e(c.new if c.new is not None else '(removed)')}<br><code>{_e(c.xpath)}</code></li>"
        for c in page.changes
    )
    notes = "".join(f"<li>{_e(n)}</li>" for n in page.notes)
    return (
        '<section class="compare"><h2>Original → rewritten</h2>'
        f"<table><tr><th>Field</th><th>Original</th><th>Rewritten</th></tr>{rows}</table>"
        f"<h3>Changed fields ({len(page.changes)})</h3><ul>{changes}</ul>"
        f"<h3>Notes</h3><ul>{notes}</ul></section>"
    )


def render_html(pages: list[Page], *, compare: bool = False) -> str:
    """The whole preview as one HTML document."""
    language = pages[0].language if pages else "fi"
    title = " / ".join(f"{p.title} {p.invoice.number or ''}".strip() for p in pages)
    body = "".join((_compare(p) if compare else "") + _sheet(p, compare) for p in pages)
    return (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>{body}</body></html>\n"
    )
