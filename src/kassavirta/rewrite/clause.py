"""The transfer (factoring) clause the service adds to a routed invoice.

The clause tells the payer that the receivable now belongs to the service and
that only a payment to the service's account discharges the debt. Its language
follows the invoice recipient's language code, like the service's reminders
(the guide: Finnish when there is none). When the activation settings carry the
service's own phrase for that language (`vfsfi.notes`), that phrase is used as
it is; otherwise our own template, which names the service, its account and
the sender's customer-service contacts (`customer_service_email`,
`customer_service_phone_number`: the guide says those appear in the clause).

Finvoice carries the clause as `FactoringFreeText` lines of at most 70
characters, so the text is also split into such lines here, at word
boundaries, for every format to use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from kassavirta.config.settings import Settings
from kassavirta.finnish.bank import format_iban

Language = Literal["fi", "sv", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("fi", "sv", "en")
DEFAULT_LANGUAGE: Final[Language] = "fi"
LINE_WIDTH: Final = 70
"""FactoringFreeText is a string of 0–70 characters in every Finvoice version."""

_TEMPLATES: Final[dict[Language, tuple[str, str, str, str]]] = {
    # (assignment, account, contacts, the word before a phone number)
    "fi": (
        "Tämä saatava on siirretty uudelle velkojalle: {payee} (Amili Kassavirta).",
        "Saatavan voi maksaa velasta vapauttavasti vain tilille {iban}.",
        "Laskua koskeviin kysymyksiin vastaa laskuttaja: {contacts}.",
        "puh.",
    ),
    "sv": (
        "Denna fordran har överlåtits till {payee} (Amili Kassavirta).",
        "Betalning med befriande verkan kan endast ske till konto {iban}.",
        "Frågor om fakturan besvaras av faktureraren: {contacts}.",
        "tfn",
    ),
    "en": (
        "This receivable has been assigned to {payee} (Amili Kassavirta).",
        "Payment with discharging effect can only be made to account {iban}.",
        "Questions about this invoice are answered by the invoicer: {contacts}.",
        "tel.",
    ),
}


@dataclass(frozen=True)
class Clause:
    """The clause in one language: its full text and its ≤70-character lines."""

    language: Language
    text: str
    lines: tuple[str, ...]
    source: Literal["vfsfi.notes", "template"]


def _head(code: str) -> str:
    return code.strip().lower().replace("_", "-").split("-")[0]


def clause_language(code: str | None) -> Language:
    """fi / sv / en from a recipient language code (`FI`, `sv`, `en-GB`…); Finnish otherwise."""
    if code:
        head = _head(code)
        for language in LANGUAGES:
            if head == language:
                return language
    return DEFAULT_LANGUAGE


def split_lines(text: str, width: int = LINE_WIDTH) -> tuple[str, ...]:
    """Split at spaces into lines of at most `width` characters; cut longer words."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return tuple(lines)


def _note_for(settings: Settings, language: Language) -> str | None:
    if settings.vfsfi is None:
        return None
    for note in settings.vfsfi.notes:
        if _head(note.code) == language:
            phrase = " ".join(note.phrase.split())
            if phrase:
                return phrase
    return None


def template_text(settings: Settings, language: Language, iban: str) -> str:
    assigned, account, contact_lead, phone_word = _TEMPLATES[language]
    contacts = [
        c
        for c in (
            settings.customer_service_email,
            f"{phone_word} {settings.customer_service_phone_number}"
            if settings.customer_service_phone_number
            else None,
        )
        if c
    ]
    sentences = [
        assigned.format(payee=settings.payee_name),
        account.format(iban=format_iban(iban)),
    ]
    if contacts:
        sentences.append(contact_lead.format(contacts=", ".join(contacts)))
    return " ".join(sentences)


def transfer_clause(settings: Settings, language_code: str | None, iban: str) -> Clause:
    """The clause for an invoice whose recipient language code is `language_code`."""
    language = clause_language(language_code)
    note = _note_for(settings, language)
    if note is not None:
        return Clause(language, note, split_lines(note), "vfsfi.notes")
    text = template_text(settings, language, iban)
    return Clause(language, text, split_lines(text), "template")
