# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two BIND 9 authoritative servers on loopback for the RFC 2136 provider and dns_wait.

The primary (default 127.0.0.1:5353) serves rfc2136.test, wait.test and bulk01.test..bulk50.test;
the second server (default 127.0.0.1:5355) serves its own copy of wait.test as a separate primary,
so a test can update one and let the other lag. Both take TSIG-signed updates from `test-key` only;
`other-key` is known to both but granted nothing.

Also a small command line, copied into the run folder so the restart/stop scripts written there do
not depend on the checkout: `python services_bind.py restart|stop --conf C --pid P --log L --port N`.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procs import alive, port_busy  # noqa: E402 pylint: disable=wrong-import-position

KEY_NAME = 'test-key'
OTHER_KEY_NAME = 'other-key'
ALGORITHM = 'hmac-sha256'
VERIFICATION_TXT = 'google-site-verification=Xq2_keep-me-byte-for-byte'
BULK_ZONES = tuple('bulk%02d.test' % i for i in range(1, 51))
READY_TIMEOUT = 10.0


def _named():
    return shutil.which('named') or '/usr/sbin/named'


def tsig_key(run, name):
    """Write `<run>/<name>.key` with tsig-keygen; returns (path, secret)."""
    path = os.path.join(run, '%s.key' % name)
    keygen = shutil.which('tsig-keygen') or '/usr/sbin/tsig-keygen'
    text = subprocess.run([keygen, '-a', ALGORITHM, name], check=True, capture_output=True, text=True).stdout
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, 0o600)
    match = re.search(r'secret\s+"([^"]+)"', text)
    if not match:
        raise RuntimeError('tsig-keygen wrote no secret: %r' % text)
    return path, match.group(1)


def zone_text(zone, extra=()):
    lines = [
        '$TTL 300',
        '$ORIGIN %s.' % zone,
        '@ IN SOA ns1 hostmaster 2026010101 3600 600 86400 300',
        '@ IN NS ns1',
        'ns1 IN A 127.0.0.1',
    ]
    lines.extend(extra)
    return '\n'.join(lines) + '\n'


def write_instance(directory, port, zones, key_files):
    """A named.conf plus one zone file per zone in `directory`; returns the conf path.

    `zones` maps zone name -> extra zone file lines.
    """
    # A journal left by an earlier run would be replayed onto the fresh zone file: start from nothing.
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    # named writes .jnl files next to the zones, and tests read the folder as another user may.
    os.chmod(directory, 0o755)
    conf = [
        'include "%s";' % path for path in key_files
    ]
    conf.append('''options {
  directory "%(dir)s";
  listen-on port %(port)d { 127.0.0.1; };
  listen-on-v6 { none; };
  pid-file "%(pid)s";
  session-keyfile "%(dir)s/session.key";
  recursion no;
  allow-query { 127.0.0.1; };
  allow-transfer { key "%(key)s"; };
  notify no;
  dnssec-validation no;
};
controls { };''' % dict(dir=directory, port=port, pid=pid_path(directory), key=KEY_NAME))
    for zone, extra in zones.items():
        path = os.path.join(directory, 'db.%s' % zone)
        with open(path, 'w') as f:
            f.write(zone_text(zone, extra))
        conf.append('zone "%s" { type primary; file "%s"; update-policy { grant %s zonesub ANY; }; };' % (zone, path, KEY_NAME))
    path = os.path.join(directory, 'named.conf')
    with open(path, 'w') as f:
        f.write('\n'.join(conf) + '\n')
    return path


def pid_path(directory):
    # services.py stop kills every <run>/*.pid; the instance folder sits directly in run.
    run = os.path.dirname(directory.rstrip('/'))
    return os.path.join(run, 'named-%s.pid' % os.path.basename(directory.rstrip('/')))


def _log_tail(log, lines=30):
    try:
        with open(log, errors='replace') as f:
            return ''.join(f.readlines()[-lines:])
    except OSError as e:
        return '(no log: %s)' % e


def answers(port, zone, timeout=0.5):
    """True when 127.0.0.1:port answers an SOA query for `zone` over TCP with NOERROR."""
    try:
        response = dns.query.tcp(dns.message.make_query(zone, dns.rdatatype.SOA), '127.0.0.1', timeout=timeout, port=port)
    except (OSError, EOFError, dns.exception.DNSException):
        return False
    return response.rcode() == dns.rcode.NOERROR and bool(response.answer)


def launch(conf, pid_file, log, port, zone):
    """Start `named -g -c conf` in its own session, record its PID and wait until it answers for `zone`."""
    if port_busy(port):
        # named would start anyway, fail to listen, and the old server would answer in its place.
        raise RuntimeError('port %d on 127.0.0.1 is already taken (a named left over from an earlier run? '
                           'stop it with services.py stop --run DIR)' % port)
    with open(log, 'ab') as out:
        proc = subprocess.Popen([_named(), '-g', '-c', conf], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    with open(pid_file, 'w') as f:
        f.write('%d\n' % proc.pid)
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError('named (%s) exited with status %s before answering on port %d; log tail:\n%s' % (
                conf, proc.returncode, port, _log_tail(log)))
        if answers(port, zone):
            return proc.pid
        time.sleep(0.1)
    raise RuntimeError('named (%s) did not answer an SOA query for %s on 127.0.0.1:%d within %d s; log tail:\n%s' % (
        conf, zone, port, READY_TIMEOUT, _log_tail(log)))


def stop_instance(pid_file, port, timeout=15.0):
    """SIGTERM the PID in pid_file and wait until it is gone and the TCP port refuses connections."""
    try:
        with open(pid_file) as f:
            pid = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        pid = None
    if pid is not None:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (pid is None or not alive(pid)) and not port_busy(port):
            try:
                os.unlink(pid_file)
            except OSError:
                pass
            return
        try:
            os.waitpid(pid, os.WNOHANG)
        except (OSError, TypeError):
            pass
        time.sleep(0.1)
    raise RuntimeError('named (PID %s) still holds port %d after %d s' % (pid, port, timeout))


def _script(run, name, python, helper, action, conf, pid_file, log, port, zone):
    path = os.path.join(run, name)
    with open(path, 'w') as f:
        f.write('#!/bin/sh\n# %s the primary named of the integration tests.\nexec %s\n' % (action, ' '.join(shlex.quote(str(a)) for a in (
            python, helper, action, '--conf', conf, '--pid', pid_file, '--log', log, '--port', port, '--zone', zone))))
    os.chmod(path, 0o755)
    return path


def start(run, port=None, port2=None, bulk=True, second=True):
    """Start both servers (the second one only with `second`); returns the targets' variables.

    Ports default to 5353 and 5355, or MAILAUTH_BIND_PORT / MAILAUTH_BIND_PORT2 so that two checkouts
    can run their integration tests side by side.
    """
    port = port or int(os.environ.get('MAILAUTH_BIND_PORT') or 5353)
    port2 = (port2 or int(os.environ.get('MAILAUTH_BIND_PORT2') or 5355)) if second else None
    run = os.path.abspath(run)
    os.makedirs(run, exist_ok=True)
    key_file, secret = tsig_key(run, KEY_NAME)
    other_file, other_secret = tsig_key(run, OTHER_KEY_NAME)
    bad_secret = base64.b64encode(os.urandom(32)).decode('ascii')

    primary_zones = {
        'rfc2136.test': ['@ IN TXT "%s"' % VERIFICATION_TXT, 'www IN A 192.0.2.80'],
        'wait.test': [],
    }
    if bulk:
        primary_zones.update((zone, []) for zone in BULK_ZONES)
    primary_dir = os.path.join(run, 'primary')
    conf = write_instance(primary_dir, port, primary_zones, [key_file, other_file])
    pid_file = pid_path(primary_dir)
    log = os.path.join(run, 'named-primary.log')
    launch(conf, pid_file, log, port, 'rfc2136.test')

    variables = dict(
        bind_server='127.0.0.1',
        bind_port=port,
        bind_key_name=KEY_NAME,
        bind_key_secret=secret,
        bind_key_algorithm=ALGORITHM,
        bind_key_file=key_file,
        bind_bad_key_secret=bad_secret,
        bind_other_key_name=OTHER_KEY_NAME,
        bind_other_key_secret=other_secret,
        bind_run=run,
        bind_named_conf=conf,
        bind_pid_file=pid_file,
        bind_log=log,
        bind_verification_txt=VERIFICATION_TXT,
        bind_bulk_zones=list(BULK_ZONES) if bulk else [],
    )

    if port2:
        second_dir = os.path.join(run, 'second')
        conf2 = write_instance(second_dir, port2, {'wait.test': []}, [key_file, other_file])
        log2 = os.path.join(run, 'named-second.log')
        launch(conf2, pid_path(second_dir), log2, port2, 'wait.test')
        variables.update(bind_port2=port2, bind_named_conf2=conf2, bind_pid_file2=pid_path(second_dir))

    helper = os.path.join(run, 'services_bind.py')
    shutil.copyfile(os.path.abspath(__file__), helper)
    shutil.copyfile(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'procs.py'), os.path.join(run, 'procs.py'))
    args = (sys.executable, helper)
    variables['bind_restart_cmd'] = _script(run, 'named-restart.sh', *args, action='restart', conf=conf, pid_file=pid_file, log=log,
                                            port=port, zone='rfc2136.test')
    variables['bind_stop_cmd'] = _script(run, 'named-stop.sh', *args, action='stop', conf=conf, pid_file=pid_file, log=log,
                                         port=port, zone='rfc2136.test')
    return variables


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('action', choices=['restart', 'stop'])
    parser.add_argument('--conf', required=True)
    parser.add_argument('--pid', required=True)
    parser.add_argument('--log', required=True)
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--zone', required=True)
    args = parser.parse_args()
    if args.action == 'stop':
        stop_instance(args.pid, args.port)
        return 0
    if answers(args.port, args.zone):
        return 0
    launch(args.conf, args.pid, args.log, args.port, args.zone)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
