"""oslo.messaging plumbing: one transport per process, clients, servers.

``[DEFAULT] transport_url`` names the messaging backend.  This project's
default is ``fake://``: in-process messaging, so a sandbox (API and
conductor in one process) needs no broker.  Production sets
``rabbit://USER:PASSWORD@HOST:5672/``.

oslo.messaging's fake driver keeps its queues in the driver object, so a
client and a server only meet when they share one transport: transports
are therefore cached per URL for the life of the process (``cleanup``
drops them, for tests and at exit).

Servers run on oslo.messaging's threading executor: it is the one it
picks when nothing is monkey-patched, which no Tacker process does (the
eventlet one would hang).  The executor is not named explicitly, since
18.x deprecates the argument.
"""

import threading

from oslo_service import backend as service_backend

# oslo.messaging imports oslo_service.service, which binds the service
# backend on import.  Every Tacker process runs on threads; choose that
# first unless an entry point already did.
if service_backend.get_backend_type() is None:
    service_backend.init_backend(service_backend.BackendType.THREADING)

from oslo_config import cfg  # noqa: E402
import oslo_messaging  # noqa: E402
from oslo_messaging import opts as messaging_opts  # noqa: E402
from oslo_messaging import transport as messaging_transport  # noqa: E402

import tacker.conf  # noqa: E402

CONF = tacker.conf.CONF

DEFAULT_TRANSPORT_URL = 'fake://'
CONTROL_EXCHANGE = 'tacker'

_TRANSPORTS = {}
_GUARD = threading.Lock()


def _set_defaults():
    # The defaults are set on oslo.messaging's option objects themselves
    # (cfg.set_defaults), not with ConfigOpts.set_default, which
    # ConfigOpts.reset() forgets.  oslo.messaging offers a public setter
    # for control_exchange only.
    oslo_messaging.set_transport_defaults(CONTROL_EXCHANGE)
    cfg.set_defaults(messaging_transport._transport_opts,
                     transport_url=DEFAULT_TRANSPORT_URL)


def register_opts(conf):
    """Register oslo.messaging's [DEFAULT] options with our defaults.

    Registered are equal copies of oslo.messaging's own options, so its
    later registration of the originals is accepted.
    """
    for group, opts in messaging_opts.list_opts():
        if group is None:
            conf.register_opts(opts)


_set_defaults()
register_opts(CONF)


def transport_url(conf=None):
    conf = conf or CONF
    return conf.transport_url or DEFAULT_TRANSPORT_URL


def get_transport(url=None):
    """The process-wide RPC transport for ``url`` (default: the option).

    oslo.messaging 18.3 registers its tracing options on the global
    ``cfg.CONF`` only, so transports are always built on it.
    """
    url = url or transport_url()
    with _GUARD:
        transport = _TRANSPORTS.get(url)
        if transport is None:
            transport = oslo_messaging.get_rpc_transport(cfg.CONF, url=url)
            _TRANSPORTS[url] = transport
        return transport


def cleanup():
    """Close every cached transport."""
    with _GUARD:
        transports = list(_TRANSPORTS.values())
        _TRANSPORTS.clear()
    for transport in transports:
        transport.cleanup()


def get_client(topic, *, version='1.0', server=None, url=None,
               timeout=None):
    target = oslo_messaging.Target(topic=topic, version=version,
                                   server=server)
    return oslo_messaging.get_rpc_client(get_transport(url), target,
                                         timeout=timeout)


def get_server(topic, server, endpoints, *, url=None):
    """An RPC server (not started) dispatching ``topic`` to ``endpoints``.

    ``server`` names this listener (usually the host); casts without a
    server go to any one listener of the topic.
    """
    target = oslo_messaging.Target(topic=topic, server=server)
    return oslo_messaging.get_rpc_server(
        get_transport(url), target, endpoints,
        access_policy=oslo_messaging.DefaultRPCAccessPolicy)
