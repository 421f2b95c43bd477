#!/usr/bin/env python3
"""Several accounts, notifications and status --json.

Two accounts, one of them on a server that is down: the other still
drafts, and sync exits 75 naming the failed account.  The new drafts are
announced to notify_command (a summary on stdin) and POSTed as JSON to
notify_url (a loopback HTTP server).  status --json gives the documented
fields.  A notify_command that fails, or hangs (stopped after the
configured timeout), does not keep the JSON from being POSTed.
"""
import datetime
import http.server
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
from harness import serve_http, start_dovecot  # noqa: E402
from tap import ok, done  # noqa: E402

RENRAKU = os.environ.get('RENRAKU', 'src/renraku')
TOP = os.environ.get('TOP_SRCDIR', '.')
JST = datetime.timezone(datetime.timedelta(hours=9))
NOW = '2026-12-09T10:00:00+09:00'

posts = []


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get('Content-Length', 0))
        posts.append((self.headers.get('Content-Type'), self.rfile.read(n)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


web = serve_http(Hook)
srv = start_dovecot()
try:
    with open(os.path.join(TOP, 'tests', 'corpus',
                           'crowdworks-message-1.eml'), 'rb') as f:
        raw = f.read()
    when = datetime.datetime(2026, 12, 2, 18, 0, tzinfo=JST)
    srv.append('INBOX', dovecot.dated(raw, when), when)

    state = os.path.join(srv.dir, 'state')
    cfg = srv.renraku_config(os.path.join(srv.dir, 'config'), state)
    summary = os.path.join(srv.dir, 'summary.txt')
    with open(cfg) as f:
        text = f.read()
    text = text.replace('[general]\n', '[general]\n'
                        'notify_command = cat > %s\n'
                        'notify_url = http://127.0.0.1:%d/hook\n'
                        % (summary, web.server_port))
    text += ('\n[account down]\nhost = localhost\nport = %d\n'
             'ca_file = %s\nuser = x@example.com\npassword_command = echo x\n'
             % (dovecot.free_port(), srv.ca))
    with open(cfg, 'w') as f:
        f.write(text)
    env = dict(os.environ, RENRAKU_DATADIR=TOP,
               XDG_CONFIG_HOME=os.path.join(srv.dir, 'xdg'))
    r = subprocess.run([RENRAKU, '-c', cfg, 'sync', '--now', NOW],
                       capture_output=True, text=True, env=env, timeout=120)
    ok(r.returncode == 75 and 'account down: ' in r.stderr and
       'cannot connect' in r.stderr, 'one server down: exit 75, naming '
       'the account', (r.returncode, r.stderr))
    ok(len(srv.messages('Drafts')) == 1,
       'the other account still drafts', r.stderr)
    try:
        with open(summary) as f:
            s = f.read()
    except OSError:
        s = ''
    ok('1 new draft' in s and 'crowdworks/63712345 step 1' in s,
       'notify_command gets the summary on stdin', s)
    ok(len(posts) == 1 and posts[0][0] == 'application/json',
       'notify_url gets one JSON POST', posts)
    if posts:
        doc = json.loads(posts[0][1])
        d = doc['drafts'][0] if doc.get('drafts') else {}
        ok(d.get('thread') == 'crowdworks/63712345' and d.get('step') == 1
           and d.get('client') == '株式会社サンプル商事' and
           d.get('account') == 'main' and
           d.get('url') == 'https://crowdworks.jp/contracts/63712345' and
           'subject' in d, 'the JSON names the thread, step, client and '
           'link', doc)
    # nothing new: no second notification
    subprocess.run([RENRAKU, '-c', cfg, 'sync', '--now', NOW],
                   capture_output=True, text=True, env=env, timeout=120)
    ok(len(posts) == 1, 'no notification when nothing was drafted', posts)

    r = subprocess.run([RENRAKU, '-c', cfg, 'status', '--json', '--now',
                        NOW], capture_output=True, text=True, env=env)
    doc = json.loads(r.stdout) if r.returncode == 0 else {}
    th = doc.get('threads', [{}])[0]
    ok(r.returncode == 0 and doc.get('now', '').startswith('2026-12-09') and
       th.get('thread') == 'crowdworks/63712345' and
       th.get('phase') == 'active' and th.get('days_silent') == 5 and
       th.get('draft_step') == 1 and th.get('next_step') == 1 and
       th.get('last_contact', '').startswith('2026-12-02T18:00:00') and
       th.get('platform_name') == 'クラウドワークス',
       'status --json gives the documented fields', r.stdout + r.stderr)

    # a notify_command that fails, then one that hangs: the POST is made
    # all the same, and the hung command is stopped after timeout = 2
    # (they read none of their stdin, as notify-send does not: that is no
    # failure, and a command that succeeds so is not warned of)
    for name, command, said in (
            ('lancers-message-shiftjis.eml', 'true', None),
            ('lancers-comment-1.eml', 'echo broken >&2; exit 3',
             'notify_command failed (exit 3)'),
            ('lancers-message-2.eml', 'sleep 60',
             'notify_command: still running after 2 s; stopped')):
        with open(os.path.join(TOP, 'tests', 'corpus', name), 'rb') as f:
            srv.append('INBOX', dovecot.dated(f.read(), when), when)
        with open(cfg) as f:
            text = f.read()
        text = '\n'.join(l for l in text.split('\n')
                         if not l.startswith(('notify_command', 'timeout')))
        text = text.replace('[general]\n', '[general]\ntimeout = 2\n'
                            'notify_command = %s\n' % command)
        with open(cfg, 'w') as f:
            f.write(text)
        before = len(posts)
        t0 = time.monotonic()
        r = subprocess.run([RENRAKU, '-c', cfg, 'sync', '--now', NOW],
                           capture_output=True, text=True, env=env,
                           timeout=120)
        took = time.monotonic() - t0
        warned = [l for l in r.stderr.splitlines() if 'warning' in l]
        ok(r.returncode == 75 and len(posts) == before + 1 and took < 20 and
           (warned == [] if said is None else
            len(warned) == 1 and said in warned[0]),
           'notify_command %r: %s, and notify_url gets its POST (%.1f s)' % (
               command, 'no warning' if said is None else '"%s"' % said,
               took), (r.returncode, r.stderr, posts[before:], took))
finally:
    srv.cleanup()
    web.shutdown()
done()
