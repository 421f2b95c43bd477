#!/usr/bin/env python3
"""The server certificate is checked before anything is sent.

Against a real Dovecot: a certificate not signed by the configured CA, and
one issued for another host name, make sync fail with a message naming the
problem and exit 75, and Dovecot sees no login attempt.  The same holds for
STARTTLS.  The right CA and name sync.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
from tap import ok, done, bail  # noqa: E402

RENRAKU = os.environ.get('RENRAKU', 'src/renraku')
TOP = os.environ.get('TOP_SRCDIR', '.')
NOW = '2026-12-09T10:00:00+09:00'


def sync(srv, cfg):
    env = dict(os.environ, RENRAKU_DATADIR=TOP,
               XDG_CONFIG_HOME=os.path.join(srv.dir, 'xdg'))
    return subprocess.run([RENRAKU, '-c', cfg, 'sync', '--now', NOW],
                          capture_output=True, text=True, env=env,
                          timeout=120)


def logins(srv):
    """Lines of Dovecot's log that show an authentication attempt."""
    return [l for l in srv.log_text().splitlines()
            if 'imap-login: Login:' in l or 'auth' in l.lower() and
            'user=<' in l and 'user=<>' not in l]


def check_rejected(srv, name, cfg, words):
    before = len(srv.log_text())
    r = sync(srv, cfg)
    ok(r.returncode == 75, name + ': sync exits 75', (r.returncode, r.stderr))
    ok('certificate' in r.stderr and all(w in r.stderr for w in words),
       name + ': the message names the certificate problem', r.stderr)
    ok(r.stdout == '', name + ': nothing on stdout', r.stdout)
    after = srv.log_text()[before:]
    ok('Login:' not in after and dovecot.USER not in after,
       name + ': no LOGIN reached the server', after)


servers = []
try:
    good = dovecot.Dovecot()
    servers.append(good)
    good.start()
    other = dovecot.Dovecot(cert_san='DNS:mail.other.example')
    servers.append(other)
    other.start()
except Exception as e:  # noqa: BLE001
    bail('cannot start dovecot: %s' % e)

try:
    for sec in ('tls', 'starttls'):
        st = os.path.join(good.dir, 'state-' + sec)
        cfg = good.renraku_config(os.path.join(good.dir, 'wrong-ca-' + sec),
                                  st, security=sec, ca_file=good.other_ca)
        check_rejected(good, sec + ', unknown CA', cfg, ['issuer'])

        cfg = other.renraku_config(os.path.join(other.dir, 'wrong-host-' +
                                                sec), st, security=sec)
        check_rejected(other, sec + ', certificate for another host', cfg,
                       ['name', 'mail.other.example'])

        # The system store does not know our private CA either.
        cfg = good.renraku_config(os.path.join(good.dir, 'system-' + sec),
                                  st, security=sec, ca_file=None)
        check_rejected(good, sec + ', private CA not pinned', cfg, [])

        cfg = good.renraku_config(os.path.join(good.dir, 'right-' + sec),
                                  st, security=sec)
        r = sync(good, cfg)
        ok(r.returncode == 0, sec + ': the right CA and host name sync',
           r.stderr)
        ok('Login: user=<%s>' % dovecot.USER in good.log_text(),
           sec + ': and then renraku logs in', good.log_text()[-2000:])
finally:
    for s in servers:
        s.cleanup()
done()
