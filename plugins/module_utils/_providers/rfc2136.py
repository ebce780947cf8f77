# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RFC 2136 dynamic updates signed with TSIG (RFC 8945), sent to the primary nameserver with dnspython.

Reads are plain TCP queries to that server (one kept connection per thread; signed when the server
wants it) or one signed AXFR. Writes are one UPDATE message per zone, on a fresh connection, whose
prerequisites pin exactly what was read, so a record changed by someone else in between makes the
server refuse the whole message and nothing is applied.

The TSIG secret never appears in a message, a repr or an exception raised from here.
"""

from __future__ import annotations

import base64
import binascii
import random
import re
import socket
import threading
import time

try:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.name
    import dns.query
    import dns.rcode
    import dns.rdataclass
    import dns.rdatatype
    import dns.tsig
    import dns.update
    import dns.zone
    HAS_DNSPYTHON = True
except ImportError:  # pragma: no cover - reported by the module runner
    HAS_DNSPYTHON = False

from .base import ProviderError, ProviderInfo, RRset, ZoneAPI, fqdn
from .zonefile import make_rdataset, rdata_value

ALGORITHMS = ('hmac-sha256', 'hmac-sha384', 'hmac-sha512')

# Backoff between attempts: base * factor ** n seconds, capped, with jitter so parallel zones spread out.
RETRY_BASE = 0.2
RETRY_FACTOR = 2.0
RETRY_CAP = 5.0

# UPDATE rcodes that mean a prerequisite did not hold (RFC 2136 §2.4, §3.2).
PREREQ_RCODES = ('NXDOMAIN', 'YXDOMAIN', 'NXRRSET', 'YXRRSET')

_KEY_BLOCK = re.compile(r'key\s+("([^"]+)"|([A-Za-z0-9._-]+))\s*\{(.*?)\}\s*;', re.S)
_KEY_ALGORITHM = re.compile(r'\balgorithm\s+"?([A-Za-z0-9.-]+)"?\s*;')
_KEY_SECRET = re.compile(r'\bsecret\s+"([^"]*)"\s*;')
_COMMENTS = re.compile(r'/\*.*?\*/|//[^\n]*|#[^\n]*', re.S)


class _ServerFailure(Exception):
    """SERVFAIL: the server could not answer now; worth another attempt."""


class _Rejected(Exception):
    """A refusal that no retry will change; carries the message ProviderError gets."""

    def __init__(self, message, outcome=None):
        self.outcome = outcome
        super().__init__(message)


if HAS_DNSPYTHON:
    class _Key(dns.tsig.Key):
        """A TSIG key whose repr leaves out the secret (dnspython's shows it)."""

        def __repr__(self):
            return '<TSIG key %s, %s, secret hidden>' % (self.name, self.algorithm)

        __str__ = __repr__

    _RETRYABLE = (dns.exception.Timeout, OSError, EOFError, _ServerFailure)
    _TSIG_ERRORS = (dns.tsig.PeerError, dns.tsig.BadSignature, dns.tsig.BadKey, dns.tsig.BadTime, dns.tsig.BadAlgorithm)
else:  # pragma: no cover
    _RETRYABLE = _TSIG_ERRORS = ()


def parse_key_file(path, want=None):
    """Read a BIND key file (`key "name" { algorithm a; secret "b64"; };`); returns (name, algorithm, secret).

    With several keys in the file, `want` (a key name) picks one. Errors never quote the secret.
    """
    try:
        with open(path, 'r', encoding='utf-8') as f:
            text = f.read()
    except (IOError, OSError) as e:
        raise ProviderError('cannot read TSIG key file %s: %s' % (path, e.strerror or e))
    except UnicodeDecodeError:
        raise ProviderError('TSIG key file %s is not a text file' % path)
    blocks = [(m.group(2) or m.group(3), m.group(4)) for m in _KEY_BLOCK.finditer(_COMMENTS.sub(' ', text))]
    if not blocks:
        raise ProviderError('TSIG key file %s is malformed: expected a block like key "name" { algorithm hmac-sha256; secret "..."; };'
                            ' as written by tsig-keygen' % path)
    if want:
        chosen = [b for b in blocks if fqdn(b[0]) == fqdn(want)]
        if not chosen:
            raise ProviderError('TSIG key file %s has no key named %s (it has: %s)' % (path, want, ', '.join(b[0] for b in blocks)))
    elif len(blocks) > 1:
        raise ProviderError('TSIG key file %s holds %d keys (%s); set key_name to pick one' % (
            path, len(blocks), ', '.join(b[0] for b in blocks)))
    else:
        chosen = blocks
    name, body = chosen[0]
    algorithm = _KEY_ALGORITHM.search(body)
    secret = _KEY_SECRET.search(body)
    if not algorithm or not secret:
        raise ProviderError('TSIG key file %s is malformed: key %s needs both "algorithm <name>;" and "secret \\"<base64>\\";"' % (
            path, name))
    return name, algorithm.group(1).lower(), secret.group(1)


def _check_secret(secret, where):
    try:
        decoded = base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        decoded = b''
    if not decoded:
        raise ProviderError('the TSIG secret from %s is not valid base64' % where)


def _describe(error):
    """A short, secret-free description of a transport error."""
    if isinstance(error, dns.exception.Timeout):
        return 'timed out'
    if isinstance(error, _ServerFailure):
        return 'SERVFAIL'
    if isinstance(error, ConnectionRefusedError):
        return 'connection refused'
    if isinstance(error, EOFError):
        return 'connection closed by the server'
    if isinstance(error, socket.timeout):
        return 'timed out'
    if isinstance(error, OSError):
        return error.strerror or error.__class__.__name__
    return error.__class__.__name__


def _same(rrset, other):
    """Equal RRsets regardless of the order the server returns the records in."""
    if rrset is None or other is None:
        return rrset is None and other is None
    return (rrset.key, rrset.ttl, sorted(rrset.values)) == (other.key, other.ttl, sorted(other.values))


class _Connection(object):
    """One TCP connection to the server for a series of messages; belongs to one call in one thread."""

    def __init__(self, provider):
        self.provider = provider
        self.sock = None
        self.answered = 0
        self.busy = False

    def send(self, message):
        # Cleared only when a whole exchange completed: a connection left mid-exchange is never reused.
        self.busy = True
        for attempt in (1, 2):
            if self.sock is None:
                self.sock = self.provider.connect()
                self.answered = 0
            try:
                response = dns.query.tcp(message, self.provider.server, timeout=self.provider.timeout, sock=self.sock)
            except (EOFError, ConnectionResetError, BrokenPipeError):
                reused = self.answered > 0
                self.close()
                # A server may close a connection it has kept open for a while (BIND does after idle time or
                # a number of queries); that is no failure, so reconnect once. A fresh connection failing is one.
                if attempt == 2 or not reused:
                    raise
                continue
            self.answered += 1
            self.busy = False
            return response
        raise AssertionError('unreachable')  # pragma: no cover

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None


class RFC2136Provider(ZoneAPI):
    """Read with TCP queries (or AXFR), write with one TSIG-signed UPDATE per zone."""

    info = ProviderInfo('rfc2136', txt_string_limit=255)

    def __init__(self, options):
        # Keep no copy of the secret in the options other code may print.
        super().__init__(dict((k, v) for k, v in (options or {}).items() if k != 'key_secret'))
        if not HAS_DNSPYTHON:
            raise ProviderError('the rfc2136 provider needs the Python library dnspython on the controller')
        options = options or {}
        self.server = (options.get('server') or '').strip()
        if not self.server:
            raise ProviderError('provider type rfc2136 needs server (the primary nameserver), or MAILAUTH_DNS_SERVER in the environment')
        self.port = int(options.get('port') or 53)
        if not 0 < self.port < 65536:
            raise ProviderError('port must be between 1 and 65535, got %d' % self.port)
        self.zone = fqdn(options['zone']) if options.get('zone') else None
        self.axfr = bool(options.get('axfr'))
        # Reads are ordinary queries of public data; the signed UPDATE's prerequisites are what guard the
        # zone. Signing every query costs about a third of a read, so it starts only when asked or refused.
        self._sign_queries = bool(options.get('sign_queries'))
        self.timeout = float(options.get('timeout') if options.get('timeout') is not None else 10.0)
        if self.timeout <= 0:
            raise ProviderError('timeout must be more than 0 seconds')
        self.retries = int(options.get('retries') if options.get('retries') is not None else 3)
        if self.retries < 0:
            raise ProviderError('retries must be 0 or more, got %d' % self.retries)
        self.key_name, self._key = self._load_key(options)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._zones = {}
        self._kept = {}
        self._open = set()

    @staticmethod
    def _load_key(options):
        name, secret = options.get('key_name'), options.get('key_secret')
        algorithm = options.get('key_algorithm') or 'hmac-sha256'
        if options.get('key_file'):
            if secret:
                raise ProviderError('give either key_file or key_secret, not both')
            name, algorithm, secret = parse_key_file(options['key_file'], want=name)
            where = 'key file %s' % options['key_file']
        elif name or secret:
            if not (name and secret):
                raise ProviderError('a TSIG key needs both key_name and key_secret (or key_file)')
            where = 'key_secret'
        else:
            return None, None
        if algorithm not in ALGORITHMS:
            raise ProviderError('TSIG algorithm %s of key %s is not supported (use one of %s)' % (algorithm, name, ', '.join(ALGORITHMS)))
        _check_secret(secret, where)
        try:
            key = _Key(name, secret, algorithm)
        except (dns.exception.DNSException, ValueError):
            raise ProviderError('invalid TSIG key name %r' % name)
        return name, key

    def __repr__(self):
        return 'RFC2136Provider(server=%r, port=%r, key=%r)' % (self.server, self.port, self.key_name)

    @property
    def endpoint(self):
        return '%s:%d' % (self.server, self.port)

    # transport

    def connect(self):
        sock = socket.create_connection((self.server, self.port), timeout=self.timeout)
        # dnspython drives the socket itself and wants it non-blocking.
        sock.setblocking(False)
        return sock

    def _connection(self):
        # One connection per thread, kept across calls: with hundreds of zones the TCP handshakes add up.
        conn = getattr(self._local, 'conn', None)
        if conn is None:
            conn = self._local.conn = _Connection(self)
        with self._lock:
            # close() empties the set; a thread that goes on after it opens (and registers) a new socket.
            self._open.add(conn)
        return conn

    def _release(self, conn):
        if conn.busy:
            conn.close()

    def _sign(self, message):
        if self._key is not None:
            message.use_tsig(self._key)
        return message

    def _query(self, conn, name, rdtype):
        # RD off: we want the primary's own data, never a recursive answer.
        query = dns.message.make_query(name, rdtype, flags=0)
        if self._sign_queries:
            return conn.send(self._sign(query))
        response = conn.send(query)
        if self._key is not None and response.rcode() in (dns.rcode.REFUSED, dns.rcode.NOTAUTH):
            # allow-query { key ...; }: this server answers signed queries only; sign from now on.
            self._sign_queries = True
            response = conn.send(self._sign(dns.message.make_query(name, rdtype, flags=0)))
        return response

    def _backoff(self, attempt):
        delay = min(RETRY_CAP, RETRY_BASE * RETRY_FACTOR ** (attempt - 1))
        time.sleep(delay * (0.5 + random.random() / 2))

    def _tsig_error(self, error):
        kind = {dns.tsig.PeerBadKey: 'the server does not know the key name', dns.tsig.PeerBadSignature: 'bad signature: wrong secret or algorithm',
                dns.tsig.PeerBadTime: 'the clocks differ by more than the allowed fudge'}
        reason = next((text for cls, text in kind.items() if isinstance(error, cls)), error.__class__.__name__)
        return 'the server %s rejected the TSIG key %s (%s)' % (self.endpoint, self.key_name, reason)

    def _attempts(self, zone, what, call, on_retryable=None):
        """Run call() with bounded exponential backoff on transient failures; turns every failure into ProviderError."""
        last = None
        nothing = 'nothing was applied to this zone' if zone else 'nothing was applied'
        for attempt in range(self.retries + 1):
            if attempt:
                self._backoff(attempt)
            try:
                return call()
            except _Rejected as e:
                raise ProviderError('%s%s; %s' % ('zone %s: ' % zone if zone else '', e, e.outcome or nothing), zone=zone)
            except _TSIG_ERRORS as e:
                raise ProviderError('%s%s; %s' % ('zone %s: ' % zone if zone else '', self._tsig_error(e), nothing), zone=zone)
            except _RETRYABLE as e:
                last = e
                if on_retryable is not None:
                    on_retryable(e)
            except dns.exception.DNSException as e:
                raise ProviderError('%s%s on %s failed: %s; %s' % (
                    'zone %s: ' % zone if zone else '', what, self.endpoint, e.__class__.__name__, nothing), zone=zone)
        raise ProviderError('%s%s on server %s failed after %d attempt%s (last error: %s); %s' % (
            'zone %s: ' % zone if zone else '', what, self.endpoint, self.retries + 1, '' if self.retries == 0 else 's', _describe(last), nothing),
            zone=zone, applied=False)

    def _check_rcode(self, response, what):
        rcode = response.rcode()
        if rcode == dns.rcode.SERVFAIL:
            raise _ServerFailure()
        if rcode == dns.rcode.REFUSED:
            raise _Rejected('the server %s refused %s (REFUSED)%s' % (
                self.endpoint, what, '' if self._key is not None else '; no TSIG key is configured (key_name/key_secret or key_file)'))
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            raise _Rejected('the server %s answered %s to %s' % (self.endpoint, dns.rcode.to_text(rcode), what))

    # zone discovery

    def find_zone(self, name):
        name = fqdn(name)
        if self.zone:
            if name == self.zone or name.endswith('.' + self.zone):
                return self.zone
            raise ProviderError('%s is not inside the zone %s set in the provider options' % (name, self.zone))
        with self._lock:
            if name in self._zones:
                return self._zones[name]
        zone = self._attempts(None, 'finding the zone of %s' % name, lambda: self._soa_walk(name))
        with self._lock:
            self._zones[name] = zone
        return zone

    def _soa_walk(self, name):
        conn = self._connection()
        try:
            qname = dns.name.from_text(name)
            # Ask first for the TXT record the caller reads next anyway: the authority section of the answer
            # names the zone (its NS records, or the SOA of a negative answer), and the answer is kept for
            # list_rrsets, so finding the zone usually costs no query of its own.
            response = self._query(conn, qname, dns.rdatatype.TXT)
            zone = self._zone_from(response, qname)
            if zone is not None:
                with self._lock:
                    self._kept[(name, 'TXT')] = response
                return zone.to_text().lower()
            while True:
                response = self._query(conn, qname, dns.rdatatype.SOA)
                zone = self._zone_from(response, qname)
                if zone is not None:
                    return zone.to_text().lower()
                if qname == dns.name.root:
                    raise _Rejected('no zone on %s holds %s (every SOA query from the name up to the root was refused or empty)' % (
                        self.endpoint, name))
                qname = qname.parent()
        finally:
            self._release(conn)

    def _zone_from(self, response, qname):
        rcode = response.rcode()
        if rcode == dns.rcode.SERVFAIL:
            raise _ServerFailure()
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            # REFUSED (or NOTAUTH) for a name the server holds no zone for: try the parent.
            return None
        if response.get_rrset(response.answer, qname, dns.rdataclass.IN, dns.rdatatype.SOA) is not None:
            return qname
        for rrset in response.authority:
            # The SOA in the authority section of a negative answer is the zone's own: one query saved per label.
            if rrset.rdtype == dns.rdatatype.SOA and qname.is_subdomain(rrset.name):
                return rrset.name
            # So is the NS RRset an authoritative answer carries (unless the server sends minimal responses).
            if rrset.rdtype == dns.rdatatype.NS and response.flags & dns.flags.AA and rcode == dns.rcode.NOERROR and qname.is_subdomain(rrset.name):
                return rrset.name
        if any(rrset.rdtype == dns.rdatatype.NS for rrset in response.authority) and not response.flags & dns.flags.AA:
            raise _Rejected('%s is delegated to other nameservers (%s); %s cannot update it' % (
                qname, ', '.join(rd.to_text() for rrset in response.authority for rd in rrset), self.endpoint))
        return None

    # reads

    def list_rrsets(self, zone, keys=None):
        """{(name, type): RRset} of `zone`, limited to `keys` when given (all RRsets need an AXFR)."""
        zone = fqdn(zone)
        if self.axfr or keys is None:
            return self._attempts(zone, 'zone transfer (AXFR)', lambda: self._read_axfr(zone, keys))
        wanted = []
        for name, rtype in keys:
            key = (fqdn(name), rtype.upper())
            if key not in wanted:
                wanted.append(key)
        if not wanted:
            return {}
        return self._attempts(zone, 'reading records', lambda: self._read_queries(zone, wanted))

    def _read_queries(self, zone, keys):
        out = {}
        conn = self._connection()
        try:
            for name, rtype in keys:
                qname, rdtype = dns.name.from_text(name), dns.rdatatype.from_text(rtype)
                with self._lock:
                    # An answer find_zone got moments ago is used once; a later read asks the server again.
                    response = self._kept.pop((name, rtype), None)
                if response is None:
                    response = self._query(conn, qname, rdtype)
                self._check_rcode(response, 'the query for %s %s' % (name, rtype))
                if not response.flags & dns.flags.AA:
                    raise _Rejected('the server %s does not answer authoritatively for %s (not the primary of zone %s, or the name is delegated)' % (
                        self.endpoint, name, zone))
                found = response.get_rrset(response.answer, qname, dns.rdataclass.IN, rdtype)
                if found is None:
                    if rdtype != dns.rdatatype.CNAME and response.get_rrset(response.answer, qname, dns.rdataclass.IN, dns.rdatatype.CNAME):
                        # The server would silently ignore adding other data at a CNAME (RFC 2136 §3.4.2.2).
                        raise _Rejected('%s is a CNAME, so it cannot also hold %s records' % (name, rtype))
                    continue
                out[(name, rtype)] = RRset(name, rtype, found.ttl, [rdata_value(rd) for rd in found])
        finally:
            self._release(conn)
        return out

    def _address(self):
        # dns.query.xfr takes an address only; a host name is resolved here.
        try:
            return socket.getaddrinfo(self.server, self.port, type=socket.SOCK_STREAM)[0][4][0]
        except socket.gaierror as e:
            raise _Rejected('cannot resolve the server name %s: %s' % (self.server, e.strerror))

    def _read_axfr(self, zone, keys):
        wanted = set((fqdn(n), t.upper()) for n, t in keys) if keys is not None else None
        try:
            messages = dns.query.xfr(self._address(), zone, port=self.port, timeout=self.timeout, keyring=self._key,
                                     keyname=self._key.name if self._key is not None else None, relativize=False,
                                     lifetime=self.timeout * 6)
            transferred = dns.zone.from_xfr(messages, relativize=False)
        except dns.query.TransferError as e:
            if e.rcode == dns.rcode.SERVFAIL:
                raise _ServerFailure()
            raise _Rejected('the server %s refused the zone transfer of %s (%s)%s' % (
                self.endpoint, zone, dns.rcode.to_text(e.rcode),
                '; allow-transfer must permit key %s' % self.key_name if self._key is not None else '; no TSIG key is configured'))
        out = {}
        for owner, rdataset in transferred.iterate_rdatasets():
            key = (owner.to_text().lower(), dns.rdatatype.to_text(rdataset.rdtype))
            if wanted is None or key in wanted:
                out[key] = RRset(key[0], key[1], rdataset.ttl, [rdata_value(rd) for rd in rdataset])
        return out

    # writes

    def build_update(self, zone, changes):
        """The UPDATE message for `changes`: prerequisites pin every `before`, then delete and re-add."""
        message = dns.update.UpdateMessage(zone, keyring=self._key)
        for change in changes:
            name, rtype = change.key
            if change.before is None:
                message.absent(name, rtype)
            else:
                # Value-dependent prerequisite (RFC 2136 §2.4.2): the whole RRset must still be exactly this;
                # passing rdatas (not the rdataset) makes dnspython send TTL 0, as the RFC requires.
                message.present(name, *list(make_rdataset(change.before)))
        for change in changes:
            name, rtype = change.key
            message.delete(name, rtype)
            if change.after is not None:
                message.add(name, make_rdataset(change.after))
        return message

    def apply(self, zone, changes):
        if not changes:
            return
        zone = fqdn(zone)
        sent = []

        def may_have_arrived(error):
            # Refused connections never carried the update; anything else may have, with the reply lost.
            if not isinstance(error, (ConnectionRefusedError, _ServerFailure)):
                sent.append(error)

        def attempt():
            message = self.build_update(zone, changes)
            # A fresh connection, never a kept one: if a kept connection broke after the server took the
            # UPDATE, a silent resend would hide that the first copy may have been applied.
            conn = _Connection(self)
            try:
                response = conn.send(message)
            finally:
                conn.close()
            rcode = response.rcode()
            if rcode == dns.rcode.NOERROR:
                return
            text = dns.rcode.to_text(rcode)
            if text in PREREQ_RCODES:
                if sent and self._server_has(zone, changes, 'after'):
                    return
                if not self.axfr and self._server_has(zone, changes, 'before'):
                    # Queries still return what was read, yet the server's own data differs: an answer
                    # synthesized from a wildcard (RFC 4592) looks exactly like a record at the name.
                    raise _Rejected('the server refuses the records read as a prerequisite (%s) although queries still return them: '
                                    'they are most likely synthesized from a wildcard record (set axfr: true to read the zone\'s own records), '
                                    'or the server picks a view by TSIG key (set sign_queries: true)' % text)
                raise _Rejected('the records changed on the server since they were read (prerequisite failed: %s)' % text,
                                outcome='nothing was applied, run again')
            if rcode == dns.rcode.SERVFAIL:
                raise _ServerFailure()
            if rcode in (dns.rcode.REFUSED, dns.rcode.NOTAUTH):
                if self._key is None:
                    raise _Rejected('the server %s refused the unsigned update (%s); configure key_name and key_secret, or key_file' % (
                        self.endpoint, text))
                raise _Rejected('the server %s refused the update signed with key %s (%s): the key may not update this zone '
                                '(update-policy / allow-update) or the server is not its primary' % (self.endpoint, self.key_name, text))
            raise _Rejected('the server %s answered %s to the update' % (self.endpoint, text))

        self._attempts(zone, 'update', attempt, on_retryable=may_have_arrived)

    def _server_has(self, zone, changes, side):
        """Does the server answer every change's `side` ('before' or 'after') right now?

        After a lost reply, a retry fails its prerequisites exactly when the first try was applied,
        so finding `after` there means success.
        """
        try:
            current = self._read_queries(zone, [c.key for c in changes])
        except (_Rejected, dns.exception.DNSException, OSError, EOFError, _ServerFailure):
            return False
        return all(_same(current.get(c.key), getattr(c, side)) for c in changes)

    def close(self):
        with self._lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            conn.close()
