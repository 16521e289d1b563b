"""Drive a real Tacker 16.0.0 install against a database, for our tests.

This file belongs to our test suite but is executed ONLY by the interpreter
of the side virtualenv that holds upstream Tacker 16 (default
/work/tacker16/venv), as a subprocess, from a working directory outside our
source tree::

    cd /tmp && /work/tacker16/venv/bin/python \
        /work/main/tacker/tests/functional/tacker16/peer.py \
        schema --db-url sqlite:////tmp/x.db

Our package and Tacker's are both called ``tacker``, so the first thing the
script does is strip from ``sys.path`` every entry that could resolve
``tacker`` to our tree, then checks that the imported ``tacker`` lives in
the running venv's site-packages.

Output contract: exactly one JSON document on stdout; logs and warnings go to
stderr; exit status 0 on success, 1 when the command fails, 2 when the
interpreter / import guard fails (argparse usage errors also exit 2).  On
failure the last stderr line is ``peer.py: <ExceptionType>: <message>``
(set PEER_DEBUG=1 to get the traceback as well).

Sub-commands (each takes ``--db-url`` with a SQLAlchemy URL such as
``sqlite:///path``,
``mysql+pymysql://root@127.0.0.1:3306/NAME?charset=utf8mb4`` or
``postgresql+psycopg2://postgres@127.0.0.1:5432/NAME``):

``schema``
    Builds Tacker 16's schema in an existing, empty database.  MariaDB/MySQL
    and PostgreSQL: Tacker's alembic migrations, ``upgrade head``.  SQLite
    (where those migrations do not run): ``create_all`` on the metadata of
    every Tacker model module.  Prints
    ``{"backend": "sqlite"|"mysql"|"postgresql", "method":
    "migrations"|"models", "revision": "<head>"|null}``.

``seed --spec FILE``
    Creates rows through Tacker's own object classes (and its DB API where
    an object class has no way to do it).  Prints ``{"created": [ids...]}``
    in creation order (VIM ids, package ids, v2 instance ids and their
    op-occ ids, v1 instance ids and their op-occ ids).

``read [--v1 ID ...] [--v2 ID ...]``
    Loads instances through Tacker's objects and API view builders and
    prints ``{"v1": {ID: {...}}, "v2": {ID: {...}}}`` (see ``_summarise``).

``read-api-rows --vim ID --package ID``
    Loads a VIM through Tacker's NFVO DB plugin (``get_vim``, secrets
    masked) and a package through ``tacker.objects.VnfPackage.get_by_id``
    and prints ``{"vim": {...} | {"error": ...}, "package": {...} |
    {"error": ...}}``: the VIM dict ``get_vim`` returns, and the
    package's states, tenant, checksum, size and ``user_data``.

``check-package --spec FILE`` (no ``--db-url``)
    Onboards each package the way Tacker 16 does and asks its v2
    Kubernetes driver for the manifests of each flavour.  The spec is
    ``{"packages": [{"zip": "/abs/x.zip", "flavours": {"simple":
    ["Files/kubernetes/a.yaml", ...]}}]}``, the lists being the
    ``lcm-kubernetes-def-files`` an instantiation would pass.  Per zip it
    runs v1 ``csar_utils.load_csar_data`` (extraction, TOSCA parsing,
    artifact hashes) into a temporary ``vnf_package_csar_path``, then the
    v2 ``Vnfd`` on the extracted directory (what the v2 conductor reads),
    its ``get_vnf_artifact_files`` and, per flavour, the driver's own
    ``_setup_k8s_reses`` (the check that raises ``CnfDefinitionNotFound``,
    then the manifests parsed into Tacker's resource objects, offline) and
    ``_select_vdu_reses``.  Prints ``{ZIP: {"v1": {"vnfd_id", "flavours":
    [ids], "artifacts": [paths]} | {"error"}, "v2": {"artifact_files":
    [paths], "flavours": {ID: {"vdu_nodes": [VDU...], "namespace", "vdus":
    {VDU: [kind, name]}} | {"error"}}} | {"error"}}}``.

Spec file of ``seed`` (JSON object; every top-level key is optional; each
value may be a single object or a list of objects)::

    {
      "vim": {
        "id": "<uuid>",                  # required
        "name": "k8s-vim",               # required
        "tenant_id": "<project id>",     # required
        "auth_url": "https://10.0.0.1:6443",   # required (k8s API endpoint)
        "bearer_token": "<token>",       # required; plain text unless
        "barbican": {...},               # Tacker's service user (auth_url,
                                         # username, password, project_name,
                                         # user_domain_name,
                                         # project_domain_name): encrypt
                                         # with Tacker's driver, key in
                                         # Barbican
        "ssl_ca_cert": null,             # optional
        "description": "",               # optional
        "is_default": true               # optional, default true
      },
      "package": {
        "id": "<uuid>", "tenant_id": "...", "vnfd_id": "<uuid>",
        "provider": "...", "product_name": "...",
        "software_version": "1.0", "vnfd_version": "1.0"     # all required
      },
      "v2_instance": {
        "id": "<id>", "vnfd_id": "...",                      # required
        "provider": "...", "product_name": "...",
        "software_version": "...", "vnfd_version": "...",    # required
        "namespace": "default",                              # required
        "endpoint": "https://10.0.0.1:6443",                 # required
        "bearer_token": "<token>",                           # required
        "vim_id": "<vim uuid>",                              # required
        "flavour_id": "simple",                              # required
        "vnfcs": [{"vdu_id": "VDU1", "pod_name": "vdu1-5588797866-abcde",
                   "kind": "Deployment"}, ...],              # required
        "scale_status": [{"aspect_id": "vdu1_aspect", "scale_level": 1}],
        "max_scale_levels": [{"aspect_id": "vdu1_aspect", "scale_level": 2}],
        "vdu_reses": {"VDU1": {<k8s manifest>}, ...},
        "vim_type": "ETSINFV.HELM.V_3",  # optional; default Kubernetes
        "extra_metadata": {...},         # optional, into metadata (Helm:
                                         # release_name, revision, ...)
        "def_files": ["Files/kubernetes/deployment.yaml", ...],
        "vnfc_configurable_properties": {"owner": "operator-set"},
        "name": null, "description": null,                   # optional
        "lcmocc_id": "<id>"              # optional, default a new uuid
      },
      "v1_instance": {
        "id": "<uuid>", "vnfd_id": "...", "package_id": "<uuid>",
        "tenant_id": "...", "vim_id": "<vim uuid>",
        "namespace": "default", "flavour_id": "simple",      # required
        "vnfcs": [{"vdu_id": "VDU1", "pod_name": "...", "kind": "Deployment",
                   "id": "<optional VnfcResourceInfo id>"}, ...],
        "scale_status": [{"aspect_id": "vdu1_aspect", "scale_level": 1}],
        "def_files": ["Files/kubernetes/deployment.yaml", ...],
        "provider": "...", "product_name": "...",
        "software_version": "...", "vnfd_version": "...",
            # optional: default to the spec's package with id package_id
        "vim_connection_id": "vim1",     # optional, default "vim1"
        "name": null, "description": null,                   # optional
        "lcmocc_id": "<uuid>"            # optional, default a new uuid
      }
    }

v1 VnfcResourceInfo ids default to uuid5(instance id, pod name), so they
are stable across runs.  The v2 VnfcResourceInfo id is the pod name and the
vnfcInfo id is ``<vduId>-<pod name>``, as Tacker's Kubernetes driver makes
them.

``read`` output per instance (or ``{"error": "<Type>: <msg>"}`` when the
object cannot be loaded)::

    {
      "object": <summary>,    # from the loaded versioned object
      "view":   <summary> + {"instantiatedVnfInfo": <view JSON>, ...}
                | {"error": ...},
      "load_ok": {"object": bool, "view": bool}
    }

where a summary is ``{"instantiation_state", "pods_per_vdu": {VDU:
[pod...]}, "vnfc_count_per_vdu": {VDU: n}, "entry_ids_per_vdu": {VDU:
[id...]}, "scale_levels": {aspect: level}}`` plus, for v2,
``"vnfc_info": [{id, vduId, vnfcResourceInfoId, vnfcState,
vnfcConfigurableProperties}]``.
"""

import argparse
import datetime
import json
import logging
import os
import sys
import traceback
import uuid
import warnings


# --------------------------------------------------------------------------
# sys.path guard: must run before anything imports ``tacker``.
# --------------------------------------------------------------------------

def _guard_sys_path():
    here = os.path.dirname(os.path.realpath(__file__))
    # here = <root>/tacker/tests/functional/tacker16; <root> is our tree.
    root = here
    for _ in range(4):
        root = os.path.dirname(root)
    forbidden = set()
    d = here
    while True:
        forbidden.add(d)
        if d == root or d == os.path.dirname(d):
            break
        d = os.path.dirname(d)

    import sysconfig
    site_dirs = {os.path.realpath(sysconfig.get_paths()[k])
                 for k in ('purelib', 'platlib')}

    def dangerous(entry):
        real = os.path.realpath(entry or os.getcwd())
        if real in forbidden:
            return True
        pkg = os.path.join(real, 'tacker', '__init__.py')
        # any other directory carrying a ``tacker`` package that is not the
        # venv's own (cwd, PYTHONPATH, a stray .pth ...)
        return os.path.exists(pkg) and real not in site_dirs

    sys.path[:] = [p for p in sys.path if not dangerous(p)]
    if 'tacker' in sys.modules:
        raise RuntimeError('tacker was imported before the sys.path guard')
    return site_dirs


# Set by _bootstrap(): the real stdout (for the JSON document) and
# oslo_config.cfg.  Importing this module has no side effects; everything
# happens when it runs as a script.
_JSON_OUT = None
cfg = None


def _fail(exc, code):
    if os.environ.get('PEER_DEBUG'):
        traceback.print_exc(file=sys.stderr)
    msg = ' '.join(str(exc).split())
    sys.stderr.write('peer.py: %s: %s\n' % (type(exc).__name__, msg))
    sys.stderr.flush()
    return code


def _bootstrap():
    """Guard sys.path, route stray output to stderr, import Tacker."""
    global _JSON_OUT, cfg
    site_dirs = _guard_sys_path()

    # Keep the real stdout for the final JSON document; anything else that
    # writes to fd 1 or sys.stdout (libraries, alembic) lands on stderr.
    _JSON_OUT = os.fdopen(os.dup(1), 'w')
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    warnings.simplefilter('ignore')
    os.environ.setdefault('PYTHONWARNINGS', 'ignore')
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format='peer: %(levelname)s %(name)s: %(message)s')
    # glance_store's optional cinder driver (no os_brick) is never used
    logging.getLogger('stevedore.extension').setLevel(logging.CRITICAL)
    # oslo.db logs each wrapped DBAPI error at WARNING before raising it
    logging.getLogger('oslo_db.sqlalchemy.exc_filters').setLevel(
        logging.ERROR)

    import tacker
    where = os.path.realpath(os.path.dirname(tacker.__file__))
    if not any(where == os.path.join(d, 'tacker') for d in site_dirs):
        raise AssertionError(
            'imported tacker from %s, not from the Tacker venv '
            'site-packages %s' % (tacker.__file__, sorted(site_dirs)))
    if sys.prefix == sys.base_prefix:
        raise AssertionError('peer.py must run under the Tacker venv '
                             'interpreter, not %s' % sys.executable)
    from oslo_config import cfg as oslo_cfg
    cfg = oslo_cfg


LOG = logging.getLogger('peer')

V2_K8S_VIM_TYPE = 'ETSINFV.KUBERNETES.V_1'
V2_VIM_CONN_ID = 'vim1'


# --------------------------------------------------------------------------
# Tacker bootstrap
# --------------------------------------------------------------------------

def _backend(url):
    scheme = url.split(':', 1)[0].split('+', 1)[0].lower()
    if scheme in ('mysql', 'mariadb'):
        return 'mysql'
    if scheme in ('postgresql', 'postgres'):
        return 'postgresql'
    if scheme == 'sqlite':
        return 'sqlite'
    raise ValueError('unsupported database URL scheme: %s' % scheme)


def _setup_tacker(db_url):
    """Load Tacker's option sets and point [database] at db_url."""
    # registers [database] (oslo.db) and Tacker's core options
    from tacker.common import config as tacker_config  # noqa: F401
    import tacker.conf  # noqa: F401
    # v2 options ([v2_vnfm] endpoint, page sizes ...)
    from tacker.sol_refactored.common import config as sol_config  # noqa
    cfg.CONF(args=[], project='tacker', default_config_files=[],
             default_config_dirs=[])
    if db_url:
        cfg.CONF.set_override('connection', db_url, group='database')
    # Tacker's own loggers are noisy at INFO; keep them on stderr only.
    for name in ('tacker', 'oslo_db', 'alembic', 'sqlalchemy'):
        logging.getLogger(name).setLevel(logging.WARNING)

    from tacker import objects as v1_objects
    v1_objects.register_all()
    from tacker.sol_refactored import objects as v2_objects
    v2_objects.register_all()

    # VnfInstance.instantiated_vnf_info is a backref declared on
    # VnfInstantiatedInfo; SQLAlchemy only creates it when the mappers are
    # configured, which normally happens on a process's first query.
    # tacker.objects.VnfInstance.get_by_id() reads the class attribute
    # *before* querying, so as the first DB call of a process it fails with
    # AttributeError.  Configure the mappers up front, as a long-running
    # Tacker server has in effect done by then.
    from sqlalchemy import orm
    _import_all_models()
    orm.configure_mappers()


def _admin_context():
    from tacker import context as t_context
    return t_context.get_admin_context()


# --------------------------------------------------------------------------
# schema
# --------------------------------------------------------------------------

def _import_all_models():
    # every module that declares tables on tacker.db.model_base.BASE
    from tacker.db.common_services import common_services_db  # noqa: F401
    from tacker.db.db_sqlalchemy import models  # noqa: F401
    from tacker.db.nfvo import nfvo_db  # noqa: F401
    from tacker.db.vnfm import vnfm_db  # noqa: F401
    from tacker.sol_refactored.db.sqlalchemy import models as v2  # noqa
    from tacker.db import model_base
    return model_base.BASE.metadata


def cmd_schema(args):
    backend = _backend(args.db_url)
    if backend == 'sqlite':
        import sqlalchemy as sa
        metadata = _import_all_models()
        engine = sa.create_engine(args.db_url)
        try:
            metadata.create_all(engine)
        finally:
            engine.dispose()
        return {'backend': backend, 'method': 'models', 'revision': None,
                'tables': len(metadata.tables)}

    from alembic import command as alembic_command
    from alembic import config as alembic_config
    from alembic.runtime import migration as alembic_migration
    import sqlalchemy as sa
    import tacker.db.migration as t_migration

    import configparser
    import tempfile

    mig_dir = os.path.dirname(t_migration.__file__)
    # Tacker's env.py feeds alembic.ini to logging.fileConfig(), which puts
    # alembic at INFO on stderr; use a copy with the loggers at WARN.
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(os.path.join(mig_dir, 'alembic.ini'))
    for section in ini.sections():
        if section.startswith('logger_'):
            ini.set(section, 'level', 'WARN')
    tmp = tempfile.NamedTemporaryFile('w', suffix='.ini', prefix='peer-',
                                      delete=False)
    with tmp:
        ini.write(tmp)
    config = alembic_config.Config(tmp.name)
    config.set_main_option('script_location',
                           'tacker.db.migration:alembic_migrations')
    # the env.py of Tacker reads config.tacker_config.database.connection
    config.tacker_config = cfg.CONF
    try:
        alembic_command.upgrade(config, 'head')
    finally:
        os.unlink(tmp.name)
    # alembic.ini's fileConfig reset logging; keep stderr quiet again
    logging.getLogger().setLevel(logging.WARNING)

    engine = sa.create_engine(args.db_url)
    try:
        with engine.connect() as conn:
            rev = alembic_migration.MigrationContext.configure(
                conn).get_current_revision()
            tables = len(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    return {'backend': backend, 'method': 'migrations', 'revision': rev,
            'tables': tables}


# --------------------------------------------------------------------------
# seed
# --------------------------------------------------------------------------

def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _seed_vim(ctx, spec):
    """vims + vimauths through Tacker's NFVO DB plugin (no key manager)."""
    from tacker.db.nfvo import nfvo_db_plugin
    auth_cred = {
        'auth_url': spec['auth_url'],
        'bearer_token': spec['bearer_token'],
        'ssl_ca_cert': spec.get('ssl_ca_cert'),
        'username': None,
    }
    vim = {
        'id': spec['id'],
        'type': 'kubernetes',
        'tenant_id': spec['tenant_id'],
        'name': spec['name'],
        'description': spec.get('description', ''),
        'placement_attr': {'regions': ['default', 'kube-public',
                                       'kube-system']},
        'is_default': spec.get('is_default', True),
        'extra': {},
        'vim_project': {'name': 'default'},
        'auth_url': spec['auth_url'],
        'auth_cred': auth_cred,
    }
    if _backend(cfg.CONF.database.connection) == 'postgresql':
        # Tacker's migrations leave vimauths.password NOT NULL on
        # PostgreSQL (the model and the MariaDB schema say nullable), so a
        # token-only Kubernetes VIM cannot be stored with password NULL.
        # create_vim() pops 'password' out of auth_cred into that column;
        # '' is what reads back as "no password" (_make_vim_dict skips
        # falsy passwords).
        auth_cred['password'] = ''
    if spec.get('barbican'):
        _encrypt_like_tacker(spec['id'], auth_cred, spec['barbican'])
    # create_vim checks "one default VIM per tenant" using ctx.tenant_id.
    # The plugin works on the context's legacy ``session`` (not the
    # enginefacade one the objects use); close it afterwards or SQLite
    # stays locked for the next writer.
    ctx.tenant_id = spec['tenant_id']
    try:
        nfvo_db_plugin.NfvoPluginDb().create_vim(ctx, vim)
    finally:
        ctx.tenant_id = None
        ctx.session.close()
    return spec['id']


def _encrypt_like_tacker(vim_id, auth_cred, service):
    """Encrypt auth_cred with Tacker's own Kubernetes VIM driver.

    That is what Tacker's VIM registration does with its default
    ``[k8s_vim] use_barbican = True``: a fresh Fernet key encrypts the
    secrets, the key goes to Barbican as Tacker's service user (given in
    ``service``: auth_url, username, password, project_name and domains),
    and ``key_type`` / ``secret_uuid`` are added to auth_cred.
    """
    from keystoneauth1 import loading as ks_loading
    from tacker.nfvo.drivers.vim import kubernetes_driver
    group = 'keystone_authtoken'
    ks_loading.register_auth_conf_options(cfg.CONF, group)
    try:
        cfg.CONF.register_opts(
            ks_loading.get_auth_plugin_conf_options('password'), group=group)
    except cfg.DuplicateOptError:
        pass
    for name in ('auth_url', 'username', 'password', 'project_name',
                 'user_domain_name', 'project_domain_name'):
        cfg.CONF.set_override(name, service[name], group=group)
    cfg.CONF.set_override('use_barbican', True, group='k8s_vim')
    kubernetes_driver.Kubernetes_Driver().encode_vim_auth(vim_id, auth_cred)


def _seed_package(ctx, spec):
    from tacker import objects
    from tacker.objects import fields
    pkg = objects.VnfPackage(
        context=ctx,
        id=spec['id'],
        onboarding_state=fields.PackageOnboardingStateType.ONBOARDED,
        operational_state=fields.PackageOperationalStateType.ENABLED,
        usage_state=fields.PackageUsageStateType.IN_USE,
        tenant_id=spec['tenant_id'],
        algorithm='SHA-512',
        hash=spec.get('hash', '0' * 128),
        location_glance_store=spec.get(
            'location_glance_store', 'file:///var/lib/glance/images/%s'
            % spec['id']),
        size=spec.get('size', 0),
        user_data={})
    pkg.create()
    # VnfPackageVnfd.create() refuses a preset id, so the row id is new.
    vnfd = objects.VnfPackageVnfd(
        context=ctx,
        package_uuid=spec['id'],
        vnfd_id=spec['vnfd_id'],
        vnf_provider=spec['provider'],
        vnf_product_name=spec['product_name'],
        vnf_software_version=spec['software_version'],
        vnfd_version=spec['vnfd_version'])
    vnfd.create()
    return spec['id']


def _v2_vim_conn_info(spec):
    from tacker.sol_refactored import objects
    return objects.VimConnectionInfo(
        vimId=spec['vim_id'],
        vimType=spec.get('vim_type') or V2_K8S_VIM_TYPE,
        interfaceInfo={'endpoint': spec['endpoint']},
        accessInfo={'bearer_token': spec['bearer_token']})


def _seed_v2_instance(ctx, spec):
    from oslo_utils import timeutils
    from tacker.sol_refactored import objects

    vnfcs = spec['vnfcs']
    res_infos = [
        objects.VnfcResourceInfoV2(
            id=v['pod_name'],
            vduId=v['vdu_id'],
            computeResource=objects.ResourceHandle(
                resourceId=v['pod_name'],
                vimLevelResourceType=v['kind']),
            metadata={})
        for v in vnfcs]
    props = spec.get('vnfc_configurable_properties', {'owner':
                                                      'operator-set'})
    vnfc_infos = [
        objects.VnfcInfoV2(
            id='%s-%s' % (r.vduId, r.id),
            vduId=r.vduId,
            vnfcResourceInfoId=r.id,
            vnfcState='STARTED',
            vnfcConfigurableProperties=dict(props))
        for r in res_infos]
    inst_info = objects.VnfInstanceV2_InstantiatedVnfInfo(
        flavourId=spec['flavour_id'],
        vnfState='STARTED',
        scaleStatus=[objects.ScaleInfoV2(aspectId=s['aspect_id'],
                                         scaleLevel=s['scale_level'])
                     for s in spec.get('scale_status', [])],
        maxScaleLevels=[objects.ScaleInfoV2(aspectId=s['aspect_id'],
                                            scaleLevel=s['scale_level'])
                        for s in spec.get('max_scale_levels', [])],
        vnfcResourceInfo=res_infos,
        vnfcInfo=vnfc_infos,
        metadata={
            'namespace': spec['namespace'],
            'tenant': spec['namespace'],
            'lcm-kubernetes-def-files': list(spec.get('def_files', [])),
            'vdu_reses': spec.get('vdu_reses', {}),
            # A Helm instance: release_name, revision, helm_chart_path...
            **spec.get('extra_metadata', {}),
        })
    inst = objects.VnfInstanceV2(
        id=spec['id'],
        vnfdId=spec['vnfd_id'],
        vnfProvider=spec['provider'],
        vnfProductName=spec['product_name'],
        vnfSoftwareVersion=spec['software_version'],
        vnfdVersion=spec['vnfd_version'],
        instantiationState='INSTANTIATED',
        vimConnectionInfo={V2_VIM_CONN_ID: _v2_vim_conn_info(spec)},
        instantiatedVnfInfo=inst_info)
    if spec.get('name'):
        inst.vnfInstanceName = spec['name']
    if spec.get('description'):
        inst.vnfInstanceDescription = spec['description']
    if spec.get('metadata'):
        inst.metadata = spec['metadata']
    inst.create(ctx)

    # The INSTANTIATE request as a client would have sent it (after the
    # controller completed vimConnectionInfo from the VIM DB).
    req = {
        'flavourId': spec['flavour_id'],
        'additionalParams': {
            'lcm-kubernetes-def-files': list(spec.get('def_files', [])),
            'namespace': spec['namespace'],
        },
        'vimConnectionInfo': {
            V2_VIM_CONN_ID: _v2_vim_conn_info(spec).to_dict()},
    }
    start = timeutils.utcnow() - datetime.timedelta(seconds=30)
    lcmocc = objects.VnfLcmOpOccV2(
        id=spec.get('lcmocc_id') or str(uuid.uuid4()),
        operationState='COMPLETED',
        stateEnteredTime=timeutils.utcnow(),
        startTime=start,
        vnfInstanceId=spec['id'],
        operation='INSTANTIATE',
        isAutomaticInvocation=False,
        isCancelPending=False,
        operationParams=req)
    lcmocc.resourceChanges = objects.VnfLcmOpOccV2_ResourceChanges(
        affectedVnfcs=[objects.AffectedVnfcV2(
            id=r.id, vduId=r.vduId, changeType='ADDED',
            computeResource=r.computeResource, metadata={})
            for r in res_infos])
    lcmocc.create(ctx)
    return [spec['id'], lcmocc.id]


def _seed_v1_instance(ctx, spec, packages):
    from oslo_serialization import jsonutils
    from oslo_utils import timeutils
    from tacker import objects
    from tacker.objects import fields
    from tacker.objects import vnf_instance as vnf_instance_mod

    pkg = packages.get(spec['package_id'], {})

    def pick(key, pkg_key):
        if key in spec:
            return spec[key]
        if pkg_key in pkg:
            return pkg[pkg_key]
        raise KeyError('v1_instance.%s (and no package %s in the spec)'
                       % (key, spec['package_id']))

    conn_id = spec.get('vim_connection_id', 'vim1')

    # 1. "Create VNF identifier", as the v1 controller does it.  The
    # object's create() refuses a preset id, so we run the same steps it
    # runs (obj_get_changes -> _vnf_instance_create -> _from_db_object)
    # with the id from the spec.
    inst = objects.VnfInstance(
        context=ctx,
        vnf_instance_name=spec.get('name') or 'vnf-' + spec['id'],
        vnf_instance_description=spec.get('description'),
        instantiation_state=fields.VnfInstanceState.NOT_INSTANTIATED,
        vnfd_id=spec['vnfd_id'],
        vnf_provider=pick('provider', 'provider'),
        vnf_product_name=pick('product_name', 'product_name'),
        vnf_software_version=pick('software_version', 'software_version'),
        vnfd_version=pick('vnfd_version', 'vnfd_version'),
        vnf_pkg_id=spec['package_id'],
        tenant_id=spec['tenant_id'],
        vnf_metadata={})
    updates = inst.obj_get_changes()
    updates['id'] = spec['id']
    db_inst = vnf_instance_mod._vnf_instance_create(ctx, updates)
    inst._from_db_object(ctx, inst, db_inst,
                         expected_attrs=['instantiated_vnf_info'])

    # 2. "Instantiate", the way the conductor + k8s driver leave it.
    inst = objects.VnfInstance.get_by_id(ctx, spec['id'])
    inst.vim_connection_info = [objects.VimConnectionInfo(
        id=conn_id, vim_id=spec['vim_id'], vim_type='kubernetes')]
    inst.vnf_metadata = {'namespace': spec['namespace']}
    info = objects.InstantiatedVnfInfo(
        flavour_id=spec['flavour_id'],
        instantiation_level_id=spec.get('instantiation_level_id'),
        vnf_instance_id=spec['id'])
    info.reinitialize()
    info.vnf_state = fields.VnfOperationalStateType.STARTED
    info.ext_cp_info = []
    info.scale_status = [
        objects.ScaleInfo(aspect_id=s['aspect_id'],
                          scale_level=s['scale_level'])
        for s in spec.get('scale_status', [])]
    info.vnfc_resource_info = [
        objects.VnfcResourceInfo(
            id=v.get('id') or str(uuid.uuid5(uuid.UUID(spec['id']),
                                             v['pod_name'])),
            vdu_id=v['vdu_id'],
            compute_resource=objects.ResourceHandle(
                vim_connection_id=conn_id,
                resource_id=v['pod_name'],
                vim_level_resource_type=v['kind']),
            storage_resource_ids=[],
            vnfc_cp_info=[],
            metadata=v.get('metadata', {}))
        for v in spec['vnfcs']]
    info.additional_params = {
        'namespace': spec['namespace'],
        'lcm-kubernetes-def-files': list(spec.get('def_files', [])),
    }
    if spec.get('instance_id'):
        info.instance_id = spec['instance_id']
    inst.instantiated_vnf_info = info
    inst.instantiation_state = fields.VnfInstanceState.INSTANTIATED
    inst.save()

    # 3. the COMPLETED INSTANTIATE op occ, operation_params holding the
    # request body as the v1 controller stores it (a JSON string).
    body = {
        'flavourId': spec['flavour_id'],
        'additionalParams': info.additional_params,
        'vimConnectionInfo': [{'id': conn_id, 'vimId': spec['vim_id'],
                               'vimType': 'kubernetes'}],
    }
    now = timeutils.utcnow()
    occ_id = spec.get('lcmocc_id') or str(uuid.uuid4())
    occ = objects.VnfLcmOpOcc(
        context=ctx,
        id=occ_id,
        operation_state=fields.LcmOccsOperationState.COMPLETED,
        start_time=now - datetime.timedelta(seconds=30),
        state_entered_time=now,
        vnf_instance_id=spec['id'],
        is_cancel_pending=False,
        operation=fields.LcmOccsOperationType.INSTANTIATE,
        is_automatic_invocation=False,
        operation_params=jsonutils.dumps(body),
        error_point=7,
        tenant_id=spec['tenant_id'])
    try:
        occ.create()
    except Exception as exc:
        if _backend(cfg.CONF.database.connection) != 'postgresql':
            raise
        # PostgreSQL: Tacker's own insert of this row fails with a type
        # error of Tacker's (see README); fall back to its SQLAlchemy
        # model with the same column values.
        LOG.warning('VnfLcmOpOcc.create() failed on PostgreSQL (%s: %s); '
                    'inserting through the VnfLcmOpOccs model',
                    type(exc).__name__, str(exc).splitlines()[0])
        _insert_v1_occ_via_model(ctx, occ)
    return [spec['id'], occ_id]


def _insert_v1_occ_via_model(ctx, occ):
    """Insert a v1 op occ through Tacker's VnfLcmOpOccs model table.

    Tacker's migrations create vnf_lcm_op_occs.is_automatic_invocation and
    .is_cancel_pending as SMALLINT on PostgreSQL while the model declares
    them Boolean, so Tacker's own insert (VnfLcmOpOcc.create, which binds
    Python bools) is rejected by PostgreSQL ("column ... is of type
    smallint but expression is of type boolean").  Same row, same table,
    the two flags bound as integers.
    """
    import sqlalchemy as sa
    from tacker.db import api as db_api
    from tacker.db.db_sqlalchemy import models

    values = {
        'id': occ.id,
        'operation_state': occ.operation_state,
        'state_entered_time': occ.state_entered_time,
        'start_time': occ.start_time,
        'vnf_instance_id': occ.vnf_instance_id,
        'operation': occ.operation,
        'is_automatic_invocation': sa.type_coerce(
            int(bool(occ.is_automatic_invocation)), sa.SmallInteger),
        'is_cancel_pending': sa.type_coerce(
            int(bool(occ.is_cancel_pending)), sa.SmallInteger),
        'operation_params': occ.operation_params,
        'error_point': occ.error_point,
        'tenant_id': occ.tenant_id,
    }

    @db_api.context_manager.writer
    def _insert(context):
        context.session.execute(
            models.VnfLcmOpOccs.__table__.insert().values(**values))
    _insert(ctx)


def cmd_seed(args):
    with open(args.spec) as f:
        spec = json.load(f)
    created = []
    # a fresh admin context for every top-level item
    for vim in _as_list(spec.get('vim')):
        created.append(_seed_vim(_admin_context(), vim))
    packages = {}
    for pkg in _as_list(spec.get('package')):
        created.append(_seed_package(_admin_context(), pkg))
        packages[pkg['id']] = pkg
    for inst in _as_list(spec.get('v2_instance')):
        created.extend(_seed_v2_instance(_admin_context(), inst))
    for inst in _as_list(spec.get('v1_instance')):
        created.extend(_seed_v1_instance(_admin_context(), inst, packages))
    return {'created': created}


# --------------------------------------------------------------------------
# read
# --------------------------------------------------------------------------

def _err(exc):
    return {'error': '%s: %s' % (type(exc).__name__,
                                 ' '.join(str(exc).split()))}


def _summarise(vnfcs, scale, state, vnfc_info=None):
    """vnfcs: [(vdu, entry id, pod)]; scale: [(aspect, level)]."""
    pods, ids, count = {}, {}, {}
    for vdu, entry_id, pod in vnfcs:
        pods.setdefault(vdu, []).append(pod)
        ids.setdefault(vdu, []).append(entry_id)
        count[vdu] = count.get(vdu, 0) + 1
    out = {'instantiation_state': state,
           'pods_per_vdu': {k: sorted(v) for k, v in pods.items()},
           'vnfc_count_per_vdu': count,
           'entry_ids_per_vdu': {k: sorted(v) for k, v in ids.items()},
           'scale_levels': dict(scale)}
    if vnfc_info is not None:
        out['vnfc_info'] = vnfc_info
    return out


def _read_v2(ctx, inst_id):
    from tacker.sol_refactored.common import config as sol_config
    from tacker.sol_refactored.controller import vnflcm_view
    from tacker.sol_refactored import objects

    try:
        inst = objects.VnfInstanceV2.get_by_id(ctx, inst_id)
        if inst is None:
            raise LookupError('VnfInstanceV2 %s not found' % inst_id)
    except Exception as exc:
        return _err(exc)

    result = {'load_ok': {'object': False, 'view': False}}
    try:
        info = inst.instantiatedVnfInfo if inst.obj_attr_is_set(
            'instantiatedVnfInfo') else None

        def get(obj, name, default):
            return getattr(obj, name) if (
                obj is not None and obj.obj_attr_is_set(name)) else default
        vnfcs = [(r.vduId, r.id, r.computeResource.resourceId)
                 for r in get(info, 'vnfcResourceInfo', [])]
        scale = [(s.aspectId, s.scaleLevel)
                 for s in get(info, 'scaleStatus', [])]
        vnfc_info = [v.to_dict() for v in get(info, 'vnfcInfo', [])]
        result['object'] = _summarise(vnfcs, scale, inst.instantiationState,
                                      vnfc_info)
        result['object']['vim_connection_info'] = {
            k: v.to_dict() for k, v in get(inst, 'vimConnectionInfo',
                                           {}).items()}
        result['load_ok']['object'] = True
    except Exception as exc:
        result['object'] = _err(exc)

    try:
        conf = sol_config.CONF.v2_vnfm
        builder = vnflcm_view.InstanceViewBuilder(
            conf.endpoint, conf.vnf_instance_page_size)
        # all_fields: what GET /vnflcm/v2/vnf_instances/{id} returns is
        # detail(inst) without a selector; pass none, like show() does.
        body = builder.detail(inst)
        vinfo = body.get('instantiatedVnfInfo', {})
        vnfcs = [(r['vduId'], r['id'], r['computeResource']['resourceId'])
                 for r in vinfo.get('vnfcResourceInfo', [])]
        scale = [(s['aspectId'], s['scaleLevel'])
                 for s in vinfo.get('scaleStatus', [])]
        view = _summarise(vnfcs, scale, body.get('instantiationState'),
                          vinfo.get('vnfcInfo', []))
        view['instantiatedVnfInfo'] = vinfo
        view['vimConnectionInfo'] = body.get('vimConnectionInfo')
        view['_links'] = body.get('_links')
        view['vnfd'] = {key: body.get(key) for key in (
            'vnfdId', 'vnfProvider', 'vnfProductName',
            'vnfSoftwareVersion', 'vnfdVersion')}
        for field in ('vnfInstanceName', 'vnfInstanceDescription',
                      'metadata', 'extensions', 'vnfConfigurableProperties'):
            view[field] = body.get(field)
        result['view'] = view
        result['load_ok']['view'] = True
    except Exception as exc:
        result['view'] = _err(exc)
    return result


def _read_v1(ctx, inst_id):
    from tacker.api.views import vnf_lcm as vnf_lcm_view
    from tacker import objects

    try:
        inst = objects.VnfInstance.get_by_id(ctx, inst_id)
    except Exception as exc:
        return _err(exc)

    result = {'load_ok': {'object': False, 'view': False}}
    try:
        info = inst.instantiated_vnf_info
        vnfcs = [(r.vdu_id, r.id, r.compute_resource.resource_id)
                 for r in (info.vnfc_resource_info if info else [])]
        scale = [(s.aspect_id, s.scale_level)
                 for s in (info.scale_status if info else [])]
        result['object'] = _summarise(vnfcs, scale,
                                      inst.instantiation_state)
        result['object']['vim_connection_info'] = [
            v.to_dict() for v in inst.vim_connection_info]
        result['object']['vnf_metadata'] = inst.vnf_metadata
        result['load_ok']['object'] = True
    except Exception as exc:
        result['object'] = _err(exc)

    try:
        body = vnf_lcm_view.ViewBuilder().show(inst)
        vinfo = body.get('instantiatedVnfInfo', {})
        vnfcs = [(r['vduId'], r['id'], r['computeResource']['resourceId'])
                 for r in vinfo.get('vnfcResourceInfo', [])]
        scale = [(s['aspectId'], s['scaleLevel'])
                 for s in vinfo.get('scaleStatus', [])]
        view = _summarise(vnfcs, scale, body.get('instantiationState'))
        view['instantiatedVnfInfo'] = vinfo
        view['vimConnectionInfo'] = body.get('vimConnectionInfo')
        view['metadata'] = body.get('metadata')
        view['_links'] = body.get('_links')
        for field in ('vnfInstanceName', 'vnfInstanceDescription'):
            view[field] = body.get(field)
        result['view'] = view
        result['load_ok']['view'] = True
    except Exception as exc:
        result['view'] = _err(exc)
    return result


def _read_op_occ_v1(ctx, occ_id):
    from tacker.api.views import vnf_lcm as vnf_lcm_view
    from tacker import objects
    try:
        occ = objects.VnfLcmOpOcc.get_by_id(ctx, occ_id)
        body = vnf_lcm_view.ViewBuilder().show_lcm_op_occs(occ)
    except Exception as exc:
        return _err(exc)
    return {'state': occ.operation_state, 'view': body}


def _read_op_occ_v2(ctx, occ_id):
    from tacker.sol_refactored.common import config as sol_config
    from tacker.sol_refactored.controller import vnflcm_view
    from tacker.sol_refactored import objects
    try:
        occ = objects.VnfLcmOpOccV2.get_by_id(ctx, occ_id)
        if occ is None:
            raise LookupError('VnfLcmOpOccV2 %s not found' % occ_id)
        conf = sol_config.CONF.v2_vnfm
        builder = vnflcm_view.LcmOpOccViewBuilder(
            conf.endpoint, conf.lcm_op_occ_page_size)
        # What GET .../vnf_lcm_op_occs/{id} shows: every field.
        body = builder.detail(occ, builder.parse_selector({
            'all_fields': ''}))
    except Exception as exc:
        return _err(exc)
    return {'state': occ.operationState, 'view': body}


def cmd_read_op_occs(args):
    ctx = _admin_context()
    return {'v1': {i: _read_op_occ_v1(ctx, i) for i in args.v1},
            'v2': {i: _read_op_occ_v2(ctx, i) for i in args.v2}}


def cmd_read(args):
    ctx = _admin_context()
    return {'v1': {i: _read_v1(ctx, i) for i in args.v1},
            'v2': {i: _read_v2(ctx, i) for i in args.v2}}


def _read_vim(ctx, vim_id):
    from tacker.db.nfvo import nfvo_db_plugin
    try:
        return nfvo_db_plugin.NfvoPluginDb().get_vim(ctx, vim_id)
    except Exception as exc:
        return _err(exc)
    finally:
        # the plugin's legacy session; SQLite stays locked while open
        ctx.session.close()


PACKAGE_FIELDS = ('id', 'tenant_id', 'onboarding_state', 'operational_state',
                  'usage_state', 'algorithm', 'hash', 'size', 'user_data')


def _read_package(ctx, package_id):
    from tacker import objects
    try:
        pkg = objects.VnfPackage.get_by_id(ctx, package_id)
        return {name: getattr(pkg, name) for name in PACKAGE_FIELDS
                if pkg.obj_attr_is_set(name)}
    except Exception as exc:
        return _err(exc)


def cmd_read_api_rows(args):
    return {'vim': _read_vim(_admin_context(), args.vim),
            'package': _read_package(_admin_context(), args.package)}


# --------------------------------------------------------------------------
# check-package
# --------------------------------------------------------------------------

def _check_v1(zip_path, csar_path):
    """Tacker's v1 onboarding of one zip; returns (summary, package dir)."""
    from tacker.common import csar_utils
    # pip does not install Tacker's copy of the SOL001 type files, and the
    # error it logs about that has a broken format string; our packages
    # ship the type files and import them by relative path.
    logging.getLogger('tacker.tosca.utils').setLevel(logging.CRITICAL)
    package_id = str(uuid.uuid4())
    cfg.CONF.set_override('vnf_package_csar_path', csar_path,
                          group='vnf_package')
    vnf_data, flavours, artifacts = csar_utils.load_csar_data(
        _admin_context(), package_id, zip_path)
    summary = {'vnfd_id': vnf_data.get('descriptor_id'),
               'flavours': sorted(f['flavour_id'] for f in flavours),
               'artifacts': sorted(a['Source'] for a in artifacts)}
    return summary, os.path.join(csar_path, package_id)


def _check_v2_flavour(vnfd, flavour_id, def_files):
    from kubernetes import client as k8s_client
    from tacker.sol_refactored.infra_drivers.kubernetes import kubernetes
    if not vnfd.get_vnfd_flavour(flavour_id):
        return {'error': 'flavour %s not in the VNFD' % flavour_id}
    driver = kubernetes.Kubernetes()
    # An ApiClient that is never used: the resource objects only hold it.
    reses, namespace = driver._setup_k8s_reses(
        vnfd, def_files, k8s_client.ApiClient(), None, 'check-package')
    vdus = driver._select_vdu_reses(vnfd, flavour_id, reses)
    return {'vdu_nodes': sorted(vnfd.get_vdu_nodes(flavour_id)),
            'namespace': namespace,
            'vdus': {vdu: [res.kind, res.name] for vdu, res in vdus.items()}}


def _check_v2(package_dir, vnfd_id, flavours):
    from tacker.sol_refactored.common import vnfd_utils
    vnfd = vnfd_utils.Vnfd(vnfd_id)
    vnfd.init_from_csar_dir(package_dir)
    checked = {}
    for flavour_id, def_files in flavours.items():
        try:
            checked[flavour_id] = _check_v2_flavour(vnfd, flavour_id,
                                                    def_files)
        except Exception as exc:
            checked[flavour_id] = _err(exc)
    return {'artifact_files': sorted(vnfd.get_vnf_artifact_files()),
            'flavours': checked}


def _check_package(package, csar_path):
    try:
        v1, package_dir = _check_v1(package['zip'], csar_path)
    except Exception as exc:
        return {'v1': _err(exc)}
    try:
        v2 = _check_v2(package_dir, v1['vnfd_id'], package['flavours'])
    except Exception as exc:
        v2 = _err(exc)
    return {'v1': v1, 'v2': v2}


def cmd_check_package(args):
    import tempfile
    with open(args.spec) as f:
        spec = json.load(f)
    with tempfile.TemporaryDirectory(prefix='peer-csar-') as csar_path:
        return {package['zip']: _check_package(package, csar_path)
                for package in spec['packages']}


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def _parser():
    p = argparse.ArgumentParser(prog='peer.py', description=__doc__.split(
        '\n\n')[0])
    sub = p.add_subparsers(dest='command', required=True)
    s = sub.add_parser('schema', help="build Tacker 16's schema")
    s.add_argument('--db-url', required=True)
    s = sub.add_parser('seed', help='create rows from a JSON spec')
    s.add_argument('--db-url', required=True)
    s.add_argument('--spec', required=True)
    s = sub.add_parser('read', help='load instances with Tacker code')
    s.add_argument('--db-url', required=True)
    s.add_argument('--v1', nargs='+', default=[], metavar='ID',
                   action='extend')
    s.add_argument('--v2', nargs='+', default=[], metavar='ID',
                   action='extend')
    s = sub.add_parser('read-op-occs', help='load op occs with Tacker code')
    s.add_argument('--db-url', required=True)
    s.add_argument('--v1', nargs='+', default=[], metavar='ID',
                   action='extend')
    s.add_argument('--v2', nargs='+', default=[], metavar='ID',
                   action='extend')
    s = sub.add_parser('read-api-rows',
                       help='load a VIM and a package with Tacker code')
    s.add_argument('--db-url', required=True)
    s.add_argument('--vim', required=True, metavar='ID')
    s.add_argument('--package', required=True, metavar='ID')
    s = sub.add_parser('check-package',
                       help='onboard packages and list their manifests '
                            'with Tacker code')
    s.add_argument('--db-url', default=None, help='unused')
    s.add_argument('--spec', required=True)
    return p


def _json_default(obj):
    if isinstance(obj, (datetime.datetime, datetime.date)):
        return obj.isoformat()
    return str(obj)


def main(argv=None):
    try:
        _bootstrap()
    except Exception as exc:
        return _fail(exc, 2)
    args = _parser().parse_args(argv)
    try:
        _setup_tacker(args.db_url)
        out = {'schema': cmd_schema, 'seed': cmd_seed, 'read': cmd_read,
               'read-api-rows': cmd_read_api_rows,
               'read-op-occs': cmd_read_op_occs,
               'check-package': cmd_check_package}[args.command](args)
    except Exception as exc:
        return _fail(exc, 1)
    _JSON_OUT.write(json.dumps(out, sort_keys=True, default=_json_default))
    _JSON_OUT.write('\n')
    _JSON_OUT.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
