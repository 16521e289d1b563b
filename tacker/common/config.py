"""Parse the command line and configuration files of a Tacker process.

Every entry point calls ``parse_args``.  It reads the files, sets up
logging, and then reads every registered option once, so that a bad value
(``interval = -5``, ``interval = soon``) stops the process at start-up with
one line naming the option and the value, instead of a traceback in the
middle of a pass hours later.
"""

import sys

from oslo_config import cfg
from oslo_log import log as logging

from tacker.common import exceptions
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

_LOGGING_REGISTERED = []


def _register_logging(conf):
    if conf not in _LOGGING_REGISTERED:
        logging.register_options(conf)
        _LOGGING_REGISTERED.append(conf)


def validate(conf):
    """Read every option; raise ConfigError naming the first bad one."""
    for group_name, opt_names in _all_options(conf):
        group = getattr(conf, group_name) if group_name else conf
        for name in opt_names:
            try:
                getattr(group, name)
            except (cfg.ConfigFileValueError, ValueError) as exc:
                raise exceptions.ConfigError(reason=_describe(
                    conf, group_name or 'DEFAULT', name, exc))


def _all_options(conf):
    # oslo.config has no public iterator over (group, option) pairs that
    # tells options from sub-groups, so it is built from the registry.
    yield None, sorted(conf._opts)
    for group_name, group in sorted(conf._groups.items()):
        yield group_name, sorted(group._opts)


def _raw_value(conf, group_name, name):
    namespace = getattr(conf, '_namespace', None)
    for parsed in reversed(getattr(namespace, '_parsed', None) or []):
        values = parsed.get(group_name, {}).get(name)
        if values:
            return values[-1]
    return None


def _describe(conf, group_name, name, exc):
    reason = str(exc).rsplit('is not valid: ', 1)[-1].strip() or repr(exc)
    value = _raw_value(conf, group_name, name)
    if value is None:
        return '[%s] %s: %s' % (group_name, name, reason)
    return '[%s] %s = %s: %s' % (group_name, name, value, reason)


def parse_args(argv, *, prog, conf=None, default_config_files=None,
               setup_logging=True, description=None, logs_to_stderr=False):
    """Parse ``argv`` into ``conf``; exit with status 2 on a bad value.

    ``logs_to_stderr`` is for tools whose standard output is their result
    (JSON, a table): without a log file, their logs go to stderr.
    """
    conf = conf or CONF
    _register_logging(conf)
    if logs_to_stderr:
        conf.set_default('use_stderr', True)
    try:
        conf(argv, project='tacker', prog=prog,
             default_config_files=default_config_files,
             description=description)
        validate(conf)
    except (exceptions.ConfigError, cfg.Error) as exc:
        text = exc.message if isinstance(exc, exceptions.ConfigError) \
            else str(exc).strip() or repr(exc)
        sys.stderr.write('%s: %s\n' % (prog, text))
        raise SystemExit(2)
    if setup_logging:
        logging.setup(conf, 'tacker')
    return conf
