"""Realistic Finnish values for generated invoices: banks, postcodes, names.

Generated invoices should look like the invoices an ERP really writes, so that
a property that holds for them says something about real traffic. The tables
are small on purpose: a few dozen real postcodes and bank codes exercise every
code path; hypothesis supplies the combinations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Bank:
    """A Finnish bank: the first digits of its account numbers and its BIC."""

    code: str
    bic: str
    name: str


BANKS: Final[tuple[Bank, ...]] = (
    Bank("100", "NDEAFIHH", "Nordea"),
    Bank("200", "NDEAFIHH", "Nordea"),
    Bank("330", "ESSEFIHX", "SEB"),
    Bank("340", "DABAFIHH", "Danske Bank"),
    Bank("360", "SBANFIHH", "S-Pankki"),
    Bank("370", "DNBAFIHX", "DNB"),
    Bank("405", "HELSFIHH", "Aktia"),
    Bank("470", "POPFFI22", "POP Pankki"),
    Bank("500", "OKOYFIHH", "OP"),
    Bank("600", "AABAFI22", "Ålandsbanken"),
    Bank("715", "ITELFIHH", "Säästöpankki"),
    Bank("799", "HOLVFIHH", "Holvi"),
    Bank("800", "DABAFIHH", "Danske Bank"),
)
"""Bank code (the first three digits of a Finnish BBAN) → BIC, as in the Finnish
banks' published table. Every pair is also what schwifty's registry says."""

POSTCODES: Final[tuple[tuple[str, str], ...]] = (
    ("00100", "HELSINKI"),
    ("00180", "HELSINKI"),
    ("00530", "HELSINKI"),
    ("00980", "HELSINKI"),
    ("02100", "ESPOO"),
    ("02600", "ESPOO"),
    ("01300", "VANTAA"),
    ("01510", "VANTAA"),
    ("04400", "JÄRVENPÄÄ"),
    ("05800", "HYVINKÄÄ"),
    ("06100", "PORVOO"),
    ("08100", "LOHJA"),
    ("11100", "RIIHIMÄKI"),
    ("13100", "HÄMEENLINNA"),
    ("15100", "LAHTI"),
    ("20100", "TURKU"),
    ("20500", "TURKU"),
    ("22100", "MARIEHAMN"),
    ("28100", "PORI"),
    ("33100", "TAMPERE"),
    ("33720", "TAMPERE"),
    ("40100", "JYVÄSKYLÄ"),
    ("45100", "KOUVOLA"),
    ("48100", "KOTKA"),
    ("50100", "MIKKELI"),
    ("53100", "LAPPEENRANTA"),
    ("60100", "SEINÄJOKI"),
    ("65100", "VAASA"),
    ("67100", "KOKKOLA"),
    ("70100", "KUOPIO"),
    ("80100", "JOENSUU"),
    ("90100", "OULU"),
    ("96100", "ROVANIEMI"),
)
"""Real Finnish postcodes with the post town they belong to."""

STREETS: Final[tuple[str, ...]] = (
    "Mannerheimintie",
    "Aleksanterinkatu",
    "Hämeenkatu",
    "Kauppakatu",
    "Rautatienkatu",
    "Koulukatu",
    "Kirkkokatu",
    "Puistokatu",
    "Satamakatu",
    "Teollisuustie",
    "Myllytie",
    "Koivukuja",
    "Rantatie",
    "Sibeliuksenkatu",
    "Linnankatu",
    "Torikatu",
    "Yliopistonkatu",
    "Läntinen Pitkäkatu",
    "Storgatan",
    "Hatanpään valtatie",
)

COMPANY_STEMS: Final[tuple[str, ...]] = (
    "Aalto",
    "Kivi",
    "Koivu",
    "Lahti",
    "Virta",
    "Mäki",
    "Saari",
    "Järvi",
    "Halla",
    "Kuusi",
    "Tuuli",
    "Pohjola",
    "Revontuli",
    "Sampo",
    "Öhman",
    "Kallio",
)
COMPANY_TRADES: Final[tuple[str, ...]] = (
    "Rakennus",
    "Kahvipaahtimo",
    "Konepaja",
    "Kuljetus",
    "Sähkö",
    "Puutarha",
    "Tilitoimisto",
    "Ohjelmistot",
    "Leipomo",
    "Huolto",
    "Maanrakennus",
    "Kiinteistöpalvelut",
)
COMPANY_FORMS: Final[tuple[str, ...]] = ("Oy", "Ab", "Oyj", "Ky", "Tmi")

FIRST_NAMES: Final[tuple[str, ...]] = (
    "Aino",
    "Eino",
    "Helmi",
    "Väinö",
    "Lauri",
    "Sanna",
    "Mikko",
    "Jussi",
    "Liisa",
    "Ville",
    "Elina",
    "Matti",
    "Åsa",
    "Björn",
)
LAST_NAMES: Final[tuple[str, ...]] = (
    "Virtanen",
    "Korhonen",
    "Nieminen",
    "Mäkinen",
    "Hämäläinen",
    "Laine",
    "Koskinen",
    "Järvinen",
    "Lindqvist",
    "Öberg",
)

ARTICLES: Final[tuple[tuple[str, str], ...]] = (
    ("Konsultointi", "h"),
    ("Asennustyö", "h"),
    ("Kahvi 500 g", "kpl"),
    ("Tarvikkeet", "erä"),
    ("Huoltosopimus", "kk"),
    ("Matkakulut", "km"),
    ("Ohjelmistolisenssi", "kpl"),
    ("Kuljetus", "kpl"),
    ("Sähkötyö", "h"),
    ("Sora 0-16 mm", "t"),
    ("Verkkotunnus .fi", "v"),
    ("Pesu & vahaus", "kpl"),
)

VAT_RATES: Final[tuple[str, ...]] = ("25.5", "14", "13.5", "10", "0")
"""Finnish VAT rates (general, reduced ×3 over the years, zero)."""

OPERATORS: Final[tuple[str, ...]] = ("003721291126", "003723327487", "003708599126")
"""E-invoice operators' OVT codes (Maventa, Apix, OpusCapita)."""

PAYMENT_TERMS: Final[dict[str, str]] = {
    "fi": "{days} päivää netto",
    "sv": "{days} dagar netto",
    "en": "{days} days net",
}
INTEREST_TEXTS: Final[dict[str, str]] = {
    "fi": "Viivästyskorko {percent} %",
    "sv": "Dröjsmålsränta {percent} %",
    "en": "Interest on late payment {percent} %",
}
TYPE_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "fi": ("LASKU", "HYVITYSLASKU"),
    "sv": ("FAKTURA", "KREDITFAKTURA"),
    "en": ("INVOICE", "CREDIT NOTE"),
}
