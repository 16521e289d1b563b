"""The [database] group: oslo.db's options with a SQLite default."""

from oslo_db import options as db_options

DEFAULT_CONNECTION = 'sqlite:///$state_path/tacker.sqlite'


def register_opts(conf):
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)


def list_opts():
    # oslo.db publishes its own options under the 'oslo.db' namespace of
    # the config generator; only the changed default is ours.
    return {}
