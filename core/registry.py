"""Import every model module so that ``Base.metadata`` knows all tables.

Model modules are found by name (``…models`` below ``core``, ``tenants`` and ``plugins``),
so a new area needs no registration here. Used by Alembic and the migration test.
"""

from __future__ import annotations

import importlib
import pkgutil

from sqlalchemy import MetaData

_PACKAGES = ("core", "tenants", "plugins")


def import_all_models() -> MetaData:
    from core.models import Base

    for package_name in _PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            last = info.name.rsplit(".", 1)[-1]
            if last == "models" or ".models." in info.name + ".":
                importlib.import_module(info.name)
    return Base.metadata
