"""tacker-conductor: LCM operations over RPC and the periodic DB sync."""

from tacker.common import service_backend  # noqa: F401  (must come first)
