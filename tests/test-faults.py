#!/usr/bin/env python3
"""renraku sync when the connection breaks, at every phase of a sync.

1. The first sync.  A reference sync through a fault-free proxy
   (tests/faultproxy.py) gives the drafts and the store a sync must end
   with: three step-1 drafts, the events and threads of four platform
   mails.  Then, for cut points spread over the whole first sync in both
   directions (in each TLS record of the handshake, and of every command
   and every answer: LOGIN, EXAMINE, SEARCH, FETCH, LIST, SELECT, the
   header searches, the APPEND of all three drafts (MULTIAPPEND), LOGOUT:
   nothing of it, half of it, all but its last byte; and more inside the
   APPEND, through each draft it carries), from
   the same mailbox and a fresh state: a sync whose connection is cut
   there exits 75 (or 0 when the cut came after all the work), and one
   more sync without a fault ends exactly at the reference: the same
   drafts in Drafts, one per due thread, the same threads, events, mailbox
   state and draft records in the store.
2. The next day's sync, which takes drafts back: two drafts are refreshed
   (taken back, appended anew) and the Lancers client's answer makes its
   draft go.  The same, for cuts in each UID STORE, UID EXPUNGE and
   APPEND of that sync and in their answers: one more sync ends exactly
   at the next day's reference; no stale draft stays behind.
3. A server that stops answering mid-command, with timeout = 3, ends the
   sync in about 3 seconds with exit 75; then a sync finishes the job.

Two Dovecots work through the points side by side, each reset between
points by deleting every message of Drafts and INBOX, appending the seed
again and removing renraku's state directory.
"""
import collections
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from faultproxy import Fault, C2S, S2C  # noqa: E402
from harness import diff, phase_of  # noqa: E402
from tap import ok, done  # noqa: E402

TIMEOUT = 3
WORKERS = 2
DAY2 = harness.DAY2


class Reference:
    """What a sync must end with, and its connection through the proxy."""

    def __init__(self, box, now, prepare):
        prepare()
        r = box.run('-v', '-v', 'sync', now=now)
        box.proxy.wait_closed()
        self.names = ['TLS handshake'] * 3 + harness.commands(r.stderr)
        box.proxy.reset()
        prepare()
        t0 = time.monotonic()
        self.run = box.run('sync', now=now)
        self.time = time.monotonic() - t0
        box.proxy.wait_closed()
        self.conn = box.proxy.last()
        box.proxy.reset()
        self.drafts = box.drafts()
        self.store = box.store()
        if len(self.names) != len(self.conn.records(C2S)):
            self.names = ['record %d' % k for k in
                          range(len(self.conn.records(C2S)))]


class Worker:
    """A Dovecot and proxy of its own, and the references it must reach."""

    def __init__(self):
        self.box = harness.Box()
        self.timeout_cfg = self.box.config('config-timeout',
                                           general={'timeout': TIMEOUT})
        self.ref = {1: Reference(self.box, harness.NOW, self.day1),
                    2: Reference(self.box, DAY2, self.day2)}

    def day1(self):
        self.box.reset()

    def day2(self):
        self.box.day2()

    def at_reference(self, day):
        return (self.box.drafts() == self.ref[day].drafts and
                self.box.store() == self.ref[day].store)

    def cut(self, day, n, direction, where, last):
        """One cut point: the faulted sync, then a clean one."""
        box, ref = self.box, self.ref[day]
        now = harness.NOW if day == 1 else DAY2
        out = {'direction': direction, 'problems': [], 'windows': []}
        (self.day1 if day == 1 else self.day2)()
        box.proxy.set(Fault('cut', direction, where, reset=(n % 5 == 4)))
        r1 = box.run('sync', now=now, timeout=60)
        box.proxy.wait_closed()
        conn = box.proxy.last()
        box.proxy.reset()
        out['label'] = ('completed' if r1.returncode == 0
                        else phase_of(r1.stderr))
        what = 'day %d: %s cut at %s (byte %s): exit %d: %s' % (
            day, direction, where, conn.count[direction] if conn else None,
            r1.returncode, r1.stderr.strip())
        if r1.returncode == 0:
            if not last:
                out['problems'].append(('exit 0 before the work was done',
                                        what))
            if not self.at_reference(day):
                out['problems'].append(
                    ('exit 0 but the state is not the reference', what))
        elif r1.returncode != 75:
            out['problems'].append(('exit neither 75 nor 0', what))
        mid = box.store()
        if mid is not None and mid['integrity'] != [('ok',)]:
            out['problems'].append(('store not intact after the cut', what))
        if mid and mid.get('schema'):
            ids = set(d[2] for d in box.drafts())
            pend = [d[0] for d in mid['drafts'] if d[6] == 'pending']
            appended = sum(1 for m in pend if '<%s>' % m in ids)
            if appended:
                out['windows'].append('APPEND done, its OK lost')
            if len(pend) > appended:
                out['windows'].append('recorded pending, APPEND lost')
            taken = [d[0] for d in mid['drafts']
                     if d[6] in ('removing', 'removed')]
            if any('<%s>' % m in ids for m in taken):
                out['windows'].append('take-back cut short')
        r2 = box.run('sync', now=now, timeout=60)
        if r2.returncode != 0:
            out['problems'].append(('the sync after the cut fails',
                                    what + ' / then: %d %s' % (
                                        r2.returncode, r2.stderr)))
            return out
        d, st = box.drafts(), box.store()
        if d != ref.drafts:
            out['problems'].append(('Drafts differ from the reference',
                                    what + '\n' + diff(ref.drafts, d)))
        if st != ref.store:
            out['problems'].append(('the store differs from the reference',
                                    what + '\n' + diff(ref.store, st)))
        return out

    def stall(self, name, fault):
        """A stall with timeout = 3, then a clean sync."""
        box = self.box
        self.day1()
        box.proxy.set(fault)
        t0 = time.monotonic()
        r = box.run('sync', cfg=self.timeout_cfg, timeout=60)
        took = time.monotonic() - t0
        box.proxy.reset()
        r2 = box.run('sync', cfg=self.timeout_cfg, timeout=60)
        return {'name': name, 'rc': r.returncode, 'stderr': r.stderr,
                'took': took, 'rc2': r2.returncode, 'stderr2': r2.stderr,
                'after': self.at_reference(1)}


def answer_bounds(ref):
    """For each client record k, the server's records answering it."""
    c2s, s2c = ref.records(C2S), ref.records(S2C)
    bounds = [r.other_begun for r in c2s] + [len(s2c)]
    return [s2c[bounds[k]:bounds[k + 1]] for k in range(len(c2s))]


def cut_points(ref):
    """Day 1: (direction, address, index of the client record it
    concerns) over the whole sync."""
    c2s = ref.records(C2S)
    out = []
    literals = [k for k, r in enumerate(c2s) if r.type == 23 and
                r.length > 1000]
    out.append((C2S, 0, 0))                 # not even the ClientHello
    for k, r in enumerate(c2s):
        # half of record k, all but its last byte, all of it (and then
        # nothing: the cut comes before the server's answer gets back)
        out.append((C2S, ('rec', k, r.length // 2), k))
        out.append((C2S, ('rec', k + 1, -1), k))
        out.append((C2S, ('rec', k + 1, 0), k))
        if k in literals:
            # the drafts' APPEND: its TLS header alone, one byte more,
            # and through each of the drafts it carries
            out.append((C2S, ('rec', k, 5), k))
            out.append((C2S, ('rec', k, 6), k))
            for j in range(1, 8):
                out.append((C2S, ('rec', k, r.length * j // 8), k))
    for k, resp in enumerate(answer_bounds(ref)):
        if not resp:
            continue
        out.append((S2C, ('resp', k, 0, 0), k))
        if k >= 3 and len(resp) > 2:
            # the FETCH answer: Dovecot splits it into TLS records as its
            # buffers fill, differently each run, so count bytes instead
            size = resp[-1].end - resp[0].start
            for j in range(1, 8):
                out.append((S2C, ('resp', k, 0, size * j // 8), k))
            out.append((S2C, ('resp', k, len(resp), -1), k))
            continue
        for i, r in enumerate(resp):
            out.append((S2C, ('resp', k, i, r.length // 2), k))
            out.append((S2C, ('resp', k, i + 1, -1), k))
    return out, literals


def take_back_points(ref, names):
    """Day 2: cuts in and after each command that removes or replaces a
    draft, and in the answers to them."""
    out = []
    answers = answer_bounds(ref)
    for k, r in enumerate(ref.records(C2S)):
        if names[k] not in ('UID STORE', 'UID EXPUNGE', 'APPEND',
                            'APPEND literal'):
            continue
        out.append((C2S, ('rec', k, r.length // 2), k))
        out.append((C2S, ('rec', k + 1, 0), k))
        out.append((S2C, ('resp', k, 0, 0), k))
        out.append((S2C, ('resp', k, len(answers[k]), -1), k))
    return out


def stall_points(ref, literals):
    c2s, s2c = ref.records(C2S), ref.records(S2C)

    def answer(k):
        """Bytes of the server's answer to client record k."""
        return (s2c[c2s[k + 1].other_begun].start -
                s2c[c2s[k].other_begun].start)
    fetch = max(range(3, literals[0]), key=answer)
    return [
        ('in the TLS handshake', Fault('stall', S2C, ('rec', 3, 100))),
        ('in the greeting', Fault('stall', S2C, ('resp', 2, 2, 10))),
        ('early in the FETCH answer', Fault(
            'stall', S2C, ('resp', fetch, 0, answer(fetch) // 5))),
        ('late in the FETCH answer', Fault(
            'stall', S2C, ('resp', fetch, 0, answer(fetch) * 4 // 5))),
        ('in the drafts\' APPEND', Fault('stall', C2S,
                                         ('rec', literals[0], 1000))),
        ('before the APPEND\'s OK', Fault('stall', S2C,
                                          ('resp', literals[-1], 0, 0))),
    ]


def report(day, cuts, names):
    """TAP for one sweep; cuts are (k, result) pairs."""
    by_dir = collections.Counter(c['direction'] for k, c in cuts)
    phases = collections.defaultdict(collections.Counter)
    windows = collections.Counter()
    bad = collections.defaultdict(list)
    for k, c in cuts:
        phases[(c['direction'], names[k])][c['label']] += 1
        windows.update(c['windows'])
        for key, what in c['problems']:
            bad[key].append(what)
    print('# day %d: cuts by the command they hit (c2s) or the answer to '
          'it (s2c), and what the failed sync said:' % day)
    for d in (C2S, S2C):
        for name in dict.fromkeys(names):
            c = phases[(d, name)]
            if c:
                print('#   %s %-22s %3d  %s' % (
                    d, name, sum(c.values()), ', '.join(
                        '%s %d' % kv for kv in sorted(c.items()))))
    print('# day %d: windows hit: %s' % (day, dict(windows)))
    for key in ('exit neither 75 nor 0', 'exit 0 before the work was done',
                'exit 0 but the state is not the reference',
                'store not intact after the cut',
                'the sync after the cut fails',
                'Drafts differ from the reference',
                'the store differs from the reference'):
        ok(not bad[key], 'day %d: no cut: %s' % (day, key),
           '\n'.join(bad[key][:5]) +
           ('\n... %d in all' % len(bad[key]) if len(bad[key]) > 5 else ''))
    return by_dir, phases, windows


workers = harness.start_workers(Worker, WORKERS)

try:
    r1, r2 = workers[0].ref[1], workers[0].ref[2]
    ok(all(w.ref[d].run.returncode == 0 and w.ref[d].run.stderr == ''
           for w in workers for d in (1, 2)),
       'reference syncs through the proxy exit 0',
       [w.ref[d].run.stderr for w in workers for d in (1, 2)])
    ok([d[0] for d in r1.drafts] == harness.DUE_THREADS and
       all(d[1] == '1' and 'Draft' in d[5] for d in r1.drafts),
       'day 1 reference: one step-1 draft per due thread', r1.drafts)
    st = r1.store
    ok(st['integrity'] == [('ok',)] and len(st['events']) == 4 and
       len(st['threads']) == 4 and
       [d[6] for d in st['drafts']] == ['live'] * 3,
       'day 1 reference store: 4 events, 4 threads, 3 live drafts', st)
    ok(sorted(d[5] for d in st['drafts']) ==
       sorted(d[6] for d in r1.drafts),
       'day 1 reference store knows the exact bytes of each draft')
    ok([d[0] for d in r2.drafts] == ['coconala/18234567',
                                     'crowdworks/63712345'] and
       sorted(d[6] for d in r2.store['drafts']) ==
       ['live', 'live', 'removed', 'removed', 'removed'] and
       all(d[2] not in [x[2] for x in r1.drafts] for d in r2.drafts),
       'day 2 reference: two drafts refreshed, the answered one taken '
       'back', (r2.drafts, r2.store['drafts']))
    ok(all(w.ref[d].drafts == workers[0].ref[d].drafts and
           dict(w.ref[d].store, mailboxes=None) ==
           dict(workers[0].ref[d].store, mailboxes=None)
           for w in workers for d in (1, 2)),
       'both Dovecots give the same references')
    for d, ref in ((1, r1), (2, r2)):
        print('# day %d reference sync: %.2f s, %d bytes client to server, '
              '%d bytes server to client, %d and %d TLS records' % (
                  d, ref.time, ref.conn.count[C2S], ref.conn.count[S2C],
                  len(ref.conn.records(C2S)), len(ref.conn.records(S2C))))

    points1, literals = cut_points(r1.conn)
    points2 = take_back_points(r2.conn, r2.names)
    stalls = stall_points(r1.conn, literals)
    last = {1: len(r1.names) - 1, 2: len(r2.names) - 1}     # LOGOUT

    # the work: stalls first (they mostly wait), then the cuts
    tasks = [('stall',) + s for s in stalls] + \
        [('cut', 1, n, d, where, k)
         for n, (d, where, k) in enumerate(points1)] + \
        [('cut', 2, n, d, where, k)
         for n, (d, where, k) in enumerate(points2)]

    def work(w, t):
        if t[0] == 'stall':
            return ('stall', w.stall(t[1], t[2]))
        _, day, n, d, where, k = t
        return ('cut', day, k, w.cut(day, n, d, where, k == last[day]))
    t0 = time.monotonic()
    results = harness.pool(workers, tasks, work)
    took = time.monotonic() - t0

    errors = [r[1] for r in results if r[0] == 'error']
    ok(not errors, 'every point ran', '\n'.join(errors))
    cuts = dict((day, [(r[2], r[3]) for r in results
                       if r[0] == 'cut' and r[1] == day]) for day in (1, 2))
    print('# %d + %d cuts and %d stalls on %d Dovecots in %.1f s' % (
        len(cuts[1]), len(cuts[2]), len(stalls), len(workers), took))

    by_dir, phases, windows = report(1, cuts[1], r1.names)
    ok(by_dir[C2S] >= 40 and by_dir[S2C] >= 40,
       'day 1: %d cut points client to server, %d server to client' % (
           by_dir[C2S], by_dir[S2C]))
    for name in ('TLS handshake', 'LOGIN', 'EXAMINE INBOX', 'UID SEARCH',
                 'UID FETCH', 'LIST', 'SELECT Drafts', 'APPEND',
                 'LOGOUT'):
        ok(sum(phases[(C2S, name)].values()) >= 3 and
           sum(phases[(S2C, name)].values()) >= 3,
           'day 1: cuts landed in %s both ways' % name, dict(phases))
    ok(windows['APPEND done, its OK lost'] > 0 and
       windows['recorded pending, APPEND lost'] > 0,
       'day 1: cuts landed between an APPEND and its OK, and within an '
       'APPEND', dict(windows))

    by_dir, phases, windows = report(2, cuts[2], r2.names)
    ok(all(sum(phases[(d, name)].values()) >= 4
           for d in (C2S, S2C) for name in ('UID STORE', 'UID EXPUNGE')),
       'day 2: %d cuts landed in or after the UID STORE and UID EXPUNGE '
       'of each take-back, and in their answers' % len(cuts[2]),
       dict(phases))
    ok(windows['take-back cut short'] > 0,
       'day 2: some cuts left a draft that was being taken back in Drafts',
       dict(windows))

    with open(workers[0].timeout_cfg) as f:
        text = f.read()
    ok('timeout = %d\n' % TIMEOUT in text and
       'port = %d\n' % workers[0].box.proxy.port in text,
       'stalls: a config with timeout = %d, through the proxy' % TIMEOUT,
       text)
    done_stalls = dict((r[1]['name'], r[1]) for r in results
                       if r[0] == 'stall')
    for name, fault in stalls:
        s = done_stalls.get(name)
        if s is None:
            ok(False, 'a stall %s' % name, 'did not run')
            continue
        ok(s['rc'] == 75 and TIMEOUT - 0.5 <= s['took'] <= TIMEOUT + 2,
           'a stall %s ends the sync in %.1f s with exit 75' % (
               name, s['took']), '%d %s' % (s['rc'], s['stderr']))
        ok(s['rc2'] == 0 and s['after'],
           'and the next sync ends at the reference',
           '%d %s' % (s['rc2'], s['stderr2']))
finally:
    for w in workers:
        w.box.cleanup()
done()
