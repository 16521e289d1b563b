"""Modify VNF information: what a PATCH of an instance changes, decided.

SOL003's modify is a JSON merge patch (RFC 7396) of a few fields of the
instance.  Everything here is pure: ``merge_patch`` applies one patch to
one document, and ``v2_changes`` / ``v1_changes`` turn a request and the
columns as stored into the columns to write (only the changed ones).
Reading the row, checking the package and writing the result are the
version adapters' (``v1``, ``v2`` beside this module); the API checked
the body's shape before (``tacker.api.schemas.vnflcm``).

The versions differ as Tacker 16's do: v2 merges ``metadata``,
``extensions``, ``vnfConfigurableProperties`` and the
``vimConnectionInfo`` map key by key; v1 keeps ``vimConnectionInfo`` as
a list of Tacker's ``VimConnectionInfo`` objects (snake_case), matched by
``id``, whose object fields are updated one level deep.  v2 also takes
``vnfcInfoModifications``: each names a ``vnfcInfo`` entry whose
``vnfcConfigurableProperties`` it merges.
"""

import copy

from tacker.common import exceptions
from tacker.common import json_merge

#: Instance fields a v2 request patches as JSON documents.
V2_DOCUMENTS = ('vnfConfigurableProperties', 'metadata', 'extensions')

# v1 request keys -> Tacker's VimConnectionInfo field names.
_V1_CONNECTION_KEYS = {'id': 'id', 'vimId': 'vim_id', 'vimType': 'vim_type',
                       'interfaceInfo': 'interface_info',
                       'accessInfo': 'access_info', 'extra': 'extra'}


def _changed(current, wanted):
    return {column: value for column, value in wanted.items()
            if current.get(column) != value}


def v2_changes(current, params, package=None):
    """``{VnfInstanceV2 column: new value}`` of a v2 modify request.

    :param current: the stored columns (vnfInstanceName,
        vnfInstanceDescription, vnfdId, vimConnectionInfo and the
        ``V2_DOCUMENTS``), as plain values
    :param package: the package of a new ``vnfdId`` (a dict of
        ``tacker.db.packages``), or None when the vnfdId stays
    """
    wanted = {}
    for field in ('vnfInstanceName', 'vnfInstanceDescription'):
        if field in params:
            wanted[field] = params[field]
    if package is not None:
        wanted.update(vnfdId=package['vnfd_id'],
                      vnfProvider=package['vnf_provider'],
                      vnfProductName=package['vnf_product_name'],
                      vnfSoftwareVersion=package['vnf_software_version'],
                      vnfdVersion=package['vnfd_version'])
    for field in V2_DOCUMENTS + ('vimConnectionInfo',):
        if field in params:
            wanted[field] = json_merge.merge_patch(
                current.get(field) or {}, params[field])
    if params.get('vnfcInfoModifications'):
        wanted['instantiatedVnfInfo'] = _vnfc_modified(
            current.get('instantiatedVnfInfo'),
            params['vnfcInfoModifications'])
    return _changed(current, wanted)


def missing_vnfcs(info, modifications):
    """The ids of ``modifications`` no ``vnfcInfo`` entry has."""
    known = {entry.get('id') for entry in (info or {}).get('vnfcInfo')
             or ()}
    return [m['id'] for m in modifications if m['id'] not in known]


def _vnfc_modified(info, modifications):
    missing = missing_vnfcs(info, modifications)
    if missing:
        # Known at the request; gone since (the synchronization replaced
        # the pod): nothing to merge into.
        raise exceptions.Invalid(message=(
            'vnfcInstanceId(%s) does not exist.' % missing[0]))
    info = copy.deepcopy(info)
    for mod in modifications:
        for entry in info['vnfcInfo']:
            if entry.get('id') == mod['id']:
                entry['vnfcConfigurableProperties'] = json_merge.merge_patch(
                    entry.get('vnfcConfigurableProperties') or {},
                    mod['vnfcConfigurableProperties'])
    return info


def v1_connection(entry):
    """A v1 request's vimConnectionInfo entry in Tacker's field names."""
    return {_V1_CONNECTION_KEYS[key]: value for key, value in entry.items()
            if key in _V1_CONNECTION_KEYS}


def merge_v1_connections(stored, requested):
    """Tacker's v1 merge of vimConnectionInfo lists (plain dicts).

    An entry whose ``id`` is stored updates it: plain fields are replaced
    and object fields (``access_info``...) updated key by key.  Other
    requested entries are added; stored entries not named stay.
    """
    result = [copy.deepcopy(entry) for entry in stored or ()]
    by_id = {entry.get('id'): entry for entry in result}
    for update in requested or ():
        update = v1_connection(update)
        entry = by_id.get(update.get('id'))
        if entry is None:
            entry = {}
            result.append(entry)
            by_id[update.get('id')] = entry
        for key, value in update.items():
            if isinstance(value, dict) and isinstance(entry.get(key), dict):
                entry[key] = dict(entry[key], **copy.deepcopy(value))
            else:
                entry[key] = copy.deepcopy(value)
    return result


def v1_changes(current, params, package=None):
    """``{vnf_instances column: new value}`` of a v1 modify request.

    :param current: the stored columns (vnf_instance_name,
        vnf_instance_description, vnfd_id, vnf_pkg_id, vnf_metadata and
        vim_connection_info as a list of plain dicts)
    :param package: the package of a new ``vnfdId`` / ``vnfPkgId``, or
        None when it stays
    """
    wanted = {}
    for field, column in (('vnfInstanceName', 'vnf_instance_name'),
                          ('vnfInstanceDescription',
                           'vnf_instance_description')):
        if field in params:
            wanted[column] = params[field]
    if package is not None:
        wanted.update(vnfd_id=package['vnfd_id'], vnf_pkg_id=package['id'],
                      vnf_provider=package['vnf_provider'],
                      vnf_product_name=package['vnf_product_name'],
                      vnf_software_version=package['vnf_software_version'],
                      vnfd_version=package['vnfd_version'])
    if 'metadata' in params:
        wanted['vnf_metadata'] = json_merge.merge_patch(
            current.get('vnf_metadata') or {}, params['metadata'])
    if 'vimConnectionInfo' in params:
        wanted['vim_connection_info'] = merge_v1_connections(
            current.get('vim_connection_info'), params['vimConnectionInfo'])
    return _changed(current, wanted)
