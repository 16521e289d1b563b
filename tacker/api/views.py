"""Records → API JSON.  Secrets never leave through here.

Every body tacker-server returns for a VIM, a VNF instance or an LCM
operation occurrence is built by a function of this module, and each of
them passes its result through ``scrub``, which drops credentials
(``accessInfo``, ``bearer_token``, ``password``, ``ssl_ca_cert``,
``client_secret``) wherever they sit: a VIM's ``auth_cred``, an instance's
``vimConnectionInfo``, or an op occ's ``operationParams`` echoing an
instantiate request.

v1 records are stored snake_case (possibly wrapped as versioned-object
primitives) and are shown in SOL003 camelCase; v2 records are stored as
the JSON they are shown as.
"""

import json

from tacker.common import states
from tacker.vnfm.infra_drivers.kubernetes import v1_records

_SECRETS = ('access_info', 'bearer_token', 'password', 'ssl_ca_cert',
            'client_secret')
# Both spellings: v1 records are camelized on the way out.
SECRET_KEYS = frozenset(_SECRETS + tuple(
    part[0] + ''.join(p.title() for p in part[1:])
    for part in (s.split('_') for s in _SECRETS)))
# v1 keys whose values are free-form maps: shown as stored, not camelized.
_OPAQUE_V1 = frozenset({'metadata', 'additional_params', 'extensions',
                        'vnf_configurable_properties', 'extra'})


def scrub(value):
    """A copy of ``value`` without any credential, at any depth."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()
                if k not in SECRET_KEYS}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def iso(when):
    """ISO 8601 UTC text of a naive UTC datetime ('...Z'), or None."""
    if when is None:
        return None
    return when.replace(microsecond=0).isoformat() + 'Z'


def _camel(key):
    head, *rest = key.split('_')
    return head + ''.join(part[:1].upper() + part[1:] for part in rest)


def camelize(value):
    """v1's snake_case JSON in SOL camelCase; opaque maps kept as stored."""
    if isinstance(value, dict):
        return {_camel(k): (v if k in _OPAQUE_V1 else camelize(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [camelize(v) for v in value]
    return value


def _v1_json(value):
    """A v1 JSON column: unwrapped, camelCase; text holding JSON parsed."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return camelize(scrub(v1_records.unwrap(value)))


def _compact(body):
    return {k: v for k, v in body.items() if v is not None}


# --- VIMs

def vim(record):
    return scrub({
        'id': record.id,
        'name': record.name,
        'description': record.description or '',
        'type': record.type,
        'tenant_id': record.tenant_id,
        'auth_url': record.auth_url,
        'vim_project': record.vim_project,
        'auth_cred': record.auth_cred,
        'placement_attr': {},
        'is_default': record.is_default,
        # Not stored: Tacker has no such column, and its API shows every
        # VIM it returns as ACTIVE (a field its client still expects).
        'status': 'ACTIVE',
        'extra': record.extra,
        'created_at': iso(record.created_at),
    })


# --- VNF packages

def vnf_package(row, base_url):
    href = '%s/vnfpkgm/v1/vnf_packages/%s' % (base_url, row['id'])
    body = {
        'id': row['id'],
        'onboardingState': row['onboarding_state'],
        'operationalState': row['operational_state'],
        'usageState': row['usage_state'],
        'userDefinedData': row['user_data'] or {},
        '_links': {'self': {'href': href},
                   'packageContent': {'href': href + '/package_content'}},
    }
    if row.get('vnfd_id'):
        body.update({
            'vnfdId': row['vnfd_id'],
            'vnfProvider': row['vnf_provider'],
            'vnfProductName': row['vnf_product_name'],
            'vnfSoftwareVersion': row['vnf_software_version'],
            'vnfdVersion': row['vnfd_version'],
            'checksum': {'algorithm': row['algorithm'],
                         'hash': row['hash']},
            'softwareImages': [],
            'additionalArtifacts': [],
        })
    return body


# --- VNF instances

def _instance_links(base_url, version, instance_id, instantiated):
    href = '%s/vnflcm/%s/vnf_instances/%s' % (base_url, version,
                                              instance_id)
    links = {'self': {'href': href}}
    if instantiated:
        for action in ('terminate', 'scale', 'heal'):
            links[action] = {'href': '%s/%s' % (href, action)}
    else:
        links['instantiate'] = {'href': href + '/instantiate'}
    return links


def vnf_instance_v1(row, info, base_url):
    """SOL003 VnfInstance of a ``vnf_instances`` row (+ instantiated info)."""
    instantiated = row['instantiation_state'] == states.INSTANTIATED
    body = {
        'id': row['id'],
        'vnfInstanceName': row['vnf_instance_name'],
        'vnfInstanceDescription': row['vnf_instance_description'],
        'vnfdId': row['vnfd_id'],
        'vnfProvider': row['vnf_provider'],
        'vnfProductName': row['vnf_product_name'],
        'vnfSoftwareVersion': row['vnf_software_version'],
        'vnfdVersion': row['vnfd_version'],
        'vnfPkgId': row['vnf_pkg_id'],
        'instantiationState': row['instantiation_state'],
        'vimConnectionInfo': _v1_json(row['vim_connection_info'] or []),
        'metadata': v1_records.unwrap(row['vnf_metadata'] or {}),
        '_links': _instance_links(base_url, 'v1', row['id'], instantiated),
    }
    if instantiated and info is not None:
        body['instantiatedVnfInfo'] = _compact({
            'flavourId': info['flavour_id'],
            'vnfState': info['vnf_state'],
            'scaleStatus': _v1_json(info['scale_status'] or []),
            'extCpInfo': _v1_json(info['ext_cp_info'] or []),
            'extVirtualLinkInfo': _v1_json(
                info['ext_virtual_link_info'] or []),
            'extManagedVirtualLinkInfo': _v1_json(
                info['ext_managed_virtual_link_info'] or []),
            'vnfcResourceInfo': _v1_json(info['vnfc_resource_info'] or []),
            'vnfVirtualLinkResourceInfo': _v1_json(
                info['vnf_virtual_link_resource_info'] or []),
            'virtualStorageResourceInfo': _v1_json(
                info['virtual_storage_resource_info'] or []),
            'vnfcInfo': _v1_json(info['vnfc_info'] or []),
            'instantiationLevelId': info['instantiation_level_id'],
            'additionalParams': v1_records.unwrap(
                info['additional_params']) or None,
        })
    return scrub(_compact(body))


def vnf_instance_v2(row, base_url):
    """SOL003 VnfInstance of a ``VnfInstanceV2`` row."""
    instantiated = row['instantiationState'] == states.INSTANTIATED
    body = _compact({
        'id': row['id'],
        'vnfInstanceName': row['vnfInstanceName'],
        'vnfInstanceDescription': row['vnfInstanceDescription'],
        'vnfdId': row['vnfdId'],
        'vnfProvider': row['vnfProvider'],
        'vnfProductName': row['vnfProductName'],
        'vnfSoftwareVersion': row['vnfSoftwareVersion'],
        'vnfdVersion': row['vnfdVersion'],
        'vnfConfigurableProperties': row['vnfConfigurableProperties'],
        'vimConnectionInfo': row['vimConnectionInfo'],
        'instantiationState': row['instantiationState'],
        'instantiatedVnfInfo': (row['instantiatedVnfInfo']
                                if instantiated else None),
        'metadata': row['metadata'],
        'extensions': row['extensions'],
    })
    body['_links'] = _instance_links(base_url, 'v2', row['id'],
                                     instantiated)
    return scrub(body)


# --- LCM operation occurrences

def _op_occ_links(base_url, version, op_id, instance_id, state):
    href = '%s/vnflcm/%s/vnf_lcm_op_occs/%s' % (base_url, version, op_id)
    links = {
        'self': {'href': href},
        'vnfInstance': {'href': '%s/vnflcm/%s/vnf_instances/%s' % (
            base_url, version, instance_id)},
    }
    if state == states.FAILED_TEMP:
        # Only "fail" is offered: retry and rollback are not implemented.
        links['fail'] = {'href': '%s/fail' % href}
    return links


def op_occ_v1(row, base_url):
    body = _compact({
        'id': row['id'],
        'operationState': row['operation_state'],
        'stateEnteredTime': iso(row['state_entered_time']),
        'startTime': iso(row['start_time']),
        'vnfInstanceId': row['vnf_instance_id'],
        'grantId': row['grant_id'],
        'operation': row['operation'],
        'isAutomaticInvocation': bool(row['is_automatic_invocation']),
        'operationParams': _v1_json(row['operation_params']),
        'isCancelPending': bool(row['is_cancel_pending']),
        'error': _v1_json(row['error']),
        'resourceChanges': _v1_json(row['resource_changes']),
        'changedInfo': _v1_json(row['changed_info']),
        'changedExtConnectivity': _v1_json(row['changed_ext_connectivity']),
    })
    body['_links'] = _op_occ_links(base_url, 'v1', row['id'],
                                   row['vnf_instance_id'],
                                   row['operation_state'])
    return scrub(body)


def op_occ_v2(row, base_url):
    body = _compact({
        'id': row['id'],
        'operationState': row['operationState'],
        'stateEnteredTime': iso(row['stateEnteredTime']),
        'startTime': iso(row['startTime']),
        'vnfInstanceId': row['vnfInstanceId'],
        'grantId': row['grantId'],
        'operation': row['operation'],
        'isAutomaticInvocation': bool(row['isAutomaticInvocation']),
        'operationParams': row['operationParams'],
        'isCancelPending': bool(row['isCancelPending']),
        'cancelMode': row['cancelMode'],
        'error': row['error'],
        'resourceChanges': row['resourceChanges'],
        'changedInfo': row['changedInfo'],
        'changedExtConnectivity': row['changedExtConnectivity'],
    })
    body['_links'] = _op_occ_links(base_url, 'v2', row['id'],
                                   row['vnfInstanceId'],
                                   row['operationState'])
    return scrub(body)
