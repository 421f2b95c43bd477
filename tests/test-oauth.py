#!/usr/bin/env python3
"""XOAUTH2 with token refresh, against Dovecot and a loopback token stub.

Dovecot with a passwd-file checks an XOAUTH2 token as if it were the
password, so the stub hands out the password as the access token.  The
first sync refreshes and caches the token (owner-only); the next uses the
cache; a stale cached token is refused by the server, refreshed and retried
once; a refused grant is a configuration error that says to authorize
again, and no secret shows in any output.
"""
import datetime
import http.server
import json
import os
import stat
import subprocess
import sys
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
finally:
    srv.cleanup()
    web.shutdown()
done()
