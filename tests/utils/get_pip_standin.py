# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for ansible-test's downloaded get-pip bootstrap script (its host is unreachable here).

ansible-test runs it as `python get_pip.py [pip options] pip==X --no-setuptools --no-wheel`:
bootstrap pip with ensurepip, then let that pip install what was asked for.
"""

from __future__ import annotations

import subprocess
import sys


def main():
    args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)


if __name__ == '__main__':
    main()
