#!/usr/bin/env python3
"""The follow-up ladder day by day against a real Dovecot.

A. A funded CrowdWorks contract whose client never answers: over four
   simulated weeks, steps 1, 2 and 3 appear one at a time on the right
   business days (holidays skipped), each after the user sent the previous
   one (it left Drafts), never two at once; step 3 is a note to the user on
   連絡催促申請.
B. A Lancers client who answers after step 1: the untouched step-1 draft is
   taken back, no step 2 appears.
C. A draft the user edited is left alone, even when the client answers.
"""
import datetime
import email
import email.policy
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
from harness import Ladder, started  # noqa: E402
from tap import ok, done  # noqa: E402

JST = datetime.timezone(datetime.timedelta(hours=9))


def at(day, hour=9):
    return datetime.datetime(2026, day[0], day[1], hour, 0, tzinfo=JST)


def days(first, last):
    d = first
    while d <= last:
        yield d
        d += datetime.timedelta(days=1)


class Box(Ladder):
    """The shared box, and what a mail client does to a draft."""

    def replace(self, msg, new_body):
        """What a mail client does when the user edits a draft."""
        m = email.message_from_bytes(msg.as_bytes(),
                                     policy=email.policy.default)
        del m['Message-ID']
        m['Message-ID'] = '<edited-by-user@example.com>'
        m.set_content(new_body)
        c = self.srv.client()
        c.select('Drafts')
        c.store('1:*', '+FLAGS', r'(\Deleted)')
        c.expunge()
        c.append('Drafts', r'(\Draft)', None, m.as_bytes())
        c.logout()


def body(m):
    return m.get_body(('plain',)).get_content().replace('\r\n', '\n')


a = started(Box)
try:
    # A. Contract 10/26, 仮払い 10/27, the client's last message Fri 10/30.
    a.mail('crowdworks-escrow-1.eml', at((10, 27)))
    a.mail('crowdworks-message-1.eml', at((10, 30), 18))
    appeared = {}
    most = 0
    to_send = False
    log = []
    for d in days(datetime.date(2026, 10, 30), datetime.date(2026, 11, 27)):
        now = datetime.datetime(d.year, d.month, d.day, 10, 0, tzinfo=JST)
        if to_send:
            a.send_all()
            to_send = False
        r = a.renraku('sync', now=now)
        if r.returncode != 0:
            ok(False, 'A: sync on %s' % d, r.stderr)
            break
        ds = a.drafts()
        most = max(most, len(ds))
        for m in ds:
            step = int(m['X-Renraku-Step'])
            if step not in appeared:
                appeared[step] = (d, m)
                to_send = True
        log.append('%s: %s' % (d, [m['X-Renraku-Step'] for m in ds]))
    want = {1: datetime.date(2026, 11, 5), 2: datetime.date(2026, 11, 11),
            3: datetime.date(2026, 11, 17)}
    got = dict((k, v[0]) for k, v in appeared.items())
    ok(got == want, 'A: steps 1, 2, 3 appear on 11/5, 11/11 and 11/17 '
       '(文化の日 11/3 skipped)', '\n'.join(log))
    ok(most == 1, 'A: never two drafts at once', '\n'.join(log))
    if 1 in appeared and 2 in appeared and 3 in appeared:
        m1, m2, m3 = appeared[1][1], appeared[2][1], appeared[3][1]
        ok('作業は引き続き進めております' in body(m1) and
           'お忙しいとは思いますが、納期の都合もございますので' in body(m1),
           'A: step 1 is the article\'s follow-up, with the funded line',
           body(m1))
        ok('たびたびのご連絡' in body(m2) and '完成しだい納品' in body(m2),
           'A: step 2 is the second follow-up for a funded contract',
           body(m2))
        ok(m3['To'] is not None and dovecot.USER in str(m3['To']) and
           '連絡催促' in body(m3) and
           'https://crowdworks.jp/contracts/63712345' in body(m3) and
           '契約相手と連絡がとれない場合はこちら' in body(m3),
           'A: step 3 is a note to the user on 連絡催促申請 with the URL',
           str(m3['To']) + '\n' + body(m3))
    r = a.renraku('status', now=datetime.datetime(2026, 11, 27, 12, 0,
                                                  tzinfo=JST))
    ok('funded' in r.stdout and 'follow-up 3 made' in r.stdout,
       'A: status shows the phase and that all three steps were made',
       r.stdout)
finally:
    a.cleanup()

b = started(Box)
try:
    # B. Lancers: the client writes Fri 10/30, step 1 comes 11/5, the
    # client answers 11/6 before the sync.
    b.mail('lancers-comment-1.eml', at((10, 30), 14))
    r = b.renraku('sync', now=at((11, 5), 10))
    ds = b.drafts()
    ok(r.returncode == 0 and [m['X-Renraku-Step'] for m in ds] == ['1'],
       'B: step 1 on 11/5', r.stderr)
    b.mail('lancers-comment-1.eml', at((11, 6), 8),
           **{'lancers.20251022054109.3b2f1e': 'lancers.answer'})
    r = b.renraku('-v', 'sync', now=at((11, 6), 10))
    ok(r.returncode == 0 and b.drafts() == [] and 'taken back' in r.stdout,
       'B: the client answered: the untouched draft is taken back',
       r.stdout + r.stderr)
    steps = set()
    for d in days(datetime.date(2026, 11, 7), datetime.date(2026, 11, 20)):
        b.renraku('sync', now=datetime.datetime(d.year, d.month, d.day, 10,
                                                tzinfo=JST))
        steps |= set(m['X-Renraku-Step'] for m in b.drafts())
    ok('2' not in steps, 'B: no step 2 after the client answered', steps)
    ok('1' in steps, 'B: a new silence gets a new step 1 in time', steps)
finally:
    b.cleanup()

c = started(Box)
try:
    # C. The user edits the step-1 draft in their mail client.
    c.mail('crowdworks-message-1.eml', at((10, 30), 18))
    c.renraku('sync', now=at((11, 5), 10))
    ds = c.drafts()
    ok(len(ds) == 1, 'C: step 1 drafted', len(ds))
    if ds:
        c.replace(ds[0], 'my own words')
    r = c.renraku('sync', now=at((11, 6), 10))
    ds = c.drafts()
    ok(r.returncode == 0 and len(ds) == 1 and 'my own words' in body(ds[0]),
       'C: the edited draft is left alone, no second draft', r.stderr)
    r = c.renraku('status', now=at((11, 6), 11))
    ok('edited' in r.stdout, 'C: status reports the edited draft', r.stdout)
    c.mail('crowdworks-message-1.eml', at((11, 9), 8),
           **{'20251020090451.c0ffee12ab34': 'answer'})
    r = c.renraku('sync', now=at((11, 9), 10))
    ds = c.drafts()
    ok(r.returncode == 0 and len(ds) == 1 and 'my own words' in body(ds[0]),
       'C: even when the client answers, the edited draft stays',
       r.stderr)
finally:
    c.cleanup()
done()
