"""The server side of tacker-conductor's RPC interface.

``ConductorEndpoint.start_lcm`` hands the op occ to a worker thread and
returns at once: an operation may wait minutes for Kubernetes, and the
RPC dispatcher must stay free for the next message.  At most
``[vnf_lcm] max_concurrent_operations`` run at a time; the rest queue.

A request for an op occ this conductor's database does not hold is
logged as an ERROR and dropped: most likely another deployment's
tacker-server cast it on the same topic of a shared broker, and that
deployment's op occ stays STARTING until its own recovery settles it.

``ConductorEndpoint.resume_lcm`` does the same for a retry or a
rollback of a FAILED_TEMP op occ (``runner.resume_operation``), in the
same pool.

``ConductorEndpoint.sync_status`` answers from the ``SyncStatus`` of
the engine of the service that started the server (``RpcServer.
serve_sync_status``): the server and the engine run in one process (the
child that oslo.service's launcher forks runs ``ConductorService.start``,
which starts both).

``rpc_server`` builds the listener on ``[conductor] topic`` that
``ConductorService`` starts (pass it as ``rpc_server_factory``);
stopping it stops taking messages and lets the running operations
finish.  Operations still queued then stay STARTING, which the next
start-up recovery settles (ROLLED_BACK).
"""

from concurrent import futures
import socket

from oslo_log import log as logging
import oslo_messaging

from tacker.common import exceptions
from tacker.common import rpc
from tacker.conductor import rpc_api
from tacker.dbsync import status
from tacker import versions
from tacker.vnflcm import runner
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)


class ConductorEndpoint:

    target = oslo_messaging.Target(version=rpc_api.RPC_API_VERSION)

    def __init__(self, *, max_workers=None, run=None, topic=None,
                 resume=None):
        self._run = run or runner.run_operation
        self._resume = resume or runner.resume_operation
        # For the log only: the topic this endpoint's requests came on.
        self._topic = topic or CONF.conductor.topic
        self._pool = futures.ThreadPoolExecutor(
            max_workers=max_workers or CONF.vnf_lcm.max_concurrent_operations,
            thread_name_prefix='lcm')
        # Replaced by the engine's own when a service starts the server.
        self.sync_status_source = status.SyncStatus()

    @oslo_messaging.expected_exceptions(exceptions.Invalid)
    def start_lcm(self, context, api_version, op_occ_id):
        versions.get(api_version)  # Invalid for an unknown version
        LOG.info('Op occ %(occ)s (%(version)s) received.',
                 {'occ': op_occ_id, 'version': api_version})
        return self.submit(api_version, op_occ_id)

    @oslo_messaging.expected_exceptions(exceptions.Invalid)
    def resume_lcm(self, context, api_version, op_occ_id, mode):
        versions.get(api_version)  # Invalid for an unknown version
        if mode not in runner.RESUME_MODES:
            raise exceptions.Invalid(reason='mode %r is not one of %s' % (
                mode, ', '.join(runner.RESUME_MODES)))
        LOG.info('Op occ %(occ)s (%(version)s) received for %(mode)s.',
                 {'occ': op_occ_id, 'version': api_version, 'mode': mode})
        return self._pool.submit(self._guarded, api_version, op_occ_id,
                                 mode)

    def sync_status(self, context, instance_ids=None):
        """What this conductor's synchronization last did (a dict)."""
        if instance_ids is not None:
            instance_ids = [str(i) for i in instance_ids]
        answer = self.sync_status_source.snapshot(instance_ids)
        answer['host'] = socket.gethostname()
        return answer

    def submit(self, api_version, op_occ_id):
        """Queue the operation; returns its future (for tests)."""
        return self._pool.submit(self._guarded, api_version, op_occ_id)

    def _guarded(self, api_version, op_occ_id, mode=None):
        try:
            if mode is not None:
                return self._resume(api_version, op_occ_id, mode)
            return self._run(api_version, op_occ_id)
        except runner.OpOccNotFound:
            LOG.error('Op occ %(occ)s (%(version)s) is not in this '
                      'conductor\'s database; the request is dropped. Most '
                      'likely another deployment sent it on the same RPC '
                      'topic %(topic)s of a shared message broker: give '
                      'each deployment its own [conductor] topic or vhost.',
                      {'occ': op_occ_id, 'version': api_version,
                       'topic': self._topic})
            return None
        except Exception:  # noqa: a worker thread must report, not die
            LOG.exception('Op occ %(occ)s (%(version)s) could not be run.',
                          {'occ': op_occ_id, 'version': api_version})
            return None

    def shutdown(self, wait=True):
        self._pool.shutdown(wait=wait, cancel_futures=True)


class RpcServer:
    """An RPC server plus the worker pool of its endpoint."""

    def __init__(self, *, host=None, url=None, endpoint=None, topic=None):
        self.topic = topic or CONF.conductor.topic
        self.endpoint = endpoint or ConductorEndpoint(topic=self.topic)
        self._server = rpc.get_server(self.topic,
                                      host or socket.gethostname(),
                                      [self.endpoint], url=url)

    def serve_sync_status(self, sync_status):
        """Answer sync_status from ``sync_status`` (a SyncStatus)."""
        self.endpoint.sync_status_source = sync_status

    def start(self):
        self._server.start()
        LOG.info('Taking LCM requests on RPC topic %(topic)s.',
                 {'topic': self.topic})

    def stop(self):
        self._server.stop()

    def wait(self):
        self._server.wait()
        self.endpoint.shutdown(wait=True)


def rpc_server(**kwargs):
    """``ConductorService(rpc_server_factory=endpoints.rpc_server)``."""
    return RpcServer(**kwargs)
