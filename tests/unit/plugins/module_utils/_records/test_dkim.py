# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the DKIM key record parser/builder (RFC 6376, RFC 8301, RFC 8463)."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from ansible_collections.mailauth.rollout.plugins.module_utils._records import dkim
from ansible_collections.mailauth.rollout.plugins.module_utils._records.errors import RecordError

try:
    from hypothesis import given, settings, strategies as st
except ImportError:
    HAS_HYPOTHESIS = False
else:
    HAS_HYPOTHESIS = True

# RFC 8463 appendix A (= RFC 8032 test 1): private seed and the raw public key published as p=
RFC8463_SEED_B64 = 'nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A='
RFC8463_PUBLIC_B64 = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo='
RFC8463_RECORD = 'v=DKIM1; k=ed25519; p=' + RFC8463_PUBLIC_B64

KEY_SIZE_WARNING_1024 = 'p=: RSA key is 1024 bits; RFC 8301 accepts it but 2048 bits is the recommended minimum [RFC 8301 \u00a73.2]'
PKCS1_WARNING = ('p=: key is a PKCS#1 RSAPublicKey, not the SubjectPublicKeyInfo that RFC 6376 specifies; '
                 'most verifiers accept it, build() publishes the standard form [RFC 6376 \u00a73.6.1]')
PRIVATE_WARNING = 'public_key: a private key was given; only its public half is published'


def _spki_b64(public_key):
    return base64.b64encode(public_key.public_bytes(serialization.Encoding.DER,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)).decode()


def _pkcs1_b64(public_key):
    return base64.b64encode(public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)).decode()


def _public_from_modulus(bits):
    # a structurally valid RSA public key of exactly `bits` bits (odd modulus); new cryptography
    # releases refuse to *generate* keys below 1024 bits, but public numbers can still be built
    modulus = (1 << (bits - 1)) | 0x1d
    return rsa.RSAPublicNumbers(65537, modulus).public_key()


@pytest.fixture(scope='module')
def rsa1024():
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


@pytest.fixture(scope='module')
def rsa2048():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope='module')
def ed_key():
    return ed25519.Ed25519PrivateKey.from_private_bytes(base64.b64decode(RFC8463_SEED_B64))


# --------------------------------------------------------------------------- is_dkim

@pytest.mark.parametrize('text, expected', [
    ('v=DKIM1; p=abc', True),
    ('v=DKIM1', True),
    ('v=DKIM1;', True),
    ('v=DKIM1 ; k=rsa', True),
    ('v = DKIM1; p=', True),
    ('k=rsa; p=MIGf', True),
    ('p=', True),
    ('v=DKIM10; p=x', True),       # still a tag-list with p=
    ('v=DKIM10', False),
    ('v=DKIM1x', False),
    ('v=spf1 -all', False),
    ('v=DMARC1; p=none', True),     # a tag-list with a p= tag; DMARC lives at _dmarc, not at a selector
    ('google-site-verification=abc', False),
    ('k=rsa; t=y', False),
    ('p=a;;', False),
    ('', False),
    (None, False),
])
def test_is_dkim(text, expected):
    assert dkim.is_dkim(text) is expected


# --------------------------------------------------------------------------- parse / check: good records

def test_parse_rfc8463_example():
    key = dkim.parse(RFC8463_RECORD)
    assert key == dkim.DkimKey(version='DKIM1', key_type='ed25519', hash_algs=None, service=None, flags=[], notes=None,
                               public_key_b64=RFC8463_PUBLIC_B64, key_bits=256, revoked=False,
                               tags=[('v', 'DKIM1'), ('k', 'ed25519'), ('p', RFC8463_PUBLIC_B64)], warnings=[])
    assert dkim.check(RFC8463_RECORD) == (RFC8463_RECORD, [])


def test_rsa_2048_ok_and_canonical_order(rsa2048):
    p = _spki_b64(rsa2048.public_key())
    text = 'p=%s; n=hello world; t=s:y; s=email; h=sha256; k=rsa' % p
    key = dkim.parse(text)
    assert key.key_bits == 2048
    assert key.version is None
    assert key.flags == ['s', 'y']
    assert dkim.check(text) == ('v=DKIM1; k=rsa; h=sha256; s=email; t=s:y; n=hello world; p=' + p, [])


def test_rsa_1024_warns(rsa1024):
    p = _spki_b64(rsa1024.public_key())
    key = dkim.parse('v=DKIM1; p=' + p)
    assert key.key_bits == 1024
    assert key.warnings == [KEY_SIZE_WARNING_1024]
    assert dkim.check('v=DKIM1; p=' + p) == ('v=DKIM1; k=rsa; p=' + p, [KEY_SIZE_WARNING_1024])


def test_rsa_512_refused():
    p = _spki_b64(_public_from_modulus(512))
    with pytest.raises(RecordError) as exc:
        dkim.parse('v=DKIM1; k=rsa; p=' + p)
    assert exc.value.rule == 'RFC 8301 \u00a73.2'
    assert exc.value.term == 'p'
    assert str(exc.value) == ("p ('512-bit RSA key'): RSA key is 512 bits; DKIM keys must be at least 1024 bits (use 2048) "
                              "[RFC 8301 \u00a73.2]")


def test_rsa_1023_refused_1024_accepted():
    with pytest.raises(RecordError):
        dkim.parse('p=' + _spki_b64(_public_from_modulus(1023)))
    assert dkim.parse('p=' + _spki_b64(_public_from_modulus(1024))).key_bits == 1024


def test_rsa_above_4096_warns():
    key = dkim.parse('p=' + _spki_b64(_public_from_modulus(4200)))
    assert key.key_bits == 4200
    assert key.warnings == ['p=: RSA key is 4200 bits; verifiers are only required to handle keys up to 4096 bits [RFC 8301 \u00a73.2]']


def test_pkcs1_accepted_with_warning(rsa2048):
    p = _pkcs1_b64(rsa2048.public_key())
    key = dkim.parse('v=DKIM1; p=' + p)
    assert key.key_bits == 2048
    assert key.warnings == [PKCS1_WARNING]


def test_whitespace_inside_p_is_folding(rsa2048):
    p = _spki_b64(rsa2048.public_key())
    folded = ' \r\n\t'.join(p[i:i + 60] for i in range(0, len(p), 60))
    assert dkim.check('v=DKIM1; p= %s ' % folded) == ('v=DKIM1; k=rsa; p=' + p, [])


def test_revoked():
    key = dkim.parse('v=DKIM1; k=rsa; p=')
    assert key.revoked is True
    assert key.public_key_b64 == ''
    assert key.key_bits is None
    assert dkim.check('v=DKIM1; p= ;') == ('v=DKIM1; k=rsa; p=', [])
    assert dkim.check('v=DKIM1; k=ed25519; p=') == ('v=DKIM1; k=ed25519; p=', [])


@pytest.mark.parametrize('h, warning', [
    ('sha1:sha256', 'h=sha1:sha256: sha1 must no longer be used for DKIM signatures; use h=sha256 [RFC 8301 \u00a73.1]'),
    ('sha1', 'h=sha1: the key is restricted to sha1 signatures, which RFC 8301 verifiers refuse; use h=sha256 or drop h= [RFC 8301 \u00a73.1]'),
])
def test_hash_sha1_warns(h, warning):
    text = 'v=DKIM1; k=ed25519; h=%s; p=%s' % (h, RFC8463_PUBLIC_B64)
    assert dkim.check(text) == (text, [warning])


def test_hash_list_whitespace_and_case():
    text = 'v=DKIM1; k=ED25519; h= SHA256 ; s = * : Email; p=' + RFC8463_PUBLIC_B64
    assert dkim.check(text) == ('v=DKIM1; k=ed25519; h=sha256; s=*:email; p=' + RFC8463_PUBLIC_B64, [])


def test_unknown_flag_kept_and_warned():
    text = 'v=DKIM1; k=ed25519; t=y:x-future; p=' + RFC8463_PUBLIC_B64
    key = dkim.parse(text)
    assert key.flags == ['y', 'x-future']
    assert key.warnings == ["t=: unknown flag 'x-future' is ignored by verifiers [RFC 6376 \u00a73.6.1]"]
    assert dkim.check(text)[0] == text


def test_unknown_tags_warned_and_kept_before_p():
    text = 'v=DKIM1; k=ed25519; g=*; foo=bar; p=' + RFC8463_PUBLIC_B64
    canonical, warnings = dkim.check(text)
    assert canonical == text
    assert warnings == ['g=: the granularity tag was removed by RFC 6376 and is ignored by verifiers [RFC 6376 \u00a73.6.1]',
                        'foo=: unknown tag is ignored by verifiers [RFC 6376 \u00a73.6.1]']


# --------------------------------------------------------------------------- parse: bad records

@pytest.mark.parametrize('text, term, fragment', [
    ('k=rsa; v=DKIM1; p=', 'v', 'v= must be the first tag'),
    ('v=DKIM2; p=', 'v', 'version must be "DKIM1"'),
    ('v=dkim1; p=', 'v', 'version must be "DKIM1"'),
    ('v=DKIM1; k=dsa; p=', 'k', 'unknown key type'),
    ('v=DKIM1; k=; p=', 'k', 'unknown key type'),
    ('v=DKIM1; h=md5; p=', 'h', "unknown hash algorithm 'md5'"),
    ('v=DKIM1; h=sha256:; p=', 'h', 'empty element'),
    ('v=DKIM1; h=; p=', 'h', 'empty element'),
    ('v=DKIM1; s=web; p=', 's', "unknown service type 'web'"),
    ('v=DKIM1; t=; p=', 't', 'empty element'),
    ('v=DKIM1; k=rsa', 'p', 'p= (public key data) is required'),
    ('v=DKIM1; p=abc; p=', 'p', 'duplicate tag'),
    ('v=DKIM1; p=MIGf!!!!', 'p', 'not valid base64'),
    ('v=DKIM1; p=MIGfMA0', 'p', 'not valid base64'),
    ('v=DKIM1; p=MIGf-A0_', 'p', 'not valid base64'),
    ('v=DKIM1; p=TUlHZk1BMEc=', 'p', 'not a DER SubjectPublicKeyInfo RSA public key'),
    ('v=DKIM1; p=' + RFC8463_PUBLIC_B64, 'p', 'p= is 32 raw bytes (an Ed25519 key?) but k=rsa; set k=ed25519'),
    ('v=DKIM1; k=ed25519; p=' + base64.b64encode(b'\x01' * 31).decode(), 'p', 'must be exactly 32 bytes, got 31'),
    ('v=DKIM1; k=ed25519; p=' + base64.b64encode(b'\x01' * 33).decode(), 'p', 'must be exactly 32 bytes, got 33'),
    ('v=DKIM1; p=\x00', 'p', 'control character NUL'),
    ('v=DKIM1\x00; p=', 'v', 'control character NUL'),
])
def test_parse_errors(text, term, fragment):
    with pytest.raises(RecordError) as exc:
        dkim.parse(text)
    assert exc.value.term == term
    assert fragment in str(exc.value)


def test_ed25519_spki_in_p_is_refused(ed_key):
    p = _spki_b64(ed_key.public_key())
    with pytest.raises(RecordError) as exc:
        dkim.parse('v=DKIM1; k=ed25519; p=' + p)
    assert str(exc.value).endswith('p= holds an Ed25519 SubjectPublicKeyInfo (44 bytes); k=ed25519 requires the raw 32-byte '
                                   'public key [RFC 8463 \u00a74.2]')
    with pytest.raises(RecordError) as exc:
        dkim.parse('v=DKIM1; k=rsa; p=' + p)
    assert 'p= holds an Ed25519 key but k=rsa' in str(exc.value)


def test_other_algorithm_refused():
    p = _spki_b64(ec.generate_private_key(ec.SECP256R1()).public_key())
    with pytest.raises(RecordError) as exc:
        dkim.parse('v=DKIM1; p=' + p)
    assert 'unsupported algorithm 1.2.840.10045.2.1' in str(exc.value)


def test_truncated_der_refused(rsa2048):
    der = base64.b64decode(_spki_b64(rsa2048.public_key()))
    p = base64.b64encode(der[:-10]).decode()
    with pytest.raises(RecordError) as exc:
        dkim.parse('v=DKIM1; p=' + p)
    assert 'not a DER SubjectPublicKeyInfo RSA public key' in str(exc.value)


def test_trailing_garbage_after_der_refused(rsa2048):
    der = base64.b64decode(_spki_b64(rsa2048.public_key()))
    with pytest.raises(RecordError):
        dkim.parse('v=DKIM1; p=' + base64.b64encode(der + b'\x00\x00').decode())


def test_hostile_long_p():
    with pytest.raises(RecordError) as exc:
        dkim.parse('v=DKIM1; p=' + 'A' * 10000)
    assert 'not a DER SubjectPublicKeyInfo RSA public key' in str(exc.value)
    assert len(str(exc.value)) < 300


def test_hostile_long_unknown_tag_value():
    text = 'v=DKIM1; k=ed25519; x=' + 'a' * 10000 + '; p=' + RFC8463_PUBLIC_B64
    assert dkim.parse(text).warnings == ['x=: unknown tag is ignored by verifiers [RFC 6376 \u00a73.6.1]']


# --------------------------------------------------------------------------- fingerprint / to_dict

def test_fingerprint():
    assert dkim.public_key_fingerprint(RFC8463_PUBLIC_B64) == hashlib.sha256(base64.b64decode(RFC8463_PUBLIC_B64)).hexdigest()
    assert dkim.public_key_fingerprint(RFC8463_PUBLIC_B64) == '21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9'
    assert dkim.public_key_fingerprint('') == ''
    with pytest.raises(RecordError):
        dkim.public_key_fingerprint('###')


def test_to_dict():
    data = dkim.to_dict(dkim.parse('v=DKIM1; k=ed25519; t=y; p=' + RFC8463_PUBLIC_B64))
    assert data == {
        'version': 'DKIM1', 'key_type': 'ed25519', 'hash_algs': None, 'service': None, 'flags': ['y'],
        'testing': True, 'strict': False, 'notes': None, 'public_key_b64': RFC8463_PUBLIC_B64,
        'fingerprint_sha256': '21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9',
        'key_bits': 256, 'revoked': False,
        'tags': [['v', 'DKIM1'], ['k', 'ed25519'], ['t', 'y'], ['p', RFC8463_PUBLIC_B64]],
        'warnings': [], 'record': 'v=DKIM1; k=ed25519; t=y; p=' + RFC8463_PUBLIC_B64,
    }


# --------------------------------------------------------------------------- build

def test_build_from_pem_public(rsa2048):
    pem = rsa2048.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert dkim.build(pem) == ('v=DKIM1; k=rsa; p=' + _spki_b64(rsa2048.public_key()), [])


def test_build_from_pem_rsa_public_pkcs1(rsa2048):
    pem = rsa2048.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()
    assert pem.startswith('-----BEGIN RSA PUBLIC KEY-----')
    assert dkim.build(pem) == ('v=DKIM1; k=rsa; p=' + _spki_b64(rsa2048.public_key()), [])


@pytest.mark.parametrize('fmt', ['PKCS8', 'TraditionalOpenSSL'])
def test_build_from_private_rsa(rsa2048, fmt):
    pem = rsa2048.private_bytes(serialization.Encoding.PEM, getattr(serialization.PrivateFormat, fmt),
                                serialization.NoEncryption()).decode()
    text, warnings = dkim.build(pem, testing=True, strict=True)
    assert text == 'v=DKIM1; k=rsa; t=y:s; p=' + _spki_b64(rsa2048.public_key())
    assert warnings == [PRIVATE_WARNING]


def test_build_from_private_ed25519_rfc8463(ed_key):
    pem = ed_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    assert dkim.build(pem) == (RFC8463_RECORD, [PRIVATE_WARNING])
    assert dkim.build(pem, key_type='ed25519')[0] == RFC8463_RECORD


def test_build_from_ed25519_pem_public_spki(ed_key):
    pem = ed_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert dkim.build(pem) == (RFC8463_RECORD, [])


def test_build_from_bare_base64(rsa2048):
    p = _spki_b64(rsa2048.public_key())
    wrapped = '\n'.join(p[i:i + 64] for i in range(0, len(p), 64)) + '\n'
    assert dkim.build(wrapped) == ('v=DKIM1; k=rsa; p=' + p, [])
    assert dkim.build(RFC8463_PUBLIC_B64) == (RFC8463_RECORD, [])
    assert dkim.build(RFC8463_PUBLIC_B64, key_type='ed25519') == (RFC8463_RECORD, [])


def test_build_from_bare_pkcs1_converts(rsa2048):
    text, warnings = dkim.build(_pkcs1_b64(rsa2048.public_key()))
    assert text == 'v=DKIM1; k=rsa; p=' + _spki_b64(rsa2048.public_key())
    assert warnings == ['public_key: PKCS#1 RSAPublicKey converted to the SubjectPublicKeyInfo form RFC 6376 specifies']


def test_build_from_existing_record(rsa2048):
    p = _spki_b64(rsa2048.public_key())
    assert dkim.build('v=DKIM1; k=rsa; t=y; n=old; p=' + p, service='email') == ('v=DKIM1; k=rsa; s=email; p=' + p, [])
    assert dkim.build('k=ed25519; p=' + RFC8463_PUBLIC_B64, hash_algs='sha256') == (
        'v=DKIM1; k=ed25519; h=sha256; p=' + RFC8463_PUBLIC_B64, [])


def test_build_options():
    text, warnings = dkim.build(RFC8463_PUBLIC_B64, hash_algs=['sha256'], service=['email'], notes='rotated 2026-01', testing=True)
    assert text == 'v=DKIM1; k=ed25519; h=sha256; s=email; t=y; n=rotated 2026-01; p=' + RFC8463_PUBLIC_B64
    assert warnings == []


def test_build_1024_warns(rsa1024):
    p = _spki_b64(rsa1024.public_key())
    assert dkim.build(p) == ('v=DKIM1; k=rsa; p=' + p, [KEY_SIZE_WARNING_1024])


def test_build_512_refused():
    pem = _public_from_modulus(512).public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    with pytest.raises(RecordError) as exc:
        dkim.build(pem)
    assert exc.value.rule == 'RFC 8301 \u00a73.2'


def test_build_revoked():
    assert dkim.build(revoked=True) == ('v=DKIM1; k=rsa; p=', [])
    assert dkim.build(revoked=True, key_type='ed25519') == ('v=DKIM1; k=ed25519; p=', [])
    assert dkim.build(RFC8463_PUBLIC_B64, revoked=True) == ('v=DKIM1; k=ed25519; p=', [])
    assert dkim.build('garbage!', revoked=True) == (
        'v=DKIM1; k=rsa; p=', ['public_key: could not be read, so k= defaults to rsa for the revoked record'])


def test_build_key_type_mismatch(rsa2048):
    with pytest.raises(RecordError) as exc:
        dkim.build(_spki_b64(rsa2048.public_key()), key_type='ed25519')
    assert str(exc.value) == "key_type ('ed25519'): key_type=ed25519 but the key is rsa [RFC 6376 \u00a73.6.1]"
    with pytest.raises(RecordError) as exc:
        dkim.build(RFC8463_PUBLIC_B64, key_type='rsa')
    assert 'key is 32 raw bytes (Ed25519) but key_type=rsa' in str(exc.value)
    with pytest.raises(RecordError) as exc:
        dkim.build('v=DKIM1; k=ed25519; p=' + RFC8463_PUBLIC_B64, key_type='rsa')
    assert 'key_type=rsa but the given DKIM record says k=ed25519' in str(exc.value)


@pytest.mark.parametrize('kwargs, term, fragment', [
    ({}, 'public_key', 'a public key is required unless the record is revoked'),
    ({'public_key': '  '}, 'public_key', 'a public key is required'),
    ({'public_key': RFC8463_PUBLIC_B64, 'key_type': 'dsa'}, 'key_type', 'unknown key type'),
    ({'public_key': RFC8463_PUBLIC_B64, 'hash_algs': 'sha256; p=x'}, 'hash_algs', 'unknown value'),
    ({'public_key': RFC8463_PUBLIC_B64, 'hash_algs': ['md5']}, 'hash_algs', "unknown value 'md5'"),
    ({'public_key': RFC8463_PUBLIC_B64, 'service': 'web'}, 'service', "unknown value 'web'"),
    ({'public_key': RFC8463_PUBLIC_B64, 'notes': 'a; p=evil'}, 'notes', 'without ";"'),
    ({'public_key': RFC8463_PUBLIC_B64, 'notes': 'caf\u00e9'}, 'notes', 'printable ASCII'),
    ({'public_key': 'v=DKIM1; k=rsa; p='}, 'public_key', 'the given DKIM record is revoked'),
    ({'public_key': 'not base64 at all!'}, 'public_key', 'not valid base64'),
    ({'public_key': 12}, 'public_key', 'must be a string, got int'),
])
def test_build_errors(kwargs, term, fragment):
    with pytest.raises(RecordError) as exc:
        dkim.build(**kwargs)
    assert exc.value.term == term
    assert fragment in str(exc.value)


SECRET_MARKER = 'MIIEvSECRETSECRETSECRETX'


@pytest.mark.parametrize('pem, fragment', [
    ('-----BEGIN ENCRYPTED PRIVATE KEY-----\n%s\n-----END ENCRYPTED PRIVATE KEY-----\n' % SECRET_MARKER,
     'encrypted private keys are not accepted'),
    ('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n%s\n-----END RSA PRIVATE KEY-----\n'
     % SECRET_MARKER, 'encrypted private keys are not accepted'),
    ('-----BEGIN PRIVATE KEY-----\n%sAA==\n-----END PRIVATE KEY-----\n' % SECRET_MARKER, 'does not contain a valid key'),
    ('-----BEGIN PRIVATE KEY-----\n%s!\n-----END PRIVATE KEY-----\n' % SECRET_MARKER, 'not valid base64'),
    ('-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----\n' % SECRET_MARKER, 'unsupported PEM type'),
    ('-----BEGIN PRIVATE KEY-----\n%s\n' % SECRET_MARKER, 'malformed PEM'),
])
def test_build_never_echoes_private_material(pem, fragment):
    with pytest.raises(RecordError) as exc:
        dkim.build(pem)
    assert fragment in str(exc.value)
    assert SECRET_MARKER not in str(exc.value)
    assert SECRET_MARKER not in repr(exc.value.as_dict())


def test_build_ec_private_key_refused():
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    with pytest.raises(RecordError) as exc:
        dkim.build(pem)
    assert 'unsupported key algorithm 1.2.840.10045.2.1' in str(exc.value)
    assert exc.value.value is None


def test_build_output_round_trips(rsa2048):
    text, _warnings = dkim.build(_spki_b64(rsa2048.public_key()), testing=True)
    assert dkim.check(text) == (text, [])
    assert dkim.is_dkim(text)


def test_import_flag():
    assert dkim.HAS_CRYPTOGRAPHY is True
    assert dkim.CRYPTOGRAPHY_IMPORT_ERROR is None


# --------------------------------------------------------------------------- without the cryptography library

def _load_without_cryptography(monkeypatch):
    for name in list(sys.modules):
        if name == 'cryptography' or name.startswith('cryptography.'):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, 'cryptography', None)
    spec = importlib.util.spec_from_file_location(dkim.__name__ + '_nocrypto', dkim.__file__)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_without_cryptography(monkeypatch, rsa2048, ed_key):
    rsa_pem = rsa2048.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    ed_pem = ed_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()).decode()
    expected_rsa = 'v=DKIM1; k=rsa; p=' + _spki_b64(rsa2048.public_key())
    module = _load_without_cryptography(monkeypatch)
    assert module.HAS_CRYPTOGRAPHY is False
    assert 'cryptography' in module.CRYPTOGRAPHY_IMPORT_ERROR
    # parsing, validating and building from RSA keys or public keys never needs the library
    assert module.check(RFC8463_RECORD) == (RFC8463_RECORD, [])
    assert module.build(rsa_pem) == (expected_rsa, [PRIVATE_WARNING])
    # an Ed25519 private key without an embedded public key does
    with pytest.raises(RecordError) as exc:
        module.build(ed_pem)
    assert 'needs the Python "cryptography" library' in str(exc.value)
    # ... unless it is a OneAsymmetricKey (RFC 5958) that carries the public key
    seed = base64.b64decode(RFC8463_SEED_B64)
    public = base64.b64decode(RFC8463_PUBLIC_B64)
    der = (b'\x30\x51\x02\x01\x01\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20' + seed
           + b'\x81\x21\x00' + public)
    pem = '-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n' % base64.b64encode(der).decode()
    assert module.build(pem) == (RFC8463_RECORD, [PRIVATE_WARNING])


if HAS_HYPOTHESIS:
    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=300))
    def test_fuzz_parse_only_record_error(text):
        try:
            canonical, _warnings = dkim.check(text)
        except RecordError:
            return
        assert dkim.check(canonical)[0] == canonical

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=600))
    def test_fuzz_key_bytes_only_record_error(data):
        text = 'v=DKIM1; p=' + base64.b64encode(data).decode()
        try:
            dkim.parse(text)
        except RecordError:
            pass
        try:
            dkim.build(base64.b64encode(data).decode())
        except RecordError as exc:
            assert exc.value is None or exc.term != 'public_key'
