"""The request/response helpers of the tacker-server controllers.

This module decides two things and nothing else: how JSON goes in and
out, and how an error becomes a ProblemDetails answer.  That last
mapping lives in ``problem_response`` only: handlers raise typed errors
carrying ``code`` (``tacker.common.exceptions``) and never build error
bodies themselves.  Anything unexpected becomes a 500 ProblemDetails
with no traceback and no exception text.  It imports nothing of the
controllers or the router: the application that routes a request to
its handler is built in ``tacker.api.app``.
"""

import json
import math
import re

import webob

from tacker.common import exceptions
from tacker.common import json_depth

JSON = 'application/json'
PROBLEM_JSON = 'application/problem+json'
# A JSON request body larger than this is refused before it is parsed.
MAX_JSON_BYTES = 1 << 20
# Levels of objects and arrays a JSON request body may nest, the body
# being level 1; deeper bodies are refused before anything is written.
MAX_JSON_DEPTH = json_depth.MAX_REQUEST_DEPTH
# Control characters no TackerDB text column accepts everywhere (NUL is
# refused by PostgreSQL); refused in every JSON string and key.
_BAD_CHARS = re.compile('[\x00]')


# --- errors of the HTTP layer itself (the rest come from below)

class Forbidden(exceptions.TackerError):
    code = 403
    title = 'Forbidden'
    msg_fmt = '%(reason)s'


class Unauthorized(exceptions.TackerError):
    code = 401
    title = 'Unauthorized'
    msg_fmt = ('The request you have made requires authentication: a '
               'valid Keystone token in X-Auth-Token.')


class PathNotFound(exceptions.TackerError):
    code = 404
    title = 'Not Found'
    msg_fmt = 'The resource %(path)s could not be found.'


class MethodNotAllowed(exceptions.TackerError):
    code = 405
    title = 'Method Not Allowed'
    msg_fmt = 'Method %(method)s is not allowed on %(path)s.'

    def __init__(self, message=None, *, allowed=(), **kwargs):
        super().__init__(message, **kwargs)
        self.allowed = tuple(allowed)


class PayloadTooLarge(exceptions.TackerError):
    code = 413
    title = 'Payload Too Large'
    msg_fmt = 'The request body is larger than %(limit)s bytes.'


class UnsupportedMediaType(exceptions.TackerError):
    code = 415
    title = 'Unsupported Media Type'
    msg_fmt = 'Content-Type %(given)s is not supported; use %(expected)s.'


class Unprocessable(exceptions.TackerError):
    code = 422
    title = 'Unprocessable Entity'
    msg_fmt = '%(reason)s'


class ServiceUnavailable(exceptions.TackerError):
    code = 503
    title = 'Service Unavailable'
    msg_fmt = '%(reason)s'


# --- responses

def _dump(body):
    return json.dumps(body, sort_keys=False).encode('utf-8')


def json_response(body, *, status=200, headers=None):
    response = webob.Response(status=status, body=_dump(body),
                              content_type=JSON, charset=None)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def empty_response(status, *, headers=None):
    response = webob.Response(status=status)
    response.headers.pop('Content-Type', None)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def problem_response(exc):
    """The ProblemDetails answer of an error: the one place for mapping.

    A ``TackerError`` keeps its ``code``, ``title`` and ``message``; any
    other exception, and any error whose code is 500, is a 500 whose text
    is never shown to the client.
    """
    if isinstance(exc, exceptions.TackerError) and (
            400 <= exc.code < 600 and exc.code != 500):
        status, title, detail = exc.code, exc.title, exc.message
    else:
        # A 500 is a fault of ours: its text may name internals.
        status, title = 500, 'Internal Server Error'
        detail = 'The server could not complete the request; see its log.'
    response = webob.Response(status=status, content_type=PROBLEM_JSON,
                              charset=None,
                              body=_dump({'status': status, 'title': title,
                                          'detail': detail}))
    allowed = getattr(exc, 'allowed', None)
    if allowed:
        response.headers['Allow'] = ', '.join(allowed)
    return response


# --- requests

def _reject_constant(name):
    raise ValueError('%s is not a JSON number' % name)


def _reject_float(text):
    value = float(text)
    if math.isinf(value):
        raise ValueError('number %s is out of range' % text[:40])
    return value


def _check_depth(body):
    """Refuse a body nested too deeply, naming its top-level member."""
    path = json_depth.too_deep(body, MAX_JSON_DEPTH)
    if path is None:
        return
    what = 'nests objects and arrays more than %d levels deep (the ' \
        'request body is level 1)' % MAX_JSON_DEPTH
    if path:
        raise exceptions.Invalid(message='Invalid input for field/'
                                 'attribute %s: %s' % (str(path[0])[:255],
                                                       what))
    raise exceptions.Invalid(message='Invalid input: the request body %s'
                             % what)


def _check_strings(value, path='body'):
    """Refuse text the databases cannot store, naming the field."""
    if isinstance(value, str):
        if _BAD_CHARS.search(value):
            raise exceptions.Invalid(
                reason='%s contains a NUL character' % path)
        try:
            value.encode('utf-8')
        except UnicodeEncodeError:
            raise exceptions.Invalid(
                reason='%s contains an unpaired UTF-16 surrogate' % path)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, path)
            _check_strings(item, '%s.%s' % (path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_strings(item, '%s[%d]' % (path, index))


def query(req):
    """The query parameters (a MultiDict); 400 when not UTF-8."""
    try:
        return req.GET
    except UnicodeDecodeError:
        raise exceptions.Invalid(
            reason='the query string is not valid UTF-8')


def read_body(req, *, limit):
    """The raw request body, refusing more than ``limit`` bytes."""
    length = req.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge(limit=limit)
    data = req.body_file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(limit=limit)
    return data


def read_json(req, *, required=True, empty=None):
    """The request's JSON document; ``Invalid`` (400) when it is not one.

    An empty body reads as ``empty`` when ``required`` is false; a body
    that is JSON ``null`` is None, never ``empty``: the schema judges it.
    """
    data = read_body(req, limit=MAX_JSON_BYTES)
    if not data.strip():
        if required:
            raise exceptions.Invalid(reason='the request body is empty; a '
                                            'JSON object is expected')
        return empty
    try:
        text = data.decode('utf-8')
        body = json.loads(text, parse_constant=_reject_constant,
                          parse_float=_reject_float)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise exceptions.Invalid(
            reason='the request body is not valid JSON (%s)' % (
                _short(exc),))
    # Depth first: the checks after it, the schemas and the storage
    # walk the body recursively.
    _check_depth(body)
    _check_strings(body)
    return body


def _short(exc):
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def raw_path(req):
    """PATH_INFO as text, never failing on bytes that are not UTF-8."""
    path = req.environ.get('PATH_INFO', '') or '/'
    try:
        return path.encode('latin-1').decode('utf-8')
    except (UnicodeEncodeError, UnicodeDecodeError):
        return path.encode('latin-1', 'replace').decode('utf-8', 'replace')
