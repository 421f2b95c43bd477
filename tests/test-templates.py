#!/usr/bin/env python3
"""The user's templates against a real Dovecot.

A user template with a misspelt placeholder is rejected by "templates
check" and by sync, which drafts nothing from it and says why; fixed, it
is used by the next sync.  An ISO-2022-JP draft decodes, with Python's
email package, to exactly the text renraku rendered.  A job title with
CR/LF in it cannot add a header line.  A title typed with ～ and － (as
CP932 and Windows write them) still makes an ISO-2022-JP draft, as 〜 and
−, with no body line over 78 characters; one ISO-2022-JP cannot carry
makes a UTF-8 draft and one warning, not one at every refresh.
"""
import datetime
import email
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
CW_DATE = datetime.datetime(2026, 12, 2, 18, 0, tzinfo=JST)


def corpus(name):
    with open(os.path.join(TOP, 'tests', 'corpus', name), 'rb') as f:
        return f.read()


class Box:
    def __init__(self, **cfg):
        self.srv = dovecot.Dovecot().start()
        self.xdg = os.path.join(self.srv.dir, 'xdg')
        self.cfg = self.srv.renraku_config(
            os.path.join(self.srv.dir, 'config'),
            os.path.join(self.srv.dir, 'state'))
        if cfg:
            with open(self.cfg) as f:
                text = f.read()
            extra = ''.join('%s = %s\n' % kv for kv in cfg.items())
            text = text.replace('[general]\n', '[general]\n' + extra)
            with open(self.cfg, 'w') as f:
                f.write(text)

    def run(self, *args, now=NOW):
        env = dict(os.environ, RENRAKU_DATADIR=TOP, XDG_CONFIG_HOME=self.xdg)
        cmd = [RENRAKU, '-c', self.cfg] + list(args)
        if args[0] in ('sync', 'preview'):
            cmd += ['--now', now]
        return subprocess.run(cmd, capture_output=True, text=True, env=env,
                              timeout=120)

    def user_template(self, name, text):
        d = os.path.join(self.xdg, 'renraku', 'templates')
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), 'w') as f:
            f.write(text)
        return os.path.join(d, name)

    def drafts(self):
        return [email.message_from_bytes(raw, policy=email.policy.default)
                for flags, raw in self.srv.messages('Drafts')]


try:
    a = Box()
except Exception as e:  # noqa: BLE001
    bail('cannot start dovecot: %s' % e)
try:
    a.srv.append('INBOX', dovecot.dated(corpus('crowdworks-message-1.eml'),
                                        CW_DATE), CW_DATE)
    path = a.user_template('followup-1.txt',
                           'Subject: {{job_title}}\n\n{{clinet_name}}様\n')
    r = a.run('templates', 'check')
    ok(r.returncode == 78 and path + ':3: unknown placeholder {{clinet_name}}'
       in r.stdout, 'templates check names FILE:LINE of the typo',
       r.stdout + r.stderr)
    r = a.run('templates', 'list')
    ok(r.returncode == 0 and path in r.stdout and
       'templates/crowdworks/escalation.txt' in r.stdout,
       'templates list shows where each template comes from', r.stdout)
    r = a.run('sync')
    ok(r.returncode == 78 and 'crowdworks/63712345: no draft made' in
       r.stderr and path + ':3: unknown placeholder' in r.stderr and
       a.drafts() == [], 'sync refuses to draft from the broken template '
       'and says why', (r.returncode, r.stderr))
    a.user_template('followup-1.txt', 'Subject: 確認 {{job_title}}\n\n'
                    '{{client_name}}様\n\nお世話になっております。{{your_name}}です。\n')
    r = a.run('templates', 'check')
    ok(r.returncode == 0, 'the fixed template checks', r.stdout)
    r = a.run('sync')
    ds = a.drafts()
    ok(r.returncode == 0 and len(ds) == 1 and
       ds[0].get_body(('plain',)).get_content().replace('\r\n', '\n')
       .startswith('株式会社サンプル商事様\n\nお世話になっております。山田 花子です。')
       and str(ds[0]['Subject']).startswith('確認 【GAS】'),
       'the next sync uses the user\'s template', r.stderr)
    r = a.run('preview', 'crowdworks/63712345', '--step', '2')
    ok(r.returncode == 0 and 'X-Renraku-Step: 2' in r.stdout and
       'たびたびのご連絡' in r.stdout and 'Subject: 「【GAS】' in r.stdout,
       'preview shows step 2 with its headers, offline', r.stdout)
finally:
    a.srv.cleanup()

b = Box(draft_charset='iso-2022-jp')
try:
    b.srv.append('INBOX', dovecot.dated(corpus('crowdworks-message-1.eml'),
                                        CW_DATE), CW_DATE)
    r = b.run('sync', '--dry-run')
    rendered = r.stdout.split('\n', 1)[1]
    subject = rendered.split('\n', 1)[0][len('Subject: '):]
    text = rendered.split('\n\n', 1)[1][:-1]
    r = b.run('sync')
    ds = b.srv.messages('Drafts')
    ok(r.returncode == 0 and len(ds) == 1, 'an ISO-2022-JP draft is made',
       r.stderr)
    raw = ds[0][1]
    m = email.message_from_bytes(raw, policy=email.policy.default)
    ok(m.get_content_charset() == 'iso-2022-jp' and
       m['Content-Transfer-Encoding'] == '7bit' and
       all(b < 0x80 for b in raw), 'it is ISO-2022-JP in 7bit',
       raw[:800])
    ok(b'=?iso-2022-jp?' in raw.lower() and str(m['Subject']) == subject,
       'its Subject is encoded in ISO-2022-JP and decodes exactly',
       (m['Subject'], subject))
    body = m.get_content().replace('\r\n', '\n')
    ok(body.replace('\n', '') == text.replace('\n', '') and
       all(len(l) <= 78 for l in raw.split(b'\r\n')),
       'its body decodes to exactly the rendered text, lines broken to fit '
       '78 characters', '%r\n%r' % (body, text))
finally:
    b.srv.cleanup()

c = Box(draft_charset='iso-2022-jp')
try:
    # A client name and a job title with a line break and a header in
    # them, and a character ISO-2022-JP cannot carry (髙, an IBM
    # extension); the user's template puts the client in the Subject too.
    evil = ('【クラウドワークス】悪意\r\nCc: spy@example.com さんから'
            '「髙橋の悪い案件\r\nBcc: evil@example.com」の'
            '仮払いが完了しました')
    c.user_template('followup-1.txt', 'Subject: {{client_name}}様 '
                    '「{{job_title}}」についてご確認のお願い\n\n'
                    '{{client_name}}様\n\nご確認をお願いいたします。\n'
                    '{{your_name}}\n')
    raw = ('From: no-reply@crowdworks.jp\r\nTo: hanako@example.com\r\n'
           'Subject: %s\r\nMessage-ID: <evil@crowdworks.jp>\r\n'
           'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n'
           'Content-Transfer-Encoding: 8bit\r\n\r\n'
           '株式会社悪意 さんが、以下の契約の仮払いを完了しました。\r\n'
           'https://crowdworks.jp/contracts/99999999\r\n')
    head = email.header.Header(evil.replace('\r\n', '\n'), 'utf-8')
    raw = raw.replace('Subject: %s', 'Subject: ' + head.encode())
    c.srv.append('INBOX', dovecot.dated(raw.encode(), CW_DATE), CW_DATE)
    r = c.run('sync')
    ds = c.srv.messages('Drafts')
    ok(r.returncode == 0 and len(ds) == 1 and 'ISO-2022-JP cannot carry'
       in r.stderr, 'a character ISO-2022-JP lacks: UTF-8, with a warning',
       r.stderr)
    if ds:
        raw = ds[0][1]
        head = raw.split(b'\r\n\r\n', 1)[0].decode()
        names = [l.split(':', 1)[0] for l in head.split('\r\n')
                 if l and l[0] not in ' \t']
        ok(names == ['Date', 'From', 'Subject', 'Message-Id',
                     'X-Renraku-Thread', 'X-Renraku-Step', 'MIME-Version',
                     'Content-Type', 'Content-Transfer-Encoding'],
           'CR/LF in a value adds no header line', head)
        m = email.message_from_bytes(raw, policy=email.policy.default)
        ok('髙橋の悪い案件' in str(m['Subject']) and m['Bcc'] is None and
           m['Cc'] is None and 'evil@example.com' in str(m['Subject']) and
           str(m['Subject']).startswith('悪意 Cc: spy@example.com様 '),
           'the client name and the job title stay inside the Subject, '
           'nothing dropped', m['Subject'])
finally:
    c.srv.cleanup()


def cw_message(msg_id, title, contract):
    """A UTF-8 CrowdWorks message mail about 'title'."""
    raw = ('From: no-reply@crowdworks.jp\r\nTo: hanako@example.com\r\n'
           'Subject: %s\r\nMessage-ID: <%s@crowdworks.jp>\r\n'
           'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n'
           'Content-Transfer-Encoding: 8bit\r\n\r\n'
           '株式会社ミナト さんからメッセージが届きました。\r\n\r\n'
           '■契約\r\n%s\r\nhttps://crowdworks.jp/contracts/%s\r\n')
    head = email.header.Header('【クラウドワークス】株式会社ミナトさんから'
                               'メッセージが届きました', 'utf-8').encode()
    return (raw % (head, msg_id, title, contract)).encode()


d = Box(draft_charset='iso-2022-jp')
try:
    d.srv.append('INBOX', dovecot.dated(cw_message(
        'wave', 'LP制作（～12/20）－修正版', 63870001), CW_DATE), CW_DATE)
    d.srv.append('INBOX', dovecot.dated(cw_message(
        'ibm', '髙橋様のLP制作', 63870002), CW_DATE), CW_DATE)
    stderr = ''
    for day in ('2026-12-07', '2026-12-08', '2026-12-09'):
        r = d.run('sync', now=day + 'T10:00:00+09:00')
        stderr += r.stderr
    ds = {m['X-Renraku-Thread']: m for m in d.drafts()}
    raw = {}
    for flags, data in d.srv.messages('Drafts'):
        m = email.message_from_bytes(data, policy=email.policy.default)
        raw[m['X-Renraku-Thread']] = data
    wave = ds.get('crowdworks/63870001')
    ok(wave is not None and wave.get_content_charset() == 'iso-2022-jp' and
       str(wave['Subject']) == '「LP制作（〜12/20）−修正版」についてご確認のお願い'
       and 'LP制作（〜12/20）−修正版' in wave.get_content(),
       'a title with ～ and － makes an ISO-2022-JP draft that Python '
       'decodes to 〜 and −', wave and (wave['Subject'], wave.as_string()))
    longest = max(len(l) for l in raw.get('crowdworks/63870001',
                                          b'').split(b'\r\n'))
    ok(longest <= 78, 'no line of the ISO-2022-JP draft is over 78 '
       'characters', longest)
    ibm = ds.get('crowdworks/63870002')
    ok(ibm is not None and ibm.get_content_charset() == 'utf-8' and
       '髙橋様のLP制作' in str(ibm['Subject']),
       'a title with 髙 makes a UTF-8 draft, the title kept', ibm)
    ok(stderr.count('ISO-2022-JP cannot carry') == 1 and
       'crowdworks/63870002' in stderr,
       'one warning for it across three days of refreshes', stderr)
finally:
    d.srv.cleanup()
done()
