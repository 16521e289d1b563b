"""The client side of tacker-conductor's RPC interface.

``ConductorAPI().start_lcm(api_version, op_occ_id)`` is what the API
calls after ``vnflcm.begin.begin_operation`` recorded an op occ: a cast
(fire and forget) on topic ``[conductor] topic`` (default
``tacker_conductor``), which the conductor's server listens on too.  The
API answers 202 at once; the op occ tells how the operation went.

Any conductor listening on the topic of the broker (vhost) may take the
cast: deployments sharing a broker need topics (or vhosts) of their own.

``ConductorAPI().sync_status(instance_ids)`` is a call (it waits for the
answer, at most ``timeout`` seconds): what the synchronization of the
conductor that takes it last did, per VIM and, for ``instance_ids``, per
instance (``tacker.dbsync.status``).  Several conductors on one topic:
one of them answers, about its own passes.

``ConductorAPI().resume_lcm(api_version, op_occ_id, mode)`` is a cast
like ``start_lcm``: retry (``mode`` 'retry') or roll back ('rollback') a
FAILED_TEMP op occ the API accepted (``tacker.vnflcm.runner.
resume_operation``).

RPC versions: 1.0 -- start_lcm; 1.1 -- sync_status; 1.2 -- resume_lcm.
A newer server takes older requests unchanged.
"""

from tacker.common import rpc
import tacker.conf

CONF = tacker.conf.CONF

RPC_API_VERSION = '1.2'
# Reconnection attempts of a cast before the API answers 503.
CAST_RETRIES = 3
# Seconds a sync_status call waits for a conductor's answer.
STATUS_TIMEOUT = 10


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

    def resume_lcm(self, api_version, op_occ_id, mode):
        """Ask a conductor to retry or roll back a FAILED_TEMP op occ."""
        self._client.prepare(version='1.2', retry=CAST_RETRIES).cast(
            {}, 'resume_lcm', api_version=api_version, op_occ_id=op_occ_id,
            mode=mode)

    def sync_status(self, instance_ids=None, *, timeout=STATUS_TIMEOUT):
        """The synchronization status of one conductor, as a dict.

        Raises oslo_messaging.MessagingTimeout when no conductor answers
        within ``timeout`` seconds.
        """
        return self._client.prepare(
            version='1.1', timeout=timeout, retry=CAST_RETRIES).call(
                {}, 'sync_status',
                instance_ids=None if instance_ids is None
                else list(instance_ids))
