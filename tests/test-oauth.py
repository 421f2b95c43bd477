#!/usr/bin/env python3
"""XOAUTH2 with token refresh, against Dovecot and a loopback token stub.

Dovecot with a passwd-file checks an XOAUTH2 token as if it were the
password, so the stub hands out the password as the access token.  The
first sync refreshes and caches the token (owner-only); the next uses the
cache; a stale cached token is refused by the server, refreshed and retried
once; a refused grant is a configuration error that says to authorize
again, and no secret shows in any output.  Each OAuth2 command is bounded
as password_command is (issue 18): one that hangs, leaving a child
behind, is stopped at `timeout` with its process group (exit 75, the child
gone); one that fails after 10 MB on stderr yields one short line.
"""
import datetime
import http.server
import json
import os
import stat
import re
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
from harness import serve_http, start_dovecot  # noqa: E402
from tap import ok, done  # noqa: E402

RENRAKU = os.environ.get('RENRAKU', 'src/renraku')
TOP = os.environ.get('TOP_SRCDIR', '.')
JST = datetime.timezone(datetime.timedelta(hours=9))
NOW = '2026-12-09T10:00:00+09:00'
SECRET = 'client-secret-Q9x'
REFRESH = 'refresh-token-Z7y'

calls = []
mode = {'grant': 'ok'}


class Token(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get('Content-Length', 0))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        calls.append(form)
        if (mode['grant'] != 'ok' or form.get('refresh_token') != [REFRESH]
                or form.get('client_secret') != [SECRET]):
            body, code = {'error': 'invalid_grant'}, 400
        else:
            body, code = {'access_token': dovecot.PASSWORD,
                          'expires_in': 3600, 'token_type': 'Bearer'}, 200
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


web = serve_http(Token)
srv = start_dovecot()
try:
    state = os.path.join(srv.dir, 'state')
    cfg = srv.renraku_config(
        os.path.join(srv.dir, 'config'), state, password_command=None,
        auth='xoauth2',
        oauth2_token_url='http://127.0.0.1:%d/token' % web.server_port,
        oauth2_client_id='renraku-test',
        oauth2_client_secret_command="echo '%s'" % SECRET,
        oauth2_refresh_token_command="echo '%s'" % REFRESH)
    env = dict(os.environ, RENRAKU_DATADIR=TOP,
               XDG_CONFIG_HOME=os.path.join(srv.dir, 'xdg'))

    def sync(*extra):
        return subprocess.run([RENRAKU, '-c', cfg] + list(extra) +
                              ['sync', '--now', NOW], capture_output=True,
                              text=True, env=env, timeout=120)

    r = sync()
    ok(r.returncode == 0 and len(calls) == 1,
       'first sync: one refresh, then XOAUTH2 login', (r.stderr, calls))
    ok('Login: user=<%s>, method=XOAUTH2' % dovecot.USER in srv.log_text(),
       'Dovecot saw an XOAUTH2 login', srv.log_text()[-1500:])
    cache = os.path.join(state, 'oauth2-main.json')
    ok(os.path.exists(cache) and
       stat.S_IMODE(os.stat(cache).st_mode) == 0o600,
       'the token is cached, owner-only')
    r = sync()
    ok(r.returncode == 0 and len(calls) == 1,
       'the next sync uses the cached token', (r.stderr, len(calls)))

    with open(cache) as f:
        c = json.load(f)
    c['access_token'] = 'stale-token'
    with open(cache, 'w') as f:
        json.dump(c, f)
    r = sync('-v', '-v')
    ok(r.returncode == 0 and len(calls) == 2,
       'a refused token is refreshed and tried once more', (r.stderr[-800:],
                                                           len(calls)))
    out = r.stdout + r.stderr
    ok(dovecot.PASSWORD not in out and SECRET not in out and
       REFRESH not in out and 'stale-token' not in out,
       'no token or secret in the -v -v trace')

    os.unlink(cache)
    mode['grant'] = 'revoked'
    r = sync()
    ok(r.returncode == 78 and 'invalid_grant' in r.stderr and
       'authorize' in r.stderr and SECRET not in r.stderr,
       'a refused grant: exit 78, saying to authorize again', r.stderr)

    # The OAuth2 commands, bounded in time and in what they print.
    mode['grant'] = 'ok'
    pidfile = os.path.join(srv.dir, 'child.pid')
    for key in ('oauth2_client_secret_command',
                'oauth2_refresh_token_command'):
        hang = srv.renraku_config(
            os.path.join(srv.dir, 'config-hang'), state, password_command=None,
            auth='xoauth2',
            oauth2_token_url='http://127.0.0.1:%d/token' % web.server_port,
            oauth2_client_id='renraku-test',
            **dict({'oauth2_client_secret_command': "echo '%s'" % SECRET,
                    'oauth2_refresh_token_command': "echo '%s'" % REFRESH},
                   **{key: "sleep 600 & echo $! >'%s'; wait" % pidfile}))
        with open(hang) as f:
            text = f.read()
        with open(hang, 'w') as f:
            f.write(text.replace('[general]\n', '[general]\ntimeout = 2\n',
                                 1))
        if os.path.exists(pidfile):
            os.unlink(pidfile)
        t0 = time.monotonic()
        r = subprocess.run([RENRAKU, '-c', hang, 'sync', '--now', NOW],
                           capture_output=True, text=True, env=env,
                           timeout=60)
        took = time.monotonic() - t0
        time.sleep(0.2)
        with open(pidfile) as f:
            child = int(f.read())
        # gone, or a zombie left for init to reap: it runs no more
        try:
            with open('/proc/%d/stat' % child) as f:
                gone = f.read().rsplit(')', 1)[1].split()[0] in 'ZX'
        except FileNotFoundError:
            gone = True
        ok(r.returncode == 75 and took < 6 and gone and
           len(r.stderr.strip().splitlines()) == 1 and key in r.stderr,
           '%s that hangs: stopped after timeout = 2 (%.1f s), exit 75, its '
           'child gone, one line' % (key, took), (r.returncode, r.stderr))

        flood = srv.renraku_config(
            os.path.join(srv.dir, 'config-flood'), state,
            password_command=None, auth='xoauth2',
            oauth2_token_url='http://127.0.0.1:%d/token' % web.server_port,
            oauth2_client_id='renraku-test',
            **dict({'oauth2_client_secret_command': "echo '%s'" % SECRET,
                    'oauth2_refresh_token_command': "echo '%s'" % REFRESH},
                   **{key: "head -c 10000000 /dev/zero | tr '\\\\0' 'x' "
                      ">&2; printf '\\\\033[31m%s\\\\n' >&2; exit 1" % SECRET}))
        r = subprocess.run([RENRAKU, '-c', flood, 'sync', '--now', NOW],
                           capture_output=True, text=True, env=env,
                           timeout=60)
        line = r.stderr.strip()
        ok(r.returncode in (75, 78) and len(line.splitlines()) == 1 and
           len(line.encode()) < 300 and '\x1b' not in line and
           SECRET not in line and re.search(key, line),
           '%s with 10 MB on stderr: one line of %d bytes, no escape, no '
           'secret' % (key, len(line.encode())), line[:400])
finally:
    srv.cleanup()
    web.shutdown()
done()
