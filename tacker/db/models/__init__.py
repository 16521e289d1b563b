"""SQLAlchemy models of TackerDB: v1 (snake_case) and v2 (CamelCase)."""

from tacker.db.models import base
from tacker.db.models import v1  # noqa: F401  (registers the v1 tables)
from tacker.db.models import v2  # noqa: F401  (registers the v2 tables)

BASE = base.BASE
