#!/usr/bin/env python3
"""Mail shaped the way the platforms really send it, against a real Dovecot
(../shared/reference/platform-mails.md §9): renraku never nags a client
who answered, and never drops a platform mail without a word.

A. A Lancers comment that names no job id makes a thread keyed by client
   and title; follow-up 1 comes 3 business days later; a later comment
   with the job's id joins the same thread (the old key still works), and
   so does a Gmail forward of another comment with no id.
B. A CrowdWorks message whose only link to the contract is an href of its
   HTML part joins the contract's thread and takes back the untouched
   draft.
C. A Coconala mail of a talk room that no rule recognises holds the
   ladder: the waiting draft is taken back, status names the mail, and
   the next follow-up counts from it.
D. A Coconala purchase followed by buyer silence: the funded follow-ups,
   never a request for 仮払い or a proposal to end; after 正式な納品 no
   request for 承諾, and status shows the day it comes by itself.
E. A talk room's closing reminder and a CrowdWorks 途中終了 request leave
   their threads open.
"""
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Ladder, corpus, started  # noqa: E402
from tap import ok, done  # noqa: E402

JST = datetime.timezone(datetime.timedelta(hours=9))


def at(m, d, h=10, mi=0):
    return datetime.datetime(2026, m, d, h, mi, tzinfo=JST)


class Box(Ladder):
    """The shared box, with renraku's sync and status at hand."""

    def sync(self, now, label):
        r = self.renraku('sync', now=now)
        if r.returncode != 0:
            ok(False, '%s: sync on %s' % (label, now.date()), r.stderr)
        return r

    def status(self, now):
        return self.renraku('status', now=now).stdout

    def status_json(self, now):
        r = self.renraku('status', '--json', now=now)
        return json.loads(r.stdout)


def body(m):
    return m.get_body(('plain',)).get_content().replace('\r\n', '\n')


def threads(js):
    return {t['thread']: t for t in js['threads']}


box = started(Box)

try:
    # A.  Mon 11/16 a comment with no job id; follow-up 1 on Thu 11/19.
    box.reset()
    box.mail('lancers-comment-nolink.eml', at(11, 16, 11, 20))
    box.sync(at(11, 18), 'A')
    js = box.status_json(at(11, 18))
    named = [t for t in js['threads'] if t['platform'] == 'lancers']
    ok(len(named) == 1 and named[0]['thread'].startswith('lancers/n') and
       named[0]['client'] == '株式会社ハナミズキ' and
       named[0]['job_title'] == '社内報のデザイン制作（全8ページ）' and
       named[0]['next_date'] == '2026-11-19',
       'A: a Lancers comment with no job id makes a thread of its client '
       'and title, follow-up 1 due 3 business days later', js)
    key = named[0]['thread'] if named else 'lancers/none'
    ok(box.drafts() == [], 'A: no draft before the third business day',
       box.drafts())
    box.sync(at(11, 19), 'A')
    d = box.drafts()
    ok(len(d) == 1 and d[0]['X-Renraku-Thread'] == key and
       '社内報のデザイン制作' in d[0]['Subject'] and
       d[0]['Subject'].startswith('「'),
       'A: follow-up 1 on Thu 11/19, for the thread keyed by names',
       [(m['X-Renraku-Thread'], m['Subject']) for m in d])
    r = box.renraku('preview', key, now=at(11, 19))
    ok(r.returncode == 0 and '株式会社ハナミズキ様' in r.stdout,
       'A: preview takes the key made of the names', r.stdout + r.stderr)
    # the client answers, in a mail that names the job's id
    box.mail('lancers-comment-2.eml', at(11, 19, 16, 5))
    box.sync(at(11, 19, 17), 'A')
    js = box.status_json(at(11, 19, 17))
    lan = [t for t in js['threads'] if t['platform'] == 'lancers']
    ok(len(lan) == 1 and lan[0]['thread'] == 'lancers/5600123' and
       lan[0]['last_contact'].startswith('2026-11-19T16:05') and
       lan[0]['url'] == 'https://www.lancers.jp/work/detail/5600123',
       'A: the comment with the job id joins the same thread, under the '
       'id', lan)
    ok(box.drafts() == [], 'A: the client answered: the untouched '
       'follow-up is taken back', [m['Subject'] for m in box.drafts()])
    r = box.renraku('mark', key, 'replied', now=at(11, 19, 18))
    js = box.status_json(at(11, 19, 18))
    ok(r.returncode == 0 and
       threads(js)['lancers/5600123']['last_contact'].startswith(
           '2026-11-19T18:00'),
       'A: the old key still names the thread (mark)', r.stderr)
    # a Gmail forward (転送されたメッセージ, 差出人:) of another comment
    box.srv.append('INBOX', corpus('lancers-forwarded-gmail-ja.eml'),
                   at(11, 20, 12, 30))
    box.sync(at(11, 20, 13), 'A')
    js = box.status_json(at(11, 20, 13))
    lan = [t for t in js['threads'] if t['platform'] == 'lancers']
    ok(len(lan) == 1 and
       lan[0]['last_contact'].startswith('2026-11-20T10:02'),
       'A: a forwarded comment with no id joins the thread too', lan)

    # B.  A contract whose client went silent Mon 11/30; step 1 on Thu
    # 12/3; the client writes on Fri 12/4 in a mail whose only link is an
    # href of its HTML part.
    box.reset()
    box.mail('crowdworks-escrow-1.eml', at(11, 27, 9))
    box.mail('crowdworks-message-1.eml', at(11, 30, 18))
    box.sync(at(12, 3), 'B')
    d = box.drafts()
    ok([m['X-Renraku-Thread'] for m in d] == ['crowdworks/63712345'],
       'B: follow-up 1 waits in Drafts', [m['Subject'] for m in d])
    box.mail('crowdworks-message-href-only.eml', at(12, 4, 17, 30))
    box.sync(at(12, 4, 18), 'B')
    js = box.status_json(at(12, 4, 18))
    t = threads(js).get('crowdworks/63712345', {})
    ok(t.get('last_contact', '').startswith('2026-12-04T17:30') and
       len(js['threads']) == 1 and js['unknown'] == [],
       'B: the message whose contract link is only an href joins its '
       'thread', js)
    ok(box.drafts() == [], 'B: the untouched draft is taken back',
       [m['Subject'] for m in box.drafts()])

    # C.  A Coconala purchase Mon 11/30, silence, step 1 on Thu 12/3; then
    # a mail of the same talk room that no rule knows.
    box.reset()
    box.mail('coconala-purchase-listed.eml', at(11, 30, 9))
    box.sync(at(12, 3), 'C')
    ok(len(box.drafts()) == 1, 'C: follow-up 1 waits in Drafts',
       [m['Subject'] for m in box.drafts()])
    box.mail('coconala-unknown-thread.eml', at(12, 3, 12))
    box.sync(at(12, 3, 13), 'C')
    ok(box.drafts() == [], 'C: a mail of the thread renraku cannot read '
       'takes the waiting draft back', [m['Subject'] for m in box.drafts()])
    out = box.status(at(12, 3, 13))
    line = [l for l in out.splitlines() if l.startswith('coconala/18345678')]
    ok(line and 'could not read' in line[0] and
       'お取引についての重要なご連絡' in out and
       'counted as the client\'s in its thread coconala/18345678' in out,
       'C: status says the ladder counts from that mail, and names it',
       out)
    js = box.status_json(at(12, 3, 13))
    u = js['unknown']
    ok(len(u) == 1 and u[0]['thread'] == 'coconala/18345678' and
       u[0]['kind'] == 'unknown' and
       threads(js)['coconala/18345678']['held_by_unread_mail'] is True,
       'C: status --json lists it with its thread', js)
    box.sync(at(12, 7), 'C')
    ok(box.drafts() == [], 'C: no follow-up 2 business days after it',
       [m['Subject'] for m in box.drafts()])
    box.sync(at(12, 8), 'C')
    d = box.drafts()
    ok(len(d) == 1 and "Client's last contact: Dec 3 " in body(d[0]),
       'C: follow-up 1 again 3 business days after it, counting from it',
       [body(m) for m in d])

    # D.  A Coconala purchase Mon 11/16 20:14, then silence.
    box.reset()
    box.mail('coconala-purchase-listed.eml', at(11, 16, 20, 14))
    made = []
    for day in range(17, 27):
        box.sync(at(11, day), 'D')
        for m in box.drafts():
            made.append((day, m['X-Renraku-Step'], m['Subject'], body(m)))
        box.send_all()
    ok([(d, s) for d, s, _, _ in made] == [(19, '1'), (26, '2')],
       'D: follow-up 1 on Thu 11/19, follow-up 2 three business days after '
       'it was sent (11/23 is a holiday)', made)
    ok(made and all('仮払い' not in b + s and '今後の進め方' not in s and
                    '作業は引き続き進めて' in b for _, _, s, b in made),
       'D: both are the funded follow-up, never a request for 仮払い or '
       'to end the contract', made)
    js = box.status_json(at(11, 26, 11))
    ok(threads(js)['coconala/18345678']['phase'] == 'funded',
       'D: a purchase is funded', js)
    box.mail('coconala-delivery-2.eml', at(11, 26, 15))
    for day in (26, 27, 28, 29):
        box.sync(at(11, day, 16), 'D')
        ok(box.drafts() == [], 'D: 11/%d after 正式な納品: no request for '
           '承諾' % day, [m['Subject'] for m in box.drafts()])
    js = box.status_json(at(11, 27))
    t = threads(js)['coconala/18345678']
    ok(t['phase'] == 'delivered' and
       t['auto_accept'].startswith('2026-11-29T15:00') and
       t['next_date'] == '2026-11-29' and t['next_step'] is None,
       'D: status --json gives the time 承諾 comes by itself', t)
    out = box.status(at(11, 27))
    ok('accepts the delivery by itself on' in out, 'D: status says so',
       out)
    box.sync(at(12, 2), 'D')
    js = box.status_json(at(12, 2))
    ok(box.drafts() == [] and
       threads(js)['coconala/18345678']['phase'] == 'closed',
       'D: 72 hours later the thread is closed, nothing drafted', js)

    # E.  A closing reminder and a 途中終了 request end nothing.
    box.reset()
    box.mail('coconala-purchase-listed.eml', at(11, 16, 20, 14))
    box.mail('coconala-close-reminder.eml', at(11, 18, 8))
    box.mail('crowdworks-contract-1.eml', at(11, 24, 9))
    box.mail('crowdworks-escrow-1.eml', at(11, 24, 10))
    box.mail('crowdworks-end-request.eml', at(12, 1, 10))
    box.sync(at(12, 2), 'E')
    js = box.status_json(at(12, 2))
    t = threads(js)
    ok(t.get('coconala/18345678', {}).get('phase') == 'funded',
       'E: a talk room\'s closing reminder leaves it open', js)
    cw = t.get('crowdworks/63798765', {})
    ok(cw.get('phase') not in (None, 'closed') and
       'asked you to act' in (cw.get('why') or ''),
       'E: a 途中終了 request leaves the contract open: the answer is '
       'the user\'s', cw)
    ok(not any(m['X-Renraku-Thread'] == 'crowdworks/63798765'
               for m in box.drafts()),
       'E: no follow-up to a client waiting for the user\'s answer',
       [m['Subject'] for m in box.drafts()])
finally:
    box.cleanup()
done()
