# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PowerDNS Authoritative HTTP API provider.

One GET reads a zone with all its RRsets, one PATCH applies every change to a zone. PowerDNS has
no prerequisites, so apply() reads the zone again right before the PATCH and refuses when any
RRset it is about to replace no longer looks the way reconcile saw it.

HTTP goes through ansible.module_utils.urls.open_url, so proxies and certificate checks behave as
in any other Ansible module. The API key travels only in the X-API-Key header: it is never part of
a message, an exception or a repr.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import random
import socket
import threading
import time
from urllib.error import HTTPError, URLError
from urllib.parse import quote as url_quote

from ansible.module_utils.urls import ConnectionError as UrlsConnectionError
from ansible.module_utils.urls import SSLValidationError, open_url

from .base import ProviderError, ProviderInfo, RRset, ZoneAPI, ensure_unchanged, fqdn, select
from .._records import txt
from .._records.errors import RecordError

BACKOFF_BASE = 0.2
BACKOFF_FACTOR = 2
BACKOFF_CAP = 5.0
MAX_STRING_OCTETS = 255
ZONES_IN_MESSAGE = 10

# Status codes with which a server says it did not process the request at all.
REFUSED_UNPROCESSED = (429, 503)


def txt_value(content, limit=MAX_STRING_OCTETS):
    """PowerDNS TXT content -> tuple of wire character-strings.

    PowerDNS stores content as it was sent and accepts one quoted string longer than 255 octets, but
    serves it split into 255-octet strings; splitting here makes the RRset read equal to what DNS
    answers, and equal whether the value was sent as one long string or already split.
    """
    out = []
    for chunk in txt.unquote_strings(content, limit=None):
        if len(chunk) <= limit:
            out.append(chunk)
            continue
        out.extend(chunk[i:i + limit] for i in range(0, len(chunk), limit))
    return tuple(out)


def render_value(rtype, value):
    if rtype == 'TXT':
        return txt.quote_strings(value)
    return value


def describe(rrset, limit=300):
    """A short presentation of an RRset for messages: TTL and values, cut at `limit` characters."""
    if rrset is None:
        return 'absent'
    text = 'TTL %s: %s' % (rrset.ttl, ', '.join(render_value(rrset.rtype, v) for v in rrset.values))
    return text if len(text) <= limit else text[:limit - 3] + '...'


def retry_after_seconds(value):
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff_delay(attempt, retry_after=None):
    """Seconds to wait before retry number `attempt` (0-based): the server's word if it gave one, else jittered exponential."""
    if retry_after is not None:
        return min(BACKOFF_CAP, max(0.0, retry_after))
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * BACKOFF_FACTOR ** attempt)
    # Jitter keeps up to 8 zone threads hitting a rate limit from retrying in lock step.
    return random.uniform(ceiling / 2, ceiling)


class _Attempt(object):
    """The outcome of one HTTP exchange that may be retried."""

    __slots__ = ('status', 'body', 'headers', 'error', 'retry', 'maybe_applied', 'retry_after')

    def __init__(self, status=None, body=b'', headers=None, error=None, retry=False, maybe_applied=False, retry_after=None):
        self.status = status
        self.body = body
        self.headers = headers
        self.error = error
        self.retry = retry
        self.maybe_applied = maybe_applied
        self.retry_after = retry_after


class PowerDNSProvider(ZoneAPI):
    """Zones of one PowerDNS server (`server_id`) through its HTTP API at `api_url`."""

    info = ProviderInfo('powerdns', txt_string_limit=MAX_STRING_OCTETS)

    def __init__(self, options):
        super().__init__(options)
        api_url = (options.get('api_url') or '').strip()
        if not api_url:
            raise ProviderError('provider type powerdns needs api_url (or MAILAUTH_PDNS_API_URL), for example http://127.0.0.1:8081')
        if not api_url.lower().startswith(('http://', 'https://')):
            raise ProviderError('provider api_url must start with http:// or https://, got %r' % api_url)
        if not options.get('api_key'):
            raise ProviderError('provider type powerdns needs api_key (or MAILAUTH_PDNS_API_KEY)')
        self.api_url = api_url.rstrip('/')
        if self.api_url.endswith('/api/v1'):
            self.api_url = self.api_url[:-len('/api/v1')]
        self.server_id = options.get('server_id') or 'localhost'
        self.validate_certs = options.get('validate_certs') is not False
        timeout = options.get('timeout')
        self.timeout = float(timeout) if timeout is not None else 10.0
        retries = options.get('retries')
        self.retries = max(0, int(retries)) if retries is not None else 3
        self._api_key = options['api_key']
        self._zones = None
        self._zones_lock = threading.Lock()

    def __repr__(self):
        return 'PowerDNSProvider(api_url=%r, server_id=%r)' % (self.api_url, self.server_id)

    # HTTP

    def _path(self, suffix=''):
        return '/api/v1/servers/%s%s' % (url_quote(self.server_id, safe=''), suffix)

    def _zone_path(self, zone):
        # PowerDNS zone ids are the zone name for ordinary names; it escapes unusual ones itself, so take its id when known.
        zone_id = (self._zones or {}).get(zone, zone)
        return self._path('/zones/%s' % url_quote(zone_id, safe='.=-_'))

    def _scrub(self, text):
        text = str(text)
        if self._api_key and self._api_key in text:
            text = text.replace(self._api_key, '********')
        return text

    def _once(self, method, path, body, mutating):
        headers = {'X-API-Key': self._api_key, 'Accept': 'application/json'}
        data = None
        if body is not None:
            headers['Content-Type'] = 'application/json'
            data = json.dumps(body).encode('utf-8')
        try:
            resp = open_url(self.api_url + path, data=data, headers=headers, method=method, timeout=self.timeout,
                            validate_certs=self.validate_certs, http_agent='mailauth.rollout')
            try:
                return _Attempt(status=resp.getcode(), body=resp.read(), headers=resp.headers)
            finally:
                resp.close()
        except HTTPError as e:
            try:
                payload = e.read()
            except (OSError, http.client.HTTPException):
                payload = b''
            attempt = _Attempt(status=e.code, body=payload, headers=e.headers)
            if e.code == 429 or e.code >= 500:
                attempt.retry = True
                attempt.error = 'HTTP %d %s' % (e.code, self._api_error(payload) or e.reason)
                attempt.retry_after = retry_after_seconds(e.headers.get('Retry-After') if e.headers else None)
                # 429/503 mean the request was turned away unprocessed; any other 5xx (a gateway timing
                # out, a crash mid-transaction) leaves a PATCH in doubt.
                attempt.maybe_applied = mutating and e.code not in REFUSED_UNPROCESSED
            return attempt
        except SSLValidationError as e:
            raise ProviderError('TLS certificate of %s not accepted: %s (set validate_certs: false only for a test server)' % (
                self.api_url, self._scrub(e)))
        except (URLError, UrlsConnectionError, OSError, http.client.HTTPException) as e:
            reason = getattr(e, 'reason', None) or e
            refused = isinstance(reason, ConnectionRefusedError)
            if isinstance(reason, (socket.timeout, TimeoutError)):
                text = 'timed out after %.1f s' % self.timeout
            else:
                text = '%s: %s' % (type(reason).__name__, reason)
            # A refused connection never reached the server; a timeout or a dropped answer may have.
            return _Attempt(error=self._scrub(text), retry=True, maybe_applied=mutating and not refused)

    def _call(self, method, path, zone=None, body=None):
        """One API call with bounded retries; returns the final _Attempt (status < 500, not 429)."""
        mutating = method not in ('GET', 'HEAD')
        maybe_applied = False
        attempts = self.retries + 1
        for number in range(attempts):
            attempt = self._once(method, path, body, mutating)
            maybe_applied = maybe_applied or attempt.maybe_applied
            if not attempt.retry:
                return attempt
            if number + 1 < attempts:
                # Retrying the PATCH is safe even if an earlier try went through: every rrset in it is a
                # REPLACE or DELETE of a whole RRset, so applying it twice gives the same zone.
                time.sleep(backoff_delay(number, attempt.retry_after))
        where = 'zone %s' % zone if zone else 'PowerDNS server %s' % self.server_id
        if not mutating:
            outcome = 'nothing was applied'
        elif maybe_applied:
            outcome = 'the change may have been applied; a rerun converges'
        else:
            outcome = 'nothing was applied'
        raise ProviderError('%s: PowerDNS API %s %s failed %d time%s (last error: %s); %s' % (
            where, method, path, attempts, '' if attempts == 1 else 's', attempt.error, outcome),
            zone=zone, applied=mutating and maybe_applied)

    def _api_error(self, payload):
        try:
            data = json.loads(payload.decode('utf-8', 'replace'))
        except (ValueError, AttributeError):
            text = (payload or b'').decode('utf-8', 'replace').strip()
            return self._scrub(text[:200])
        if isinstance(data, dict) and data.get('error'):
            return self._scrub(data['error'])
        return ''

    def _check(self, attempt, method, path, zone, expected):
        if attempt.status in expected:
            return
        where = 'zone %s' % zone if zone else 'PowerDNS server %s' % self.server_id
        if attempt.status in (401, 403):
            raise ProviderError('%s: PowerDNS API key rejected (HTTP %d on %s %s); nothing was applied' % (
                where, attempt.status, method, path), zone=zone)
        if attempt.status == 404 and zone:
            raise ProviderError('zone %s does not exist in PowerDNS (server %s); nothing was applied' % (zone, self.server_id), zone=zone)
        if attempt.status == 404:
            raise ProviderError('PowerDNS server %s not found at %s (HTTP 404 on %s %s)' % (self.server_id, self.api_url, method, path))
        detail = self._api_error(attempt.body) or 'no error message'
        raise ProviderError('%s: PowerDNS refused %s %s with HTTP %d: %s; nothing was applied' % (
            where, method, path, attempt.status, detail), zone=zone)

    def _json(self, attempt, method, path, zone):
        try:
            return json.loads(attempt.body.decode('utf-8'))
        except (ValueError, UnicodeDecodeError) as e:
            where = 'zone %s' % zone if zone else 'PowerDNS server %s' % self.server_id
            raise ProviderError('%s: PowerDNS answered %s %s with something that is not JSON (%s)' % (where, method, path, e), zone=zone)

    # Zones

    def _load_zones(self):
        with self._zones_lock:
            if self._zones is None:
                path = self._path('/zones')
                attempt = self._call('GET', path)
                self._check(attempt, 'GET', path, None, (200,))
                listing = self._json(attempt, 'GET', path, None)
                if not isinstance(listing, list):
                    raise ProviderError('PowerDNS server %s: GET %s did not return a list of zones' % (self.server_id, path))
                self._zones = dict((fqdn(z.get('name')), z.get('id') or z.get('name')) for z in listing if z.get('name'))
            return self._zones

    def find_zone(self, name):
        name = fqdn(name)
        try:
            zones = self._load_zones()
        except ProviderError as e:
            raise ProviderError('cannot find the zone of %s: %s' % (name, e), applied=False)
        best = None
        for zone in zones:
            if (name == zone or name.endswith('.' + zone)) and (best is None or len(zone) > len(best)):
                best = zone
        if best is None:
            listed = sorted(zones)
            shown = ', '.join(listed[:ZONES_IN_MESSAGE]) + (', ...' if len(listed) > ZONES_IN_MESSAGE else '')
            raise ProviderError('no zone in PowerDNS server %s holds %s (zones: %s)' % (self.server_id, name, shown or 'none'))
        return best

    # RRsets

    def _read_zone(self, zone):
        zone = fqdn(zone)
        path = self._zone_path(zone) + '?rrsets=true'
        attempt = self._call('GET', path, zone=zone)
        self._check(attempt, 'GET', path, zone, (200,))
        data = self._json(attempt, 'GET', path, zone)
        out = {}
        for item in data.get('rrsets') or []:
            rtype = (item.get('type') or '').upper()
            # Disabled records are stored but not served, so they are not part of the RRset DNS answers with.
            contents = [r.get('content', '') for r in item.get('records') or [] if not r.get('disabled')]
            if not contents:
                continue
            try:
                values = [txt_value(c) if rtype == 'TXT' else c for c in contents]
            except RecordError as e:
                raise ProviderError('zone %s: PowerDNS holds a TXT record at %s that cannot be read: %s' % (zone, item.get('name'), e), zone=zone)
            rrset = RRset(item.get('name'), rtype, item.get('ttl'), values)
            out[rrset.key] = rrset
        return out

    def list_rrsets(self, zone, keys=None):
        return select(self._read_zone(zone), keys)

    def apply(self, zone, changes):
        if not changes:
            return
        zone = fqdn(zone)
        ensure_unchanged(zone, changes, self._read_zone(zone), describe=describe)
        rrsets = []
        for change in changes:
            name, rtype = change.key
            if change.after is None:
                rrsets.append({'name': name, 'type': rtype, 'changetype': 'DELETE'})
                continue
            rrsets.append({'name': name, 'type': rtype, 'ttl': change.after.ttl, 'changetype': 'REPLACE',
                           'records': [{'content': render_value(rtype, v), 'disabled': False} for v in change.after.values]})
        path = self._zone_path(zone)
        attempt = self._call('PATCH', path, zone=zone, body={'rrsets': rrsets})
        self._check(attempt, 'PATCH', path, zone, (200, 204))
