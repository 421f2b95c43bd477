"""What the fault, crash and server tests share: a Dovecot with renraku
configured against it (directly or through tests/faultproxy.py), a seed of
platform mail with drafts due, a fast reset between runs, and snapshots of
Drafts and of renraku's SQLite store to compare with a reference run.
"""
import datetime
import email
import email.policy
import hashlib
import http.server
import imaplib
import os
import queue
import re
import shutil
import sqlite3
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
import faultproxy  # noqa: E402
from tap import bail  # noqa: E402

RENRAKU = os.environ.get('RENRAKU', 'src/renraku')
TOP = os.environ.get('TOP_SRCDIR', '.')
JST = datetime.timezone(datetime.timedelta(hours=9))
NOW = '2026-12-09T10:00:00+09:00'           # a Wednesday


def serve_http(handler):
    """An HTTP server on 127.0.0.1 answering with 'handler' (a
    BaseHTTPRequestHandler class), in a thread of its own."""
    web = http.server.HTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    return web


def started(make, **kw):
    """make(**kw), something that starts a Dovecot, or the test bails out
    saying why."""
    try:
        return make(**kw)
    except Exception as e:  # noqa: BLE001
        bail('cannot start dovecot: %s' % e)


def start_dovecot(**kw):
    """A started dovecot.Dovecot, or the test bails out saying why."""
    return started(lambda: dovecot.Dovecot(**kw).start())


def start_workers(make, n):
    """'n' objects from 'make' (each with a .box to clean up), or the test
    bails out, having cleaned up those it made."""
    workers = []
    try:
        for _ in range(n):
            workers.append(make())
    except Exception as e:  # noqa: BLE001
        for w in workers:
            w.box.cleanup()
        bail('cannot start dovecot: %s' % e)
    return workers


# Runs argv[2:] and writes its peak RSS (KiB) to file argv[1].  Run it in
# a fresh interpreter (sys.executable -c LAUNCH ...): a child's ru_maxrss
# counts its parent's RSS at the fork, and a test's own process may be
# large.  The command is the launcher's only child (see child_pid).
LAUNCH = '''import os, subprocess, sys
p = subprocess.Popen(sys.argv[2:])
pid, status, ru = os.wait4(p.pid, 0)
with open(sys.argv[1], 'w') as f:
    f.write(str(ru.ru_maxrss))
rc = os.waitstatus_to_exitcode(status)
sys.exit(rc if rc >= 0 else 128 - rc)
'''


def child_pid(pid):
    """The first child of process 'pid' (LAUNCH's command), or None."""
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            kids = f.read().split()
    except OSError:
        return None
    return int(kids[0]) if kids else None


def corpus(name, **replace):
    with open(os.path.join(TOP, 'tests', 'corpus', name), 'rb') as f:
        raw = f.read()
    for old, new in replace.items():
        raw = raw.replace(old.encode(), new.encode())
    return raw


def at(month, day, hour=9, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=JST)


# INBOX at NOW: three client messages silent for 3 business days or more
# (CrowdWorks, Lancers, Coconala: three step-1 drafts due), a scout (no
# draft), and two mails that are not the platforms'.
SEED = [
    ('crowdworks-message-1.eml', at(12, 2, 18, 4), r'(\Seen)'),
    ('lancers-comment-1.eml', at(12, 3, 14, 41), ''),
    ('coconala-talkroom-1.eml', at(12, 2, 21, 17), r'(\Seen \Flagged)'),
    ('crowdworks-scout-1.eml', at(11, 20, 10, 12), r'(\Answered)'),
    ('upwork-message-1.eml', at(12, 4, 15, 27), ''),
    (b'From: friend@example.org\r\nTo: hanako@example.com\r\n'
     b'Subject: lunch\r\nMessage-ID: <lunch@example.org>\r\n\r\n'
     b'see you\r\n', at(12, 7, 12), r'(\Seen)'),
]
DUE_THREADS = ['coconala/18234567', 'crowdworks/63712345',
               'lancers/5561234']


# The next day: by then the Lancers client has answered, so that sync
# takes the Lancers draft back and refreshes the other two (a day more of
# silence changes their words).
DAY2 = '2026-12-10T10:00:00+09:00'
DAY2_ANSWER = at(12, 10, 8)


def seed_messages(seed=SEED):
    """[(raw, internal date, flags)] with each Date: header set."""
    out = []
    for what, when, flags in seed:
        raw = what if isinstance(what, bytes) else corpus(what)
        out.append((dovecot.dated(raw, when), when, flags))
    return out


class Box:
    """One Dovecot, a fault proxy in front of it, one renraku state."""

    def __init__(self, proxy=True, general=None, dovecot_args=None, **acct):
        self.srv = dovecot.Dovecot(**(dovecot_args or {}))
        self.srv.start()
        self.proxy = None
        if proxy:
            self.proxy = faultproxy.FaultProxy(self.srv.imaps_port).start()
            acct.setdefault('port', str(self.proxy.port))
        self.acct = acct
        self.state = os.path.join(self.srv.dir, 'state')
        self.xdg = os.path.join(self.srv.dir, 'xdg')
        self.cfg = self.config('config', general=general)
        self.env = dict(os.environ, RENRAKU_DATADIR=TOP,
                        XDG_CONFIG_HOME=self.xdg)
        self.seed_uids = {}         # mailbox: [UID of each seed message]

    def config(self, name, state=None, general=None, **acct):
        """Write config 'name': the box's account keys, then 'acct';
        'general' adds keys to [general]."""
        path = self.srv.renraku_config(os.path.join(self.srv.dir, name),
                                       state or self.state,
                                       **dict(self.acct, **acct))
        if general:
            with open(path) as f:
                text = f.read()
            extra = ''.join('%s = %s\n' % kv for kv in general.items())
            with open(path, 'w') as f:
                f.write(text.replace('[general]\n', '[general]\n' + extra,
                                     1))
        return path

    def cmd(self, *args, now=NOW, cfg=None):
        cmd = [RENRAKU, '-c', cfg or self.cfg] + list(args)
        if now is not None:
            cmd += ['--now', now]
        return cmd

    def run(self, *args, now=NOW, cfg=None, timeout=120):
        return subprocess.run(self.cmd(*args, now=now, cfg=cfg),
                              capture_output=True, text=True, env=self.env,
                              timeout=timeout)

    def popen(self, *args, now=NOW, cfg=None, **kw):
        return subprocess.Popen(self.cmd(*args, now=now, cfg=cfg),
                                env=self.env, **kw)

    def imap(self):
        return self.srv.client()

    def reset(self, seed=None, mailbox='INBOX', others=()):
        """Empty Drafts, 'mailbox' and 'others', put the seed back in
        'mailbox', forget renraku's state: as good as a fresh Dovecot."""
        c = self.imap()
        try:
            empty(c, ('Drafts', mailbox) + tuple(others))
            self.seed_uids[mailbox] = self.append(
                c, mailbox, seed_messages() if seed is None else seed)
        finally:
            c.logout()
        shutil.rmtree(self.state, ignore_errors=True)

    def day2(self):
        """reset(), the first day's sync, then the Lancers client's answer
        arrives (recorded as one more seed message)."""
        self.reset()
        r = self.run('sync')
        if self.proxy is not None:
            self.proxy.reset()
        if r.returncode != 0:
            raise RuntimeError('first sync: ' + r.stderr)
        raw = corpus('lancers-comment-1.eml', **{
            'lancers.20251022054109.3b2f1e': 'lancers.answer'})
        c = self.imap()
        try:
            uids = self.append(c, 'INBOX', [(dovecot.dated(raw, DAY2_ANSWER),
                                             DAY2_ANSWER, '')])
        finally:
            c.logout()
        self.seed_uids['INBOX'] = self.seed_uids['INBOX'] + uids

    @staticmethod
    def append(c, mailbox, messages):
        uids = []
        for raw, when, flags in messages:
            typ, data = c.append(mailbox, flags,
                                 imaplib.Time2Internaldate(when), raw)
            m = re.search(rb'APPENDUID \d+ (\d+)', data[0] or b'')
            uids.append(int(m.group(1)) if m else None)
        return uids

    def drafts(self):
        """What Drafts holds, comparable across runs."""
        return drafts_view(self.srv.messages('Drafts'))

    def store(self):
        return store_view(os.path.join(self.state, 'state.db'),
                          self.seed_uids)

    def cleanup(self):
        if self.proxy is not None:
            self.proxy.close()
        self.srv.cleanup()


def empty(c, mailboxes):
    """Delete every message of 'mailboxes' over IMAP connection 'c'."""
    for mb in mailboxes:
        c.select(mb)
        typ, data = c.uid('SEARCH', 'ALL')
        if data and data[0]:
            c.store('1:*', '+FLAGS.SILENT', r'(\Deleted)')
            c.expunge()
        c.close()


class Ladder:
    """One Dovecot and one renraku state, no proxy: put mail in INBOX as
    of a day, run renraku as of a time, look at Drafts, and send what is
    there as the user would; reset() starts again from nothing."""

    def __init__(self, dovecot_args=None, **acct):
        """'dovecot_args' for dovecot.Dovecot, 'acct' for the account's
        keys in renraku's config."""
        self.srv = dovecot.Dovecot(**(dovecot_args or {}))
        self.srv.start()
        self.state = os.path.join(self.srv.dir, 'state')
        self.cfg = self.srv.renraku_config(
            os.path.join(self.srv.dir, 'config'), self.state, **acct)
        self.env = dict(os.environ, RENRAKU_DATADIR=TOP,
                        XDG_CONFIG_HOME=os.path.join(self.srv.dir, 'xdg'))

    def reset(self):
        c = self.srv.client()
        try:
            empty(c, ('INBOX', 'Drafts'))
        finally:
            c.logout()
        shutil.rmtree(self.state, ignore_errors=True)

    def mail(self, name, when, **replace):
        self.srv.append('INBOX', dovecot.dated(corpus(name, **replace),
                                               when), when)

    def renraku(self, *args, now):
        return subprocess.run([RENRAKU, '-c', self.cfg] + list(args) +
                              ['--now', now.isoformat()],
                              capture_output=True, text=True, env=self.env,
                              timeout=120)

    def drafts(self):
        return [email.message_from_bytes(raw, policy=email.policy.default)
                for flags, raw in self.srv.messages('Drafts')]

    def send_all(self):
        """The user pastes each draft into the platform and deletes it."""
        c = self.srv.client()
        typ, data = c.select('Drafts')
        if int(data[0]) > 0:
            c.store('1:*', '+FLAGS', r'(\Deleted)')
            c.expunge()
        c.logout()

    def cleanup(self):
        self.srv.cleanup()


def mailboxes(b):
    """The LIST answer, without \\Marked and \\UnMarked: Dovecot works
    those out anew (from \\Recent) when a mailbox's status is first
    asked, they say nothing of what a client changed."""
    c = b.imap()
    typ, data = c.list()
    c.logout()
    return sorted(re.sub(rb' ?\\(Marked|UnMarked)', b'', d) for d in data)


def snapshot(b, mailbox):
    """{UID: (flags, RFC822.SIZE, INTERNALDATE, MODSEQ, X-Renraku-Thread)}"""
    c = b.imap()
    try:
        typ, data = c.select(mailbox, readonly=True)
        if int(data[0]) == 0:
            return {}
        typ, data = c.uid('FETCH', '1:*', '(UID FLAGS RFC822.SIZE '
                          'INTERNALDATE MODSEQ BODY.PEEK[HEADER.FIELDS '
                          '(X-RENRAKU-THREAD)])')
    finally:
        c.logout()
    out = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        head = item[0].decode()
        uid = int(re.search(r'UID (\d+)', head).group(1))
        # \Recent is not the user's: it tells a session that it is the
        # first to see the message (renraku's SELECT of Drafts takes it);
        # a change of any stored flag would show in MODSEQ as well
        flags = tuple(sorted(f for f in re.search(
            r'FLAGS \(([^)]*)\)', head).group(1).split() if f != '\\Recent'))
        size = int(re.search(r'RFC822\.SIZE (\d+)', head).group(1))
        idate = re.search(r'INTERNALDATE "([^"]*)"', head).group(1)
        modseq = int(re.search(r'MODSEQ \((\d+)\)', head).group(1))
        hdr = email.message_from_bytes(item[1])
        out[uid] = (flags, size, idate, modseq, hdr['X-Renraku-Thread'])
    return out


def drafts_view(messages):
    """Sorted (thread, step, Message-ID, Subject, body, flags, SHA-256)
    of each message in Drafts, decoded by Python's email package."""
    out = []
    for flags, raw in messages:
        m = email.message_from_bytes(raw, policy=email.policy.default)
        part = m.get_body(('plain',))
        body = part.get_content() if part is not None else ''
        out.append((m['X-Renraku-Thread'], m['X-Renraku-Step'],
                    m['Message-ID'], str(m['Subject']), body,
                    ' '.join(sorted(flags.split())),
                    hashlib.sha256(raw).hexdigest()))
    return sorted(out, key=lambda t: tuple(str(x) for x in t))


def store_view(path, seed_uids=None):
    """renraku's store, comparable across runs: None if there is none.
    UIDs of seed messages become ('seed', index), since a reset gives
    the same mails new UIDs."""
    if not os.path.exists(path):
        return None
    db = sqlite3.connect('file:%s?mode=rw' % path, uri=True)
    try:
        integrity = db.execute('PRAGMA integrity_check').fetchall()
        tables = set(r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))
        if 'event' not in tables:
            return {'integrity': integrity, 'schema': False}
        norm = {}
        for mb, uids in (seed_uids or {}).items():
            for i, u in enumerate(uids):
                norm[(mb, u)] = ('seed', i)

        def uid(mb, u):
            return norm.get((mb, u), u)
        return {
            'integrity': integrity,
            'schema': True,
            'threads': db.execute(
                'SELECT * FROM thread ORDER BY id').fetchall(),
            'events': sorted(
                (mail_id, thread, platform, kind, time, subject, account,
                 mailbox, uid(mailbox, u))
                for mail_id, thread, platform, kind, time, subject, account,
                mailbox, u in db.execute(
                    'SELECT mail_id, thread, platform, kind, time, subject,'
                    ' account, mailbox, uid FROM event')),
            'mailboxes': sorted(
                (a, n, v, uid(n, last)) for a, n, v, last in db.execute(
                    'SELECT account, name, uidvalidity, last_uid '
                    'FROM mailbox')),
            'drafts': db.execute(
                'SELECT message_id, thread, step, anchor, content_hash, '
                'raw_hash, state, created, changed FROM draft '
                'ORDER BY message_id').fetchall(),
            'marks': db.execute('SELECT * FROM mark').fetchall(),
        }
    finally:
        db.close()


def diff(want, got):
    """A short account of how two snapshots differ, for TAP comments."""
    if isinstance(want, dict) and isinstance(got, dict):
        out = []
        for k in sorted(set(want) | set(got)):
            if want.get(k) != got.get(k):
                out.append('%s:\n  want %r\n  got  %r' % (
                    k, want.get(k), got.get(k)))
        return '\n'.join(out)
    if isinstance(want, list) and isinstance(got, list):
        short = [[t[:3] + t[5:6] if isinstance(t, tuple) else t for t in x]
                 for x in (want, got)]
        return 'want %r\ngot  %r' % tuple(short)
    return 'want %r\ngot  %r' % (want, got)


def phase_of(stderr):
    """The step a failed sync names in its message ('APPEND', 'UID FETCH',
    'TLS handshake', ...)."""
    m = re.search(r'renraku: [^:\s]+: (TLS handshake|greeting|LOGIN|'
                  r'CAPABILITY|STARTTLS|EXAMINE [^:\s]+|SELECT [^:\s]+|'
                  r'UID SEARCH|UID FETCH|LIST|APPEND|removing a draft)',
                  stderr)
    return m.group(1) if m else stderr.strip()[:60]


def commands(trace):
    """The client's lines in a -v -v trace, one per command or literal:
    ['LOGIN', 'EXAMINE INBOX', ..., 'APPEND', 'APPEND literal', ...]."""
    out = []
    for line in trace.splitlines():
        if not line.startswith('C: '):
            continue
        words = line[3:].split()
        if line.startswith('C: <login'):
            out.append('LOGIN')
        elif len(words) > 1 and words[0].isdigit():
            w = words[1:3] if words[1] in ('UID', 'EXAMINE', 'SELECT') \
                else words[1:2]
            out.append(' '.join(w))
        else:
            out.append(out[-1] + ' literal' if out else '?')
    return out


def pool(workers, tasks, fn):
    """Run fn(worker, task) for every task, each worker taking the next
    task when it is free; the results in the order of 'tasks'.  A task
    that raises gives ('error', message)."""
    todo = queue.Queue()
    for i, t in enumerate(tasks):
        todo.put((i, t))
    results = [None] * len(tasks)

    def work(w):
        while True:
            try:
                i, t = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results[i] = fn(w, t)
            except Exception as e:  # noqa: BLE001
                results[i] = ('error', '%r: %r' % (t, e))
    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
