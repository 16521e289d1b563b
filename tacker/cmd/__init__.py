"""Entry points of the Tacker processes (console scripts in setup.cfg)."""

from tacker.common import service_backend  # noqa: F401  (must come first)
