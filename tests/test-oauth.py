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

renraku auth (issue 19), against a provider written for the test (the
authorization and token endpoints Google and Microsoft would be), the test
playing the browser: the PKCE verifier checks out, the code is exchanged,
the refresh token is kept owner-only (or given to the store command), a
later sync logs in to Dovecot with XOAUTH2 on a token refreshed from it,
a rotated refresh token replaces the old one, and a refused sign-in, an
unknown client, an expired code and a browser that never comes back each
end with one line and exit 78.
"""
import base64
import datetime
import hashlib
import http.server
import json
import os
import stat
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

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


class Provider(http.server.BaseHTTPRequestHandler):
    """The provider's side of the authorization-code grant and of the
    refresh-token grant that follows it; its state in 'prov'."""

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        prov['asked'].append(q)
        back = q.get('redirect_uri', '')
        if prov['mode'] == 'deny':
            answer = {'error': 'access_denied',
                      'error_description': 'The user said no'}
        else:
            code = 'code-%d' % len(prov['asked'])
            prov['codes'][code] = q
            answer = {'code': code}
        answer['state'] = q.get('state', '')
        self.send_response(302)
        self.send_header('Location', back + '?' +
                         urllib.parse.urlencode(answer))
        self.end_headers()

    def do_POST(self):
        n = int(self.headers.get('Content-Length', 0))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
        prov['posts'].append(form)
        body, status = self.grant(form)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def grant(self, form):
        if form.get('client_id') != 'renraku-app':
            return {'error': 'invalid_client'}, 401
        if form.get('grant_type') == 'authorization_code':
            asked = prov['codes'].pop(form.get('code'), None)
            if prov['mode'] == 'expired' or asked is None:
                return {'error': 'invalid_grant'}, 400
            verifier = form.get('code_verifier', '').encode()
            s256 = base64.urlsafe_b64encode(
                hashlib.sha256(verifier).digest()).rstrip(b'=').decode()
            prov['pkce'] = (asked.get('code_challenge_method') == 'S256' and
                            s256 == asked.get('code_challenge') and
                            43 <= len(verifier) <= 128)
            if (not prov['pkce'] or
                    form.get('redirect_uri') != asked.get('redirect_uri')):
                return {'error': 'invalid_grant'}, 400
            prov['issued'] += 1
            rt = 'rt-%d' % prov['issued']
            prov['valid'] = {rt}
        elif form.get('grant_type') == 'refresh_token':
            rt = form.get('refresh_token')
            if rt not in prov['valid']:
                return {'error': 'invalid_grant'}, 400
            if prov['rotate']:
                prov['issued'] += 1
                rt = 'rt-%d' % prov['issued']
                prov['valid'] = {rt}
        else:
            return {'error': 'unsupported_grant_type'}, 400
        return {'access_token': dovecot.PASSWORD, 'expires_in': 3600,
                'token_type': 'Bearer', 'refresh_token': rt}, 200

    def log_message(self, *args):
        pass


prov = {'mode': 'ok', 'asked': [], 'codes': {}, 'posts': [], 'pkce': None,
        'issued': 0, 'valid': set(), 'rotate': False}
web = serve_http(Token)
provider = serve_http(Provider)
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

    # renraku auth: the test is the browser.
    base = 'http://127.0.0.1:%d' % provider.server_port

    def auth_config(name, **keys):
        return srv.renraku_config(
            os.path.join(srv.dir, name), os.path.join(srv.dir, 'st-' + name),
            password_command=None, auth='xoauth2',
            oauth2_auth_url=base + '/authorize',
            oauth2_token_url=base + '/token',
            oauth2_client_id=keys.pop('client', 'renraku-app'),
            oauth2_scope='https://mail.google.com/', **keys)

    def auth(c, browse=True, wait='20'):
        """renraku auth main: (exit, stdout, stderr, what the browser
        got)."""
        p = subprocess.Popen([RENRAKU, '-c', c, 'auth', 'main', '--wait',
                              wait, '--no-browser'], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
        out, page = [], None
        for line in p.stdout:
            out.append(line)
            if line.startswith('  http'):
                break
        if browse and out and out[-1].startswith('  http'):
            try:
                with urllib.request.urlopen(out[-1].strip(), timeout=20) as r:
                    page = r.read().decode()
            except urllib.error.HTTPError as e:
                page = 'HTTP %d' % e.code
        rest, err = p.communicate(timeout=60)
        return p.returncode, ''.join(out) + rest, err, page

    def rt_file(c):
        return os.path.join(srv.dir, 'st-' + c, 'oauth2-main.refresh')

    def sync_with(c):
        return subprocess.run([RENRAKU, '-c', os.path.join(srv.dir, c),
                               'sync', '--now', NOW], capture_output=True,
                              text=True, env=env, timeout=120)

    c = auth_config('auth')
    rc, out, err, page = auth(c)
    asked = prov['asked'][-1] if prov['asked'] else {}
    ok(rc == 0 and 'Signed in' in out and err == '' and
       'signed in' in (page or ''),
       'renraku auth: the browser is sent back with a code, renraku says '
       'it is signed in', (rc, out, err, page))
    ok(asked.get('redirect_uri', '').startswith('http://127.0.0.1:') and
       asked.get('code_challenge_method') == 'S256' and
       asked.get('response_type') == 'code' and
       asked.get('login_hint') == dovecot.USER and
       asked.get('scope') == 'https://mail.google.com/',
       'the authorization request: loopback redirect, PKCE S256, the '
       'scope, the user as login_hint', asked)
    ok(prov['pkce'] is True, 'the PKCE verifier checks out against the '
       'challenge', prov['posts'][-1:])
    path = rt_file('auth')
    ok(os.path.exists(path) and
       stat.S_IMODE(os.stat(path).st_mode) == 0o600 and
       open(path).read() == 'rt-1' and 'rt-1' not in out + err,
       'the refresh token is kept owner-only in the state directory, '
       'never printed', (path, out))
    os.unlink(os.path.join(srv.dir, 'st-auth', 'oauth2-main.json'))
    before = srv.log_text().count('method=XOAUTH2')
    r = sync_with('auth')
    ok(r.returncode == 0 and prov['posts'][-1].get('grant_type') ==
       'refresh_token' and prov['posts'][-1].get('refresh_token') ==
       'rt-1' and srv.log_text().count('method=XOAUTH2') == before + 1,
       'a later sync refreshes from it and logs in with XOAUTH2',
       (r.returncode, r.stderr, prov['posts'][-1:]))

    prov['rotate'] = True
    os.unlink(os.path.join(srv.dir, 'st-auth', 'oauth2-main.json'))
    r = sync_with('auth')
    rotated = open(path).read()
    os.unlink(os.path.join(srv.dir, 'st-auth', 'oauth2-main.json'))
    r2 = sync_with('auth')
    ok(r.returncode == 0 and r2.returncode == 0 and rotated == 'rt-2' and
       open(path).read() == 'rt-3' and
       stat.S_IMODE(os.stat(path).st_mode) == 0o600,
       'a rotated refresh token replaces the old one (which the provider '
       'no longer takes), run after run', (r.stderr, r2.stderr, rotated))
    prov['rotate'] = False

    kept = os.path.join(srv.dir, 'kept-token')
    c = auth_config('auth-store',
                    oauth2_refresh_token_store_command="cat > '%s'" % kept,
                    oauth2_refresh_token_command="cat '%s'" % kept)
    rc, out, err, page = auth(c)
    ok(rc == 0 and open(kept).read().strip() == 'rt-%d' % prov['issued']
       and 'oauth2_refresh_token_store_command' in out and
       not os.path.exists(rt_file('auth-store')),
       'with a store command the refresh token goes to it, not to a file',
       (rc, out, err))
    r = sync_with('auth-store')
    ok(r.returncode == 0, 'and sync reads it back with '
       'oauth2_refresh_token_command', r.stderr)

    c = auth_config('auth-none')
    r = subprocess.run([RENRAKU, '-c', c, 'sync', '--now', NOW],
                       capture_output=True, text=True, env=env, timeout=60)
    ok(r.returncode == 78 and 'renraku auth main' in r.stderr and
       len(r.stderr.strip().splitlines()) == 1,
       'sync before any sign-in: exit 78, saying to run renraku auth',
       r.stderr)

    for name, setup, browse, wait, words in (
            ('refused in the browser', {'mode': 'deny'}, True, '20',
             ['refused', 'access_denied', 'The user said no']),
            ('an unknown client', {'client': 'wrong-app'}, True, '20',
             ['does not accept client wrong-app', 'invalid_client']),
            ('an expired code', {'mode': 'expired'}, True, '20',
             ['invalid_grant', 'renraku auth main again']),
            ('no browser comes back', {}, False, '2',
             ['did not come back within 2 s', 'ssh -L', '--port'])):
        prov['mode'] = setup.get('mode', 'ok')
        c = auth_config('auth-err', **({'client': setup['client']}
                                       if 'client' in setup else {}))
        t0 = time.monotonic()
        rc, out, err, page = auth(c, browse=browse, wait=wait)
        took = time.monotonic() - t0
        lines = err.strip().splitlines()
        ok(rc == 78 and len(lines) == 1 and
           all(w in lines[0] for w in words) and
           not os.path.exists(rt_file('auth-err')) and took < 15,
           'renraku auth, %s: exit 78 with one line (%s)' % (
               name, lines[0] if lines else ''), (rc, out, err, page))
    prov['mode'] = 'ok'
finally:
    srv.cleanup()
    web.shutdown()
    provider.shutdown()
done()
