"""tacker-server: the Tacker-compatible REST API (WSGI)."""
