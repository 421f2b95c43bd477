#!/usr/bin/env python3
"""renraku sync killed with SIGKILL at any moment, then run again.

A reference sync gives the drafts and the store every sync must end with
(three step-1 drafts, four events).  The proxy (tests/faultproxy.py)
slows the connection a little both ways, so that a sync lasts long
enough for kills to land in every phase; a normal run's duration is
measured first.  Then, from the same mailbox and a fresh state each time:

  - timed kills, spread evenly over that duration (before the connection,
    in the TLS handshake, at login, EXAMINE, SEARCH, FETCH, storing the
    events, LIST, SELECT, the header searches, the APPEND, LOGOUT);
  - kills at protocol moments, sent by the proxy the instant the bytes
    go through: after the greeting, after the FETCH answer, halfway
    through and after the APPEND that carries all three drafts
    (MULTIAPPEND), after its OK reached renraku (the drafts are in
    Drafts, the store says pending);

  - and in the next day's sync, which takes drafts back (two refreshed,
    the one whose client answered removed): kills as each UID STORE and
    UID EXPUNGE reaches the server, and as its answer reaches renraku;

after each: PRAGMA integrity_check is ok, and one more sync (not killed)
exits 0 and ends exactly at that day's reference: the same drafts, none
twice, none left behind, the same threads, events, mailbox state and
draft records, integrity ok.
"""
import collections
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from faultproxy import Fault, C2S, S2C  # noqa: E402
from harness import diff  # noqa: E402
from tap import ok, done  # noqa: E402

WORKERS = 2
TIMED_KILLS = 72
SLOW = {'delay': {C2S: 0.006, S2C: 0.006}, 'chunk': 1024}


def phase(trace, connected):
    """Where a killed sync was, from its -v -v trace: the last command
    sent, and whether its answer had come."""
    if not connected:
        return 'before connecting'
    sent = [m for m in re.finditer(r'^C: (?:(\d+) (UID \w+|\w+( \w+)?)|'
                                   r'(<login)|(.))', trace, re.M)]
    if not sent:
        return ('TLS handshake' if not re.search(r'^S: ', trace, re.M)
                else 'greeting read')
    m = sent[-1]
    if m.group(4):
        name, tag = 'LOGIN', '1'
    elif m.group(5):
        name = 'APPEND literal'
        tags = [x.group(1) for x in sent if x.group(1)]
        tag = tags[-1] if tags else '?'
    else:
        tag, name = m.group(1), m.group(2)
        if name.startswith('EXAMINE') or name.startswith('SELECT'):
            name = name.split()[0]
        elif name.startswith('APPEND'):
            name = 'APPEND'
        elif name.startswith('UID SEARCH') and tag != '3':
            name = 'UID SEARCH HEADER'
    rest = trace[m.end():]
    if re.search(r'^(S: )?%s (OK|NO|BAD)' % tag, rest, re.M):
        return name + ', answered'
    return name


class Worker:
    def __init__(self):
        self.box = harness.Box()
        self.box.reset()
        self.box.run('sync')            # warm up Dovecot's indexes
        self.box.proxy.reset()
        self.box.reset()
        r = self.box.run('-v', '-v', 'sync')
        self.ref_rc, self.trace = r.returncode, r.stderr
        self.box.proxy.wait_closed()
        self.ref_conn = self.box.proxy.last()
        self.box.proxy.reset()
        self.ref_drafts = self.box.drafts()
        self.ref_store = self.box.store()
        # the next day's sync: two drafts refreshed, one taken back
        self.box.day2()
        r = self.box.run('-v', '-v', 'sync', now=harness.DAY2)
        self.ref2_rc, self.trace2 = r.returncode, r.stderr
        self.box.proxy.wait_closed()
        self.ref2_conn = self.box.proxy.last()
        self.box.proxy.reset()
        self.ref2_drafts = self.box.drafts()
        self.ref2_store = self.box.store()
        self.log = os.path.join(self.box.srv.dir, 'killed.log')

    def duration(self, runs=3):
        """How long a sync takes through the slowed proxy."""
        took = []
        for _ in range(runs):
            self.box.reset()
            self.box.proxy.set(Fault(**SLOW))
            t0 = time.monotonic()
            r = self.box.run('sync')
            took.append(time.monotonic() - t0)
            self.box.proxy.reset()
            if r.returncode != 0 or self.box.drafts() != self.ref_drafts:
                raise RuntimeError('slowed sync failed: ' + r.stderr)
        return sorted(took)[len(took) // 2]

    def kill(self, delay=None, event=None, day=1):
        """Start a slowed sync, SIGKILL it after 'delay' seconds or when
        the proxy sees 'event' (direction, address); then check.  Day 2:
        the next day's sync, which takes drafts back."""
        box = self.box
        if day == 1:
            box.reset()
            now, ref_drafts, ref_store = (harness.NOW, self.ref_drafts,
                                          self.ref_store)
        else:
            box.day2()
            now, ref_drafts, ref_store = (harness.DAY2, self.ref2_drafts,
                                          self.ref2_store)
        box.proxy.reset()
        holder = {}

        def shoot(conn):
            p = holder.get('p')
            if p is not None:
                os.kill(p.pid, signal.SIGKILL)
                holder['shot'] = True
        if event is None:
            box.proxy.set(Fault(**SLOW))
        else:
            box.proxy.set(Fault('call', event[0], event[1], action=shoot,
                                **SLOW))
        with open(self.log, 'w') as err:
            p = box.popen('-v', '-v', 'sync', now=now,
                          stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=err)
            holder['p'] = p
            if event is None:
                time.sleep(delay)
                p.kill()
            rc = p.wait(60)
        box.proxy.wait_closed()
        connected = box.proxy.last() is not None
        box.proxy.reset()
        with open(self.log, errors='replace') as f:
            trace = f.read()
        out = {'rc': rc, 'problems': [],
               'phase': 'finished before the kill' if rc == 0
               else phase(trace, connected)}
        what = ('kill %s: exit %s, %s' % (
            'at %.3f s' % delay if event is None else 'at %r' % (event,),
            rc, out['phase']))
        if rc not in (0, -signal.SIGKILL):
            out['problems'].append(('the killed sync failed otherwise',
                                    what + '\n' + trace[-500:]))
        if event is not None and not holder.get('shot'):
            out['problems'].append(('the proxy did not see the event',
                                    what))
        mid = box.store()
        if out['phase'] == 'UID FETCH' and mid and mid.get('events'):
            out['phase'] = 'UID FETCH, answered, events stored'
        if mid is not None and mid['integrity'] != [('ok',)]:
            out['problems'].append(('integrity_check after the kill',
                                    what + ' %r' % mid['integrity']))
        out['pending'] = 0
        out['appended_pending'] = 0
        out['left_behind'] = 0
        if mid and mid.get('schema'):
            ids = set(d[2] for d in box.drafts())
            pend = [d[0] for d in mid['drafts'] if d[6] == 'pending']
            out['pending'] = len(pend)
            out['appended_pending'] = sum(1 for m in pend
                                          if '<%s>' % m in ids)
            out['left_behind'] = sum(
                1 for d in mid['drafts'] if d[6] in ('removing', 'removed')
                and '<%s>' % d[0] in ids)
        r = box.run('sync', now=now, timeout=60)
        d, st = box.drafts(), box.store()
        if r.returncode != 0:
            out['problems'].append(('the sync after the kill fails',
                                    what + ': %d %s' % (r.returncode,
                                                        r.stderr)))
        if d != ref_drafts:
            out['problems'].append(('Drafts differ from the reference',
                                    what + '\n' + diff(ref_drafts, d)))
        if st is None or st['integrity'] != [('ok',)]:
            out['problems'].append(('integrity_check after the next sync',
                                    what))
        if st != ref_store:
            out['problems'].append(('the store differs from the reference',
                                    what + '\n' + diff(ref_store, st)))
        return out


workers = harness.start_workers(Worker, WORKERS)

try:
    w0 = workers[0]
    ok(all(w.ref_rc == 0 and w.ref2_rc == 0 for w in workers) and
       [d[0] for d in w0.ref_drafts] == harness.DUE_THREADS and
       w0.ref_store['integrity'] == [('ok',)] and
       len(w0.ref_store['events']) == 4,
       'reference: exit 0, a step-1 draft per due thread, 4 events',
       (w0.trace[-500:], w0.ref_drafts))
    duration = max(w.duration() for w in workers)
    print('# a slowed sync takes %.2f s' % duration)
    ok(duration > 0.3, 'the slowed sync lasts long enough to aim at',
       duration)

    c2s = w0.ref_conn.records(C2S)
    # the records that carry drafts: one MULTIAPPEND of all three, in
    # one record or a few as renraku's buffer fills
    literals = [k for k, r in enumerate(c2s) if r.type == 23 and
                r.length > 1000]
    names = ['TLS handshake'] * 3 + harness.commands(w0.trace)
    ok(len(names) == len(c2s) and names[literals[0]] == 'APPEND',
       'the drafts go in one APPEND command', (names, len(c2s), literals))
    fetch = names.index('UID FETCH')
    events = [('after the greeting', (S2C, ('resp', 2, 3, 0))),
              ('as UID FETCH reached the server',
               (C2S, ('rec', fetch + 1, 0))),
              ('as LIST went out (events stored)',
               (C2S, ('rec', fetch + 1, 1)))]
    for i, k in enumerate(literals):
        events.append(('halfway through APPEND record %d' % (i + 1),
                       (C2S, ('rec', k, c2s[k].length // 2))))
        events.append(('after APPEND record %d reached the server' % (i + 1),
                       (C2S, ('rec', k + 1, 0))))
    events.append(('after the APPEND\'s OK reached renraku',
                   (S2C, ('resp', literals[-1], 1, 0))))
    # day 2: kills as each UID STORE and UID EXPUNGE of a take-back
    # reaches the server, and as its answer reaches renraku
    names2 = ['TLS handshake'] * 3 + harness.commands(w0.trace2)
    c2s2 = w0.ref2_conn.records(C2S)
    events2 = []
    n = 0
    if len(names2) == len(c2s2):
        for k, name in enumerate(names2):
            if name not in ('UID STORE', 'UID EXPUNGE'):
                continue
            n += name == 'UID STORE'
            events2.append(('day 2: as take-back %d\'s %s reached the '
                            'server' % (n, name), (C2S, ('rec', k + 1, 0))))
            events2.append(('day 2: as the answer to take-back %d\'s %s '
                            'reached renraku' % (n, name),
                            (S2C, ('resp', k, 1, 0))))
    ok(len(events2) == 12, 'day 2: 12 moments in the take-backs to kill at',
       names2)
    # timed kills from 0 to a little past the measured duration
    delays = [duration * 1.05 * i / (TIMED_KILLS - 1)
              for i in range(TIMED_KILLS)]
    tasks = [('event', name, ev, 1) for name, ev in events] + \
        [('event', name, ev, 2) for name, ev in events2] + \
        [('timed', d) for d in delays]
    events = events + events2

    def work(w, t):
        if t[0] == 'event':
            return w.kill(event=t[2], day=t[3])
        return w.kill(delay=t[1])
    t0 = time.monotonic()
    results = harness.pool(workers, tasks, work)
    took = time.monotonic() - t0

    errors = [r[1] for r in results if isinstance(r, tuple)]
    ok(not errors, 'every kill ran', '\n'.join(errors))
    results = [r if isinstance(r, dict) else {'rc': None, 'problems': [],
                                              'phase': 'error'}
               for r in results]
    timed = results[len(events):]
    killed = [r for r in timed if r['rc'] == -signal.SIGKILL]
    phases = collections.Counter(r['phase'] for r in timed)
    print('# %d timed kills over %.2f s, %d hit a running sync; where:' % (
        len(timed), duration * 1.05, len(killed)))
    for name, n in sorted(phases.items(), key=lambda kv: -kv[1]):
        print('#   %-36s %3d' % (name, n))
    print('# and %d kills at protocol events; %d runs in %.1f s on %d '
          'Dovecots' % (len(events), len(results), took, len(workers)))
    ok(len(killed) >= 50, '%d timed kills hit a running sync (50 or more)'
       % len(killed))
    landed = set(phases)
    for want in ('before connecting', 'TLS handshake', 'UID FETCH',
                 'APPEND'):
        ok(any(p.startswith(want) for p in landed),
           'timed kills landed in %s' % want, sorted(landed))
    ok(len(landed) >= 8, 'timed kills landed in %d different phases'
       % len(landed), sorted(landed))

    for (name, ev), r in zip(events, results):
        ok(r['rc'] == -signal.SIGKILL and not r['problems'],
           'killed %s (%s): the next sync ends at the reference' % (
               name, r['phase']),
           '\n'.join('%s: %s' % p for p in r['problems']) or r)
    ok(any(r['appended_pending'] for r in results[:len(events)]),
       'some kill left a draft in Drafts that the store had as pending',
       [(r['phase'], r['pending'], r['appended_pending'])
        for r in results[:len(events)]])
    ok(any(r['left_behind'] for r in results[:len(events)]),
       'some kill left a draft being taken back in Drafts',
       [(r['phase'], r['left_behind']) for r in results[:len(events)]])

    bad = collections.defaultdict(list)
    for r in timed:
        for key, what in r['problems']:
            bad[key].append(what)
    for key in ('the killed sync failed otherwise',
                'integrity_check after the kill',
                'the sync after the kill fails',
                'Drafts differ from the reference',
                'integrity_check after the next sync',
                'the store differs from the reference'):
        ok(not bad[key], 'no timed kill: %s' % key,
           '\n'.join(bad[key][:5]) +
           ('\n... %d in all' % len(bad[key]) if len(bad[key]) > 5 else ''))
finally:
    for w in workers:
        w.box.cleanup()
done()
