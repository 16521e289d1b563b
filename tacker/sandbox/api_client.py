"""A small HTTP client for tacker-server, on the standard library only.

The sandbox drives the product through its REST API, as an operator's
tools would, so every step it shows is what a client of the API sees.
Errors are answers here, not exceptions: the demo wants to print a 409.
"""

import json
import time
import urllib.error
import urllib.request

from tacker.common import states

V1_VERSION = '1.3.0'
V2_VERSION = '2.0.0'


class ApiError(Exception):
    """An answer the demo did not expect; the message says which."""


class Response:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw

    @property
    def body(self):
        if not self.raw:
            return None
        try:
            return json.loads(self.raw)
        except ValueError:
            return self.raw.decode('utf-8', 'replace')

    def describe(self):
        body = self.body
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        return 'HTTP %d %s' % (self.status, body or '')


class TackerClient:
    """Requests against one tacker-server (``auth_strategy = noauth``)."""

    def __init__(self, base_url, *, timeout=30):
        self.base_url = base_url.rstrip('/')
        self.timeout = timeout

    def request(self, method, path, body=None, *, version=None,
                content_type='application/json'):
        headers = {'Accept': 'application/json'}
        if version is not None:
            headers['Version'] = version
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(
                body).encode()
            headers['Content-Type'] = content_type
        req = urllib.request.Request(self.base_url + path, data=data,
                                     headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return Response(resp.status, resp.headers, resp.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return Response(exc.code, exc.headers, exc.read())

    def expect(self, status, method, path, body=None, **kwargs):
        """The answer's JSON body; ApiError unless it has ``status``."""
        resp = self.request(method, path, body, **kwargs)
        if resp.status != status:
            raise ApiError('%s %s answered %s (expected %d)'
                           % (method, path, resp.describe(), status))
        return resp

    # --- the LCM API, v1 and v2 alike

    @staticmethod
    def lcm_prefix(version):
        return '/vnflcm/%s' % version

    @staticmethod
    def header_version(version):
        return V2_VERSION if version == 'v2' else V1_VERSION

    def lcm(self, method, version, path, body=None):
        return self.request(method, self.lcm_prefix(version) + path, body,
                            version=self.header_version(version))

    def instance(self, version, instance_id):
        resp = self.lcm('GET', version, '/vnf_instances/' + instance_id)
        if resp.status != 200:
            raise ApiError('GET %s vnf_instances/%s answered %s'
                           % (version, instance_id, resp.describe()))
        return resp.body

    def op_occ(self, version, op_occ_id):
        resp = self.lcm('GET', version, '/vnf_lcm_op_occs/' + op_occ_id)
        if resp.status != 200:
            raise ApiError('GET %s vnf_lcm_op_occs/%s answered %s'
                           % (version, op_occ_id, resp.describe()))
        return resp.body

    def wait_for_op_occ(self, version, location, *, timeout):
        """Poll the op occ a 202's Location names until it has finished.

        Returns the op occ; ApiError when it is not finished in time.
        """
        op_occ_id = location.rstrip('/').rsplit('/', 1)[-1]
        deadline = time.monotonic() + timeout
        while True:
            occ = self.op_occ(version, op_occ_id)
            if occ.get('operationState') not in states.IN_PROGRESS:
                return occ
            if time.monotonic() > deadline:
                raise ApiError(
                    '%s op occ %s (%s) still %s after %d s'
                    % (version, op_occ_id, occ.get('operation'),
                       occ.get('operationState'), timeout))
            time.sleep(0.2)
