#!/usr/bin/env python3
"""A client's mail that names no thread holds the threads it may belong
to: when unsure, renraku does not draft.

A Lancers message notice that names neither the job's id nor both the
client and the job (lancers-message-3.eml: only the sender's user name,
sakura_office, which no thread has) cannot be told apart from an answer
in the Lancers thread that is due.

1. The first sync at 12/9 drafts the three due follow-ups (CrowdWorks,
   Lancers, Coconala).
2. The notice arrives on 12/10.  That day's sync takes the Lancers draft
   back and leaves the other platforms' drafts; status says the thread is
   silent since a mail renraku could not read, and lists the mail as one
   that names no thread.
3. Three business days later (12/15) the Lancers follow-up is drafted
   again, its silence counted from the notice.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
import harness  # noqa: E402
from harness import at, started  # noqa: E402
from tap import ok, done  # noqa: E402

LANCERS = 'lancers/5561234'


def threads(box):
    return [d[0] for d in box.drafts()]


box = started(harness.Box, proxy=False)
try:
    box.reset()
    r = box.run('sync')
    ok(r.returncode == 0 and threads(box) == harness.DUE_THREADS,
       'first sync: the three due follow-ups', (r.stderr, threads(box)))

    when = at(12, 10, 8)
    c = box.imap()
    try:
        box.append(c, 'INBOX', [(dovecot.dated(
            harness.corpus('lancers-message-3.eml'), when), when, '')])
    finally:
        c.logout()
    r = box.run('sync', now=harness.DAY2)
    got = threads(box)
    ok(r.returncode == 0 and LANCERS not in got and
       got == [t for t in harness.DUE_THREADS if t != LANCERS],
       'a Lancers notice naming no thread: the Lancers draft is taken '
       'back, the others stay', (r.stderr, got))
    r = box.run('status', '--json', now=harness.DAY2)
    st = json.loads(r.stdout)
    row = [t for t in st['threads'] if t['thread'] == LANCERS]
    loose = [u for u in st['unknown'] if u.get('thread') is None and
             u.get('platform') == 'lancers']
    ok(len(row) == 1 and row[0]['held_by_unread_mail'] is True and
       'could not read' in row[0]['why'] and len(loose) == 1,
       'status: the thread held by a mail renraku could not place, and the '
       'mail listed as naming no thread', (row, st['unknown']))

    r = box.run('sync', now='2026-12-15T10:00:00+09:00')
    got = threads(box)
    ok(r.returncode == 0 and LANCERS in got,
       'three business days after the notice, the Lancers follow-up again',
       (r.stderr, got))
finally:
    box.cleanup()
done()
