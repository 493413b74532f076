"""Alembic runs Parley's migrations, which it loads from db/migrations by file path; those
files ship as data (see parley.spec) and import only ``alembic.op``/``alembic.context`` and
SQLAlchemy. Alembic picks its DDL implementation by dialect name at run time, so collect
the implementations explicitly; the test-suite helpers are not needed.
"""

from PyInstaller.utils.hooks import collect_submodules

hiddenimports = [
    *collect_submodules("alembic.ddl"),
    "alembic.runtime.migration",
    "alembic.runtime.environment",
    "alembic.op",
    "alembic.context",
    "sqlalchemy.dialects.sqlite",
]
excludedimports = ["alembic.testing"]
