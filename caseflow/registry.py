"""Discovery of the modules of a package that provide an attribute (blueprints, commands, steps).

Each area adds its own module; no central list to edit, so areas do not collide.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def modules_with(package: str, attribute: str) -> list[ModuleType]:
    """Import every direct submodule of ``package`` and return those defining ``attribute``, by name."""
    pkg = importlib.import_module(package)
    found = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package}.{info.name}")
        if hasattr(module, attribute):
            found.append(module)
    return found
