#!/usr/bin/env python3
"""Drafts as real mail clients treat them, and a quiet daily run, against a
real Dovecot.

A. A webmail editor saves renraku's draft again: a new Message-ID, the
   X-Renraku-* headers dropped, the text (and the note's mark) kept.  It is
   the user's edited draft: no follow-up 2 appears beside it, and it is
   left as it is.
B. The user flags renraku's draft \\Deleted and does not expunge it: it is
   gone (the step counts as made); renraku neither deletes it nor makes it
   anew.
C. A first sync over an INBOX holding a 600 KB forward that is no platform
   mail prints nothing at all.
D. sync --dry-run with a Drafts mailbox that does not exist exits 78, as
   the real sync does.
E. status --json gives RFC 3339 times; a from key is the drafts' From.
F. A server that marks INBOX as \\Drafts: sync refuses to draft there
   (exit 78, one line), and INBOX is left as it was.
"""
import datetime
import email
import email.policy
import imaplib
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
from harness import Ladder, started  # noqa: E402
from tap import ok, done  # noqa: E402

JST = datetime.timezone(datetime.timedelta(hours=9))
THREAD = 'crowdworks/63712345'
RFC3339 = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?'
                     r'(Z|[+-]\d{2}:\d{2})$')


def at(m, d, h=10):
    return datetime.datetime(2026, m, d, h, 0, tzinfo=JST)


def contract(box):
    """仮払い Tue 11/24, the client's last message Fri 11/27: follow-up 1
    falls due Wed 12/2, follow-up 2 three business days after it left."""
    box.mail('crowdworks-escrow-1.eml', at(11, 24, 9))
    box.mail('crowdworks-message-1.eml', at(11, 27, 18))


def drafts_raw(box):
    """[(flags, raw)] of Drafts, \\Deleted ones too."""
    return box.srv.messages('Drafts')


def sync(box, day, label):
    r = box.renraku('sync', now=at(12, day))
    if r.returncode != 0:
        ok(False, '%s: sync on 12/%d' % (label, day), r.stderr)
    return r


box = started(Ladder)
try:
    # A
    contract(box)
    sync(box, 2, 'A')
    (flags, raw), = drafts_raw(box)
    m = email.message_from_bytes(raw, policy=email.policy.default)
    text = m.get_body(('plain',)).get_content()
    ok('[renraku %s]' % THREAD in text,
       'A: the draft\'s note carries the mark of its thread', text)
    copy = email.message.EmailMessage()
    copy['From'] = m['From']
    copy['Subject'] = str(m['Subject'])
    copy['Message-ID'] = '<webmail-resave-1@example.com>'
    copy.set_content(text.replace('いつもお世話になります',
                                  'いつもお世話になっております'))
    c = box.srv.client()
    c.select('Drafts')
    c.store('1:*', '+FLAGS', r'(\Deleted)')
    c.expunge()
    c.append('Drafts', r'(\Draft)', None, copy.as_bytes())
    c.logout()
    before = drafts_raw(box)
    for day in (3, 4, 7, 8, 9):
        sync(box, day, 'A')
    after = drafts_raw(box)
    ok(after == before,
       'A: the copy saved without our headers is the user\'s: left as it '
       'is, no follow-up 2 beside it through 12/9',
       [f for f, _ in after])
    st = box.renraku('status', now=at(12, 9))
    ok('edited' in st.stdout and 'follow-up 2' not in st.stdout,
       'A: status says the draft is the user\'s', st.stdout)

    # B
    box.reset()
    contract(box)
    sync(box, 2, 'B')
    c = box.srv.client()
    c.select('Drafts')
    c.store('1:*', '+FLAGS', r'(\Deleted)')
    c.logout()
    for day in (3, 4):
        sync(box, day, 'B')
    got = drafts_raw(box)
    ok(len(got) == 1 and '\\Deleted' in got[0][0],
       'B: the draft the user flagged \\Deleted is neither expunged nor '
       'made anew', [f for f, _ in got])
    st = box.renraku('status', now=at(12, 4))
    ok('follow-up 1 made' in st.stdout,
       'B: it counts as the step made', st.stdout)

    # C
    box.reset()
    pdf = os.urandom(450 * 1024)
    big = email.message.EmailMessage()
    big['From'] = 'colleague@example.org'
    big['To'] = 'hanako@example.com'
    big['Subject'] = 'Fwd: 見積書'
    big['Message-ID'] = '<big-forward@example.org>'
    big.set_content('見積書を転送します。')
    big.add_attachment(pdf, maintype='application', subtype='pdf',
                       filename='estimate.pdf')
    raw = big.as_bytes()
    box.srv.append('INBOX', dovecot.dated(raw, at(12, 1)), at(12, 1))
    contract(box)
    r = box.renraku('sync', now=at(12, 1))
    ok(r.returncode == 0 and r.stdout == '' and r.stderr == '' and
       len(raw) > 600 * 1024,
       'C: a first sync over a %d KB forward that is no platform mail '
       'prints nothing' % (len(raw) // 1024), (r.returncode, r.stdout,
                                              r.stderr))
finally:
    box.cleanup()

# D
missing = started(Ladder, drafts='NoSuchDrafts')
try:
    contract(missing)
    r = missing.renraku('sync', '--dry-run', now=at(12, 2))
    real = missing.renraku('sync', now=at(12, 2))
    ok(r.returncode == 78 and real.returncode == 78 and
       'NoSuchDrafts' in r.stderr,
       'D: sync --dry-run with a Drafts mailbox that does not exist exits '
       '78, as sync does', (r.returncode, r.stdout, r.stderr,
                            real.returncode))
finally:
    missing.cleanup()

# E
login = started(Ladder, **{'from': 'hanako.yamada@example.jp'})
try:
    contract(login)
    sync(login, 2, 'E')
    (flags, raw), = drafts_raw(login)
    m = email.message_from_bytes(raw, policy=email.policy.default)
    ok(m['From'].addresses[0].addr_spec == 'hanako.yamada@example.jp',
       'E: from = is the drafts\' From', m['From'])
    r = login.renraku('status', '--json', now=at(12, 2))
    doc = json.loads(r.stdout)
    times = [doc['now']] + [t[k] for t in doc['threads']
                            for k in ('last_contact', 'last_step_made',
                                      'auto_accept') if t[k] is not None]
    ok(len(times) >= 2 and all(RFC3339.match(t) for t in times) and
       all(datetime.datetime.fromisoformat(t) for t in times),
       'E: status --json times are RFC 3339', times)
finally:
    login.cleanup()
# F
inbox = started(Ladder, dovecot_args={'drafts': 'INBOX'})
try:
    contract(inbox)
    before = inbox.srv.messages('INBOX')
    r = inbox.renraku('sync', now=at(12, 2))
    lines = r.stderr.strip().splitlines()
    ok(r.returncode == 78 and len(lines) == 1 and 'marks INBOX' in lines[0] and
       inbox.srv.messages('INBOX') == before,
       'F: INBOX marked \\Drafts: no draft put there, exit 78 and one line',
       (r.returncode, r.stderr))
finally:
    inbox.cleanup()
done()
