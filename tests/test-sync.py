#!/usr/bin/env python3
"""renraku sync end to end against a real Dovecot on 127.0.0.1.

A CrowdWorks client message 5 business days old and a Lancers one from
yesterday give exactly one draft, in the SPECIAL-USE Drafts mailbox, flagged
\\Draft, whose body (decoded here by Python's email package, not by renraku)
names the client with 様 and carries the article's wording.  INBOX flags do
not change, a second sync adds nothing, and a run that died between APPEND
and recording it does not cause a second draft.  Platform mail the user
forwarded from another address (Fwd:, Fw:, 転送:), From the forwarder and
not the platform, is found by sync and read through to the original.
Platform mail no rule recognises is listed by status (text and JSON),
with its subject, mailbox, UID and why, for the user to write a rule.
"""
import json
import datetime
import email
import email.policy
import fcntl
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
from tap import ok, done, bail  # noqa: E402

RENRAKU = os.environ.get('RENRAKU', 'src/renraku')
TOP = os.environ.get('TOP_SRCDIR', '.')
CORPUS = os.path.join(TOP, 'tests', 'corpus')
JST = datetime.timezone(datetime.timedelta(hours=9))
NOW = '2026-12-09T10:00:00+09:00'          # a Wednesday
ARTICLE = ('お忙しいとは思いますが、納期の都合もございますので、'
           '一度ご連絡をいただければ幸いです。')


def run(cfg, *args, now=NOW):
    """renraku ARGS; sync speaks Japanese (the note in each draft), the
    rest the test's own locale (C)."""
    cmd = [RENRAKU, '-c', cfg] + list(args)
    if now and ('sync' in args or 'status' in args):
        cmd += ['--now', now]
    env = dict(ja if ja and 'sync' in args else os.environ,
               RENRAKU_DATADIR=TOP,
               XDG_CONFIG_HOME=os.path.join(srv.dir, 'xdg'))
    return subprocess.run(cmd, capture_output=True, text=True, env=env,
                          timeout=120)


def corpus(name):
    with open(os.path.join(CORPUS, name), 'rb') as f:
        return f.read()


def drafts():
    out = []
    for flags, raw in srv.messages('Drafts'):
        out.append((flags, email.message_from_bytes(
            raw, policy=email.policy.default)))
    return out


srv = dovecot.Dovecot()
try:
    srv.start()
except Exception as e:  # noqa: BLE001
    bail('cannot start dovecot: %s\n%s' % (e, srv.log_text()))

ja = dovecot.ja_env(os.environ, srv.dir)
ok(ja is not None, 'a Japanese locale and catalogue for the drafts\' note')


def said(en, jp):
    """What sync prints: in Japanese when it runs under ja_JP.UTF-8."""
    return jp if ja else en


try:
    # Seed: CrowdWorks message on Wed 2 Dec (5 business days before Wed 9
    # Dec), Lancers comment on Tue 8 Dec (yesterday), an ordinary mail, a
    # CrowdWorks scout older than that, and a Lancers payment notice.
    cw = datetime.datetime(2026, 12, 2, 18, 4, 51, tzinfo=JST)
    la = datetime.datetime(2026, 12, 8, 14, 41, 9, tzinfo=JST)
    scout = datetime.datetime(2026, 11, 20, 10, 12, tzinfo=JST)
    srv.append('INBOX', dovecot.dated(corpus('crowdworks-scout-1.eml'),
                                      scout), scout, r'(\Seen)')
    srv.append('INBOX', dovecot.dated(corpus('crowdworks-message-1.eml'),
                                      cw), cw)
    srv.append('INBOX', dovecot.dated(corpus('lancers-comment-1.eml'), la),
               la, r'(\Seen \Flagged)')
    srv.append('INBOX', dovecot.dated(
        b'From: friend@example.org\r\nTo: hanako@example.com\r\n'
        b'Subject: lunch\r\nMessage-ID: <lunch@example.org>\r\n\r\n'
        b'see you\r\n', cw), cw)
    srv.append('INBOX', dovecot.dated(corpus('lancers-payment-1.eml'), la),
               la, r'(\Answered)')
    flags_before = srv.flags('INBOX')

    state = os.path.join(srv.dir, 'state')
    cfg = srv.renraku_config(os.path.join(srv.dir, 'config'), state)

    r = run(cfg, 'sync')
    ok(r.returncode == 0, 'first sync exits 0', r.stderr)
    ok(r.stdout == '' and r.stderr == '', 'sync is silent on success (cron)',
       r.stdout + r.stderr)

    d = drafts()
    ok(len(d) == 1, 'exactly one draft (none for the unanswered scout nor '
       'for yesterday\'s message)', [m['X-Renraku-Thread'] for f, m in d])
    if d:
        flags, m = d[0]
        body = m.get_body(('plain',)).get_content().replace('\r\n', '\n')
        ok(r'\Draft' in flags, 'the draft is flagged \\Draft', flags)
        ok(m['X-Renraku-Thread'] == 'crowdworks/63712345',
           'X-Renraku-Thread names the CrowdWorks contract',
           m['X-Renraku-Thread'])
        ok(m['X-Renraku-Step'] == '1', 'X-Renraku-Step: 1',
           m['X-Renraku-Step'])
        ok(body.startswith('株式会社サンプル商事様\n'),
           'the body addresses the client with 様', body[:200])
        ok(ARTICLE in body, "the body carries the article's wording", body)
        ok('山田 花子' in body, 'the body is signed with your_name', body)
        ok('【GAS】スプレッドシート集計の自動化ツール作成' in str(m['Subject']),
           'the Subject names the job', m['Subject'])
        ok('https://crowdworks.jp/contracts/63712345' in body and
           '12月2日（水）' in body and '無連絡の営業日数: 5営業日' in body,
           'the note for the user gives URL, last contact and days silent',
           body)
        ok(m['From'].addresses[0].addr_spec == dovecot.USER,
           'From is the account user', m['From'])
        ok(m['Message-ID'] is not None and m['Date'] is not None,
           'Message-ID and Date are set')

    # Dovecot names the SPECIAL-USE mailbox; renraku found it by itself.
    c = srv.client()
    typ, lst = c.list()
    c.logout()
    ok(any(b'\\Drafts' in l and l.endswith(b'Drafts') for l in lst),
       'Drafts is the \\Drafts mailbox', lst)

    ok(srv.flags('INBOX') == flags_before, 'INBOX flags are unchanged',
       (flags_before, srv.flags('INBOX')))

    r = run(cfg, '-v', 'sync')
    ok(r.returncode == 0 and len(drafts()) == 1,
       'a second sync adds nothing', r.stderr)
    n = [int(m.group(1) or m.group(2)) for m in
         (re.fullmatch(r'main: (?:(\d+) IMAP commands|IMAP コマンド(\d+)回)', l)
          for l in r.stdout.splitlines()) if m]
    ok(n and n[0] <= 6, 'a sync with nothing new sends at most 6 IMAP '
       'commands (STATUS, not SELECT)', r.stdout)

    # A run that died after APPEND but before recording it: forget the
    # draft in the store; the next run must find it in Drafts.
    db = sqlite3.connect(os.path.join(state, 'state.db'))
    db.execute('DELETE FROM draft')
    db.commit()
    db.close()
    r = run(cfg, 'sync')
    ok(r.returncode == 0 and len(drafts()) == 1,
       'no second draft after a crash between APPEND and recording',
       r.stderr + str(len(drafts())))

    r = run(cfg, 'status')
    lines = r.stdout.splitlines()
    ok(r.returncode == 0 and len(lines) == 3, 'status: one line per thread',
       r.stdout + r.stderr)
    cwl = [l for l in lines if l.startswith('crowdworks/63712345')]
    lal = [l for l in lines if l.startswith('lancers/5561234')]
    ok(cwl and 'クラウドワークス' in cwl[0] and '株式会社サンプル商事' in cwl[0]
       and '【GAS】スプレッドシート集計の自動化ツール作成' in cwl[0]
       and 'Dec 2 (Wed)' in cwl[0] and '5 business days' in cwl[0]
       and 'follow-up 1 drafted' in cwl[0],
       'status line for the CrowdWorks thread', r.stdout)
    scl = [l for l in lines if l.startswith('crowdworks/418765432')]
    ok(scl and 'before a contract' in scl[0],
       'status says a scout gets no follow-up', r.stdout)
    ok(lal and '株式会社テスト企画' in lal[0] and '1 business day ' in lal[0]
       and 'due Dec 11 (Fri)' in lal[0],
       'status line for the Lancers thread says when step 1 is due',
       r.stdout)

    # Two days later the Lancers client has been silent 3 business days.
    r = run(cfg, 'sync', '--dry-run', now='2026-12-11T09:00:00+09:00')
    ok(r.returncode == 0 and said('would draft lancers/5561234 step 1',
                                  '予定（作成）: lancers/5561234 '
                                  'フォローアップ1回目') in
       r.stdout and len(drafts()) == 1,
       '--dry-run shows the due draft and appends nothing', r.stdout)
    r = run(cfg, 'sync', now='2026-12-11T09:00:00+09:00')
    d = drafts()
    ok(r.returncode == 0 and len(d) == 2 and
       sorted(m['X-Renraku-Thread'] for f, m in d) ==
       ['crowdworks/63712345', 'lancers/5561234'],
       'the Lancers follow-up appears when it falls due', r.stderr)

    # A new client message resets the clock: nothing the next day, a new
    # step-1 draft once it is 3 business days old.
    new = datetime.datetime(2026, 12, 14, 9, 0, tzinfo=JST)
    raw = corpus('crowdworks-message-1.eml').replace(
        b'<20251020090451.c0ffee12ab34@crowdworks.jp>',
        b'<second-message@crowdworks.jp>')
    srv.append('INBOX', dovecot.dated(raw, new), new)
    r = run(cfg, '-v', 'sync', now='2026-12-15T09:00:00+09:00')
    threads = sorted(m['X-Renraku-Thread'] for f, m in drafts())
    ok(r.returncode == 0 and threads == ['lancers/5561234'],
       'a newer client message makes the untouched draft stale: it is '
       'taken back', (r.stdout, r.stderr, threads))
    r = run(cfg, 'sync', now='2026-12-17T09:00:00+09:00')
    d = dict((m['X-Renraku-Thread'], m) for f, m in drafts())
    body = (d['crowdworks/63712345'].get_body(('plain',)).get_content()
            if 'crowdworks/63712345' in d else '')
    ok(r.returncode == 0 and len(d) == 2 and '12月14日（月）' in body,
       'and a new follow-up comes 3 business days after it', r.stderr)

    # Two runs may not overlap.
    with open(os.path.join(state, 'lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        r = run(cfg, 'sync')
    ok(r.returncode == 75 and said('another renraku sync is running',
                                   '別の renraku sync が実行中です') in r.stderr,
       'a second sync while one runs exits 75', (r.returncode, r.stderr))

    # A damaged store: its check runs while the connection is made, and
    # the sync stops before reading or writing anything (exit 1), Drafts
    # as it was.
    bad_state = os.path.join(srv.dir, 'damaged')
    os.mkdir(bad_state, 0o700)
    db = sqlite3.connect(os.path.join(state, 'state.db'))
    db.execute('VACUUM INTO ?', (os.path.join(bad_state, 'state.db'),))
    db.close()
    with open(os.path.join(bad_state, 'state.db'), 'r+b') as f:
        f.seek(4096 * 2)
        f.write(b'not a b-tree page' * 240)
    before = sorted(f for f, m in drafts())
    damaged = srv.renraku_config(os.path.join(srv.dir, 'damaged.conf'),
                                 bad_state)
    r = run(damaged, 'sync', now='2026-12-21T09:00:00+09:00')
    ok(r.returncode == 1 and said('integrity check failed',
                                  '整合性チェックに失敗しました') in r.stderr
       and sorted(f for f, m in drafts()) == before,
       'a damaged store stops the sync (exit 1), Drafts untouched',
       (r.returncode, r.stderr))

    # A dead server: exit 75, message on stderr, nothing on stdout.
    dead = srv.renraku_config(os.path.join(srv.dir, 'dead'), state,
                              port=str(dovecot.free_port()))
    r = run(dead, 'sync')
    ok(r.returncode == 75 and said('cannot connect', '接続できません') in
       r.stderr and r.stdout == '', 'an unreachable server exits 75',
       (r.returncode, r.stderr))

    # password_command starts with the connection, so that the two
    # overlap; when the connection fails first (here a server that never
    # answers the TLS handshake), its error is the one told and the command
    # is stopped, children and all, rather than waited for.
    pidfile = os.path.join(srv.dir, 'pwchild.pid')
    mute = socket.socket()
    mute.bind(('127.0.0.1', 0))
    mute.listen(1)
    dead = srv.renraku_config(
        os.path.join(srv.dir, 'dead2'), state, host='127.0.0.1',
        port=str(mute.getsockname()[1]),
        password_command="sleep 30 & echo $! >'%s'; wait; echo pw" % pidfile)
    with open(dead) as f:
        text = f.read().replace('[general]\n', '[general]\ntimeout = 2\n', 1)
    with open(dead, 'w') as f:
        f.write(text)
    t0 = time.monotonic()
    r = run(dead, 'sync')
    took = time.monotonic() - t0
    mute.close()
    child = 'not started'
    if os.path.exists(pidfile):
        child = int(open(pidfile).read())
        for _ in range(40):
            try:
                with open('/proc/%d/stat' % child) as f:
                    if f.read().rsplit(')', 1)[1].split()[0] in 'ZX':
                        break
            except OSError:
                break
            time.sleep(0.05)
        else:
            child = 'still running'
    ok(r.returncode == 75 and 'password_command' not in r.stderr and
       took < 10 and isinstance(child, int),
       'a server that never answers, with a slow password_command, exits '
       '75 after the timeout, naming the connection, and stops the command',
       (r.returncode, r.stderr, took, child))

    # The password never shows, not even in the protocol trace.
    r = run(cfg, '-v', '-v', 'sync')
    ok(r.returncode == 0 and dovecot.PASSWORD not in r.stdout + r.stderr
       and 'redacted' in r.stderr, 'the -v -v trace hides the password',
       r.stderr[:2000])

    # A wrong password is a configuration error (78).
    bad = srv.renraku_config(os.path.join(srv.dir, 'badpw'), state,
                             password_command='echo wrong')
    r = run(bad, 'sync')
    ok(r.returncode == 78 and said('login', 'ログイン') in r.stderr and
       'wrong' not in r.stderr, 'a rejected login exits 78',
       (r.returncode, r.stderr))

    # STARTTLS on the plain port works the same way.
    st2 = os.path.join(srv.dir, 'state2')
    cfg2 = srv.renraku_config(os.path.join(srv.dir, 'config2'), st2,
                              security='starttls')
    r = run(cfg2, 'sync', '--dry-run', now='2026-12-17T09:00:00+09:00')
    ok(r.returncode == 0 and said('would draft crowdworks/63712345',
                                  '予定（作成）: crowdworks/63712345') in
       r.stdout,
       'STARTTLS with a verified certificate syncs', r.stderr)
    r = run(cfg2, 'status')
    ok(r.returncode == 0 and 'no threads yet' in r.stdout,
       'a dry run leaves the state as it was', r.stdout)

    # Forwarded platform mail: From the forwarder's own address, so a
    # search FROM the platforms' domains alone would never find it.
    c = srv.client()
    c.create('Forwarded')
    c.logout()
    fw = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=JST)
    names = ['crowdworks-forwarded-gmail.eml', 'lancers-forwarded-outlook.eml',
             'coconala-forwarded-attached.eml', 'forwarded-non-platform.eml',
             'crowdworks-unknown-1.eml']
    for name in names:
        srv.append('Forwarded', dovecot.dated(corpus(name), fw), fw)
    st3 = os.path.join(srv.dir, 'state3')
    cfg3 = srv.renraku_config(os.path.join(srv.dir, 'config3'), st3,
                              mailboxes='Forwarded')
    r = run(cfg3, 'sync', now='2026-12-08T10:00:00+09:00')
    db = sqlite3.connect(os.path.join(st3, 'state.db'))
    got = sorted(db.execute('SELECT uid, platform, kind, thread FROM event'))
    db.close()
    ok(r.returncode == 0 and got == [
        (1, 'crowdworks', 'message', 'crowdworks/63712345'),
        (2, 'lancers', 'message', 'lancers/5589012'),
        (3, 'coconala', 'returned', 'coconala/18299887'),
        (5, 'crowdworks', 'unknown', None)],
       'sync finds the forwarded platform mails (Fwd:, 転送:, Fw:) and reads '
       'them through to the original; the forwarded ordinary mail is '
       'nothing', (r.returncode, r.stderr, got))
    subject = '【クラウドワークス】本人確認書類の審査が完了しました'
    r = run(cfg3, 'status', now='2026-12-08T10:00:00+09:00')
    tail = r.stdout.splitlines()[-2:]
    ok(r.returncode == 0 and len(tail) == 2 and
       tail[0].startswith('1 platform mail renraku could not read or '
                          'place') and
       tail[1] == '  クラウドワークス  Dec 7 (Mon)  "%s"  Forwarded UID 5: '
       'not recognised, and it names no thread' % subject,
       'status lists the platform mail no rule recognises, with its '
       'subject, mailbox, UID and why', r.stdout)
    r = run(cfg3, 'status', '--json', now='2026-12-08T10:00:00+09:00')
    doc = json.loads(r.stdout) if r.returncode == 0 else {}
    ok(doc.get('unknown') == [{
        'platform': 'crowdworks', 'subject': subject,
        'time': '2026-12-07T09:00:00+09:00', 'account': 'main',
        'mailbox': 'Forwarded', 'uid': 5, 'kind': 'unknown',
        'thread': None,
        'why': 'not recognised, and it names no thread'}] and
       len(doc['threads']) == 3,
       'and status --json has it under "unknown"', r.stdout)
finally:
    srv.cleanup()
done()
