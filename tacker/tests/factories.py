"""TackerDB rows for tests, written straight through the ORM.

One function per kind of row: an onboarded or a bare VNF package, a VIM,
a v1 instance (with its instantiated info), a v2 instance, a v1 and a v2
op occ.  They write the shapes Tacker stores, independently of the
product's LCM code, and return what the test needs next (an id, the VIM
record, the package and its VNFD).  The defaults describe an instance of
the sample CNF in project ``TENANT``; a test passes what it relies on.
What the rows contain beyond that (secrets, VNFC entries) belongs to the
tests that check it.
"""

import collections
import datetime
import uuid

from oslo_utils import timeutils

from tacker.db import api as db_api
from tacker.db import vims
from tacker.db.models import v1
from tacker.db.models import v2
from tacker.vnfpkgm import build
from tacker.vnfpkgm import store as package_store

TENANT = 'project-a'
TOKEN = 'test-bearer-token-7f3d'
SAMPLE = 'sample_cnf'
SAMPLE_CNF = build.SAMPLES_DIR / SAMPLE
SAMPLE_VNFD_ID = '7f3d3b0e-6a55-4b7c-9f0e-5d7c2a1e9b01'
# Op occs start here unless told otherwise: a fixed time in the past.
WHEN = datetime.datetime(2026, 1, 1)
INSTANTIATED = 'INSTANTIATED'


def ago(**delta):
    """The time ``delta`` (timedelta's keywords) before now, as stored."""
    return timeutils.utcnow() - datetime.timedelta(**delta)


# The v2 instantiatedVnfInfo of an INSTANTIATED instance nobody described.
V2_INFO = {'flavourId': 'simple', 'vnfState': 'STARTED',
           'metadata': {'namespace': 'default'}}

_ZIPS = {}

OnboardedPackage = collections.namedtuple('OnboardedPackage', 'id vnfd')


def sample_zip(sample=SAMPLE):
    """The CSAR of a sample package under ``samples/vnf_packages``."""
    if sample not in _ZIPS:
        _ZIPS[sample] = build.build_csar_bytes(build.SAMPLES_DIR / sample)
    return _ZIPS[sample]


def onboarded_package(*, tenant_id=TENANT, sample=SAMPLE, store=None):
    """A sample package onboarded through the package store."""
    package_id = str(uuid.uuid4())
    store = store or package_store.PackageStore()
    result = store.onboard(package_id, sample_zip(sample),
                           tenant_id=tenant_id)
    return OnboardedPackage(package_id, result.vnfd)


def created_package(*, tenant_id=TENANT, onboarding_state='CREATED'):
    """A package row without content, as POST /vnf_packages leaves it."""
    package_id = str(uuid.uuid4())
    with db_api.writer_session() as session:
        session.add(v1.VnfPackage(
            id=package_id, tenant_id=tenant_id,
            onboarding_state=onboarding_state,
            operational_state='DISABLED', usage_state='NOT_IN_USE'))
    return package_id


def vim(*, url='https://k8s.example:6443', auth_cred=None,
        tenant_id=TENANT, name='k8s', is_default=True):
    """A registered Kubernetes VIM (bearer ``TOKEN`` by default)."""
    return vims.create_vim(
        name=name, tenant_id=tenant_id, auth_url=url,
        auth_cred=({'bearer_token': TOKEN} if auth_cred is None
                   else auth_cred),
        is_default=is_default)


def v2_vim_connection(url, token=TOKEN):
    """A v2 vimConnectionInfo naming the cluster at ``url``."""
    return {'vim1': {'vimType': 'ETSINFV.KUBERNETES.V_1',
                     'interfaceInfo': {'endpoint': url},
                     'accessInfo': {'bearer_token': token}}}


def v1_instance(*, state=INSTANTIATED, task_state=None, instance_id=None,
                package_id=None, tenant_id=TENANT, vim_connection_info=None,
                metadata=None, info=None, name='cnf',
                vnfd_id=SAMPLE_VNFD_ID, provider='Company',
                product_name='Sample CNF', software_version='1.0',
                vnfd_version='1.0', updated_at=None):
    """A v1 instance; its id.

    An INSTANTIATED instance also gets its instantiated-info row: ``info``
    gives columns over the defaults (flavour ``simple``, STARTED, no
    VNFCs, no scale status).  ``metadata`` is ``vnf_metadata`` (namespace
    ``default``); ``package_id`` need not name an onboarded package.
    """
    if info is not None and state != INSTANTIATED:
        raise ValueError('instantiated info needs state INSTANTIATED')
    instance_id = instance_id or str(uuid.uuid4())
    with db_api.writer_session() as session:
        session.add(v1.VnfInstance(
            id=instance_id, vnf_instance_name=name, vnf_provider=provider,
            vnf_product_name=product_name,
            vnf_software_version=software_version,
            vnfd_version=vnfd_version, vnfd_id=vnfd_id,
            instantiation_state=state, task_state=task_state,
            vim_connection_info=list(vim_connection_info or []),
            tenant_id=tenant_id, vnf_pkg_id=package_id or str(uuid.uuid4()),
            updated_at=updated_at,
            vnf_metadata=({'namespace': 'default'} if metadata is None
                          else metadata)))
        session.flush()
        if state == INSTANTIATED:
            columns = dict(flavour_id='simple', ext_cp_info=[],
                           vnf_state='STARTED', vnfc_resource_info=[],
                           scale_status=[], vnfc_info=[])
            columns.update(info or {})
            session.add(v1.VnfInstantiatedInfo(vnf_instance_id=instance_id,
                                               **columns))
    return instance_id


def v2_instance(*, state=INSTANTIATED, instance_id=None, info=None,
                vim_connection_info=None, metadata=None, name='cnf',
                vnfd_id=SAMPLE_VNFD_ID, provider='Company',
                product_name='Sample CNF', software_version='1.0',
                vnfd_version='1.0'):
    """A v2 instance; its id.

    ``info`` is instantiatedVnfInfo: ``V2_INFO`` for an INSTANTIATED
    instance unless given, none for any other state.
    """
    if info is not None and state != INSTANTIATED:
        raise ValueError('instantiated info needs state INSTANTIATED')
    if state == INSTANTIATED and info is None:
        info = V2_INFO
    instance_id = instance_id or str(uuid.uuid4())
    with db_api.writer_session() as session:
        session.add(v2.VnfInstanceV2(
            id=instance_id, vnfInstanceName=name, vnfdId=vnfd_id,
            vnfProvider=provider, vnfProductName=product_name,
            vnfSoftwareVersion=software_version, vnfdVersion=vnfd_version,
            instantiationState=state,
            vimConnectionInfo=vim_connection_info or {},
            instantiatedVnfInfo=info,
            metadata_={} if metadata is None else metadata))
    return instance_id


def v1_op_occ(instance_id, state, *, operation='SCALE', when=WHEN,
              tenant_id=None, operation_params=None, entered=None,
              op_id=None):
    """A v1 op occ that started and entered ``state`` at ``when``; its id.

    ``operation_params`` is stored as given (Tacker stores a JSON text);
    ``entered`` (default ``when``) is when it entered ``state``.
    """
    op_id = op_id or str(uuid.uuid4())
    with db_api.writer_session() as session:
        session.add(v1.VnfLcmOpOcc(
            id=op_id, vnf_instance_id=instance_id, operation_state=state,
            operation=operation, start_time=when,
            state_entered_time=entered or when,
            created_at=when, is_automatic_invocation=False,
            is_cancel_pending=False, operation_params=operation_params,
            tenant_id=tenant_id))
    return op_id


def v2_op_occ(instance_id, state, *, operation='SCALE', when=WHEN,
              operation_params=None, entered=None, op_id=None):
    """A v2 op occ that started and entered ``state`` at ``when``; its id.

    ``entered`` (default ``when``) is when it entered ``state``.
    """
    op_id = op_id or str(uuid.uuid4())
    with db_api.writer_session() as session:
        session.add(v2.VnfLcmOpOccV2(
            id=op_id, vnfInstanceId=instance_id, operationState=state,
            operation=operation, startTime=when,
            stateEnteredTime=entered or when,
            isAutomaticInvocation=False, isCancelPending=False,
            operationParams=operation_params))
    return op_id


def op_occ(api_version, instance_id, state, **kwargs):
    """``v1_op_occ`` or ``v2_op_occ``, by ``api_version``."""
    make = {'v1': v1_op_occ, 'v2': v2_op_occ}[api_version]
    return make(instance_id, state, **kwargs)
