#!/usr/bin/env python3
"""renraku speaks Japanese to a Japanese locale and English otherwise.

--help, status, a configuration error and a certificate error are run under
LANG=ja_JP.UTF-8 (the locale is generated if the machine lacks it) and under
LANG=C: Japanese in the first, none in the second.  So is status over
threads in every phase (with ASCII clients and titles, so that any Japanese
is renraku's own), where the Japanese output must hold none of the English
words of status either (phases, "business days", "follow-up", ...).  The catalogue is
complete (msgfmt --check --statistics), and every user-visible string in
src/ is marked for translation (scripts/i18n-lint).
"""
import datetime
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
from tap import ok, done  # noqa: E402

RENRAKU = os.environ.get('RENRAKU', 'src/renraku')
TOP = os.environ.get('TOP_SRCDIR', '.')
JAPANESE = re.compile('[\u3040-\u30ff\u4e00-\u9fff]')

r = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull,
                    os.path.join(TOP, 'po', 'ja.po')],
                   capture_output=True, text=True)
stats = r.stderr.strip()
ok(r.returncode == 0 and re.fullmatch(r'\d+ translated messages?\.', stats)
   is not None, 'ja.po: every message translated, none fuzzy (%s)' % stats,
   r.stderr)

srcs = sorted(os.path.join(TOP, 'src', f)
              for f in os.listdir(os.path.join(TOP, 'src'))
              if f.endswith('.c'))
r = subprocess.run([os.path.join(TOP, 'scripts', 'i18n-lint')] + srcs,
                   capture_output=True, text=True)
ok(r.returncode == 0, 'every user-visible string is marked for translation',
   r.stdout)
with open(os.path.join(TOP, 'po', 'POTFILES.in')) as f:
    listed = set(l.strip() for l in f if l.strip() and l[0] != '#')
marked = set('src/' + os.path.basename(p) for p in srcs
             if re.search(r'\b(N?_|ngettext)\(', open(p).read()))
ok(marked <= listed, 'POTFILES.in lists every file with marked strings',
   sorted(marked - listed))

srv = dovecot.Dovecot(cert_san='DNS:mail.other.example')
srv.start()
tmp = tempfile.mkdtemp(prefix='renraku-i18n-')
try:
    c_env = dict(os.environ, LANG='C', LC_ALL='', LANGUAGE='',
                 RENRAKU_DATADIR=TOP, XDG_CONFIG_HOME=os.path.join(tmp, 'x'))
    ja = dovecot.ja_env(c_env, tmp)
    ok(ja is not None, 'a Japanese locale can be had (generated if need be)')
    good = srv.renraku_config(os.path.join(tmp, 'good'),
                              os.path.join(tmp, 'state'))
    bad = os.path.join(tmp, 'bad')
    with open(bad, 'w') as f:
        f.write('[general]\nyour_name = x\ntimeout = soon\n')
    cases = [
        ('--help', [RENRAKU, '--help'], 0),
        ('sync --help', [RENRAKU, 'sync', '--help'], 0),
        ('status', [RENRAKU, '-c', good, 'status'], 0),
        ('a config error', [RENRAKU, '-c', bad, 'status'], 78),
        ('a certificate error', [RENRAKU, '-c', good, 'sync'], 75),
    ]
    # threads in each phase, written into the store status reads
    state2 = os.path.join(tmp, 'state2')
    full = srv.renraku_config(os.path.join(tmp, 'full'), state2)
    subprocess.run([RENRAKU, '-c', full, 'status'], env=c_env,
                   capture_output=True, timeout=60)
    jst = datetime.timezone(datetime.timedelta(hours=9))

    def t(m, d):
        return int(datetime.datetime(2026, m, d, 10, tzinfo=jst).timestamp())
    phases = {'negotiating': ['scout'], 'active': ['message'],
              'contracted': ['contract'], 'funded': ['contract', 'escrow'],
              'delivered': ['escrow', 'delivery'],
              'closed': ['escrow', 'payment']}
    db = sqlite3.connect(os.path.join(state2, 'state.db'))
    n = 0
    for i, (phase, kinds) in enumerate(sorted(phases.items())):
        tid = 'crowdworks/%d' % (100 + i)
        db.execute('INSERT INTO thread VALUES (?, ?, ?, ?, ?, ?, ?)',
                   (tid, 'crowdworks', str(100 + i), 'main', 'ACME',
                    'LP %d' % i, None))
        for j, kind in enumerate(kinds):
            n += 1
            db.execute('INSERT INTO event (mail_id, thread, platform, kind, '
                       'time, subject, account, mailbox, uid) VALUES '
                       '(?, ?, ?, ?, ?, ?, ?, ?, ?)',
                       ('<%d@x>' % n, tid, 'crowdworks', kind,
                        t(11, 20 + j), 'subject %d' % n, 'main', 'INBOX', n))
    # a follow-up waiting in Drafts, so that status says what comes next
    db.execute('INSERT INTO draft (message_id, thread, step, anchor, '
               'content_hash, raw_hash, state, created, changed) VALUES '
               '(?, ?, ?, ?, ?, ?, ?, ?, ?)',
               ('renraku.t@x', 'crowdworks/104', 1, t(11, 21), 'h', 'r',
                'live', t(11, 25), t(11, 25)))
    db.commit()
    db.close()
    english = re.compile(r'\b(negotiating|active|contracted|funded|'
                         r'delivered|closed|business days?|follow-up|'
                         r'silent|last contact|nothing to do|due)\b')
    now = '2026-12-09T10:00:00+09:00'
    r = subprocess.run([RENRAKU, '-c', full, 'status', '--now', now],
                       capture_output=True, text=True, env=ja, timeout=60)
    ok(r.returncode == 0 and len(r.stdout.splitlines()) == 6 and
       english.search(r.stdout) is None and '11月20日（金）' in r.stdout,
       'status over threads in every phase under LANG=ja_JP.UTF-8: no '
       'English word of its own, dates the Japanese way',
       (r.returncode, english.findall(r.stdout), r.stdout, r.stderr))
    # counts of business days carry their unit, and Japanese text has
    # Japanese punctuation: no ASCII comma next to a Japanese character
    days = re.findall(r'無連絡(\d+)営業日', r.stdout)
    ascii_comma = re.findall(r'[\u3000-\u30ff\u4e00-\u9fff（）「」][,;] |'
                             r'[,;] ?[\u3000-\u30ff\u4e00-\u9fff（）「」]',
                             r.stdout)
    ok(r.returncode == 0 and len(days) == 6 and ascii_comma == [] and
       'Drafts で送信待ち）。送信すると次は' in r.stdout,
       'status in Japanese: business days as 営業日, no ASCII comma or '
       'semicolon in Japanese text', (days, ascii_comma, r.stdout))
    r = subprocess.run([RENRAKU, '-c', full, 'status', '--now', now],
                       capture_output=True, text=True, env=c_env, timeout=60)
    rest = r.stdout.replace('クラウドワークス', '')    # the rules' name
    ok(r.returncode == 0 and len(r.stdout.splitlines()) == 6 and
       JAPANESE.search(rest) is None and '「' not in rest and
       set(english.findall(r.stdout)) >= set(phases) and
       'Nov 20 (Fri)' in r.stdout,
       'and under LANG=C, plain English (only the platform\'s name from '
       'its rules file is Japanese)', (r.returncode, r.stdout, r.stderr))
    for name, cmd, want in cases:
        for lang, env in (('ja_JP.UTF-8', ja), ('C', c_env)):
            if env is None:
                ok(False, '%s under LANG=%s' % (name, lang), 'no locale')
                continue
            r = subprocess.run(cmd, capture_output=True, text=True, env=env,
                               timeout=60)
            out = r.stdout + r.stderr
            has = JAPANESE.search(out) is not None
            ok(r.returncode == want and has == (lang != 'C'),
               '%s under LANG=%s: %s' % (name, lang, 'Japanese' if lang != 'C'
                                         else 'plain English'),
               (r.returncode, out[:1500]))
finally:
    srv.cleanup()
    subprocess.run(['rm', '-rf', tmp])
done()
