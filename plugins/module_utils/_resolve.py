# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""dnspython helpers: the authoritative nameservers of a zone, and one question asked of one server.

Answers are reduced to the provider-neutral value forms of _providers/base.py, so the same
comparison code works for what a provider stores and what a nameserver serves.
"""

from __future__ import annotations

import socket

try:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.name
    import dns.query
    import dns.rcode
    import dns.rdatatype
    import dns.resolver
    HAS_DNSPYTHON = True
except ImportError:  # pragma: no cover - reported by the module
    HAS_DNSPYTHON = False


class Nameserver(object):
    """One server to ask: an address, a port and the name it was found under."""

    __slots__ = ('address', 'port', 'label')

    def __init__(self, address, port=53, label=None):
        self.address = address
        self.port = int(port)
        self.label = label or ('%s:%d' % (address, self.port) if ':' not in address else '[%s]:%d' % (address, self.port))


def parse_server(text, default_port=53):
    """'192.0.2.1', '192.0.2.1:5353', '[2001:db8::1]:53', '2001:db8::1' or a host name -> (host, port)."""
    text = text.strip()
    if text.startswith('['):
        host, sep, rest = text[1:].partition(']')
        if not sep:
            raise ValueError('unbalanced [ in nameserver %r' % text)
        return host, int(rest[1:]) if rest.startswith(':') else default_port
    if text.count(':') == 1:
        host, port = text.split(':')
        return host, int(port)
    return text, default_port


def addresses_of(host):
    """Every address a host name resolves to (a literal address resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, None, 0, socket.SOCK_DGRAM)
    except socket.gaierror as e:
        raise LookupError('cannot resolve nameserver %s: %s' % (host, e))
    seen = []
    for info in infos:
        address = info[4][0]
        if address not in seen:
            seen.append(address)
    return seen


def explicit_nameservers(servers, default_port=53):
    out = []
    for text in servers:
        host, port = parse_server(text, default_port)
        for address in addresses_of(host):
            out.append(Nameserver(address, port, label='%s (%s:%d)' % (host, address, port) if host != address else None))
    return out


def zone_of(name, resolver):
    """The zone that holds `name`, by walking up until an SOA answers (dnspython's zone_for_name)."""
    return dns.resolver.zone_for_name(name, resolver=resolver).to_text()


def authoritative_nameservers(zone, resolver, port=53):
    """Every address of every NS host of the zone, as the resolver sees them."""
    answer = resolver.resolve(zone, 'NS')
    out = []
    for rdata in answer:
        host = rdata.target.to_text()
        for address in addresses_of(host.rstrip('.')):
            out.append(Nameserver(address, port, label='%s (%s)' % (host, address)))
    if not out:
        raise LookupError('zone %s has no nameserver with an address' % zone)
    return out


def query_values(server, name, rtype, timeout):
    """Ask one server directly (no recursion) for name/type.

    Returns (status, values): status is 'ok' (NOERROR with data), 'nodata', 'nxdomain',
    or an error word ('timeout', 'refused', 'servfail', ...) when the answer cannot be trusted.
    """
    query = dns.message.make_query(name, rtype)
    query.flags &= ~dns.flags.RD
    try:
        response = dns.query.udp(query, server.address, port=server.port, timeout=timeout)
        if response.flags & dns.flags.TC:
            response = dns.query.tcp(query, server.address, port=server.port, timeout=timeout)
    except dns.exception.Timeout:
        return 'timeout', []
    except (OSError, dns.exception.DNSException) as e:
        return 'error: %s' % e, []
    rcode = response.rcode()
    if rcode == dns.rcode.NXDOMAIN:
        return 'nxdomain', []
    if rcode != dns.rcode.NOERROR:
        return dns.rcode.to_text(rcode).lower(), []
    if not response.flags & dns.flags.AA:
        # A referral or a cached answer says nothing about what this server itself serves.
        return 'not authoritative', []
    rdtype = dns.rdatatype.from_text(rtype)
    values = []
    for rrset in response.answer:
        if rrset.rdtype != rdtype or rrset.name != dns.name.from_text(name):
            continue
        for rdata in rrset:
            if rdtype == dns.rdatatype.TXT:
                values.append(tuple(rdata.strings))
            else:
                values.append(rdata.to_text(origin=dns.name.root, relativize=False))
    return ('ok' if values else 'nodata'), values
