#!/usr/bin/env python3
"""Drafts that fall due together go to Drafts in one command.

The seed has three follow-ups due at once (harness.DUE_THREADS).

1. Dovecot as installed offers MULTIAPPEND (RFC 3502) and LITERAL+
   (RFC 7888): the -v -v trace shows one APPEND carrying all three, the
   count renraku prints agrees, and Drafts holds each draft once, flagged
   \\Draft, dated the run's time (Dovecot dates a message now when
   given a time in the future), byte for byte as the store recorded it
   (its SHA-256).  A second sync appends nothing.
2. A Dovecot whose capabilities leave out MULTIAPPEND, and one that
   leaves out LITERAL+: one APPEND per draft, and Drafts ends the same,
   to the byte.
"""
import datetime
import email.utils
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import started  # noqa: E402
from tap import ok, done  # noqa: E402

# Dovecot 2.3's own list after login, less what each case takes away
CAPS = ('IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT '
        'THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS '
        'LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT '
        'SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE LITERAL+ '
        'SPECIAL-USE')


def appends(trace):
    """The APPEND commands of a -v -v trace."""
    return [c for c in harness.commands(trace) if c == 'APPEND']


def internal_dates(box):
    c = box.srv.client()
    c.select('Drafts', readonly=True)
    typ, data = c.uid('FETCH', '1:*', '(INTERNALDATE)')
    c.logout()
    out = []
    for item in data:
        m = re.search(rb'INTERNALDATE "([^"]+)"', item)
        out.append(email.utils.parsedate_to_datetime(
            m.group(1).decode().replace('-', ' ', 2)))
    return out


def case(name, caps):
    extra = '' if caps is None else 'imap_capability = %s\n' % caps
    box = started(harness.Box, proxy=False,
                  dovecot_args={'extra': extra} if extra else None)
    try:
        box.reset()
        r = box.run('-v', '-v', 'sync')
        d = box.drafts()
        counted = re.findall(r'^main: (\d+) IMAP', r.stdout, re.M)
        sent = [c for c in harness.commands(r.stderr)
                if not c.endswith('literal')]
        ok(r.returncode == 0 and [x[0] for x in d] == harness.DUE_THREADS,
           '%s: one draft per due thread' % name, r.stdout[-800:])
        ok(counted and int(counted[0]) == len(sent),
           '%s: renraku counts the %d commands it sent' % (
               name, len(sent)), (counted, sent))
        db = sqlite3.connect(os.path.join(box.state, 'state.db'))
        stored = sorted(h for (h,) in db.execute(
            "SELECT raw_hash FROM draft WHERE state = 'live'"))
        db.close()
        ok(stored == sorted(x[6] for x in d) and
           all(x[5] == '\\Draft' for x in d),
           '%s: each draft flagged \\Draft, its bytes as the store has '
           'them' % name, (stored, d))
        # Dovecot takes no date in the future: then it dates them now
        when = internal_dates(box)
        run = datetime.datetime.fromisoformat(harness.NOW)
        wall = datetime.datetime.now(datetime.timezone.utc)
        ok(len(when) == 3 and all(
            w == run if run <= wall else abs(w - wall).total_seconds() < 120
            for w in when), '%s: dated the run\'s time (%s)' % (
                name, when[0].isoformat() if when else None), when)
        r2 = box.run('-v', '-v', 'sync')
        ok(r2.returncode == 0 and box.drafts() == d and
           not appends(r2.stderr), '%s: a second sync appends nothing'
           % name, r2.stdout)
        return appends(r.stderr), d
    finally:
        box.cleanup()


multi, ref = case('MULTIAPPEND and LITERAL+', None)
ok(len(multi) == 1, 'one APPEND command for the three drafts', multi)

for name, caps in (('no MULTIAPPEND', CAPS.replace(' MULTIAPPEND', '')),
                   ('MULTIAPPEND without LITERAL+',
                    CAPS.replace(' LITERAL+', ''))):
    single, d = case(name, caps)
    ok(len(single) == 3, '%s: one APPEND per draft' % name, single)
    ok(d == ref, '%s: Drafts the same as with MULTIAPPEND, to the byte'
       % name)
done()
