"""The client side of tacker-conductor's RPC interface.

``ConductorAPI().start_lcm(api_version, op_occ_id)`` is what the API
calls after ``vnflcm.begin.begin_operation`` recorded an op occ: a cast
(fire and forget) on topic ``[conductor] topic`` (default
``tacker_conductor``), which the conductor's server listens on too.  The
API answers 202 at once; the op occ tells how the operation went.

Any conductor listening on the topic of the broker (vhost) may take the
cast: deployments sharing a broker need topics (or vhosts) of their own.

RPC versions: 1.0 -- start_lcm.
"""

from tacker.common import rpc
import tacker.conf

CONF = tacker.conf.CONF

RPC_API_VERSION = '1.0'
# Reconnection attempts of a cast before the API answers 503.
CAST_RETRIES = 3


class ConductorAPI:

    def __init__(self, *, url=None, topic=None):
        self.topic = topic or CONF.conductor.topic
        self._client = rpc.get_client(self.topic, version=RPC_API_VERSION,
                                      url=url)

    def start_lcm(self, api_version, op_occ_id):
        """Ask a conductor to run the STARTING op occ ``op_occ_id``."""
        # retry: a broker outage must answer the API request (503), not
        # hang it; the default is to retry forever.
        self._client.prepare(version='1.0', retry=CAST_RETRIES).cast(
            {}, 'start_lcm', api_version=api_version, op_occ_id=op_occ_id)
