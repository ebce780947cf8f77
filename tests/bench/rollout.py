#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: publish SPF, DMARC and DKIM for N zones on a private BIND through RFC 2136.

Phases, each run twice (first run on fresh zones, then a no-op rerun):
  (a)  one mailauth.rollout.mail_domains task over all N domains (ansible-playbook)
  (a') the same module logic (_portfolio.converge) called in-process, no Ansible around it
  (b)  the anchor: a loop of community.general.nsupdate tasks, one per record (3N iterations)
  (c)  the floor: raw dnspython, 8 threads, 3 TCP reads and at most one UPDATE per zone
  (e)  an empty play: ansible-playbook's fixed cost
  (f)  one ansible.builtin.ping task carrying the same domains argument: what any such task costs (not a target)
Prints wall times, UPDATE counts (server side from BIND's statistics channel and its update log,
client side where the client can tell), the ratios and the targets. It asserts no timing; it exits 1
only when the records a phase leaves on the server are wrong.

Run: .venv/bin/python tests/bench/rollout.py [--zones 200] [--port 5390] [--keep]
"""

from __future__ import annotations

import argparse
import base64
import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.tsig
import dns.tsigkeyring
import dns.update
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'utils'))
from procs import port_busy  # noqa: E402 pylint: disable=import-error,wrong-import-position

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
VENV_BIN = os.path.dirname(os.path.abspath(sys.executable))

KEY_NAME = 'bench-key'
ALGORITHM = 'hmac-sha256'
VERIFICATION = 'google-site-verification=bench_Zq9-keep-me-byte-for-byte'
SPF_INCLUDE = '_spf.mailer.example.net'
SELECTOR = 's2026'
TTL = 3600
FLOOR_THREADS = 8
EMPTY_PLAY_RUNS = 3
DEFAULT_ANCHOR_VENV = '/var/tmp/mailauth-bench-venv'

TARGET_FIRST = 60.0     # (b) / (a) on the first run, at least
TARGET_RERUN = 100.0    # (b) / (a) on the no-op rerun, at least
TARGET_FLOOR = 3.0      # ((a) - empty) / (c), at most


def log(message):
    print('[bench %s] %s' % (time.strftime('%H:%M:%S'), message), flush=True)


# ---------------------------------------------------------------- records

def zone_names(count):
    width = max(3, len(str(count)))
    return ['bench%0*d.test' % (width, i) for i in range(1, count + 1)]


def make_dkim_key():
    """One 2048-bit RSA key; returns (PEM of the public key, base64 DER for p=)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode('ascii')
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, base64.b64encode(der).decode('ascii')


def spf_text():
    return 'v=spf1 mx include:%s -all' % SPF_INCLUDE


def dmarc_text(zone):
    return 'v=DMARC1; p=none; rua=mailto:dmarc@%s' % zone


def dkim_text(p_b64):
    return 'v=DKIM1; k=rsa; p=%s' % p_b64


def split255(text):
    """The wire strings a careful publisher uses: consecutive 255-octet chunks (all text here is ASCII)."""
    data = text.encode('utf-8')
    return tuple(data[i:i + 255] for i in range(0, len(data), 255)) or (b'',)


def owned_names(zone):
    """(owner name, tag that marks the value we own) for the 3 records of a zone."""
    return [(zone + '.', 'v=spf1'), ('_dmarc.%s.' % zone, 'v=DMARC1'), ('%s._domainkey.%s.' % (SELECTOR, zone), 'v=DKIM1')]


def desired_texts(zone, p_b64):
    return {zone + '.': spf_text(), '_dmarc.%s.' % zone: dmarc_text(zone), '%s._domainkey.%s.' % (SELECTOR, zone): dkim_text(p_b64)}


def expected_state(zones, p_b64):
    """{zone: {name: (ttl, frozenset of wire-string tuples)}} that every phase must leave on the server."""
    out = {}
    for zone in zones:
        texts = desired_texts(zone, p_b64)
        state = {}
        for name, text in texts.items():
            values = {split255(text)}
            if name == zone + '.':
                values.add(split255(VERIFICATION))
            state[name] = (TTL, frozenset(values))
        out[zone] = state
    return out


# ---------------------------------------------------------------- BIND


def tcp_query(sock, name, rdtype=dns.rdatatype.TXT, timeout=5.0):
    return dns.query.tcp(dns.message.make_query(name, rdtype, flags=0), '127.0.0.1', timeout=timeout, sock=sock)


def connect(port, timeout=5.0):
    sock = socket.create_connection(('127.0.0.1', port), timeout=timeout)
    sock.setblocking(False)
    return sock


class Named(object):
    """A private named on 127.0.0.1:port serving the bench zones; every update is logged to update.log."""

    def __init__(self, run, port, stats_port, zones):
        self.run = run
        self.port = port
        self.stats_port = stats_port
        self.zones = zones
        self.dir = os.path.join(run, 'named')
        self.conf = os.path.join(self.dir, 'named.conf')
        self.update_log = os.path.join(self.dir, 'update.log')
        self.proc = None
        self.secret = None
        self.key_file = os.path.join(self.dir, 'bench-key.conf')

    def prepare(self):
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        keygen = shutil.which('tsig-keygen') or '/usr/sbin/tsig-keygen'
        text = subprocess.run([keygen, '-a', ALGORITHM, KEY_NAME], check=True, capture_output=True, text=True).stdout
        with open(self.key_file, 'w', encoding='utf-8') as f:
            f.write(text)
        os.chmod(self.key_file, 0o600)
        self.secret = re.search(r'secret\s+"([^"]+)"', text).group(1)
        zones = []
        for zone in self.zones:
            zones.append('zone "%s" { type primary; file "%s"; update-policy { grant %s zonesub ANY; }; };' % (
                zone, self.zone_file(zone), KEY_NAME))
        conf = '''include "%(key)s";
options {
  directory "%(dir)s";
  listen-on port %(port)d { 127.0.0.1; };
  listen-on-v6 { none; };
  pid-file "%(dir)s/named.pid";
  session-keyfile "%(dir)s/session.key";
  recursion no;
  allow-query { 127.0.0.1; };
  allow-transfer { key "%(keyname)s"; };
  notify no;
  dnssec-validation no;
};
controls { };
statistics-channels { inet 127.0.0.1 port %(stats)d allow { 127.0.0.1; }; };
logging {
  // debug 8 of the update category: one "update section prescan OK" line per UPDATE message
  // (no-op ones included), one "committing update transaction" per message that changed a zone.
  channel bench_update { file "%(dir)s/update.log"; severity debug 8; print-time yes; };
  channel bench_main { file "%(dir)s/named.log"; severity notice; print-time yes; };
  category update { bench_update; };
  category update-security { bench_update; };
  category default { bench_main; };
};
%(zones)s
''' % dict(key=self.key_file, dir=self.dir, port=self.port, keyname=KEY_NAME, stats=self.stats_port, zones='\n'.join(zones))
        with open(self.conf, 'w', encoding='utf-8') as f:
            f.write(conf)

    def zone_file(self, zone):
        return os.path.join(self.dir, 'db.%s' % zone)

    def write_zones(self):
        """Fresh zone files (SOA, NS, the verification TXT); journals of earlier phases removed."""
        for zone in self.zones:
            for suffix in ('.jnl', '.jnw'):
                try:
                    os.unlink(self.zone_file(zone) + suffix)
                except OSError:
                    pass
            with open(self.zone_file(zone), 'w', encoding='utf-8') as f:
                f.write('$TTL 300\n$ORIGIN %s.\n@ IN SOA ns1 hostmaster 2026010101 3600 600 86400 300\n'
                        '@ IN NS ns1\nns1 IN A 127.0.0.1\n@ IN TXT "%s"\n' % (zone, VERIFICATION))

    def start(self):
        for port in (self.port, self.stats_port):
            if port_busy(port):
                raise RuntimeError('port %d on 127.0.0.1 is taken (another named?); pick another with --port' % port)
        self.write_zones()
        named = shutil.which('named') or '/usr/sbin/named'
        with open(os.path.join(self.dir, 'named.out'), 'ab') as out:
            # -f: foreground with the logging statement honoured (-g would send everything to stderr).
            self.proc = subprocess.Popen([named, '-f', '-d', '8', '-c', self.conf], stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('named exited with status %s; see %s/named.log and named.out' % (self.proc.returncode, self.dir))
            if self.all_zones_answer():
                return
            time.sleep(0.1)
        raise RuntimeError('named did not answer for all %d zones within 60 s' % len(self.zones))

    def all_zones_answer(self):
        try:
            sock = connect(self.port, 1.0)
        except OSError:
            return False
        try:
            for zone in self.zones:
                response = tcp_query(sock, zone, dns.rdatatype.SOA, timeout=2.0)
                if response.rcode() != dns.rcode.NOERROR or not response.answer:
                    return False
            return True
        except (OSError, EOFError, dns.exception.DNSException):
            return False
        finally:
            sock.close()

    def stop(self):
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while port_busy(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)

    def reset(self):
        """Back to the fresh zone files; restarting also zeroes the statistics counters."""
        self.stop()
        self.start()

    def counters(self):
        """Server-side counters: UPDATE and QUERY messages received, from the statistics channel and update.log."""
        out = {}
        try:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open('http://127.0.0.1:%d/json/v1/server' % self.stats_port, timeout=5) as response:
                data = json.load(response)
            out['update'] = data.get('opcodes', {}).get('UPDATE', 0)
            out['query'] = data.get('opcodes', {}).get('QUERY', 0)
        except (OSError, ValueError):
            out['update'] = out['query'] = None
        out.update(self.log_counts())
        return out

    def log_counts(self):
        counts = {'log_updates': 0, 'log_committed': 0}
        try:
            with open(self.update_log, encoding='utf-8', errors='replace') as f:
                for line in f:
                    if 'update section prescan OK' in line:
                        counts['log_updates'] += 1
                    elif 'committing update transaction' in line:
                        counts['log_committed'] += 1
        except OSError:
            pass
        return counts


def delta(before, after):
    return dict((k, (after[k] - before[k]) if after.get(k) is not None and before.get(k) is not None else None) for k in after)


def snapshot(port, zones, threads=FLOOR_THREADS):
    """{zone: {name: (ttl, frozenset of wire-string tuples)}} as the server answers now (TCP, authoritative)."""
    def one(zone):
        sock = connect(port)
        try:
            state = {}
            for name, dummy in owned_names(zone):
                response = tcp_query(sock, name)
                rrset = response.get_rrset(response.answer, dns.name.from_text(name), dns.rdataclass.IN, dns.rdatatype.TXT)
                state[name] = (rrset.ttl, frozenset(tuple(rd.strings) for rd in rrset)) if rrset is not None else None
            return zone, state
        finally:
            sock.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return dict(pool.map(one, zones))


def compare(got, want, label):
    """List of readable differences (at most 5 shown by the caller)."""
    problems = []
    for zone, names in want.items():
        for name, value in names.items():
            seen = got.get(zone, {}).get(name)
            if seen != value:
                problems.append('%s: %s serves %s, expected %s' % (label, name, _show(seen), _show(value)))
    return problems


def _show(value):
    if value is None:
        return 'nothing'
    ttl, values = value
    return 'TTL %d %s' % (ttl, ' | '.join(' '.join('"%s"' % s.decode('ascii', 'replace') for s in v) for v in sorted(values)))


# ---------------------------------------------------------------- Ansible

def ensure_anchor_venv(path):
    """A venv with the `ansible` package (ships community.general) and dnspython; created once, then reused."""
    marker = os.path.join(path, '.mailauth-bench-complete')
    if os.path.exists(marker):
        return
    if os.path.exists(path):
        shutil.rmtree(path)
    log('creating the anchor venv %s (pip install ansible dnspython; once)' % path)
    try:
        subprocess.run([sys.executable, '-m', 'venv', path], check=True)
        with open(path + '.install.log', 'w', encoding='utf-8') as out:
            subprocess.run([os.path.join(path, 'bin', 'python'), '-m', 'pip', 'install', '-q', 'ansible', 'dnspython'],
                           check=True, stdout=out, stderr=subprocess.STDOUT)
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(path, ignore_errors=True)
        raise RuntimeError('could not create the anchor venv %s; see %s.install.log' % (path, path)) from exc
    with open(marker, 'w', encoding='utf-8') as f:
        f.write('ok\n')


def ansible_env(run, collections):
    env = dict(os.environ)
    for name in list(env):
        if name.startswith('ANSIBLE_'):
            del env[name]
    empty_cfg = os.path.join(run, 'bench-empty.cfg')
    if not os.path.exists(empty_cfg):
        open(empty_cfg, 'w', encoding='utf-8').close()
    env.update(ANSIBLE_CONFIG=empty_cfg, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCAL_TEMP=os.path.join(run, 'ansible-tmp'), ANSIBLE_RETRY_FILES_ENABLED='0')
    return env


def write_inventory(run, name, python):
    path = os.path.join(run, name)
    with open(path, 'w', encoding='utf-8') as f:
        f.write('localhost ansible_connection=local ansible_python_interpreter=%s\n' % python)
    return path


def run_playbook(bin_dir, playbook, inventory, env, run, label):
    """Wall time of one whole ansible-playbook process; returns (seconds, stdout text)."""
    out_path = os.path.join(run, 'logs', '%s.out' % label)
    cmd = [os.path.join(bin_dir, 'ansible-playbook'), '-i', inventory, playbook]
    with open(out_path, 'w', encoding='utf-8') as out:
        start = time.monotonic()
        proc = subprocess.run(cmd, check=False, cwd=run, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        seconds = time.monotonic() - start
    with open(out_path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    if proc.returncode != 0:
        raise RuntimeError('%s: ansible-playbook exited %d; output in %s; tail:\n%s' % (label, proc.returncode, out_path, text[-3000:]))
    return seconds, text


def recap(text):
    match = re.search(r'^localhost\s*:\s*(.*)$', text, re.M)
    if not match:
        return {}
    return dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', match.group(1)))


def write_json(path, data):
    # JSON is valid YAML: vars files and playbooks are written as JSON, nothing to quote by hand.
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(data, f, indent=1)
    os.chmod(path, 0o600)


def provider_options(port, secret):
    return {'type': 'rfc2136', 'server': '127.0.0.1', 'port': port, 'key_name': KEY_NAME, 'key_secret': secret}


def domain_entries(zones, pem):
    return [{
        'domain': zone,
        'spf': {'mx': True, 'include': [SPF_INCLUDE], 'all': 'fail'},
        'dmarc': {'p': 'none', 'rua': ['mailto:dmarc@%s' % zone]},
        'dkim': [{'selector': SELECTOR, 'public_key': pem}],
    } for zone in zones]


def write_mail_domains_play(run, zones, pem, port, secret):
    write_json(os.path.join(run, 'mail_domains.vars.json'), {
        'bench_provider': provider_options(port, secret),
        'bench_domains': domain_entries(zones, pem),
    })
    play = [{
        'name': 'mail_domains over every bench zone',
        'hosts': 'localhost',
        'gather_facts': False,
        'vars_files': ['mail_domains.vars.json'],
        'tasks': [
            {'name': 'Publish SPF, DMARC and DKIM', 'mailauth.rollout.mail_domains': {
                'provider': '{{ bench_provider }}', 'ttl': TTL, 'domains': '{{ bench_domains }}'}, 'register': 'rollout'},
            {'name': 'Summary', 'ansible.builtin.debug': {
                'msg': 'BENCH zones={{ rollout.summary.zones }} zones_changed={{ rollout.summary.zones_changed }} '
                       'changed={{ rollout.summary.changed }} failed={{ rollout.summary.failed }} task_changed={{ rollout.changed }}'}},
        ],
    }]
    path = os.path.join(run, 'mail_domains.yml')
    write_json(path, play)
    return path


def quoted_strings(text):
    """`"chunk1" "chunk2"`: nsupdate passes a value that starts and ends with a quote to dnspython as it is,
    and wraps anything else in one pair of quotes, which fails above 255 octets; so split it ourselves."""
    return ' '.join('"%s"' % chunk.decode('ascii').replace('\\', '\\\\').replace('"', '\\"') for chunk in split255(text))


def write_nsupdate_play(run, zones, p_b64, port, secret):
    records = []
    for zone in zones:
        texts = desired_texts(zone, p_b64)
        for name, dummy in owned_names(zone):
            values = [quoted_strings(texts[name])]
            if name == zone + '.':
                # state=present replaces the whole TXT RRset: leaving the verification value out would delete it.
                values.insert(0, quoted_strings(VERIFICATION))
            records.append({'zone': zone, 'record': name, 'value': values})
    write_json(os.path.join(run, 'nsupdate.vars.json'), {'bench_key_secret': secret, 'bench_records': records})
    play = [{
        'name': 'community.general.nsupdate, one task per record',
        'hosts': 'localhost',
        'gather_facts': False,
        'vars_files': ['nsupdate.vars.json'],
        'tasks': [{
            'name': 'Publish one TXT record',
            'community.general.nsupdate': {
                'server': '127.0.0.1', 'port': port, 'protocol': 'tcp',
                'key_name': KEY_NAME, 'key_secret': '{{ bench_key_secret }}', 'key_algorithm': ALGORITHM,
                # zone given (no SOA lookup); record absolute, or its TTL check queries "<record>.<zone>".
                'zone': '{{ item.zone }}', 'record': '{{ item.record }}', 'type': 'TXT', 'ttl': TTL, 'value': '{{ item.value }}',
            },
            'loop': '{{ bench_records }}',
            'loop_control': {'label': '{{ item.record }}'},
        }],
    }]
    path = os.path.join(run, 'nsupdate.yml')
    write_json(path, play)
    return path


def write_empty_play(run):
    path = os.path.join(run, 'empty.yml')
    write_json(path, [{'name': 'empty', 'hosts': 'localhost', 'gather_facts': False, 'tasks': []}])
    return path


def write_task_floor_play(run):
    """(f): one task of a trivial module carrying the same domains argument: what any single task costs here."""
    path = os.path.join(run, 'task_floor.yml')
    write_json(path, [{'name': 'task floor', 'hosts': 'localhost', 'gather_facts': False, 'vars_files': ['mail_domains.vars.json'],
                       'tasks': [{'name': 'ping with the same payload', 'ansible.builtin.ping': {'data': '{{ bench_domains | to_json }}'}}]}])
    return path


# ---------------------------------------------------------------- (c) the floor

def floor(port, secret, zones, p_b64, threads=FLOOR_THREADS):
    """Per zone: read the 3 names over one TCP connection; if any differs, one signed UPDATE (with prerequisites
    pinning what was read) on the same connection. Returns the number of UPDATE messages sent."""
    keyring = dns.tsigkeyring.from_text({KEY_NAME: (ALGORITHM, secret)})
    sent = []
    lock = threading.Lock()

    def one(zone):
        texts = desired_texts(zone, p_b64)
        sock = connect(port)
        try:
            changes = []
            for name, tag in owned_names(zone):
                response = tcp_query(sock, name)
                rrset = response.get_rrset(response.answer, dns.name.from_text(name), dns.rdataclass.IN, dns.rdatatype.TXT)
                current = [tuple(rd.strings) for rd in rrset] if rrset is not None else []
                keep = [v for v in current if not b''.join(v).decode('utf-8', 'replace').startswith(tag)]
                want = keep + [split255(texts[name])]
                if rrset is None or rrset.ttl != TTL or sorted(want) != sorted(current):
                    changes.append((name, rrset, want))
            if not changes:
                return
            update = dns.update.UpdateMessage(zone, keyring=keyring, keyname=KEY_NAME, keyalgorithm=dns.tsig.HMAC_SHA256)
            for name, rrset, want in changes:
                if rrset is None:
                    update.absent(name, 'TXT')
                else:
                    update.present(name, *list(rrset))
            for name, rrset, want in changes:
                update.delete(name, 'TXT')
                for strings in want:
                    update.add(name, TTL, 'TXT', ' '.join('"%s"' % s.decode('ascii') for s in strings))
            response = dns.query.tcp(update, '127.0.0.1', timeout=10, sock=sock)
            if response.rcode() != dns.rcode.NOERROR:
                raise RuntimeError('floor: UPDATE of %s answered %s' % (zone, dns.rcode.to_text(response.rcode())))
            with lock:
                sent.append(zone)
        finally:
            sock.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, zones))
    return len(sent)


# ---------------------------------------------------------------- (a') in-process

def in_process(collections, port, secret, zones, pem):
    """converge() of mail_domains without Ansible around it; returns (seconds, zones changed, seconds per step)."""
    if collections not in sys.path:
        sys.path.insert(0, collections)
    from ansible_collections.mailauth.rollout.plugins.module_utils._portfolio import converge
    from ansible_collections.mailauth.rollout.plugins.module_utils._providers.registry import get_provider

    steps = {'find_zone': 0.0, 'list_rrsets': 0.0, 'apply': 0.0}
    lock = threading.Lock()
    start = time.monotonic()
    options = dict(provider_options(port, secret), timeout=10.0, retries=3, axfr=False)
    provider = get_provider(options)
    for step in steps:
        original = getattr(provider, step)

        def timed(*args, _step=step, _original=original, **kwargs):
            begin = time.monotonic()
            try:
                return _original(*args, **kwargs)
            finally:
                with lock:
                    steps[_step] += time.monotonic() - begin
        setattr(provider, step, timed)
    try:
        results, stats = converge(provider, domain_entries(zones, pem), concurrency=8, default_ttl=TTL)
    finally:
        provider.close()
    seconds = time.monotonic() - start
    failed = [r for r in results if r.error]
    if failed:
        raise RuntimeError("(a') %d domains failed, first: %s: %s" % (len(failed), failed[0].domain, failed[0].error))
    return seconds, stats['zones_changed'], steps


# ---------------------------------------------------------------- machine info

def version_of(cmd):
    try:
        return subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return 'unknown'


def anchor_versions(venv):
    code = ('import importlib.metadata as m, json, os, ansible_collections.community.general as cg\n'
            'p = os.path.join(list(cg.__path__)[0], "MANIFEST.json")\n'
            'print(m.version("ansible"), m.version("ansible-core"), json.load(open(p))["collection_info"]["version"], m.version("dnspython"))')
    try:
        words = subprocess.run([os.path.join(venv, 'bin', 'python'), '-c', code], check=False, capture_output=True, text=True, timeout=60).stdout.split()
        return 'ansible %s (ansible-core %s, community.general %s, dnspython %s)' % tuple(words[:4])
    except (OSError, TypeError, subprocess.SubprocessError):
        return 'unknown'


def machine_info(anchor_venv):
    cpu = 'unknown'
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as f:
            cpu = next((line.split(':', 1)[1].strip() for line in f if line.startswith('model name')), 'unknown')
    except OSError:
        pass
    core = version_of([os.path.join(VENV_BIN, 'ansible-playbook'), '--version'])
    info = [
        ('nproc', '%d (usable: %d) %s' % (os.cpu_count() or 0, len(os.sched_getaffinity(0)), cpu)),
        ('python', '%s (%s)' % (platform.python_version(), sys.executable)),
        ('ansible-core (a)', core),
        ('dnspython (a)', importlib.metadata.version('dnspython')),
        ('anchor venv (b)', anchor_versions(anchor_venv) if anchor_venv else 'skipped'),
        ('named', version_of([shutil.which('named') or '/usr/sbin/named', '-v'])),
        ('kernel', platform.release()),
    ]
    return info


# ---------------------------------------------------------------- main

def fmt(value, spec='%.2f'):
    return '-' if value is None else spec % value


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--zones', type=int, default=200, help='number of zones (3 records each); default 200')
    parser.add_argument('--port', type=int, default=5390, help='DNS port of the private named on 127.0.0.1; default 5390')
    parser.add_argument('--stats-port', type=int, help="port of named's statistics channel; default --port + 1")
    parser.add_argument('--keep', action='store_true', help='leave the scratch folder (playbooks, outputs, named logs)')
    parser.add_argument('--anchor-venv', default=DEFAULT_ANCHOR_VENV, help='venv with the ansible package; created if missing')
    parser.add_argument('--skip-anchor', action='store_true', help='leave out phase (b) (minutes at N=200)')
    args = parser.parse_args()
    if args.zones < 1:
        parser.error('--zones must be at least 1')
    stats_port = args.stats_port or args.port + 1
    zones = zone_names(args.zones)
    records = 3 * len(zones)

    run = tempfile.mkdtemp(prefix='mailauth-bench-', dir='/var/tmp')
    os.chmod(run, 0o755)
    os.makedirs(os.path.join(run, 'logs'))
    log('scratch folder %s' % run)
    server = Named(run, args.port, stats_port, zones)
    problems = []
    rows = {}
    extra = {}
    try:
        if not args.skip_anchor:
            ensure_anchor_venv(args.anchor_venv)
        collections = os.path.join(run, 'collections')
        subprocess.run([os.path.join(TOP, 'tests', 'utils', 'install_collection.sh'), collections], check=True)
        pem, p_b64 = make_dkim_key()
        want = expected_state(zones, p_b64)
        server.prepare()
        server.start()
        log('named on 127.0.0.1:%d with %d zones' % (args.port, len(zones)))

        env_a = ansible_env(run, collections)
        inv_a = write_inventory(run, 'inventory-a.ini', sys.executable)

        # (e) the empty play; the first run also warms the bytecode caches of ansible-core.
        empty = write_empty_play(run)
        run_playbook(VENV_BIN, empty, inv_a, env_a, run, 'empty-warmup')
        empties = [run_playbook(VENV_BIN, empty, inv_a, env_a, run, 'empty-%d' % i)[0] for i in range(EMPTY_PLAY_RUNS)]
        rows['e'] = dict(first=statistics.median(empties), rerun=statistics.median(empties), updates=(0, 0), queries=(0, 0))
        log('empty play: %s s (median of %s)' % (fmt(rows['e']['first'], '%.3f'), ', '.join('%.3f' % s for s in empties)))

        # (a) mail_domains through ansible-playbook
        play = write_mail_domains_play(run, zones, pem, args.port, server.secret)

        # (f) a trivial task with the same payload (needs the vars file written just above)
        task_floor = write_task_floor_play(run)
        floors = [run_playbook(VENV_BIN, task_floor, inv_a, env_a, run, 'f-%d' % i)[0] for i in range(EMPTY_PLAY_RUNS)]
        rows['f'] = dict(first=statistics.median(floors), rerun=statistics.median(floors))
        row = {}
        for which in ('first', 'rerun'):
            before = server.counters()
            seconds, text = run_playbook(VENV_BIN, play, inv_a, env_a, run, 'a-%s' % which)
            count = delta(before, server.counters())
            found = re.search(r'BENCH ([^"\n]*)', text)
            summary = dict(re.findall(r'(\w+)=(\w+)', found.group(1))) if found else {}
            row[which] = seconds
            row['%s_count' % which] = count
            row['%s_client' % which] = int(summary['zones_changed']) if 'zones_changed' in summary else None
            if which == 'rerun' and (summary.get('task_changed') != 'False' or recap(text).get('changed') != 0):
                problems.append('(a) rerun reported changed (summary %s, recap %s)' % (summary, recap(text)))
            got = snapshot(args.port, zones)
            problems.extend(compare(got, want, '(a) %s' % which))
            log('(a) %s run: %.2f s, UPDATE sent %s (server) / %s (client: zones_changed), recap %s' % (
                which, seconds, count['update'], row['%s_client' % which], recap(text)))
        served_a = got
        rows['a'] = row

        # (a') the same logic in-process
        server.reset()
        row = {}
        for which in ('first', 'rerun'):
            before = server.counters()
            seconds, changed, steps = in_process(collections, args.port, server.secret, zones, pem)
            count = delta(before, server.counters())
            row[which] = seconds
            row['%s_count' % which] = count
            row['%s_client' % which] = changed
            extra['steps_%s' % which] = steps
            problems.extend(compare(snapshot(args.port, zones), want, "(a') %s" % which))
            log("(a') %s run: %.3f s, UPDATE %s; summed time in provider calls (threads overlap): %s" % (
                which, seconds, count['update'], ', '.join('%s %.3f s' % kv for kv in steps.items())))
        rows['a1'] = row

        # (c) the floor
        server.reset()
        row = {}
        for which in ('first', 'rerun'):
            before = server.counters()
            start = time.monotonic()
            sent = floor(args.port, server.secret, zones, p_b64)
            seconds = time.monotonic() - start
            count = delta(before, server.counters())
            row[which] = seconds
            row['%s_count' % which] = count
            row['%s_client' % which] = sent
            got = snapshot(args.port, zones)
            problems.extend(compare(got, want, '(c) %s' % which))
            log('(c) %s run: %.3f s, UPDATE %s (server) / %d (client)' % (which, seconds, count['update'], sent))
        if got != served_a:
            problems.append('(c) serves other values than (a)')
        rows['c'] = row

        # (b) the anchor
        if not args.skip_anchor:
            server.reset()
            env_b = ansible_env(run, os.path.join(run, 'no-collections'))
            inv_b = write_inventory(run, 'inventory-b.ini', os.path.join(args.anchor_venv, 'bin', 'python'))
            play = write_nsupdate_play(run, zones, p_b64, args.port, server.secret)
            bin_b = os.path.join(args.anchor_venv, 'bin')
            run_playbook(bin_b, empty, inv_b, env_b, run, 'b-empty-warmup')
            row = {}
            for which in ('first', 'rerun'):
                log('(b) %s run: %d nsupdate tasks...' % (which, records))
                before = server.counters()
                seconds, text = run_playbook(bin_b, play, inv_b, env_b, run, 'b-%s' % which)
                count = delta(before, server.counters())
                items_changed = len(re.findall(r'^changed: \[localhost\] => \(item=', text, re.M))
                items_ok = len(re.findall(r'^ok: \[localhost\] => \(item=', text, re.M))
                row[which] = seconds
                row['%s_count' % which] = count
                row['%s_client' % which] = None
                extra['b_items_%s' % which] = (items_changed, items_ok)
                if which == 'rerun' and (items_changed or recap(text).get('changed') != 0):
                    problems.append('(b) rerun reported %d changed items' % items_changed)
                got = snapshot(args.port, zones)
                problems.extend(compare(got, want, '(b) %s' % which))
                log('(b) %s run: %.1f s, UPDATE %s (server), items changed %d / ok %d' % (which, seconds, count['update'], items_changed, items_ok))
            if got != served_a:
                problems.append('(b) serves other values than (a)')
            rows['b'] = row
    finally:
        server.stop()

    report(args, rows, extra, problems, records)
    if args.keep:
        log('kept %s' % run)
    else:
        shutil.rmtree(run, ignore_errors=True)
    return 1 if problems else 0


def report(args, rows, extra, problems, records):
    print()
    print('mailauth.rollout bench: %d zones x 3 TXT records = %d records, BIND on 127.0.0.1:%d' % (args.zones, records, args.port))
    for name, value in machine_info(None if args.skip_anchor else args.anchor_venv):
        print('  %-18s %s' % (name, value))
    print()
    labels = [('a', '(a)  mail_domains, 1 task (ansible-playbook)'), ('a1', "(a') mail_domains logic in-process"),
              ('b', '(b)  community.general.nsupdate loop'), ('c', '(c)  raw dnspython, %d threads' % FLOOR_THREADS),
              ('e', '(e)  empty play (ansible-playbook)'), ('f', '(f)  one ping task, same domains argument')]
    columns = ('phase', 'first s', 'rerun s', 'UPDATEs first/rerun', 'queries f/r', 's/rec 1st', 's/rec rerun')
    head = '%-46s %9s %9s  %-34s %-13s %10s %10s' % columns
    print(head)
    print('-' * len(head))
    for key, label in labels:
        row = rows.get(key)
        if row is None:
            print('%-46s %9s' % (label, 'skipped'))
            continue
        if key in ('e', 'f'):
            print('%-46s %9.3f %9s  %-34s %-13s %10s %10s' % (label, row['first'], '(same)', '0', '-', '-', '-'))
            continue
        first, rerun = row['first_count'], row['rerun_count']
        updates = '%s/%s srv' % (fmt(first['update'], '%d'), fmt(rerun['update'], '%d'))
        updates += ', %d/%d log' % (first['log_updates'], rerun['log_updates'])
        if row.get('first_client') is not None:
            updates += ', %d/%d cli' % (row['first_client'], row['rerun_client'])
        queries = '%s/%s' % (fmt(first['query'], '%d'), fmt(rerun['query'], '%d'))
        cells = (label, row['first'], row['rerun'], updates, queries, row['first'] / records, row['rerun'] / records)
        print('%-46s %9.3f %9.3f  %-34s %-13s %10.5f %10.5f' % cells)
    print()
    print('UPDATEs: srv = opcode UPDATE counter of the statistics channel, log = "update section prescan OK" lines of the')
    print('update log (both count messages received, no-op ones too); cli = what the client says it sent (mail_domains:')
    print('summary.zones_changed; floor: its own count). queries: opcode QUERY counter (includes the verification reads).')
    if 'b_items_first' in extra:
        print('(b) items changed/ok: first %d/%d, rerun %d/%d' % (extra['b_items_first'] + extra['b_items_rerun']))
    for which in ('first', 'rerun'):
        if 'steps_%s' % which in extra:
            print("(a') %s: time summed over provider calls (threads overlap): %s" % (
                which, ', '.join('%s %.3f s' % kv for kv in extra['steps_%s' % which].items())))
    print()
    a, b, c, e = rows.get('a'), rows.get('b'), rows.get('c'), rows.get('e')
    print('ratios                                        value    target')
    if a and b:
        for which, target in (('first', TARGET_FIRST), ('rerun', TARGET_RERUN)):
            ratio = b[which] / a[which]
            print('  (b)/(a) %-6s (a faster than the anchor) %8.1fx  >= %gx  %s' % (which, ratio, target, 'met' if ratio >= target else 'MISSED'))
    else:
        print('  (b)/(a)                                       -     (phase b skipped)')
    if a and c and e:
        for which in ('first', 'rerun'):
            ratio = (a[which] - e[which]) / c[which]
            print('  ((a)-(e))/(c) %-6s (a near the floor)    %8.1fx  <= %gx   %s' % (which, ratio, TARGET_FLOOR, 'met' if ratio <= TARGET_FLOOR else 'MISSED'))
    f = rows.get('f')
    if a and c and f:
        # Not a target: (e) runs no module at all, so (a)-(e) also counts what every task with this argument costs.
        for which in ('first', 'rerun'):
            print('  ((a)-(f))/(c) %-6s (informational: a task with the same argument as the fixed cost) %.1fx' % (
                which, (a[which] - f[which]) / c[which]))
    print()
    if problems:
        print('RECORD CHECKS FAILED (%d):' % len(problems))
        for line in problems[:10]:
            print('  ' + line)
    else:
        print('record checks: every phase left all %d records with the exact expected strings and TTL %d, verification TXT intact,' % (
            records, TTL))
        print('all phases serve identical values, and every rerun reported no change.')


if __name__ == '__main__':
    sys.exit(main())
