"""tacker-db-manage: create and upgrade the TackerDB schema.

    tacker-db-manage --config-file tacker.conf upgrade [head]
    tacker-db-manage --config-file tacker.conf current
    tacker-db-manage --config-file tacker.conf revision -m "add a column"
"""

import sys

from oslo_config import cfg
from oslo_db import exception as db_exc

from tacker.common import config
from tacker.db import migration
import tacker.conf

CONF = tacker.conf.CONF


def _upgrade():
    migration.upgrade(CONF.command.revision)
    print('TackerDB is at revision %s' % migration.current())


def _current():
    rev = migration.current()
    print(rev if rev else 'None (the database has no TackerDB schema yet)')


def _revision():
    script = migration.revision(CONF.command.message,
                                autogenerate=CONF.command.autogenerate)
    print('Created %s' % script.path)


def _add_commands(subparsers):
    parser = subparsers.add_parser('upgrade', help='Upgrade the schema.')
    parser.add_argument('revision', nargs='?', default='head')
    parser.set_defaults(func=_upgrade)
    parser = subparsers.add_parser('current',
                                   help='Print the current revision.')
    parser.set_defaults(func=_current)
    parser = subparsers.add_parser('revision',
                                   help='Create a new migration script.')
    parser.add_argument('-m', '--message', required=True)
    parser.add_argument('--autogenerate', action='store_true')
    parser.set_defaults(func=_revision)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    command_opt = cfg.SubCommandOpt('command', title='Commands',
                                    handler=_add_commands)
    if 'command' not in CONF:
        CONF.register_cli_opt(command_opt)
    config.parse_args(argv, prog='tacker-db-manage', setup_logging=False)
    try:
        CONF.command.func()
    except db_exc.DBError as exc:
        # The URL may carry a password: report the driver's reason only.
        reason = getattr(exc.inner_exception, 'orig', None) or \
            exc.inner_exception or exc
        sys.stderr.write('tacker-db-manage: database error: %s\n' % reason)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
