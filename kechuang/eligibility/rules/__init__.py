"""Programme formulas, one module per programme; importing a module registers its programme."""

import importlib

BUILT_IN = ("tech_sme",)


def load_all() -> None:
    """Import every built-in programme module (idempotent)."""
    for name in BUILT_IN:
        importlib.import_module(f"kechuang.eligibility.rules.{name}")
