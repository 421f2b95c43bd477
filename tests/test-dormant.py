#!/usr/bin/env python3
"""A first sync does not flood Drafts with old silences (issue 20).

A new user's INBOX holds the seed (three clients silent for 3 to 5
business days) and a CrowdWorks client silent since 2026-10-01, some 48
business days: longer than the whole ladder (3 + 3 + 3) and a week.

1. The first sync drafts the three fresh silences and leaves the old one
   dormant: no draft for it.  status names it as dormant with the command
   that takes it up, and status --json says "dormant": true.
2. A second sync (nothing new) changes nothing.
3. "renraku mark crowdworks/412345678 resume", then a sync: its step-1
   draft is made.
4. With first_sync_horizon = 60 in [policy], a first sync from a fresh
   state drafts all four.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import at, started  # noqa: E402
from tap import ok, done  # noqa: E402

OLD = 'crowdworks/412345678'
SEED = harness.SEED + [('crowdworks-message-2.eml', at(10, 1, 11), '')]


def threads(box):
    return [d[0] for d in box.drafts()]


box = started(harness.Box, proxy=False)
try:
    box.reset(seed=harness.seed_messages(SEED))
    r = box.run('sync')
    got = threads(box)
    ok(r.returncode == 0 and got == harness.DUE_THREADS,
       'first sync: the three fresh silences drafted, not the one silent '
       'since 10/1', (r.returncode, r.stderr, got))
    r = box.run('status')
    line = [l for l in r.stdout.splitlines() if OLD in l]
    ok(r.returncode == 0 and len(line) == 1 and 'dormant' in line[0] and
       'renraku mark %s resume' % OLD in line[0],
       'status names it dormant, with the command that takes it up',
       r.stdout)
    r = box.run('status', '--json')
    rows = {t['thread']: t for t in json.loads(r.stdout)['threads']}
    ok(rows.get(OLD, {}).get('dormant') is True and
       all(rows[t]['dormant'] is False for t in harness.DUE_THREADS),
       'status --json: "dormant" true for it alone',
       {k: v.get('dormant') for k, v in rows.items()})
    r = box.run('-v', 'sync')
    ok(r.returncode == 0 and threads(box) == harness.DUE_THREADS,
       'a second sync leaves it dormant', (r.stdout, r.stderr))
    r = box.run('mark', OLD, 'resume')
    r2 = box.run('sync')
    got = threads(box)
    ok(r.returncode == 0 and r2.returncode == 0 and
       got == sorted(harness.DUE_THREADS + [OLD]),
       'marked resume: the next sync drafts its step 1',
       (r.stderr, r2.stderr, got))

    cfg = box.config('config-horizon', state=os.path.join(box.srv.dir,
                                                          'state-horizon'))
    with open(cfg) as f:
        text = f.read()
    with open(cfg, 'w') as f:
        f.write(text.replace('[account main]',
                             '[policy]\nfirst_sync_horizon = 60\n\n'
                             '[account main]', 1))
    box.reset(seed=harness.seed_messages(SEED))
    r = box.run('-v', 'sync', cfg=cfg)
    got = threads(box)
    ok(r.returncode == 0 and got == sorted(harness.DUE_THREADS + [OLD]),
       'first_sync_horizon = 60: a first sync drafts all four',
       (r.stderr, got))
finally:
    box.cleanup()
done()
