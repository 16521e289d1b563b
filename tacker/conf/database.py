"""The [database] group: oslo.db's options with a SQLite default."""

from oslo_config import cfg
from oslo_db import options as db_options

DEFAULT_CONNECTION = 'sqlite:///$state_path/tacker.sqlite'


def register_opts(conf):
    # The default is set on the option objects themselves: a default set
    # on a ConfigOpts (what oslo.db's set_defaults does) is dropped by
    # ConfigOpts.reset().
    cfg.set_defaults(db_options.database_opts,
                     connection=DEFAULT_CONNECTION)
    conf.register_opts(db_options.database_opts, group='database')


def list_opts():
    # oslo.db publishes its own options under the 'oslo.db' namespace of
    # the config generator; only the changed default is ours.
    return {}
