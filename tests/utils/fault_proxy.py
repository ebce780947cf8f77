# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An HTTP proxy in front of the PowerDNS API that fails on demand, for the retry tests.

`python fault_proxy.py --listen 127.0.0.1:8082 --upstream http://127.0.0.1:8081` forwards every
request. `POST /_fault` with `{"status": 429|503, "count": N, "retry_after": seconds or null}` makes
the next N proxied requests answer that status (JSON error body, Retry-After when given) without
reaching PowerDNS; an optional `"methods": ["PATCH"]` limits the faults to those methods, so a test
can let the reads through and fail the write. `GET /_fault` reports `{"remaining", "served_faults", "forwarded"}`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

REASONS = {429: 'Too Many Requests', 503: 'Service Unavailable'}
# Hop-by-hop headers belong to one connection and must not be passed on (RFC 9110 section 7.6.1).
HOP_BY_HOP = frozenset(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
                        'transfer-encoding', 'upgrade', 'host', 'content-length'])


class FaultState(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.remaining = 0
        self.status = 503
        self.retry_after = None
        self.methods = None
        self.served_faults = 0
        self.forwarded = 0

    def arm(self, status, count, retry_after, methods=None):
        with self.lock:
            self.status = status
            self.remaining = count
            self.retry_after = retry_after
            self.methods = methods

    def take(self, method):
        """(status, retry_after) when this request must fail, else None (and it counts as forwarded)."""
        with self.lock:
            if self.remaining > 0 and (not self.methods or method in self.methods):
                self.remaining -= 1
                self.served_faults += 1
                return self.status, self.retry_after
            self.forwarded += 1
            return None

    def snapshot(self):
        with self.lock:
            return {'remaining': self.remaining, 'served_faults': self.served_faults, 'forwarded': self.forwarded}


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    upstream = None
    state = None

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        sys.stderr.write('%s %s\n' % (self.log_date_time_string(), format % args))

    def _body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def _send(self, status, payload, headers=None, reason=None):
        self.send_response(status, reason)
        for name, value in (headers or []):
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        if self.command != 'HEAD' and payload:
            self.wfile.write(payload)

    def _send_json(self, status, data, extra=None):
        headers = [('Content-Type', 'application/json')] + list(extra or [])
        self._send(status, json.dumps(data).encode('utf-8'), headers, REASONS.get(status))

    def _control(self):
        if self.command == 'GET':
            self._send_json(200, self.state.snapshot())
            return
        if self.command != 'POST':
            self._send_json(405, {'error': 'use GET or POST on /_fault'})
            return
        try:
            spec = json.loads(self._body().decode('utf-8') or '{}')
            status = int(spec.get('status', 503))
            count = int(spec.get('count', 1))
            retry_after = spec.get('retry_after')
            if retry_after is not None:
                retry_after = int(retry_after)
            methods = spec.get('methods')
            if methods is not None:
                methods = frozenset(str(m).upper() for m in methods)
        except (ValueError, TypeError, AttributeError) as e:
            self._send_json(400, {'error': 'bad fault spec: %s' % e})
            return
        if status < 400 or status > 599 or count < 0:
            self._send_json(400, {'error': 'status must be 4xx/5xx and count >= 0'})
            return
        self.state.arm(status, count, retry_after, methods)
        self._send_json(200, self.state.snapshot())

    def _proxy(self):
        body = self._body()
        fault = self.state.take(self.command)
        if fault is not None:
            status, retry_after = fault
            extra = [('Retry-After', str(retry_after))] if status == 429 and retry_after is not None else []
            self._send_json(status, {'error': 'injected fault: HTTP %d' % status}, extra)
            return
        target = urlsplit(self.upstream)
        conn = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=30)
        try:
            headers = dict((k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP)
            conn.request(self.command, self.path, body=body if body or self.command in ('POST', 'PUT', 'PATCH') else None, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            passed = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP]
            self._send(resp.status, payload, passed, resp.reason)
        except (OSError, http.client.HTTPException) as e:
            self._send_json(502, {'error': 'proxy could not reach PowerDNS: %s' % e})
        finally:
            conn.close()

    def _dispatch(self):
        if self.path.split('?', 1)[0] == '/_fault':
            self._control()
        else:
            self._proxy()

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _dispatch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--listen', default='127.0.0.1:8082')
    parser.add_argument('--upstream', default='http://127.0.0.1:8081')
    args = parser.parse_args()
    host, port = args.listen.rsplit(':', 1)
    Handler.upstream = args.upstream
    Handler.state = FaultState()
    server = ThreadingHTTPServer((host, int(port)), Handler)
    server.daemon_threads = True
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
