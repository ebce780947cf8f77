# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start and stop the real servers the integration targets use, on loopback, from a scratch folder.

`start --run DIR --config FILE` starts them, records their PIDs in DIR and writes FILE (variables
for the targets); `stop --run DIR` stops exactly the processes it started.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procs import alive  # noqa: E402 pylint: disable=wrong-import-position


def write_config(path, variables):
    # JSON is valid YAML; ansible-test loads this file as extra variables.
    with open(path, 'w') as f:
        json.dump(variables, f, indent=2, sort_keys=True)


def start(run, config):
    """Start every server; each services_<name>.start(run) returns the variables its targets need."""
    import services_bind
    import services_pdns
    variables = {
        'mailauth_scratch': run,
        'named_checkzone': shutil.which('named-checkzone') or '/usr/bin/named-checkzone',
    }
    for server in (services_bind, services_pdns):
        variables.update(server.start(run))
    write_config(config, variables)
    return 0


def stop(run):
    for name in sorted(os.listdir(run)) if os.path.isdir(run) else []:
        if not name.endswith('.pid'):
            continue
        try:
            with open(os.path.join(run, name)) as f:
                pid = int(f.read().split()[0])
            os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError, IndexError):
            continue
        for dummy in range(100):
            if not alive(pid):
                break
            time.sleep(0.1)
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('action', choices=['start', 'stop'])
    parser.add_argument('--run', required=True)
    parser.add_argument('--config')
    args = parser.parse_args()
    if args.action == 'start':
        return start(args.run, args.config)
    return stop(args.run)


if __name__ == '__main__':
    raise SystemExit(main())
