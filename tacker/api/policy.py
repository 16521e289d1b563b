"""oslo.policy for the API: one Enforcer over ``tacker.policies``.

Every route names its rule (``router``); the application checks it
before the handler runs, with the caller's own project as the target:
records of another project are not even found (404) for a caller that
``context_is_admin`` does not make admin, so the caller's project is the
project of every record the handler can touch.  A handler that acts on
another project by request (an admin registering a VIM for a project)
checks its rule again with that project as the target.

The rules are read from ``[oslo_policy] policy_file`` when it exists and
reloaded when it changes; without one, the defaults in code apply.
"""

import threading

from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from tacker.common import exceptions
from tacker import policies
import tacker.conf

CONF = tacker.conf.CONF

_LOCK = threading.Lock()
_ENFORCER = None


class PolicyNotAuthorized(exceptions.TackerError):
    code = 403
    title = 'Forbidden'
    msg_fmt = "Policy doesn't allow %(action)s to be performed."


def _config_parsed():
    try:
        CONF.find_file(CONF.oslo_policy.policy_file)
    except cfg.NotInitializedError:
        return False
    return True


def enforcer():
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is None:
            # An application built without a parsed configuration (an
            # embedding, a unit test) has no policy file to read.
            created = oslo_policy.Enforcer(CONF)
            created.register_defaults(policies.list_rules())
            if not _config_parsed():
                created.set_rules(oslo_policy.Rules.from_dict(
                    {rule.name: rule.check_str
                     for rule in policies.list_rules()}), use_conf=False)
            _ENFORCER = created
        return _ENFORCER


def reset():
    """Forget the Enforcer (tests; a new policy file or CONF)."""
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is not None:
            _ENFORCER.clear()
        _ENFORCER = None


def credentials(ctx):
    return {'project_id': ctx.project_id, 'roles': list(ctx.roles)}


def _target(ctx, target):
    return target if target is not None else {'project_id': ctx.project_id}


def authorize(ctx, rule, target=None):
    """Raise PolicyNotAuthorized (403) unless ``rule`` allows it."""
    try:
        enforcer().authorize(rule, _target(ctx, target), credentials(ctx),
                             do_raise=True, exc=PolicyNotAuthorized,
                             action=rule)
    except oslo_policy.InvalidScope:
        raise PolicyNotAuthorized(action=rule)


def allows(ctx, rule, target=None):
    """Whether ``rule`` allows it, without raising."""
    return bool(enforcer().enforce(rule, _target(ctx, target),
                                   credentials(ctx)))


def is_admin(ctx):
    """What ``context_is_admin`` says of the caller."""
    return allows(ctx, 'context_is_admin', {})


def list_enforcer():
    """For oslopolicy-* tools (the ``oslo.policy.enforcer`` entry point)."""
    tacker.conf.CONF([], project='tacker')
    return enforcer()
