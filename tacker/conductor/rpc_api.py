"""The client side of tacker-conductor's RPC interface.

``ConductorAPI().start_lcm(api_version, op_occ_id)`` is what the API
calls after ``vnflcm.begin.begin_operation`` recorded an op occ: a cast
(fire and forget) on topic ``tacker_conductor``.  The API answers 202 at
once; the op occ tells how the operation went.

RPC versions: 1.0 -- start_lcm.
"""

from tacker.common import rpc

TOPIC = 'tacker_conductor'
RPC_API_VERSION = '1.0'
# Reconnection attempts of a cast before the API answers 503.
CAST_RETRIES = 3


class ConductorAPI:

    def __init__(self, *, url=None):
        self._client = rpc.get_client(TOPIC, version=RPC_API_VERSION,
                                      url=url)

    def start_lcm(self, api_version, op_occ_id):
        """Ask a conductor to run the STARTING op occ ``op_occ_id``."""
        # retry: a broker outage must answer the API request (503), not
        # hang it; the default is to retry forever.
        self._client.prepare(version='1.0', retry=CAST_RETRIES).cast(
            {}, 'start_lcm', api_version=api_version, op_occ_id=op_occ_id)
