# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DKIM key record (the TXT value at ``<selector>._domainkey.<domain>``): parse, validate, build.

Rules applied:

- RFC 6376 section 3.6.1: tags v (first if present, ``DKIM1``), h, k, n, p (required, empty = revoked),
  s, t; unknown tags and unknown t= flags are ignored (reported as warnings here).
- RFC 6376 section 3.2: tag-list syntax, duplicate tags invalidate the record.
- RFC 8301: rsa-sha1 must not be used (warning for h=sha1), RSA keys below 1024 bits are refused,
  keys between 1024 and 2047 bits are accepted with a warning, keys above 4096 bits may not be
  verifiable (warning).
- RFC 8463 section 4.2: k=ed25519 keys are the raw 32-byte public key, base64 encoded.

Key material is handled with a minimal DER reader (stdlib only), so parsing and validating a
record never needs a third-party library. ``cryptography`` is only needed by build() to derive
the public half of an Ed25519 PKCS#8 private key that does not embed its public key.
Errors raised while reading a caller-supplied key in build() never echo the input.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import traceback
from dataclasses import dataclass, field

from . import taglist
from .errors import RecordError

try:
    from cryptography.hazmat.primitives import serialization as _serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519 as _ed25519
except ImportError:
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None

RULE_TAGS = 'RFC 6376 \u00a73.6.1'
RULE_TAGLIST = taglist.RULE
RULE_ALGORITHMS = 'RFC 8301 \u00a73.1'
RULE_KEY_SIZE = 'RFC 8301 \u00a73.2'
RULE_ED25519 = 'RFC 8463 \u00a74.2'

KEY_TYPES = ('rsa', 'ed25519')
HASH_ALGS = ('sha1', 'sha256')
SERVICES = ('*', 'email')
FLAGS = ('y', 's')
KNOWN_TAGS = ('v', 'k', 'h', 's', 't', 'n', 'p')

MIN_RSA_BITS = 1024
RECOMMENDED_RSA_BITS = 2048
MAX_VERIFIABLE_RSA_BITS = 4096
ED25519_KEY_BYTES = 32

_OID_RSA = bytes.fromhex('2a864886f70d010101')   # 1.2.840.113549.1.1.1 rsaEncryption
_OID_ED25519 = bytes.fromhex('2b6570')           # 1.3.101.112 id-Ed25519
_DER_NULL = b'\x05\x00'

_V_DKIM1 = re.compile(r'[ \t\r\n]*v[ \t\r\n]*=[ \t\r\n]*DKIM1(?:[ \t\r\n;]|\Z)')
_HAS_P_TAG = re.compile(r'(?:\A|;)[ \t\r\n]*p[ \t\r\n]*=')
_PEM_BLOCK = re.compile(r'-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----', re.S)


@dataclass
class DkimKey:
    """A parsed DKIM key record."""

    version: str | None
    key_type: str
    hash_algs: list | None
    service: list | None
    flags: list
    notes: str | None
    public_key_b64: str
    key_bits: int | None
    revoked: bool
    tags: list
    warnings: list = field(default_factory=list)


# --------------------------------------------------------------------------- DER (read and write)

class _DerError(Exception):
    pass


def _der_items(data):
    """Split ``data`` into a list of (tag, content) TLVs that must cover it exactly."""
    items = []
    pos = 0
    size = len(data)
    while pos < size:
        if size - pos < 2:
            raise _DerError('truncated')
        tag = data[pos]
        length = data[pos + 1]
        pos += 2
        if tag & 0x1f == 0x1f:
            raise _DerError('unsupported tag')
        if length & 0x80:
            count = length & 0x7f
            if not 1 <= count <= 4 or pos + count > size:
                raise _DerError('bad length')
            length = int.from_bytes(data[pos:pos + count], 'big')
            pos += count
        if pos + length > size:
            raise _DerError('truncated')
        items.append((tag, data[pos:pos + length]))
        pos += length
    return items


def _der_sequence(data):
    items = _der_items(data)
    if len(items) != 1 or items[0][0] != 0x30:
        raise _DerError('not a single SEQUENCE')
    return _der_items(items[0][1])


def _der_uint(item):
    tag, content = item
    if tag != 0x02 or not content or content[0] & 0x80:
        raise _DerError('not a non-negative INTEGER')
    return int.from_bytes(content, 'big')


def _der_encode(tag, content):
    length = len(content)
    if length < 0x80:
        header = bytes((tag, length))
    else:
        raw = length.to_bytes((length.bit_length() + 7) // 8, 'big')
        header = bytes((tag, 0x80 | len(raw))) + raw
    return header + content


def _der_encode_uint(value):
    return _der_encode(0x02, value.to_bytes((value.bit_length() + 8) // 8, 'big'))


def _oid_text(content):
    try:
        numbers = []
        value = 0
        for byte in content:
            value = (value << 7) | (byte & 0x7f)
            if not byte & 0x80:
                numbers.append(value)
                value = 0
        first = min(numbers[0] // 40, 2)
        return '.'.join(str(n) for n in [first, numbers[0] - 40 * first] + numbers[1:])
    except IndexError:
        return content.hex()


def _rsa_public_pkcs1(der):
    """(n, e) from a PKCS#1 RSAPublicKey."""
    fields = _der_sequence(der)
    if len(fields) != 2:
        raise _DerError('RSAPublicKey must have two INTEGERs')
    return _der_uint(fields[0]), _der_uint(fields[1])


def _spki(der):
    """('rsa', (n, e)) or ('ed25519', raw32) from a SubjectPublicKeyInfo; other algorithms: ('oid', text)."""
    fields = _der_sequence(der)
    if len(fields) != 2 or fields[0][0] != 0x30 or fields[1][0] != 0x03:
        raise _DerError('not a SubjectPublicKeyInfo')
    algorithm = _der_items(fields[0][1])
    if not algorithm or algorithm[0][0] != 0x06:
        raise _DerError('no algorithm OID')
    oid = algorithm[0][1]
    params = algorithm[1:]
    bits = fields[1][1]
    if not bits or bits[0] != 0:
        raise _DerError('BIT STRING with unused bits')
    key = bits[1:]
    if oid == _OID_RSA:
        if params and (len(params) > 1 or params[0] != (0x05, b'')):
            raise _DerError('rsaEncryption parameters must be NULL')
        return 'rsa', _rsa_public_pkcs1(key)
    if oid == _OID_ED25519:
        if params or len(key) != ED25519_KEY_BYTES:
            raise _DerError('malformed Ed25519 SubjectPublicKeyInfo')
        return 'ed25519', key
    return 'oid', _oid_text(oid)


def _rsa_spki_der(n, e):
    algorithm = _der_encode(0x30, _der_encode(0x06, _OID_RSA) + _DER_NULL)
    pkcs1 = _der_encode(0x30, _der_encode_uint(n) + _der_encode_uint(e))
    return _der_encode(0x30, algorithm + _der_encode(0x03, b'\x00' + pkcs1))


def _rsa_private_pkcs1(der):
    """(n, e) from a PKCS#1 RSAPrivateKey (only the public half is read)."""
    fields = _der_sequence(der)
    if len(fields) < 9:
        raise _DerError('not an RSAPrivateKey')
    return _der_uint(fields[1]), _der_uint(fields[2])


def _pkcs8_public(der):
    """('rsa', (n, e)) or ('ed25519', raw32) from a PKCS#8 PrivateKeyInfo / OneAsymmetricKey."""
    fields = _der_sequence(der)
    if len(fields) < 3 or fields[1][0] != 0x30 or fields[2][0] != 0x04:
        raise _DerError('not a PrivateKeyInfo')
    algorithm = _der_items(fields[1][1])
    if not algorithm or algorithm[0][0] != 0x06:
        raise _DerError('no algorithm OID')
    oid = algorithm[0][1]
    if oid == _OID_RSA:
        return 'rsa', _rsa_private_pkcs1(fields[2][1])
    if oid == _OID_ED25519:
        for tag, content in fields[3:]:
            # OneAsymmetricKey (RFC 5958) may carry the public key as [1] IMPLICIT BIT STRING
            if tag == 0x81 and len(content) == ED25519_KEY_BYTES + 1 and content[0] == 0:
                return 'ed25519', content[1:]
        inner = _der_items(fields[2][1])
        if len(inner) != 1 or inner[0][0] != 0x04 or len(inner[0][1]) != ED25519_KEY_BYTES:
            raise _DerError('malformed Ed25519 private key')
        return 'ed25519', _ed25519_public_from_seed(inner[0][1])
    return 'oid', _oid_text(oid)


def _ed25519_public_from_seed(seed):
    if not HAS_CRYPTOGRAPHY:
        raise RecordError('deriving the public half of an Ed25519 private key needs the Python "cryptography" library; '
                          'install it or pass the public key instead', term='public_key')
    private = _ed25519.Ed25519PrivateKey.from_private_bytes(bytes(seed))
    return private.public_key().public_bytes(_serialization.Encoding.Raw, _serialization.PublicFormat.Raw)


# --------------------------------------------------------------------------- helpers

def _b64decode(value, term, show=True):
    compact = ''.join(value.split())
    try:
        return compact, base64.b64decode(compact.encode('ascii'), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RecordError('not valid base64 (%s)' % exc, term=term, value=compact if show else None, rule=RULE_TAGS)


def _colon_list(value, tag):
    items = [item.strip(taglist.WHITESPACE) for item in value.split(':')]
    if any(not item for item in items):
        raise RecordError('empty element in colon-separated list', term=tag, value=value, rule=RULE_TAGS)
    return items


def _check_rsa(n, e, warnings):
    bits = n.bit_length()
    if bits < MIN_RSA_BITS:
        raise RecordError('RSA key is %d bits; DKIM keys must be at least %d bits (use %d)' % (bits, MIN_RSA_BITS, RECOMMENDED_RSA_BITS),
                          term='p', value='%d-bit RSA key' % bits, rule=RULE_KEY_SIZE)
    if n % 2 == 0 or e < 3 or e % 2 == 0:
        raise RecordError('not a valid RSA public key (even modulus or bad public exponent)', term='p', rule=RULE_TAGS)
    if bits < RECOMMENDED_RSA_BITS:
        warnings.append('p=: RSA key is %d bits; RFC 8301 accepts it but %d bits is the recommended minimum [%s]'
                        % (bits, RECOMMENDED_RSA_BITS, RULE_KEY_SIZE))
    elif bits > MAX_VERIFIABLE_RSA_BITS:
        warnings.append('p=: RSA key is %d bits; verifiers are only required to handle keys up to %d bits [%s]'
                        % (bits, MAX_VERIFIABLE_RSA_BITS, RULE_KEY_SIZE))
    return bits


def _validate_key_data(key_type, p, warnings):
    """Check decoded p= against k=; return key bits."""
    compact, der = _b64decode(p, 'p')
    if key_type == 'ed25519':
        if len(der) == ED25519_KEY_BYTES:
            return ED25519_KEY_BYTES * 8
        try:
            kind, _payload = _spki(der)
        except _DerError:
            kind = None
        if kind == 'ed25519':
            raise RecordError('p= holds an Ed25519 SubjectPublicKeyInfo (%d bytes); k=ed25519 requires the raw %d-byte public key'
                              % (len(der), ED25519_KEY_BYTES), term='p', value=compact, rule=RULE_ED25519)
        raise RecordError('Ed25519 public key must be exactly %d bytes, got %d' % (ED25519_KEY_BYTES, len(der)),
                          term='p', value=compact, rule=RULE_ED25519)
    # k=rsa
    try:
        kind, payload = _spki(der)
    except _DerError:
        kind = payload = None
    if kind == 'rsa':
        return _check_rsa(payload[0], payload[1], warnings)
    if kind == 'ed25519':
        raise RecordError('p= holds an Ed25519 key but k=rsa; publish k=ed25519 with the raw 32-byte key',
                          term='p', value=compact, rule=RULE_ED25519)
    if kind == 'oid':
        raise RecordError('p= holds a public key of unsupported algorithm %s' % payload, term='p', value=compact, rule=RULE_TAGS)
    try:
        n, e = _rsa_public_pkcs1(der)
    except _DerError:
        if len(der) == ED25519_KEY_BYTES:
            raise RecordError('p= is 32 raw bytes (an Ed25519 key?) but k=rsa; set k=ed25519', term='p', value=compact, rule=RULE_TAGS)
        raise RecordError('p= is not a DER SubjectPublicKeyInfo RSA public key', term='p', value=compact, rule=RULE_TAGS)
    bits = _check_rsa(n, e, warnings)
    warnings.append('p=: key is a PKCS#1 RSAPublicKey, not the SubjectPublicKeyInfo that RFC 6376 specifies; '
                    'most verifiers accept it, build() publishes the standard form [%s]' % RULE_TAGS)
    return bits


# --------------------------------------------------------------------------- public API

def is_dkim(text) -> bool:
    """True if the TXT value belongs to DKIM: starts with v=DKIM1, or is a tag-list with a p= tag."""
    if not isinstance(text, str):
        return False
    if _V_DKIM1.match(text):
        return True
    try:
        return any(tag == 'p' for tag, _value in taglist.parse(text))
    except RecordError:
        return False


def parse(text) -> DkimKey:
    """Parse and validate a DKIM key record; warnings are collected in ``DkimKey.warnings``."""
    tags = taglist.parse(text)
    values = dict(tags)
    warnings = []

    version = None
    if 'v' in values:
        if tags[0][0] != 'v':
            raise RecordError('v= must be the first tag when present', term='v', value=values['v'], rule=RULE_TAGS)
        if values['v'] != 'DKIM1':
            raise RecordError('version must be "DKIM1"', term='v', value=values['v'], rule=RULE_TAGS)
        version = 'DKIM1'

    key_type = values.get('k', 'rsa').lower()
    if key_type not in KEY_TYPES:
        raise RecordError('unknown key type; expected one of %s' % ', '.join(KEY_TYPES), term='k', value=values['k'], rule=RULE_TAGS)

    hash_algs = None
    if 'h' in values:
        hash_algs = [alg.lower() for alg in _colon_list(values['h'], 'h')]
        for alg in hash_algs:
            if alg not in HASH_ALGS:
                raise RecordError('unknown hash algorithm %r; expected sha256' % alg, term='h', value=values['h'], rule=RULE_TAGS)
        if 'sha256' not in hash_algs:
            warnings.append('h=%s: the key is restricted to sha1 signatures, which RFC 8301 verifiers refuse; use h=sha256 or drop h= [%s]'
                            % (values['h'], RULE_ALGORITHMS))
        elif 'sha1' in hash_algs:
            warnings.append('h=%s: sha1 must no longer be used for DKIM signatures; use h=sha256 [%s]' % (values['h'], RULE_ALGORITHMS))

    service = None
    if 's' in values:
        service = _colon_list(values['s'], 's')
        for item in service:
            if item.lower() not in SERVICES:
                raise RecordError('unknown service type %r; expected * or email' % item, term='s', value=values['s'], rule=RULE_TAGS)
        service = [item.lower() for item in service]

    flags = []
    if 't' in values:
        for flag in _colon_list(values['t'], 't'):
            if flag.lower() in FLAGS:
                flags.append(flag.lower())
            else:
                flags.append(flag)
                warnings.append('t=: unknown flag %r is ignored by verifiers [%s]' % (flag, RULE_TAGS))

    notes = values.get('n')

    if 'p' not in values:
        raise RecordError('p= (public key data) is required', term='p', rule=RULE_TAGS)
    public_key_b64 = ''.join(values['p'].split())
    revoked = public_key_b64 == ''
    key_bits = None if revoked else _validate_key_data(key_type, public_key_b64, warnings)

    for tag, value in tags:
        if tag == 'g':
            warnings.append('g=: the granularity tag was removed by RFC 6376 and is ignored by verifiers [%s]' % RULE_TAGS)
        elif tag not in KNOWN_TAGS:
            warnings.append('%s=: unknown tag is ignored by verifiers [%s]' % (tag, RULE_TAGS))

    return DkimKey(version=version, key_type=key_type, hash_algs=hash_algs, service=service, flags=flags, notes=notes,
                   public_key_b64=public_key_b64, key_bits=key_bits, revoked=revoked, tags=list(tags), warnings=warnings)


def render(key: DkimKey) -> str:
    """Canonical text: v=DKIM1; k=; h=; s=; t=; n=; (unknown tags in original order); p=; absent tags omitted."""
    out = [('v', 'DKIM1'), ('k', key.key_type)]
    if key.hash_algs:
        out.append(('h', ':'.join(key.hash_algs)))
    if key.service:
        out.append(('s', ':'.join(key.service)))
    if key.flags:
        out.append(('t', ':'.join(key.flags)))
    if key.notes is not None:
        out.append(('n', key.notes))
    out.extend((tag, value) for tag, value in key.tags if tag not in KNOWN_TAGS)
    out.append(('p', key.public_key_b64))
    return taglist.render(out)


def check(text) -> tuple[str, list[str]]:
    """Parse and validate; return (canonical text, warnings)."""
    key = parse(text)
    return render(key), list(key.warnings)


def public_key_fingerprint(b64) -> str:
    """SHA-256 hex digest of the decoded p= value (the DER key); '' for an empty (revoked) key."""
    compact, der = _b64decode(b64 or '', 'p')
    if not compact:
        return ''
    return hashlib.sha256(der).hexdigest()


def to_dict(key: DkimKey) -> dict:
    """JSON-able view of a parsed key (for the dkim_parse filter)."""
    return {
        'version': key.version,
        'key_type': key.key_type,
        'hash_algs': None if key.hash_algs is None else list(key.hash_algs),
        'service': None if key.service is None else list(key.service),
        'flags': list(key.flags),
        'testing': 'y' in key.flags,
        'strict': 's' in key.flags,
        'notes': key.notes,
        'public_key_b64': key.public_key_b64,
        'fingerprint_sha256': public_key_fingerprint(key.public_key_b64),
        'key_bits': key.key_bits,
        'revoked': key.revoked,
        'tags': [[tag, value] for tag, value in key.tags],
        'warnings': list(key.warnings),
        'record': render(key),
    }


# --------------------------------------------------------------------------- build

def _key_error(message):
    return RecordError(message, term='public_key', rule=RULE_TAGS)


def _public_from_der(der, hint, warnings):
    """(key_type, p_b64) from public DER (SPKI / PKCS#1 RSAPublicKey) or raw 32 Ed25519 bytes."""
    if len(der) == ED25519_KEY_BYTES and hint != 'rsa':
        return 'ed25519', base64.b64encode(der).decode('ascii')
    try:
        kind, payload = _spki(der)
    except _DerError:
        kind = payload = None
    if kind is None:
        try:
            kind, payload = 'rsa', _rsa_public_pkcs1(der)
        except _DerError:
            if len(der) == ED25519_KEY_BYTES:
                raise _key_error('key is 32 raw bytes (Ed25519) but key_type=rsa')
            raise _key_error('not a public key: expected a SubjectPublicKeyInfo, a PKCS#1 RSAPublicKey or 32 raw Ed25519 bytes')
        warnings.append('public_key: PKCS#1 RSAPublicKey converted to the SubjectPublicKeyInfo form RFC 6376 specifies')
    return _public_from_parts(kind, payload)


def _public_from_parts(kind, payload):
    if kind == 'rsa':
        return 'rsa', base64.b64encode(_rsa_spki_der(*payload)).decode('ascii')
    if kind == 'ed25519':
        return 'ed25519', base64.b64encode(bytes(payload)).decode('ascii')
    raise _key_error('unsupported key algorithm %s; DKIM supports rsa and ed25519' % payload)


def _public_from_pem(text, hint, warnings):
    blocks = _PEM_BLOCK.findall(text)
    if not blocks:
        raise _key_error('malformed PEM: no matching BEGIN/END lines')
    label, body = blocks[0]
    if label == 'ENCRYPTED PRIVATE KEY' or ('Proc-Type:' in body and 'ENCRYPTED' in body):
        raise _key_error('encrypted private keys are not accepted; pass the public key instead')
    if label not in ('PUBLIC KEY', 'RSA PUBLIC KEY', 'PRIVATE KEY', 'RSA PRIVATE KEY'):
        raise _key_error('unsupported PEM type "%s"; expected PUBLIC KEY, RSA PUBLIC KEY, PRIVATE KEY or RSA PRIVATE KEY' % label)
    lines = [line for line in body.splitlines() if ':' not in line]
    _compact, der = _b64decode(''.join(lines), 'public_key', show=False)
    try:
        if label == 'PUBLIC KEY':
            kind, payload = _spki(der)
        elif label == 'RSA PUBLIC KEY':
            kind, payload = 'rsa', _rsa_public_pkcs1(der)
        elif label == 'PRIVATE KEY':
            kind, payload = _pkcs8_public(der)
        else:
            kind, payload = 'rsa', _rsa_private_pkcs1(der)
    except _DerError:
        raise _key_error('PEM %s block does not contain a valid key' % label)
    if 'PRIVATE' in label:
        warnings.append('public_key: a private key was given; only its public half is published')
    return _public_from_parts(kind, payload)


def _public_from_input(public_key, hint, warnings):
    """(key_type, p_b64) from PEM, DKIM record text or bare base64."""
    if isinstance(public_key, bytes):
        try:
            public_key = public_key.decode('ascii')
        except UnicodeDecodeError:
            raise _key_error('key bytes are not ASCII text (PEM, base64 or a DKIM record)')
    if not isinstance(public_key, str):
        raise _key_error('must be a string, got %s' % type(public_key).__name__)
    text = public_key.strip()
    if '-----BEGIN' in text:
        return _public_from_pem(text, hint, warnings)
    if _V_DKIM1.match(text) or _HAS_P_TAG.search(text):
        values = dict(taglist.parse(text))
        if 'p' not in values:
            raise RecordError('DKIM record has no p= tag', term='public_key', value=text, rule=RULE_TAGS)
        record_type = values.get('k', 'rsa').lower()
        if record_type not in KEY_TYPES:
            raise RecordError('unknown key type in DKIM record', term='k', value=values.get('k'), rule=RULE_TAGS)
        if hint is not None and hint != record_type:
            raise RecordError('key_type=%s but the given DKIM record says k=%s' % (hint, record_type),
                              term='key_type', value=hint, rule=RULE_TAGS)
        p_value = ''.join(values['p'].split())
        if not p_value:
            raise RecordError('the given DKIM record is revoked (empty p=); there is no key to publish', term='public_key', rule=RULE_TAGS)
        _compact, der = _b64decode(p_value, 'p')
        return _public_from_der(der, record_type, warnings)
    _compact, der = _b64decode(text, 'public_key', show=False)
    return _public_from_der(der, hint, warnings)


def _option_list(value, name, allowed):
    if value is None:
        return None
    if isinstance(value, str):
        items = value.split(':')
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise RecordError('must be a list or a colon-separated string', term=name, value=value, rule=RULE_TAGS)
    result = []
    for item in items:
        item = str(item).strip().lower()
        if item not in allowed:
            raise RecordError('unknown value %r; expected one of %s' % (item, ', '.join(allowed)), term=name, value=value, rule=RULE_TAGS)
        result.append(item)
    return result or None


def build(public_key=None, key_type=None, testing=False, strict=False, hash_algs=None, service=None, notes=None,
          revoked=False) -> tuple[str, list[str]]:
    """Build a canonical DKIM key record; returns (text, warnings).

    ``public_key``: PEM public key, PEM private key (only the public half is used), bare base64
    (SubjectPublicKeyInfo, PKCS#1 RSAPublicKey, or 32 raw Ed25519 bytes) or an existing DKIM record
    (its p= and k= are taken). ``key_type`` is derived from the key when None.
    """
    warnings = []
    if key_type is not None:
        key_type = str(key_type).strip().lower()
        if key_type not in KEY_TYPES:
            raise RecordError('unknown key type; expected one of %s' % ', '.join(KEY_TYPES), term='key_type', value=key_type, rule=RULE_TAGS)
    has_key = public_key is not None and not (isinstance(public_key, (str, bytes)) and not public_key.strip())

    if revoked:
        p_value = ''
        final_type = key_type
        if has_key and final_type is None:
            try:
                final_type = _public_from_input(public_key, None, [])[0]
            except RecordError:
                warnings.append('public_key: could not be read, so k= defaults to rsa for the revoked record')
        final_type = final_type or 'rsa'
    else:
        if not has_key:
            raise RecordError('a public key is required unless the record is revoked', term='public_key', rule=RULE_TAGS)
        final_type, p_value = _public_from_input(public_key, key_type, warnings)
        if key_type is not None and key_type != final_type:
            raise RecordError('key_type=%s but the key is %s' % (key_type, final_type), term='key_type', value=key_type, rule=RULE_TAGS)

    tags = [('v', 'DKIM1'), ('k', final_type)]
    hash_list = _option_list(hash_algs, 'hash_algs', HASH_ALGS)
    if hash_list:
        tags.append(('h', ':'.join(hash_list)))
    service_list = _option_list(service, 'service', SERVICES)
    if service_list:
        tags.append(('s', ':'.join(service_list)))
    flags = (['y'] if testing else []) + (['s'] if strict else [])
    if flags:
        tags.append(('t', ':'.join(flags)))
    if notes is not None and notes != '':
        if not isinstance(notes, str) or ';' in notes or any(not (0x20 <= ord(c) <= 0x7e or c == '\t') for c in notes):
            raise RecordError('notes must be printable ASCII without ";" (quoted-printable encode others, e.g. =3B)',
                              term='notes', value=notes, rule=RULE_TAGS)
        tags.append(('n', notes.strip()))
    tags.append(('p', p_value))

    text, parse_warnings = check(taglist.render(tags))
    for warning in parse_warnings:
        if warning not in warnings:
            warnings.append(warning)
    return text, warnings
