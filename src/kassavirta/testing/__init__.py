"""Property-based testing for invoice writers: `pip install '.[testing]'` in a checkout.

- `finvoice_invoices(version=, channel=, language=, encoding=, today=)`:
  hypothesis strategy of (xml bytes, expected `kassavirta.model.Invoice`) for
  schema-valid Finvoice invoices that route with no finding;
- `defective_invoices(rule=)`: invoices with exactly one defect (every send
  error and warning of `kassavirta.rules`), with the valid twin they came from;
- `settings_files()`, `assignments_json()`: the check's other two inputs;
- `assert_routes(xml_bytes, settings=None, today=None)`: fails with the
  service's message(s) unless the invoice routes;
- the pytest plugin `kassavirta.testing.plugin` (registered automatically):
  fixtures `kassavirta_settings`, `kassavirta_today`, `kassavirta_check`.

Names are imported on first use, so that `import kassavirta.testing` (done by
the pytest plugin at start-up) never imports hypothesis or the checker.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kassavirta.formats.finvoice.write import InvoiceSpec, comparable, expected, render
    from kassavirta.testing.assertions import (
        assert_routes,
        default_settings,
        default_settings_mapping,
    )
    from kassavirta.testing.strategies.assignments import assignments_json
    from kassavirta.testing.strategies.cases import Case, DefectiveInvoice, routable_invoices
    from kassavirta.testing.strategies.defects import DEFECT_RULES, defective_invoices
    from kassavirta.testing.strategies.identifiers import (
        business_ids,
        finnish_accounts,
        references,
    )
    from kassavirta.testing.strategies.invoices import finvoice_invoices, invoice_specs
    from kassavirta.testing.strategies.settings import settings_files

_EXPORTS: dict[str, str] = {
    "assert_routes": ".assertions",
    "default_settings": ".assertions",
    "default_settings_mapping": ".assertions",
    "InvoiceSpec": "kassavirta.formats.finvoice.write",
    "comparable": "kassavirta.formats.finvoice.write",
    "expected": "kassavirta.formats.finvoice.write",
    "render": "kassavirta.formats.finvoice.write",
    "DEFECT_RULES": ".strategies.defects",
    "Case": ".strategies.cases",
    "DefectiveInvoice": ".strategies.cases",
    "assignments_json": ".strategies.assignments",
    "business_ids": ".strategies.identifiers",
    "defective_invoices": ".strategies.defects",
    "finnish_accounts": ".strategies.identifiers",
    "finvoice_invoices": ".strategies.invoices",
    "invoice_specs": ".strategies.invoices",
    "references": ".strategies.identifiers",
    "routable_invoices": ".strategies.cases",
    "settings_files": ".strategies.settings",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFECT_RULES",
    "Case",
    "DefectiveInvoice",
    "InvoiceSpec",
    "assert_routes",
    "assignments_json",
    "business_ids",
    "comparable",
    "default_settings",
    "default_settings_mapping",
    "defective_invoices",
    "expected",
    "finnish_accounts",
    "finvoice_invoices",
    "invoice_specs",
    "references",
    "render",
    "routable_invoices",
    "settings_files",
]
