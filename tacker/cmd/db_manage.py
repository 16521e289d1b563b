"""tacker-db-manage: create and upgrade the TackerDB schema.

    tacker-db-manage --config-file tacker.conf upgrade [head]
    tacker-db-manage --config-file tacker.conf current
    tacker-db-manage --config-file tacker.conf stamp REVISION
    tacker-db-manage --config-file tacker.conf revision -m "add a column"

On a database at a revision of Tacker's own migrations (one that Tacker's
``tacker-db-manage`` built), nothing is migrated: ``upgrade`` and
``current`` say in one line whether the tables and columns this project
uses are there (exit 0) or what is missing (exit 1).  Tacker's schema is
upgraded with Tacker's tool, never with this one.
"""

import sys

from alembic import util as alembic_util
from oslo_config import cfg
from oslo_db import exception as db_exc

from tacker.common import config
from tacker.db import migration
import tacker.conf

CONF = tacker.conf.CONF


def _foreign(revision):
    return revision is not None and revision not in (
        migration.known_revisions())


def _check_foreign(revision):
    """One line on a database at a revision of Tacker's; the exit code."""
    who = ('Tacker 16 database' if revision == migration.TACKER16_HEAD
           else 'Tacker database')
    missing = migration.missing_columns()
    if missing:
        print('%s at revision %s: missing %s; nothing was changed'
              % (who, revision, ', '.join(missing)))
        return 1
    print('%s at revision %s: compatible, nothing to do' % (who, revision))
    return 0


def _upgrade():
    revision = migration.current()
    if _foreign(revision):
        return _check_foreign(revision)
    migration.upgrade(CONF.command.revision)
    print('TackerDB is at revision %s' % migration.current())
    return 0


def _current():
    revision = migration.current()
    if _foreign(revision):
        return _check_foreign(revision)
    print(revision if revision
          else 'None (the database has no TackerDB schema yet)')
    return 0


def _stamp():
    migration.stamp(CONF.command.revision)
    print('TackerDB is stamped at revision %s' % migration.current())
    return 0


def _revision():
    script = migration.revision(CONF.command.message,
                                autogenerate=CONF.command.autogenerate)
    print('Created %s' % script.path)
    return 0


def _add_commands(subparsers):
    parser = subparsers.add_parser('upgrade', help='Upgrade the schema.')
    parser.add_argument('revision', nargs='?', default='head')
    parser.set_defaults(func=_upgrade)
    parser = subparsers.add_parser('current',
                                   help='Print the current revision.')
    parser.set_defaults(func=_current)
    parser = subparsers.add_parser(
        'stamp', help='Record a revision without migrating (replaces the '
                      'recorded one; never on a database Tacker shares).')
    parser.add_argument('revision')
    parser.set_defaults(func=_stamp)
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
        return CONF.command.func()
    except db_exc.DBError as exc:
        # The URL may carry a password: report the driver's reason only.
        reason = getattr(exc.inner_exception, 'orig', None) or \
            exc.inner_exception or exc
        sys.stderr.write('tacker-db-manage: database error: %s\n' % reason)
        return 1
    except alembic_util.CommandError as exc:
        sys.stderr.write('tacker-db-manage: %s\n' % exc)
        return 1


if __name__ == '__main__':
    sys.exit(main())
