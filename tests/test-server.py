#!/usr/bin/env python3
"""renraku sync against a server that changes under it.

A. UIDVALIDITY: the watched mailboxes are recreated between two syncs
   (Work deleted and created again over IMAP; INBOX, which Dovecot will
   not delete over IMAP, wiped on disk, so that Dovecot makes it anew),
   with the same mails appended again under new UIDs that start over at
   1: no event and no draft is added twice, and mail that arrives after
   the recreation is still read.
B. No Drafts mailbox: "drafts = Nonexistent" is a configuration error
   naming the mailbox (exit 78), and so is a server with no mailbox
   marked \\Drafts; nothing is appended anywhere.
C. Five "renraku sync" started at once: one does the work (exit 0), four
   exit 75 saying another sync is running and never connect; no draft
   twice.
D. The user's mail is sacred: over three weeks of daily syncs in which
   drafts are created, refreshed and taken back (the user sends one, a
   client answers), every message of INBOX, Work and Sent keeps its UID,
   FLAGS, RFC822.SIZE, INTERNALDATE and MODSEQ; in Drafts only messages
   carrying X-Renraku-Thread come and go, and the user's own drafts (one
   of them flagged \\Deleted) stay exactly as they were.
"""
import datetime
import glob
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
import harness  # noqa: E402
from faultproxy import Fault, C2S, S2C  # noqa: E402
from harness import at, corpus  # noqa: E402
from tap import ok, done, bail  # noqa: E402

boxes = []


def box(**kw):
    b = harness.Box(**kw)
    boxes.append(b)
    return b


def uidvalidity(b, mailbox):
    c = b.imap()
    typ, data = c.status(mailbox, '(UIDVALIDITY)')
    c.logout()
    return int(re.search(rb'UIDVALIDITY (\d+)', data[0]).group(1))


def mail(name, when, flags='', **replace):
    return (dovecot.dated(corpus(name, **replace), when), when, flags)


def plain(sender, subject, when, flags='', mid=None):
    raw = ('From: %s\r\nTo: hanako@example.com\r\nSubject: %s\r\n'
           'Message-ID: <%s>\r\n\r\nhello\r\n' % (
               sender, subject, mid or subject.replace(' ', '.') +
               '@example.org')).encode()
    return (dovecot.dated(raw, when), when, flags)


def append(b, mailbox, messages):
    c = b.imap()
    try:
        return b.append(c, mailbox, messages)
    finally:
        c.logout()


try:
    a = box(proxy=False, mailboxes='INBOX;Work')
except Exception as e:  # noqa: BLE001
    for x in boxes:
        x.cleanup()
    bail('cannot start dovecot: %s' % e)

try:
    # --- A. UIDVALIDITY ---------------------------------------------------
    inbox_mail = [mail('crowdworks-message-1.eml', at(12, 2, 18)),
                  mail('coconala-talkroom-1.eml', at(12, 2, 21), r'(\Seen)'),
                  plain('friend@example.org', 'lunch', at(12, 3, 12))]
    work_mail = [mail('lancers-comment-1.eml', at(12, 3, 14)),
                 mail('crowdworks-scout-1.eml', at(11, 20, 10), r'(\Seen)')]
    c = a.imap()
    c.create('Work')
    # push Work's UIDs up, so that after its recreation they start below
    # the last UID renraku saw under the old UIDVALIDITY
    a.append(c, 'Work', [plain('x@example.org', 'filler %d' % i,
                               at(11, 1)) for i in range(10)])
    c.select('Work')
    c.store('1:*', '+FLAGS.SILENT', r'(\Deleted)')
    c.expunge()
    c.logout()
    append(a, 'INBOX', inbox_mail)
    append(a, 'Work', work_mail)
    old = {'INBOX': uidvalidity(a, 'INBOX'), 'Work': uidvalidity(a, 'Work')}
    r = a.run('sync')
    drafts1, store1 = a.drafts(), a.store()
    ok(r.returncode == 0 and [d[0] for d in drafts1] ==
       harness.DUE_THREADS and len(store1['events']) == 4,
       'A: first sync: three drafts, four events from INBOX and Work',
       (r.stderr, drafts1, store1))

    c = a.imap()
    ok(c.delete('Work')[0] == 'OK' and c.create('Work')[0] == 'OK',
       'A: Work deleted and created again over IMAP')
    work_uids = a.append(c, 'Work', list(reversed(work_mail)))
    typ, data = c.delete('INBOX')
    c.logout()
    ok(typ == 'NO', 'A: Dovecot refuses to delete INBOX over IMAP, so it '
       'is wiped on disk', data)
    maildir = os.path.join(a.srv.dir, 'home', dovecot.USER, 'Maildir')
    for sub in ('cur', 'new', 'tmp'):
        for f in glob.glob(os.path.join(maildir, sub, '*')):
            os.unlink(f)
    for pat in ('dovecot-uidlist*', 'dovecot.index*', 'dovecot-keywords'):
        for f in glob.glob(os.path.join(maildir, pat)):
            os.unlink(f)
    inbox_uids = append(a, 'INBOX', list(reversed(inbox_mail)))
    new = {'INBOX': uidvalidity(a, 'INBOX'), 'Work': uidvalidity(a, 'Work')}
    ok(new['INBOX'] != old['INBOX'] and new['Work'] != old['Work'] and
       inbox_uids == [1, 2, 3] and work_uids == [1, 2],
       'A: both have a new UIDVALIDITY and UIDs from 1 again',
       (old, new, inbox_uids, work_uids))

    r = a.run('-v', 'sync')
    drafts2, store2 = a.drafts(), a.store()
    ok(r.returncode == 0, 'A: the sync after the recreation exits 0',
       r.stderr)
    ok(drafts2 == drafts1, 'A: the same three drafts, none added',
       harness.diff(drafts1, drafts2))
    ok(len(store2['events']) == 4 and
       [e[:6] for e in store2['events']] == [e[:6] for e in store1['events']]
       and store2['threads'] == store1['threads'] and
       store2['drafts'] == store1['drafts'],
       'A: the same events, threads and draft records, none twice',
       harness.diff(store1, store2))
    ok(dict((m[1], m[2]) for m in store2['mailboxes']
            if m[1] != 'Drafts') == new,
       'A: the store follows the new UIDVALIDITY of both mailboxes',
       (store2['mailboxes'], new))
    ok(re.search(r'^INBOX: \d+ new, 2 platform mails, 0 new events$',
                 r.stdout, re.M) and
       re.search(r'^Work: \d+ new, 2 platform mails, 0 new events$',
                 r.stdout, re.M),
       'A: both mailboxes were read again from the start', r.stdout)

    # a client answers in the recreated Work, at UID 3 (below the last UID
    # of the old Work): it is read, and the Lancers draft is taken back
    append(a, 'Work', [mail('lancers-comment-1.eml', at(12, 9, 8),
                            **{'lancers.20251022054109.3b2f1e':
                               'lancers.after-recreation'})])
    r = a.run('-v', 'sync', now='2026-12-09T11:00:00+09:00')
    drafts3, store3 = a.drafts(), a.store()
    ok(r.returncode == 0 and len(store3['events']) == 5 and
       'Work UID 3: lancers message' in r.stdout,
       'A: mail arriving after the recreation is read (UID 3 of the new '
       'Work)', (r.stdout, r.stderr))
    ok([d[0] for d in drafts3] == ['coconala/18234567',
                                   'crowdworks/63712345'],
       'A: and its thread\'s draft is taken back', drafts3)

    # --- B. no Drafts mailbox --------------------------------------------
    before = (harness.mailboxes(a), harness.snapshot(a, 'Drafts'))
    bad = a.config('config-nodrafts', state=os.path.join(a.srv.dir, 'st2'),
                   drafts='Nonexistent')
    r = a.run('sync', cfg=bad)
    ok(r.returncode == 78 and "'Nonexistent'" in r.stderr and
       r.stdout == '' and len(r.stderr.strip().splitlines()) == 1,
       'B: drafts = Nonexistent: exit 78, one line naming the mailbox',
       (r.returncode, r.stderr))
    print('# ' + r.stderr.strip())
    st = harness.store_view(os.path.join(a.srv.dir, 'st2', 'state.db'))
    ok((harness.mailboxes(a), harness.snapshot(a, 'Drafts')) == before and
       st['drafts'] == [],
       'B: no mailbox created, nothing appended, no draft recorded',
       (before, harness.mailboxes(a), st['drafts']))

    b = box(proxy=False, dovecot_args={'drafts_special_use': False})
    b.reset()
    lists = harness.mailboxes(b)
    ok(not any(b'\\Drafts' in m for m in lists) and
       any(m.endswith(b'Drafts') for m in lists),
       'B: a server whose Drafts mailbox is not marked \\Drafts', lists)
    r = b.run('sync')
    ok(r.returncode == 78 and 'no mailbox is marked \\Drafts' in r.stderr
       and r.stdout == '',
       'B: without a drafts key, sync says no mailbox is marked \\Drafts '
       '(exit 78)', (r.returncode, r.stderr))
    print('# ' + r.stderr.strip())
    ok(harness.snapshot(b, 'Drafts') == {} and harness.mailboxes(b) == lists and
       b.store()['drafts'] == [], 'B: nothing appended, nothing recorded')
    b.cfg = b.config('config-named', drafts='Drafts')
    r = b.run('sync')
    ok(r.returncode == 0 and [d[0] for d in b.drafts()] ==
       harness.DUE_THREADS, 'B: naming it with drafts = Drafts works',
       r.stderr)

    # --- C. five at once -------------------------------------------------
    cc = box()
    cc.reset()
    for round_ in (1, 2):
        # slow the server so that the one that gets the lock is still at
        # work when the others start
        cc.proxy.reset()
        cc.proxy.set(Fault(delay={S2C: 0.02, C2S: 0.01}, chunk=2048))
        procs = [cc.popen('sync', stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
                 for _ in range(5)]
        t0 = time.monotonic()
        outs = [p.communicate(timeout=60) for p in procs]
        took = time.monotonic() - t0
        cc.proxy.wait_closed()
        conns = len(cc.proxy.connections)
        cc.proxy.reset()
        rcs = sorted(p.returncode for p in procs)
        losers = [o for p, o in zip(procs, outs) if p.returncode == 75]
        ok(rcs == [0, 75, 75, 75, 75], 'C%d: five syncs at once: one exits '
           '0, four exit 75 (%.1f s)' % (round_, took),
           (rcs, [o[1] for o in outs]))
        ok(len(losers) == 4 and all(
            'another renraku sync is running' in e and o == '' and
            len(e.strip().splitlines()) == 1 for o, e in losers),
           'C%d: each of the four says another renraku sync is running' %
           round_, losers)
        ok(conns == 1, 'C%d: only one of them connected to the server' %
           round_, conns)
        d, st = cc.drafts(), cc.store()
        ok([x[0] for x in d] == harness.DUE_THREADS and
           len(st['events']) == 4 and
           [x[6] for x in st['drafts']] == ['live'] * 3 and
           st['integrity'] == [('ok',)],
           'C%d: three drafts, one per thread; four events' % round_,
           (d, st))

    # --- D. the user's mail is sacred -------------------------------------
    u = box(proxy=False, mailboxes='INBOX;Work')
    c = u.imap()
    c.create('Work')
    u.append(c, 'INBOX', [
        mail('crowdworks-escrow-1.eml', at(11, 27, 9), r'(\Seen)'),
        mail('crowdworks-message-1.eml', at(11, 30, 18)),
        mail('coconala-talkroom-1.eml', at(12, 2, 21), r'(\Flagged)'),
        plain('friend@example.org', 'lunch', at(12, 1, 12),
              r'(\Seen \Answered $Forwarded)'),
        plain('news@example.com', 'old news', at(11, 2, 8),
              r'(\Seen \Deleted)'),
        mail('upwork-message-1.eml', at(12, 1, 15), r'(\Seen)'),
    ])
    u.append(c, 'Work', [
        mail('lancers-comment-1.eml', at(12, 1, 14)),
        mail('crowdworks-scout-1.eml', at(11, 20, 10), r'(\Seen)'),
        plain('boss@example.com', 'weekly report', at(12, 1, 9),
              r'(\Flagged)'),
    ])
    u.append(c, 'Drafts', [
        plain('hanako@example.com', 'my own draft', at(12, 1, 20),
              r'(\Draft \Seen)'),
        plain('hanako@example.com', 'a draft I deleted', at(11, 28, 20),
              r'(\Draft \Deleted)'),
    ])
    u.append(c, 'Sent', [plain('hanako@example.com', 'sent earlier',
                               at(11, 29, 10), r'(\Seen)')])
    c.logout()
    users = dict((uid, v) for uid, v in harness.snapshot(u, 'Drafts').items())
    others = ('INBOX', 'Work', 'Sent')
    seen = {'created': [], 'refreshed': [], 'taken back': []}
    problems = []
    day = datetime.date(2026, 12, 1)
    syncs = 0
    while day <= datetime.date(2026, 12, 21):
        now = datetime.datetime(day.year, day.month, day.day, 10,
                                tzinfo=harness.JST)
        if day == datetime.date(2026, 12, 5):
            # the user sends the CrowdWorks follow-up: it leaves Drafts
            cur = harness.snapshot(u, 'Drafts')
            mine = [uid for uid, v in cur.items()
                    if v[4] == 'crowdworks/63712345']
            c = u.imap()
            c.select('Drafts')
            for uid in mine:
                c.uid('STORE', str(uid), '+FLAGS.SILENT', r'(\Deleted)')
                c.uid('EXPUNGE', str(uid))
            c.logout()
            users = dict((k, v) for k, v in harness.snapshot(u, 'Drafts').items()
                         if v[4] is None)
        if day == datetime.date(2026, 12, 8):
            # the Lancers client answers
            append(u, 'Work', [mail('lancers-comment-1.eml', at(12, 8, 8),
                                    **{'lancers.20251022054109.3b2f1e':
                                       'lancers.answer'})])
        before = dict((mb, harness.snapshot(u, mb)) for mb in others)
        drafts_before = harness.snapshot(u, 'Drafts')
        lists = harness.mailboxes(u)
        r = u.run('sync', now=now.isoformat())
        syncs += 1
        after = dict((mb, harness.snapshot(u, mb)) for mb in others)
        drafts_after = harness.snapshot(u, 'Drafts')
        if r.returncode != 0:
            problems.append('%s: exit %d %s' % (day, r.returncode,
                                                r.stderr))
        for mb in others:
            if after[mb] != before[mb]:
                problems.append('%s: %s changed:\n  %r\n  %r' % (
                    day, mb, before[mb], after[mb]))
        if harness.mailboxes(u) != lists:
            problems.append('%s: the mailbox list changed: %r -> %r' % (
                day, lists, harness.mailboxes(u)))
        for uid in set(drafts_before) & set(drafts_after):
            if drafts_before[uid] != drafts_after[uid]:
                problems.append('%s: Drafts UID %d changed: %r -> %r' % (
                    day, uid, drafts_before[uid], drafts_after[uid]))
        gone = set(drafts_before) - set(drafts_after)
        came = set(drafts_after) - set(drafts_before)
        for uid in gone | came:
            v = (drafts_before if uid in gone else drafts_after)[uid]
            if v[4] is None:
                problems.append('%s: Drafts UID %d without X-Renraku-Thread '
                                '%s' % (day, uid, 'removed' if uid in gone
                                        else 'added'))
        if dict((k, v) for k, v in drafts_after.items()
                if v[4] is None) != users:
            problems.append('%s: the user\'s own drafts changed' % day)
        threads_before = dict((v[4], k) for k, v in drafts_before.items()
                              if v[4])
        threads_after = dict((v[4], k) for k, v in drafts_after.items()
                             if v[4])
        for t in set(threads_before) | set(threads_after):
            x, y = threads_before.get(t), threads_after.get(t)
            if x is None and y is not None:
                seen['created'].append('%s %s' % (day, t))
            elif x is not None and y is None:
                seen['taken back'].append('%s %s' % (day, t))
            elif x != y:
                seen['refreshed'].append('%s %s' % (day, t))
        day += datetime.timedelta(days=1)
    print('# %d daily syncs; drafts %s' % (syncs, dict(
        (k, len(v)) for k, v in seen.items())))
    for k, v in seen.items():
        print('#   %s: %s' % (k, ', '.join(v)))
    ok(all(seen.values()), 'D: drafts were created, refreshed and taken '
       'back', seen)
    ok(not problems, 'D: INBOX, Work and Sent unchanged by every sync '
       '(UID, FLAGS, RFC822.SIZE, INTERNALDATE, MODSEQ), no mailbox '
       'created; in Drafts only messages with X-Renraku-Thread came and '
       'went, the user\'s own drafts untouched', '\n'.join(problems[:10]))
    final = harness.snapshot(u, 'Drafts')
    ok(all(v[4] is None or '\\Draft' in v[0] for v in final.values()) and
       len([v for v in final.values() if v[4]]) ==
       len(set(v[4] for v in final.values() if v[4])),
       'D: at most one renraku draft per thread, each flagged \\Draft',
       final)
finally:
    for x in boxes:
        x.cleanup()
done()
