# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The embedded default provider: BIND-format zone files on the controller, edited with dnspython.

Only the RRsets named in a change are touched; every other RRset keeps its values, TTL and
position, the leading comment block and $TTL line are kept, the SOA serial is bumped, and the
file is replaced atomically (temporary file in the same directory, then rename) with its mode kept.
"""

from __future__ import annotations

import datetime
import errno
import fcntl
import io
import os
import tempfile

try:
    import dns.exception
    import dns.name
    import dns.rdata
    import dns.rdataclass
    import dns.rdataset
    import dns.rdatatype
    import dns.zone
    HAS_DNSPYTHON = True
except ImportError:  # pragma: no cover - reported by the module runner
    HAS_DNSPYTHON = False

from .base import ProviderError, ProviderInfo, RRset, ZoneAPI, ensure_unchanged, fqdn, select

ZONE_FILE_PATTERNS = ('{zone}', '{zone}.zone', 'db.{zone}')


def bump_serial(serial, today=None):
    """YYYYMMDDnn serials move to today's date (or +1 past it); any other serial is incremented (RFC 1982 wrap)."""
    today = today or datetime.date.today()
    text = str(serial)
    if len(text) == 10 and text[:2] in ('19', '20'):
        try:
            datetime.datetime.strptime(text[:8], '%Y%m%d')
        except ValueError:
            pass
        else:
            return max(int(today.strftime('%Y%m%d')) * 100, serial + 1) % 2 ** 32
    return (serial + 1) % 2 ** 32


def rdata_value(rdata):
    """The provider-neutral value of one rdata (see base.py)."""
    if rdata.rdtype == dns.rdatatype.TXT:
        return tuple(rdata.strings)
    return rdata.to_text(origin=dns.name.root, relativize=False)


def make_rdataset(rrset):
    rdtype = dns.rdatatype.from_text(rrset.rtype)
    rds = dns.rdataset.Rdataset(dns.rdataclass.IN, rdtype)
    rds.update_ttl(rrset.ttl)
    for value in rrset.values:
        if rdtype == dns.rdatatype.TXT:
            rd = _txt_rdata(value)
        else:
            rd = dns.rdata.from_text(dns.rdataclass.IN, rdtype, value, origin=dns.name.root, relativize=False)
        rds.add(rd)
    return rds


def _txt_rdata(strings):
    from dns.rdtypes.ANY.TXT import TXT
    return TXT(dns.rdataclass.IN, dns.rdatatype.TXT, strings)


class ZoneFile(object):
    """One parsed zone file plus what must survive a rewrite."""

    def __init__(self, path, origin=None):
        self.path = path
        try:
            with open(path, 'r', encoding='utf-8') as f:
                text = f.read()
        except (IOError, OSError) as e:
            raise ProviderError('cannot read zone file %s: %s' % (path, e.strerror or e))
        except UnicodeDecodeError as e:
            raise ProviderError('zone file %s is not UTF-8: %s' % (path, e))
        self.header = _leading_header(text)
        try:
            self.zone = dns.zone.from_file(io.StringIO(text), origin=origin, relativize=False, filename=path, check_origin=True)
        except dns.exception.SyntaxError as e:
            # dnspython already says "file:line: problem"
            raise ProviderError('malformed zone file: %s' % e)
        except dns.zone.NoSOA:
            raise ProviderError('zone file %s has no SOA record at its origin' % path)
        except dns.zone.NoNS:
            raise ProviderError('zone file %s has no NS records at its origin' % path)
        except dns.exception.DNSException as e:
            raise ProviderError('cannot parse zone file %s: %s' % (path, e))

    @property
    def origin(self):
        return self.zone.origin.to_text()

    def rrsets(self):
        out = {}
        for name, node in self.zone.nodes.items():
            for rds in node.rdatasets:
                rr = RRset(name.to_text(), dns.rdatatype.to_text(rds.rdtype), rds.ttl, [rdata_value(rd) for rd in rds])
                out[rr.key] = rr
        return out

    def replace(self, rrset):
        self._put(dns.name.from_text(rrset.name), make_rdataset(rrset))

    def _put(self, name, rdataset):
        # Replace in place so the RRset keeps its position in the file (dnspython would move it last).
        node = self.zone.find_node(name, create=True)
        for i, existing in enumerate(node.rdatasets):
            if existing.match(rdataset.rdclass, rdataset.rdtype, rdataset.covers):
                node.rdatasets[i] = rdataset
                return
        node.rdatasets.append(rdataset)

    def delete(self, name, rtype):
        self.zone.delete_rdataset(dns.name.from_text(name), dns.rdatatype.from_text(rtype))

    def bump_serial(self):
        soa_rds = self.zone.find_rdataset(self.zone.origin, dns.rdatatype.SOA)
        soa = list(soa_rds)[0]
        new = soa.replace(serial=bump_serial(soa.serial))
        rds = dns.rdataset.Rdataset(dns.rdataclass.IN, dns.rdatatype.SOA)
        rds.update_ttl(soa_rds.ttl)
        rds.add(new)
        self._put(self.zone.origin, rds)
        return new.serial

    def render(self):
        out = io.StringIO()
        out.write(self.header)
        out.write('$ORIGIN %s\n' % self.origin)
        self.zone.to_file(out, sorted=False, relativize=True)
        return out.getvalue()

    def write(self):
        directory = os.path.dirname(os.path.abspath(self.path))
        try:
            st = os.stat(self.path)
            mode, owner = st.st_mode & 0o7777, (st.st_uid, st.st_gid)
        except OSError:
            mode, owner = 0o644, None
        fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(self.path), suffix='.tmp', dir=directory)
        try:
            with os.fdopen(fd, 'w', encoding='utf-8') as f:
                f.write(self.render())
                f.flush()
                os.fsync(f.fileno())
            if owner is not None and owner != (os.geteuid(), os.getegid()):
                # named reads its zones as its own user: a root-run rewrite must not hand the file to root.
                try:
                    os.chown(tmp, *owner)
                except OSError:
                    pass
            os.chmod(tmp, mode)
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


def _leading_header(text):
    """Comment lines and $TTL directives before the first record; $ORIGIN is rewritten by render()."""
    keep = []
    for line in text.splitlines(True):
        stripped = line.strip()
        if not stripped or stripped.startswith(';'):
            keep.append(line)
        elif stripped.upper().startswith('$TTL'):
            keep.append(line if line.endswith('\n') else line + '\n')
        elif stripped.upper().startswith('$ORIGIN'):
            continue
        else:
            break
    return ''.join(keep)


class ZoneFileProvider(ZoneAPI):
    """`path`: one zone file; `directory`: one file per zone, named <zone>, <zone>.zone or db.<zone>."""

    info = ProviderInfo('zonefile', txt_string_limit=255)

    def __init__(self, options):
        super().__init__(options)
        if not HAS_DNSPYTHON:
            raise ProviderError('the zonefile provider needs the Python library dnspython on the controller')
        self.path = options.get('path')
        self.directory = options.get('directory')
        self.origin = options.get('origin')
        if bool(self.path) == bool(self.directory):
            raise ProviderError('provider type zonefile needs exactly one of path or directory')
        if self.directory and not os.path.isdir(self.directory):
            raise ProviderError('zone directory %s does not exist or is not a directory' % self.directory)
        self._files = {}

    def _zone_path(self, zone):
        if self.path:
            return self.path
        bare = zone.rstrip('.')
        for pattern in ZONE_FILE_PATTERNS:
            candidate = os.path.join(self.directory, pattern.format(zone=bare))
            if os.path.isfile(candidate):
                return candidate
        return None

    def _load(self, zone):
        path = self._zone_path(zone)
        if path is None:
            raise ProviderError('no zone file for %s in %s (looked for %s)' % (
                zone, self.directory, ', '.join(p.format(zone=zone.rstrip('.')) for p in ZONE_FILE_PATTERNS)), zone=zone)
        return ZoneFile(path, origin=self.origin if self.path else zone)

    def find_zone(self, name):
        name = fqdn(name)
        if self.path:
            zf = self._files.get(self.path) or ZoneFile(self.path, origin=self.origin)
            self._files[self.path] = zf
            if name == zf.origin or name.endswith('.' + zf.origin):
                return zf.origin
            raise ProviderError('%s is not inside the zone %s held in %s' % (name, zf.origin, self.path))
        labels = name.rstrip('.').split('.')
        for i in range(len(labels)):
            candidate = '.'.join(labels[i:]) + '.'
            if self._zone_path(candidate):
                return candidate
        raise ProviderError('no zone file in %s holds %s (looked for files named after each parent of the name: %s)' % (
            self.directory, name, ', '.join(p.format(zone=name.rstrip('.')) for p in ZONE_FILE_PATTERNS)))

    def list_rrsets(self, zone, keys=None):
        return select(self._load(zone).rrsets(), keys)

    def apply(self, zone, changes):
        if not changes:
            return
        path = self._zone_path(zone)
        if path is None:
            raise ProviderError('no zone file for %s' % zone, zone=zone)
        directory = os.path.dirname(os.path.abspath(path))
        if not os.access(directory, os.W_OK):
            raise ProviderError('cannot write zone %s: directory %s is not writable (nothing was changed)' % (zone, directory), zone=zone)
        # Re-read under an exclusive lock and check every `before`, so two concurrent writers
        # (Ansible forks editing one file) cannot overwrite each other's change.
        lock_path = os.path.join(directory, '.%s.lock' % os.path.basename(path))
        try:
            lock = open(lock_path, 'a')
        except (IOError, OSError) as e:
            raise ProviderError('cannot lock zone file %s: %s (nothing was changed)' % (path, e), zone=zone)
        with lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            zf = ZoneFile(path, origin=self.origin if self.path else zone)
            ensure_unchanged(zone, changes, zf.rrsets())
            for change in changes:
                if change.after is None:
                    zf.delete(*change.key)
                else:
                    zf.replace(change.after)
            zf.bump_serial()
            try:
                zf.write()
            except (IOError, OSError) as e:
                if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                    raise ProviderError('cannot write zone file %s: %s (nothing was changed)' % (path, e.strerror), zone=zone)
                raise ProviderError('writing zone file %s failed: %s (file left as it was)' % (path, e), zone=zone)
