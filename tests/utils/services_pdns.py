# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PowerDNS Authoritative (sqlite backend, HTTP API) on loopback, plus a fault-injecting proxy in front of its API.

`start(run)` returns the variables the integration targets use. PIDs go to <run>/pdns.pid and
<run>/fault_proxy.pid, where services.py `stop` finds them. The unit tests call `start` with other
ports and a run folder of their own, and `stop` to end exactly what they started.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procs import alive  # noqa: E402 pylint: disable=wrong-import-position

SCHEMA = '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql'
PDNS_SERVER = '/usr/sbin/pdns_server'
HERE = os.path.dirname(os.path.abspath(__file__))

MAIN_ZONE = 'powerdns.test'
KEEP_TXT = '"google-site-verification=pdns-keep-me"'
BULK_ZONES = ['pbulk%02d.test' % i for i in range(1, 51)]

CONFIG = """\
launch=gsqlite3
gsqlite3-database={run}/pdns.sqlite3
local-address=127.0.0.1
local-port={dns_port}
daemon=no
guardian=no
disable-syslog=yes
write-pid=no
socket-dir={run}
webserver=yes
webserver-address=127.0.0.1
webserver-port={api_port}
webserver-allow-from=127.0.0.1/32
api=yes
api-key={api_key}
security-poll-suffix=
default-soa-content=ns1.@ hostmaster.@ 0 10800 3600 604800 300
"""


class ServiceError(Exception):
    pass


def _api(method, url, api_key, body=None, timeout=5):
    data = json.dumps(body).encode('utf-8') if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        'X-API-Key': api_key, 'Accept': 'application/json', 'Content-Type': 'application/json'})
    # PowerDNS is on loopback: never send these requests through an HTTP proxy from the environment.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=timeout) as resp:
        payload = resp.read()
        return resp.status, json.loads(payload) if payload else None


def _stop_pidfile(path, expect):
    """Stop the process a previous start left behind, if it is still ours (its command line names `expect`)."""
    try:
        with open(path) as f:
            pid = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            cmdline = f.read()
    except OSError:
        cmdline = b''
    if expect.encode() in cmdline:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        for dummy in range(100):
            if not alive(pid):
                break
            time.sleep(0.1)
    try:
        os.unlink(path)
    except OSError:
        pass


def stop(run):
    for name, expect in (('fault_proxy.pid', 'fault_proxy.py'), ('pdns.pid', 'pdns_server')):
        _stop_pidfile(os.path.join(run, name), expect)


def _log_tail(path, lines=20):
    try:
        with open(path, errors='replace') as f:
            return ''.join(f.readlines()[-lines:])
    except OSError:
        return ''


def _wait_for(check, proc, log, what, limit=15.0):
    deadline = time.monotonic() + limit
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServiceError('%s exited with status %s:\n%s' % (what, proc.returncode, _log_tail(log)))
        try:
            check()
            return
        except (OSError, urllib.error.URLError, ValueError) as e:
            last = e
        time.sleep(0.1)
    raise ServiceError('%s not ready after %.0f s (%s):\n%s' % (what, limit, last, _log_tail(log)))


def _create_zone(api_url, api_key, zone, rrsets=()):
    body = {'name': zone + '.', 'kind': 'Native', 'nameservers': ['ns1.%s.' % zone], 'rrsets': list(rrsets)}
    try:
        _api('POST', '%s/api/v1/servers/localhost/zones' % api_url, api_key, body)
    except urllib.error.HTTPError as e:
        if e.code != 409:
            raise ServiceError('creating zone %s failed: HTTP %d %s' % (zone, e.code, e.read()[:300]))


def start(run, api_port=8081, dns_port=5354, proxy_port=8082, bulk_zones=True):
    """Start pdns_server and the fault proxy in `run`; return the variables for the targets."""
    os.makedirs(run, exist_ok=True)
    stop(run)
    api_key = 'pdns-it-' + secrets.token_hex(16)
    database = os.path.join(run, 'pdns.sqlite3')
    if os.path.exists(database):
        os.unlink(database)
    with open(SCHEMA) as f:
        schema = f.read()
    conn = sqlite3.connect(database)
    try:
        conn.executescript(schema)
        conn.commit()
    finally:
        conn.close()
    with open(os.path.join(run, 'pdns.conf'), 'w') as f:
        f.write(CONFIG.format(run=run, dns_port=dns_port, api_port=api_port, api_key=api_key))

    log = os.path.join(run, 'pdns.log')
    with open(log, 'ab') as out:
        proc = subprocess.Popen([PDNS_SERVER, '--config-dir=%s' % run], stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    with open(os.path.join(run, 'pdns.pid'), 'w') as f:
        f.write('%d\n' % proc.pid)
    api_url = 'http://127.0.0.1:%d' % api_port
    _wait_for(lambda: _api('GET', api_url + '/api/v1/servers/localhost', api_key), proc, log, 'pdns_server API on %s' % api_url)

    _create_zone(api_url, api_key, MAIN_ZONE, [
        {'name': MAIN_ZONE + '.', 'type': 'TXT', 'ttl': 300, 'records': [{'content': KEEP_TXT, 'disabled': False}]},
    ])
    for zone in BULK_ZONES if bulk_zones else ():
        _create_zone(api_url, api_key, zone)

    proxy_log = os.path.join(run, 'fault_proxy.log')
    with open(proxy_log, 'ab') as out:
        proxy = subprocess.Popen([sys.executable, os.path.join(HERE, 'fault_proxy.py'), '--listen', '127.0.0.1:%d' % proxy_port,
                                  '--upstream', api_url], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True)
    with open(os.path.join(run, 'fault_proxy.pid'), 'w') as f:
        f.write('%d\n' % proxy.pid)
    proxy_url = 'http://127.0.0.1:%d' % proxy_port
    _wait_for(lambda: _api('GET', proxy_url + '/_fault', api_key), proxy, proxy_log, 'fault proxy on %s' % proxy_url)

    return {
        'pdns_api_url': api_url,
        'pdns_api_key': api_key,
        'pdns_server_id': 'localhost',
        'pdns_dns_port': dns_port,
        'pdns_proxy_url': proxy_url,
    }
