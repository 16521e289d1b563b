"""One adapter per API version, and the one place they are registered.

Tacker keeps v1 and v2 instances in different tables, under different
column names and JSON shapes, and guards them differently (v1 has a
``task_state``, v2 only the instance lock).  Everything that differs is
an adapter's: how a record is read and written (``tacker.db.instances``
and ``tacker.db.op_occs`` for the version), how the synchronization
collects its candidates and guards its write, how an LCM operation
reads and records its result, and which 409 a conflict answers.  The
engine, the sync flow, the LCM runner and the API share one code path
that asks the adapter; none of them branches on the version.
"""

from tacker.common import exceptions
from tacker.versions import v1
from tacker.versions import v2

#: In the order a synchronization pass collects them.
ALL = (v2.ADAPTER, v1.ADAPTER)
_BY_VERSION = {adapter.api_version: adapter for adapter in ALL}
API_VERSIONS = tuple(sorted(_BY_VERSION))


def get(api_version):
    """The adapter of ``api_version`` ('v1' or 'v2'); Invalid otherwise."""
    try:
        return _BY_VERSION[api_version]
    except (KeyError, TypeError):
        raise exceptions.Invalid(reason='unknown API version %r'
                                 % (api_version,))
