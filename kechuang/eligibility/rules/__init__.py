"""Programme formulas, one module per programme; importing a module registers its programme."""

import importlib
import pkgutil


def load_all() -> None:
    """Import every programme module in this package (idempotent)."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
