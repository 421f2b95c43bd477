#!/usr/bin/env python3
"""A platform renraku does not ship, added by the user, against a real
Dovecot.

A rules file in $XDG_CONFIG_HOME/renraku/platforms/ for a platform of its
own (here シュフティ, shufti.jp) is picked up, with no rebuild, by
"rules check", "explain", "sync" (which reads the platform's mail and
drafts the follow-up) and "status".  A mistake in it is reported by
FILE:LINE and stops sync before it reads any mail.
"""
import datetime
import email
import email.header
import email.policy
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
from tap import ok, done, bail  # noqa: E402

RENRAKU = os.environ.get('RENRAKU', 'src/renraku')
TOP = os.environ.get('TOP_SRCDIR', '.')
JST = datetime.timezone(datetime.timedelta(hours=9))
NOW = '2026-12-09T10:00:00+09:00'

RULES = '''\
# A user's own rules for シュフティ, a platform renraku does not ship.
[platform]
id = shufti
name = シュフティ
domains = shufti.jp
thread_key = https://app\\.shufti\\.jp/contracts/(\\d+)
client = subject:^【シュフティ】(.+?)さん(?:から|と)
title = body:^お仕事名: ?(.+)$
remedy_days = 7

[event message]
subject = メッセージが届きました

[event contract]
subject = 契約が成立しました
'''


def mail(subject, when, body):
    return dovecot.dated((
        'From: =?UTF-8?B?44K344Ol44OV44OG44Kj?= <info@shufti.jp>\r\n'
        'To: hanako@example.com\r\n'
        'Subject: %s\r\n'
        'Message-ID: <%s.%d@shufti.jp>\r\n'
        'MIME-Version: 1.0\r\n'
        'Content-Type: text/plain; charset=UTF-8\r\n'
        'Content-Transfer-Encoding: 8bit\r\n\r\n%s' % (
            email.header.Header(subject, 'utf-8').encode(),
            'shufti', int(when.timestamp()), body.replace('\n', '\r\n'))
    ).encode(), when)


BODY = ('山本商店さんからメッセージが届きました。\n\n'
        'お仕事名: 商品データの入力作業\n'
        'https://app.shufti.jp/contracts/424242\n')
CONTRACT = mail('【シュフティ】山本商店さんと契約が成立しました',
                datetime.datetime(2026, 11, 27, 9, 0, tzinfo=JST),
                BODY.replace('メッセージが届きました', '契約が成立しました'))
MESSAGE = mail('【シュフティ】山本商店さんからメッセージが届きました',
               datetime.datetime(2026, 12, 1, 18, 0, tzinfo=JST), BODY)

try:
    srv = dovecot.Dovecot().start()
except Exception as e:  # noqa: BLE001
    bail('cannot start dovecot: %s' % e)
try:
    xdg = os.path.join(srv.dir, 'xdg')
    cfg = srv.renraku_config(os.path.join(srv.dir, 'config'),
                             os.path.join(srv.dir, 'state'))
    env = dict(os.environ, RENRAKU_DATADIR=TOP, XDG_CONFIG_HOME=xdg)

    def run(*args, stdin=None):
        return subprocess.run([RENRAKU, '-c', cfg] + list(args),
                              input=stdin, capture_output=True, env=env,
                              timeout=120)

    rdir = os.path.join(xdg, 'renraku', 'platforms')
    os.makedirs(rdir)
    rules = os.path.join(rdir, 'shufti.rules')
    with open(rules, 'w') as f:
        f.write(RULES)
    for raw, when in ((CONTRACT, datetime.datetime(2026, 11, 27, 9, 0,
                                                   tzinfo=JST)),
                      (MESSAGE, datetime.datetime(2026, 12, 1, 18, 0,
                                                  tzinfo=JST))):
        srv.append('INBOX', raw, when)

    r = run('rules', 'check')
    out = (r.stdout + r.stderr).decode()
    ok(r.returncode == 0 and rules in out,
       'rules check reads the user\'s file alongside the shipped ones', out)

    r = run('explain', '-', stdin=MESSAGE)
    out = r.stdout.decode()
    ok(r.returncode == 0 and 'shufti' in out and 'message' in out and
       '424242' in out and '山本商店' in out,
       'explain: the user\'s platform, its event, thread key and client',
       out + r.stderr.decode())

    r = run('sync', '--now', NOW)
    ok(r.returncode == 0, 'sync exits 0', r.stderr.decode())
    drafts = [email.message_from_bytes(raw, policy=email.policy.default)
              for flags, raw in srv.messages('Drafts')]
    mine = [m for m in drafts if m['X-Renraku-Thread'] == 'shufti/424242']
    ok(len(drafts) == 1 and len(mine) == 1,
       'sync drafts one follow-up for the thread shufti/424242',
       [str(m['X-Renraku-Thread']) for m in drafts])
    if mine:
        body = mine[0].get_body(('plain',)).get_content()
        ok(body.startswith('山本商店様') and '商品データの入力作業' in
           str(mine[0]['Subject']) + body and
           'https://app.shufti.jp/contracts/424242' in body,
           'the draft names the client and job and links the contract', body)
    else:
        ok(False, 'the draft names the client and job and links the contract')

    r = run('status', '--now', NOW)
    out = r.stdout.decode()
    line = [l for l in out.splitlines() if l.startswith('shufti/424242')]
    ok(r.returncode == 0 and line and 'シュフティ' in line[0] and
       '山本商店' in line[0], 'status shows the thread with the platform\'s '
       'name and the client', out)

    # A mistake in the user's file: named by FILE:LINE, and sync reads
    # nothing rather than misread the mail.
    with open(rules, 'a') as f:
        f.write('\n[event payment]\nsubject = (unclosed\n')
    r = run('rules', 'check')
    out = (r.stdout + r.stderr).decode()
    ok(r.returncode == 78 and rules + ':' in out and 'subject' in out,
       'rules check names FILE:LINE of a broken pattern', out)
    r = run('sync', '--now', NOW)
    ok(r.returncode == 78 and rules in r.stderr.decode() and
       len(srv.messages('Drafts')) == 1,
       'sync refuses to run on the broken file (exit 78), Drafts unchanged',
       (r.returncode, r.stderr.decode()))
finally:
    srv.cleanup()
done()
