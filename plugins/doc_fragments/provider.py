# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):

    # The `provider` option shared by every module that reads or writes DNS.
    DOCUMENTATION = r'''
options:
  provider:
    description:
      - Where the records live and how to reach them.
      - Set it once per play with C(module_defaults) for the action group C(group/mailauth.rollout.dns).
    type: dict
    required: true
    suboptions:
      type:
        description:
          - The DNS provider.
          - V(zonefile) edits BIND-format zone files on the controller (the embedded default).
          - V(rfc2136) sends dynamic updates (RFC 2136) signed with TSIG to the primary nameserver.
          - V(powerdns) uses the PowerDNS Authoritative HTTP API.
        type: str
        default: zonefile
        choices: [zonefile, rfc2136, powerdns]
      path:
        description:
          - O(provider.type=zonefile) only. One zone file that holds the zone of the records.
          - Mutually exclusive with O(provider.directory).
        type: path
      directory:
        description:
          - O(provider.type=zonefile) only. A directory with one zone file per zone, named after the zone
            (V(example.com), V(example.com.zone) or V(db.example.com)).
          - The zone of a record is the longest parent name of the record that has a file.
        type: path
      origin:
        description:
          - O(provider.type=zonefile) with O(provider.path) only. The zone's origin when the file has no C($ORIGIN).
        type: str
      server:
        description:
          - O(provider.type=rfc2136) only. The primary nameserver (address or host name) that takes updates.
          - Taken from E(MAILAUTH_DNS_SERVER) when not given.
        type: str
      port:
        description: O(provider.type=rfc2136) only. Its port.
        type: int
        default: 53
      zone:
        description:
          - O(provider.type=rfc2136) only. The zone to update; found by an SOA walk from the record name when omitted.
        type: str
      key_name:
        description:
          - O(provider.type=rfc2136) only. TSIG key name. Taken from E(MAILAUTH_TSIG_KEY_NAME) when not given.
        type: str
      key_secret:
        description:
          - O(provider.type=rfc2136) only. TSIG secret (base64). Taken from E(MAILAUTH_TSIG_KEY_SECRET) when not given.
          - Never logged.
        type: str
      key_algorithm:
        description:
          - O(provider.type=rfc2136) only. TSIG algorithm. Taken from E(MAILAUTH_TSIG_KEY_ALGORITHM) when not given.
        type: str
        default: hmac-sha256
        choices: [hmac-sha256, hmac-sha384, hmac-sha512]
      key_file:
        description:
          - O(provider.type=rfc2136) only. A BIND key file (as written by C(tsig-keygen)) instead of O(provider.key_name)
            and O(provider.key_secret). Taken from E(MAILAUTH_TSIG_KEY_FILE) when not given.
        type: path
      axfr:
        description:
          - O(provider.type=rfc2136) only. Read the current records with one zone transfer (AXFR, signed with the key)
            instead of one query per name.
        type: bool
        default: false
      sign_queries:
        description:
          - O(provider.type=rfc2136) only. Sign the queries that read the current records with the TSIG key too.
          - By default reads are plain queries (the signed UPDATE's prerequisites are what protect the zone), and
            signing starts by itself when the server refuses an unsigned query. Set it when the server picks a
            view by TSIG key, so that reads see the same view as the update.
        type: bool
        default: false
      api_url:
        description:
          - O(provider.type=powerdns) only. Base URL of the API, for example V(http://127.0.0.1:8081).
          - Taken from E(MAILAUTH_PDNS_API_URL) when not given.
        type: str
      api_key:
        description:
          - O(provider.type=powerdns) only. The API key (C(X-API-Key)). Taken from E(MAILAUTH_PDNS_API_KEY) when not given.
          - Never logged.
        type: str
      server_id:
        description: O(provider.type=powerdns) only. The server id in the API path.
        type: str
        default: localhost
      validate_certs:
        description: O(provider.type=powerdns) only. Verify the API's TLS certificate.
        type: bool
        default: true
      timeout:
        description: Network providers only. Seconds to wait for one answer.
        type: float
        default: 10.0
      retries:
        description:
          - Network providers only. How often a timed-out, refused, rate-limited (HTTP 429) or failing (HTTP 5xx, SERVFAIL)
            call is retried, with exponential backoff and jitter, before the zone fails.
        type: int
        default: 3
'''

    # The common attributes of every record module.
    ATTRIBUTES = r'''
attributes:
  check_mode:
    support: full
    description: Computes the change set and applies nothing.
  diff_mode:
    support: full
    description: Shows the changed RRsets before and after, TXT values as decoded text.
  action_group:
    support: full
    description: Use C(group/mailauth.rollout.dns) in C(module_defaults) to set O(provider) once.
    membership:
      - mailauth.rollout.dns
'''
