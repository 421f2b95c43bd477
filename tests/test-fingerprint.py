#!/usr/bin/env python3
"""A waiting draft is composed again only when what it is made from
changed (issue 20), counted with sync -v's "N drafts composed, M left as
they were without composing".

1. The first sync composes the three due drafts.
2. A sync the same day decides nothing again (the last pass holds: same
   store, config, templates, rules and day), and Drafts is unchanged; a
   draft of the user's own in Drafts makes the next sync decide every
   thread again, composing none.
3. A new your_name: each draft is composed again and refreshed (the new
   name in it); the sync after that decides nothing again.
4. A template of the user's for followup-1 (in the config directory):
   the drafts made from it are composed again and carry its words; the
   file saved again with the same words changes nothing.
5. The next day (a day more of silence): every draft is composed again.
6. Nothing due and no Drafts mailbox: the pass that needed none holds
   without asking the server for one.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import started  # noqa: E402
from tap import ok, done  # noqa: E402


def counts(stdout):
    m = re.search(r'(\d+) drafts composed, (\d+) left as they were',
                  stdout)
    return (int(m.group(1)), int(m.group(2))) if m else None


def bodies(box):
    """renraku's drafts (not the user's own), by thread."""
    return {d[0]: d[4] for d in box.drafts() if d[0] is not None}


box = started(harness.Box, proxy=False)
try:
    box.reset()
    r = box.run('-v', 'sync')
    first = box.drafts()
    ok(r.returncode == 0 and counts(r.stdout) == (3, 0) and
       [d[0] for d in first] == harness.DUE_THREADS,
       'first sync: 3 drafts composed', (r.stdout, r.stderr))
    r = box.run('-v', 'sync')
    ok(r.returncode == 0 and 'nothing changed since the last run' in
       r.stdout and counts(r.stdout) is None and box.drafts() == first,
       'the same day again: the last pass holds, no thread decided again, '
       'Drafts as it was', r.stdout)
    c = box.imap()
    try:
        box.append(c, 'Drafts', [(b'From: hanako@example.com\r\n'
                                  b'Subject: my own draft\r\n\r\nhi\r\n',
                                  harness.at(12, 9, 9), r'(\Draft)')])
    finally:
        c.logout()
    r = box.run('-v', 'sync')
    ok(r.returncode == 0 and counts(r.stdout) == (0, 3),
       'a draft of the user\'s own in Drafts: every thread decided again, '
       'nothing composed', r.stdout)

    with open(box.cfg) as f:
        text = f.read()
    with open(box.cfg, 'w') as f:
        f.write(text.replace('your_name = 山田 花子', 'your_name = 山田 花', 1))
    r = box.run('-v', 'sync')
    got = bodies(box)
    ok(r.returncode == 0 and counts(r.stdout) == (3, 0) and
       all('山田 花\n' in b or '山田 花\r\n' in b for b in got.values()),
       'a new your_name: the 3 drafts composed again, the new name in them',
       (r.stdout, list(got.values())[:1]))
    r = box.run('-v', 'sync')
    ok(r.returncode == 0 and 'nothing changed since the last run' in
       r.stdout,
       'and the sync after: the pass holds', r.stdout)

    tdir = os.path.join(box.xdg, 'renraku', 'templates')
    os.makedirs(tdir, exist_ok=True)
    with open(os.path.join(harness.TOP, 'templates', 'followup-1.txt'),
              encoding='utf-8') as f:
        tmpl = f.read()
    mine = tmpl.replace('ご確認のお願い', 'ご状況のご確認', 1)
    with open(os.path.join(tdir, 'followup-1.txt'), 'w',
              encoding='utf-8') as f:
        f.write(mine)
    r = box.run('-v', 'sync')
    subjects = [d[3] for d in box.drafts()]
    n = sum('ご状況のご確認' in s for s in subjects)
    c = counts(r.stdout)
    ok(r.returncode == 0 and c is not None and c[0] == n and n >= 1 and
       c[0] + c[1] == 3,
       'a template of your own: the %d drafts made from it composed again, '
       'with its words' % n, (r.stdout, subjects))
    with open(os.path.join(tdir, 'followup-1.txt'), 'w',
              encoding='utf-8') as f:
        f.write(mine)
    r = box.run('-v', 'sync')
    ok(r.returncode == 0 and 'nothing changed since the last run' in
       r.stdout,
       'the template saved again with the same words: the pass holds',
       r.stdout)

    before = bodies(box)
    r = box.run('-v', 'sync', now=harness.DAY2)
    after = bodies(box)
    ok(r.returncode == 0 and counts(r.stdout) == (3, 0) and
       all(after[t] != before[t] for t in after),
       'the next day: every draft composed again (a day more of silence)',
       (r.stdout, r.stderr))

    # nothing due and no Drafts mailbox: a full pass never asks for one,
    # nor does the sync after it, whose pass holds
    nodrafts = box.config('config-nodrafts', state=os.path.join(
        box.srv.dir, 'state-nodrafts'), drafts='Nonexistent')
    box.reset(seed=harness.seed_messages([
        s for s in harness.SEED if s[0] == 'crowdworks-scout-1.eml']))
    r1 = box.run('-v', 'sync', cfg=nodrafts)
    r2 = box.run('-v', 'sync', cfg=nodrafts)
    ok(r1.returncode == 0 and r2.returncode == 0 and
       'nothing changed since the last run' in r2.stdout,
       'nothing due and no Drafts mailbox: two syncs exit 0, the second '
       'without asking for Drafts', (r1.stderr, r2.stdout, r2.stderr))
finally:
    box.cleanup()
done()
