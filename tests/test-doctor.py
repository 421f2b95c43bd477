#!/usr/bin/env python3
"""renraku doctor against a real Dovecot.

A good setup passes every check; a wrong CA, a wrong password and a
missing Drafts mailbox are each named in one line with what to do.  A
config written by "renraku init" from a new user's answers passes every
check too; init never replaces a config without --force.
"""
import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
from tap import ok, done, bail  # noqa: E402

RENRAKU = os.environ.get('RENRAKU', 'src/renraku')
TOP = os.environ.get('TOP_SRCDIR', '.')

try:
    srv = dovecot.Dovecot().start()
except Exception as e:  # noqa: BLE001
    bail('cannot start dovecot: %s' % e)
try:
    env = dict(os.environ, RENRAKU_DATADIR=TOP,
               XDG_CONFIG_HOME=os.path.join(srv.dir, 'xdg'))
    state = os.path.join(srv.dir, 'state')

    def doctor(name, **over):
        cfg = srv.renraku_config(os.path.join(srv.dir, name), state, **over)
        return subprocess.run([RENRAKU, '-c', cfg, 'doctor'],
                              capture_output=True, text=True, env=env,
                              timeout=120)

    def fail_line(out, what):
        return [l for l in out.splitlines()
                if l.startswith('FAIL') and l.split()[1] == what]

    r = doctor('good')
    ok(r.returncode == 0 and 'all checks passed' in r.stdout and
       'FAIL' not in r.stdout, 'a good setup passes every check',
       r.stdout + r.stderr)
    for what in ('config', 'password', 'dns', 'tcp', 'tls', 'login',
                 'mailbox', 'drafts', 'state', 'templates'):
        ok(any(l.startswith('ok') and l.split()[1] == what
               for l in r.stdout.splitlines()),
           'the good setup reports the %s check' % what, r.stdout)

    r = doctor('wrong-ca', ca_file=srv.other_ca)
    l = fail_line(r.stdout, 'tls')
    ok(r.returncode == 75 and len(l) == 1 and 'certificate' in l[0] and
       '-> ' in l[0] and 'ca_file' in l[0],
       'a wrong CA: one line naming the certificate problem and the fix',
       r.stdout)

    r = doctor('badpw', password_command='echo wrong')
    l = fail_line(r.stdout, 'login')
    ok(r.returncode == 78 and len(l) == 1 and 'rejected' in l[0] and
       '-> ' in l[0] and 'wrong' not in r.stdout,
       'a wrong password: one line, with what to do, no password shown',
       r.stdout)

    r = doctor('no-drafts', drafts='Nonexistent')
    l = fail_line(r.stdout, 'drafts')
    ok(r.returncode == 78 and len(l) == 1 and 'Nonexistent' in l[0] and
       '-> ' in l[0], 'a missing Drafts mailbox: one line with the fix',
       r.stdout)

    bad = os.path.join(srv.dir, 'bad-config')
    with open(bad, 'w') as f:
        f.write('[general]\nyour_name = x\n[account a]\nport = no\n')
    r = subprocess.run([RENRAKU, '-c', bad, 'doctor'], capture_output=True,
                       text=True, env=env, timeout=60)
    l = fail_line(r.stdout, 'config')
    ok(r.returncode == 78 and len(l) == 1 and 'port' in l[0] and
       'host: missing' in l[0], 'a broken config: every problem, one line',
       r.stdout)

    # renraku init, as a new user runs it: the server's port and CA as
    # options, the rest answered at its questions; then doctor, with the
    # default config path
    ienv = dict(env, XDG_CONFIG_HOME=os.path.join(srv.dir, 'xdg-init'),
                XDG_STATE_HOME=os.path.join(srv.dir, 'state-init'))
    icfg = os.path.join(srv.dir, 'xdg-init', 'renraku', 'config')
    pwcmd = "printf '%%s\\n' '%s'" % dovecot.PASSWORD
    answers = 'localhost\n%s\n山田 花子\n%s\n' % (dovecot.USER, pwcmd)
    r = subprocess.run([RENRAKU, 'init', '--port', str(srv.imaps_port),
                        '--ca-file', srv.ca], input=answers,
                       capture_output=True, text=True, env=ienv, timeout=60)
    mode = stat.S_IMODE(os.stat(icfg).st_mode) if os.path.exists(icfg) \
        else None
    dmode = stat.S_IMODE(os.stat(os.path.dirname(icfg)).st_mode) \
        if os.path.exists(icfg) else None
    ok(r.returncode == 0 and r.stderr == '' and mode == 0o600 and
       dmode == 0o700 and 'renraku doctor' in r.stdout and
       dovecot.PASSWORD not in r.stdout,
       'init asks for the server, login, name and password command, '
       'and writes the config 0600 in a 0700 directory (%s, %s)' % (
           oct(mode or 0), oct(dmode or 0)), (r.stdout, r.stderr))
    with open(icfg, encoding='utf-8') as f:
        written = f.read()
    values = dict(l.split(' = ', 1) for l in written.splitlines()
                  if l and not l.startswith(('#', '[')))
    ok(values == {'your_name': '山田 花子', 'host': 'localhost',
                  'port': str(srv.imaps_port), 'ca_file': srv.ca,
                  'user': dovecot.USER,
                  'password_command': pwcmd.replace('\\', '\\\\')} and
       written.count('\n# ') >= 12,
       'init: each value where it belongs (the backslash escaped for '
       'GKeyFile), every key commented', written)
    r = subprocess.run([RENRAKU, 'doctor'], capture_output=True, text=True,
                       env=ienv, timeout=120)
    ok(r.returncode == 0 and 'all checks passed' in r.stdout,
       'doctor passes every check with the config init wrote',
       r.stdout + r.stderr)
    r = subprocess.run([RENRAKU, 'init', '--host', 'imap.example.com',
                        '--user', 'x@example.com', '--name', 'x'],
                       capture_output=True, text=True, env=ienv, timeout=60)
    with open(icfg, encoding='utf-8') as f:
        again = f.read()
    ok(r.returncode == 78 and again == written and icfg in r.stderr and
       '--force' in r.stderr,
       'init leaves an existing config as it is, and says --force '
       'replaces it', (r.returncode, r.stderr))
    r = subprocess.run([RENRAKU, 'init', '--force', '--host',
                        'imap.example.com', '--user', 'x@example.com',
                        '--name', 'x', '--security', 'starttls'],
                       capture_output=True, text=True, env=ienv, timeout=60,
                       stdin=subprocess.DEVNULL)
    with open(icfg, encoding='utf-8') as f:
        forced = f.read()
    ok(r.returncode == 0 and 'host = imap.example.com' in forced and
       'security = starttls' in forced and '#port = 143' in forced and
       '#password_command = ' in forced and 'password_command' in r.stdout,
       'init --force replaces it; with no password command given and no '
       'one to ask, the key is left commented and init says to set it',
       (r.stdout, forced))
finally:
    srv.cleanup()

# Gmail-style names: Drafts is 下書き, a watched mailbox is 仕事; shown as
# UTF-8, sent as modified UTF-7.
jp = dovecot.Dovecot(drafts='下書き')
try:
    jp.start()
    c = jp.client()
    c.create('&TtVOiw-')
    c.logout()
    env = dict(os.environ, RENRAKU_DATADIR=TOP,
               XDG_CONFIG_HOME=os.path.join(jp.dir, 'xdg'))
    cfg = jp.renraku_config(os.path.join(jp.dir, 'config'),
                            os.path.join(jp.dir, 'state'),
                            mailboxes='INBOX;仕事')
    r = subprocess.run([RENRAKU, '-c', cfg, 'doctor'], capture_output=True,
                       text=True, env=env, timeout=120)
    ok(r.returncode == 0 and 'drafts     下書き' in r.stdout and
       'mailbox    仕事:' in r.stdout, 'doctor shows 下書き and 仕事 decoded',
       r.stdout + r.stderr)
    import datetime
    jst = datetime.timezone(datetime.timedelta(hours=9))
    when = datetime.datetime(2026, 12, 2, 18, 0, tzinfo=jst)
    with open(os.path.join(TOP, 'tests', 'corpus',
                           'crowdworks-message-1.eml'), 'rb') as f:
        jp.append('&TtVOiw-', dovecot.dated(f.read(), when), when)
    r = subprocess.run([RENRAKU, '-c', cfg, 'sync', '--now',
                        '2026-12-09T10:00:00+09:00'], capture_output=True,
                       text=True, env=env, timeout=120)
    ok(r.returncode == 0 and len(jp.messages('&Tgtm+DBN-')) == 1,
       'a mail in 仕事 gives a draft in 下書き', r.stderr)
finally:
    jp.cleanup()

# Courier's way: no SPECIAL-USE, the folder INBOX.Drafts; and platform mail
# counted as such, forwards only when they are platform mail.
plain = dovecot.Dovecot(drafts='INBOX.Drafts', drafts_special_use=False)
try:
    plain.start()
    env = dict(os.environ, RENRAKU_DATADIR=TOP,
               XDG_CONFIG_HOME=os.path.join(plain.dir, 'xdg'))
    import datetime
    jst = datetime.timezone(datetime.timedelta(hours=9))
    when = datetime.datetime(2026, 12, 2, 18, 0, tzinfo=jst)
    for name in ('crowdworks-message-1.eml', 'crowdworks-forwarded-gmail.eml',
                 'forwarded-non-platform.eml'):
        with open(os.path.join(TOP, 'tests', 'corpus', name), 'rb') as f:
            plain.append('INBOX', dovecot.dated(f.read(), when), when)
    cfg = plain.renraku_config(os.path.join(plain.dir, 'config'),
                               os.path.join(plain.dir, 'state'))
    r = subprocess.run([RENRAKU, '-c', cfg, 'doctor', '--now',
                        '2026-12-09T10:00:00+09:00'], capture_output=True,
                       text=True, env=env, timeout=120)
    drafts = [l for l in r.stdout.splitlines() if l.startswith('FAIL') and
              l.split()[1] == 'drafts']
    ok(r.returncode == 78 and len(drafts) == 1 and
       'drafts = INBOX.Drafts' in drafts[0],
       'no folder marked \\Drafts: doctor names the one called '
       'INBOX.Drafts', r.stdout)
    ok('2 from the platforms' in r.stdout,
       'doctor counts the platform mail and the forwarded platform mail, '
       'not the forward of something else', r.stdout)
finally:
    plain.cleanup()
done()
