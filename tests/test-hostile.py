#!/usr/bin/env python3
"""renraku sync against a hostile IMAP server (issue 18).

renraku talks to Dovecot through tests/hostileproxy.py, a man in the
middle that ends renraku's TLS with the Dovecot's own certificate (so
renraku trusts it), relays IMAP to Dovecot and lies where a case says.
The config has timeout = 5.

1. A reference sync through the proxy lying about nothing: exit 0, the
   three step-1 drafts due.
2. From the same mailbox and a fresh state, a sync against each hostile
   server: a BODYSTRUCTURE nested 20,000 deep (in the FETCH reply, or
   unasked after STATUS); a Drafts mailbox named by a literal that ends in
   a four-byte UTF-8 lead; a greeting or a FETCH reply one byte a second;
   floods of 50 and 100 MB, an endless one and a 300 MB literal; a FETCH
   item without its UID, a NIL body, a {-1} literal; SEARCH naming UID
   4294967295 or a UID above UIDNEXT; INBOX marked \\Drafts; servers that
   offer only TLS 1.0 or 1.1 (also after STARTTLS) or an RSA-1024 key; a
   NO whose text is terminal escapes.  Each sync must end with the exit
   status of the case (75: try later; 78: the server or the setup is
   wrong; 0 with one warning when only a bogus UID is named), within the
   timeout and 5 seconds, under 64 MB of peak RSS, with exactly one line
   on stderr and nothing in it a terminal would act on; no APPEND when
   the Drafts mailbox is not to be trusted, and no LOGIN or AUTHENTICATE
   over TLS that is too weak.  Then a sync with a proxy that no longer
   lies exits 0 and leaves Drafts exactly as the reference did.
3. A message the server never gives: held for two runs (no drafts for
   the account), passed over with one warning on the third.

A '# ' line per case gives the figures: exit status, seconds, peak RSS
(the sync's own ru_maxrss, through harness.LAUNCH) and the line on
stderr.
"""
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import hostileproxy  # noqa: E402
from hostileproxy import HostileProxy, LITERAL, On, repeat  # noqa: E402
from tap import ok, done  # noqa: E402

TIMEOUT = 5                 # the config's timeout
WALL = TIMEOUT + 5          # what a failed sync may take at most
KILL_AFTER = 60             # a sync still running then is killed
RSS_MB = 64                 # peak RSS a sync may reach
# ASan's quarantine, redzones and shadow memory make a sanitized renraku's
# RSS say nothing of renraku's own: the bound holds for a plain build
with open(harness.RENRAKU, 'rb') as _f:
    SANITIZED = b'__asan_init' in _f.read()
GUARD_MB = 1024             # a sync growing beyond this is killed
MB = 1024 * 1024

DEEP = (b'* 1 FETCH (BODYSTRUCTURE ' + b'(' * 20000 +
        b'"TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1' + b')' * 20000 + b')\r\n')
ODD_DRAFTS = (b'* LIST (\\HasNoChildren \\Drafts) "/" {127}\r\n' +
              b'D' * 126 + b'\xf0' +
              b'\r\n* LIST (\\HasNoChildren) "/" INBOX\r\n')
ESCAPES = b' NO [\x1b]0;pwned\x07\x1b[31mno such mailbox\x1b[0m\r\n'


# --- rewriting a held reply ---

def pieces(data):
    """A reply as [[is literal, bytes]]: each line (a literal's header
    ends one), each literal's bytes."""
    out, pos = [], 0
    while pos < len(data):
        eol = data.find(b'\n', pos)
        end = len(data) if eol < 0 else eol + 1
        line = data[pos:end]
        out.append([False, line])
        pos = end
        m = LITERAL.search(line)
        if m:
            n = int(m.group(1))
            out.append([True, data[pos:pos + n]])
            pos += n
    return out


def joined(ps):
    return b''.join(p[1] for p in ps)


def drop_uid(data):
    """The first FETCH item without its UID."""
    ps = pieces(data)
    for p in ps:
        if not p[0] and re.match(rb'\* \d+ FETCH \(', p[1]):
            p[1] = re.sub(rb'UID \d+ ', b'', p[1], count=1)
            break
    return joined(ps)


def nil_body(data):
    """The first BODY[]<0> literal made NIL."""
    ps = pieces(data)
    for i, p in enumerate(ps):
        m = None if p[0] else re.search(rb'BODY\[\]<0> \{\d+\}\r\n\Z', p[1])
        if m and i + 1 < len(ps) and ps[i + 1][0]:
            p[1] = p[1][:m.start()] + b'BODY[]<0> NIL'
            del ps[i + 1]
            break
    return joined(ps)


def minus_one(data):
    """The first literal's header made {-1} (its bytes left to follow)."""
    ps = pieces(data)
    for p in ps:
        m = None if p[0] else LITERAL.search(p[1])
        if m:
            p[1] = p[1][:m.start()] + b'{-1}\r\n'
            break
    return joined(ps)


def search_adds(uid_of):
    """A rewrite adding uid_of(the UIDs found) to the SEARCH line."""
    def rewrite(data):
        ps = pieces(data)
        for p in ps:
            if not p[0] and p[1].startswith(b'* SEARCH'):
                uids = [int(u) for u in p[1].split()[2:]]
                p[1] = p[1].rstrip(b'\r\n') + b' %d\r\n' % uid_of(uids)
                break
        return joined(ps)
    return rewrite


def inbox_drafts(data):
    """INBOX marked \\Drafts in the LIST reply, the real Drafts not."""
    ps = pieces(data)
    for p in ps:
        m = None if p[0] else re.match(rb'(\* LIST \()([^)]*)(\) .*)\Z',
                                       p[1], re.S)
        if not m:
            continue
        flags = m.group(2).split()
        name = m.group(3).rstrip(b'\r\n').split(b' ', 2)[-1].strip(b'"')
        if name.upper() == b'INBOX':
            flags.append(b'\\Drafts')
        else:
            flags = [f for f in flags if f.lower() != b'\\drafts']
        p[1] = m.group(1) + b' '.join(flags) + m.group(3)
    return joined(ps)


# --- what each hostile server does on its command ---

def inject(data):
    def act(conn, tag, line):
        conn.to_client(data)
    return act


def then(data):
    def act(conn, tag, line):
        conn.hold(tag, rewrite=lambda reply: reply + data)
    return act


def rewrite(fn):
    def act(conn, tag, line):
        conn.hold(tag, rewrite=fn)
    return act


def answer(data):
    def act(conn, tag, line):
        conn.to_client(data.replace(b'TAG', tag))
        return True
    return act


def drip_reply(conn, tag, line):
    conn.hold(tag, drip=1.0)


def flood(unit, total):
    """'unit' repeated to 'total' bytes (None: until the client goes),
    then the command is relayed."""
    def act(conn, tag, line):
        conn.flood(repeat(unit), total)
        return total is None
    return act


def huge_literal(conn, tag, line):
    first = re.match(rb'\d+', line.split()[3]).group(0)
    size = 300 * MB
    conn.to_client(b'* 1 FETCH (UID %s BODY[] {%d}\r\n' % (first, size))
    if conn.flood(repeat(b'\0'), size) == size:
        conn.to_client(b')\r\n' + tag + b' OK done\r\n')
    return True


class SlowGreeting(hostileproxy.Case):
    def greeting(self, conn):
        conn.drip(conn.server_response(), 1.0)


# --- running a sync ---

def rss_mb(pid):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0


def sync(box, cfg):
    """renraku sync with 'cfg': {rc, took, rss (MB), stdout, stderr (bytes),
    killed (why, or None)}.  rc < 0: killed by that signal.  It runs under
    harness.LAUNCH, so that its peak RSS is its own, not this test's."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile() as rssf:
        t0 = time.monotonic()
        p = subprocess.Popen([sys.executable, '-c', harness.LAUNCH,
                              rssf.name] + box.cmd('sync', cfg=cfg),
                             env=box.env, stdin=subprocess.DEVNULL,
                             stdout=out, stderr=err, start_new_session=True)
        killed = None
        while p.poll() is None:
            took = time.monotonic() - t0
            child = harness.child_pid(p.pid)
            if killed is None and took > KILL_AFTER:
                killed = 'still running after %d s' % KILL_AFTER
            elif (killed is None and child is not None and
                  rss_mb(child) > GUARD_MB):
                killed = 'RSS over %d MB' % GUARD_MB
            if killed:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                break
            time.sleep(0.02)
        took = time.monotonic() - t0
        try:
            os.killpg(p.pid, signal.SIGKILL)    # anything it left behind
        except ProcessLookupError:
            pass
        rc = p.returncode
        if rc > 128 and not killed:
            rc = 128 - rc       # LAUNCH's way of saying "killed by signal"
        rss = int(rssf.read() or 0) / 1024
        out.seek(0)
        err.seek(0)
        return {'rc': rc, 'took': took, 'rss': rss, 'stdout': out.read(),
                'stderr': err.read(), 'killed': killed}


def lines_of(stderr):
    """stderr's lines, decoded (invalid UTF-8 replaced), without the final
    newline."""
    text = stderr.decode('utf-8', 'replace')
    if text.endswith('\n'):
        text = text[:-1]
    return text.split('\n') if text else []


def shown(text):
    """'text' with anything unprintable written as an escape."""
    return ''.join(c if c.isprintable() else
                   c.encode('unicode_escape').decode('ascii') for c in text)


# --- the cases ---

class Hostile:
    def __init__(self, key, title, exits, case=None, listener=None,
                 no_append=False):
        self.key = key
        self.title = title
        self.exits = exits
        self.case = case
        self.listener = listener    # another proxy's name, or None
        self.no_append = no_append
        self.tls = listener is not None


CASES = [
    Hostile('1a', 'deep BODYSTRUCTURE in the FETCH reply', (75,),
            On('UID FETCH', inject(DEEP))),
    Hostile('1b', 'deep BODYSTRUCTURE after the STATUS reply', (75,),
            On('STATUS', then(DEEP))),
    Hostile('2', 'Drafts named by a 127-byte literal ending in 0xF0',
            (75, 78), On('LIST', answer(ODD_DRAFTS + b'TAG OK done\r\n')),
            no_append=True),
    Hostile('3a', 'greeting at 1 byte/s', (75,), SlowGreeting()),
    Hostile('3b', 'FETCH reply at 1 byte/s', (75,),
            On('UID FETCH', drip_reply)),
    Hostile('4a', '50 MB of untagged OK before the EXAMINE reply', (75,),
            On('EXAMINE', flood(b'* OK flood\r\n', 50 * MB))),
    Hostile('4b', '100 MB of FETCH FLAGS before the FETCH reply', (75,),
            On('UID FETCH', flood(b'* 1 FETCH (FLAGS (\\Seen))\r\n',
                                  100 * MB))),
    Hostile('4c', 'endless untagged OK for UID SEARCH', (75,),
            On('UID SEARCH', flood(b'* OK flood\r\n', None))),
    Hostile('4d', '300 MB literal for UID FETCH', (75,),
            On('UID FETCH', huge_literal)),
    Hostile('5a', 'FETCH item without its UID', (75,),
            On('UID FETCH', rewrite(drop_uid))),
    Hostile('5b', 'NIL body', (75,), On('UID FETCH', rewrite(nil_body))),
    Hostile('5c', '{-1} literal', (75,),
            On('UID FETCH', rewrite(minus_one))),
    Hostile('6a', 'SEARCH names UID 4294967295', (0,),
            On('UID SEARCH', rewrite(search_adds(lambda u: 4294967295)))),
    Hostile('6b', 'SEARCH names a UID above UIDNEXT', (0,),
            On('UID SEARCH', rewrite(search_adds(
                lambda u: max(u, default=0) + 1000)))),
    Hostile('7', 'LIST marks INBOX \\Drafts', (78,),
            On('LIST', rewrite(inbox_drafts)), no_append=True),
    Hostile('8a', 'server offers TLS 1.0 only', (75,), listener='tls1.0'),
    Hostile('8b', 'server offers TLS 1.1 only', (75,), listener='tls1.1'),
    Hostile('8c', 'STARTTLS, then TLS 1.0 only', (75,),
            listener='starttls-tls1.0'),
    Hostile('8d', 'RSA-1024 server key', (75,), listener='rsa1024'),
    Hostile('13', 'NO for EXAMINE with terminal escapes', (78,),
            On('EXAMINE', answer(b'TAG' + ESCAPES))),
]


def make_listeners(box):
    """The proxies of the TLS cases: {name: (proxy, config, why it cannot
    be run here or None)}."""
    srv = box.srv
    out = {}
    legacy = {}
    for v in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        legacy[v] = hostileproxy.legacy_tls_problem(v, srv.cert, srv.key)
        print('# %s here (%s): %s' % (v.name, ssl.OPENSSL_VERSION,
                                      legacy[v] or 'offered'))
    rsa = hostileproxy.make_rsa_cert(srv.dir, 'rsa1024', 'ca',
                                     'DNS:localhost,IP:127.0.0.1')
    for name, kw, why in (
            ('tls1.0', {'max_version': ssl.TLSVersion.TLSv1},
             legacy[ssl.TLSVersion.TLSv1]),
            ('tls1.1', {'max_version': ssl.TLSVersion.TLSv1_1},
             legacy[ssl.TLSVersion.TLSv1_1]),
            ('starttls-tls1.0', {'max_version': ssl.TLSVersion.TLSv1,
                                 'starttls': True},
             legacy[ssl.TLSVersion.TLSv1]),
            ('rsa1024', {'weak': True}, None)):
        if why is not None:
            out[name] = (None, None, why)
            continue
        cert, key = rsa if name == 'rsa1024' else (srv.cert, srv.key)
        p = HostileProxy(srv.imaps_port, cert, key, **kw).start()
        cfg = box.config('config-' + name, port=str(p.port),
                         security='starttls' if kw.get('starttls') else 'tls',
                         general={'timeout': TIMEOUT})
        out[name] = (p, cfg, None)
    return out


def run_case(box, proxy, cfg, listeners, ref, h):
    name = '%s %s' % (h.key, h.title)
    p, c = proxy, cfg
    if h.listener is not None:
        p, c, why = listeners[h.listener]
        if why is not None:
            print('# %s: cannot be run here: %s' % (name, why))
            ok(True, '%s # SKIP %s' % (name, why))
            return
    box.reset()
    p.forget()
    p.case = h.case
    r = sync(box, c)
    p.case = None
    idle = p.wait_idle()
    said = lines_of(r['stderr'])
    extra = ''
    if h.tls:
        extra = ', handshakes %s' % [v or e for v, e in p.handshakes]
    flooded = sum(conn.flooded for conn in p.connections)
    if flooded:
        extra += ', %.1f MB flooded' % (flooded / MB)
    print('# %s: exit %d, %.1f s, peak RSS %.1f MB%s%s, stderr: %s' % (
        name, r['rc'], r['took'], r['rss'],
        ', killed: ' + r['killed'] if r['killed'] else '', extra,
        ' | '.join(shown(line) for line in said[:3]) +
        (' | ... %d lines' % len(said) if len(said) > 3 else '')))
    want = ' or '.join(str(e) for e in h.exits)
    ok(r['rc'] in h.exits, '%s: sync exits %s' % (name, want),
       'exit %d%s' % (r['rc'], ' (%s)' % r['killed'] if r['killed'] else ''))
    ok(r['took'] < WALL, '%s: within %d s' % (name, WALL),
       '%.1f s' % r['took'])
    if SANITIZED:
        print('# %s: peak RSS %.1f MB in a sanitized build: not checked' % (
            name, r['rss']))
    else:
        ok(r['rss'] < RSS_MB, '%s: peak RSS under %d MB' % (name, RSS_MB),
           '%.1f MB' % r['rss'])
    ok(r['stderr'].count(b'\n') == 1 and r['stderr'].endswith(b'\n'),
       '%s: exactly one line on stderr' % name, r['stderr'][:2000])
    ok(all(line.isprintable() for line in said),
       '%s: nothing unprintable on stderr' % name,
       repr(r['stderr'][:2000]))
    if h.no_append:
        ok(not p.saw('APPEND'), '%s: no APPEND reached the server' % name,
           '\n'.join(p.saw('APPEND')))
    if h.tls:
        logins = p.saw('LOGIN', 'AUTHENTICATE')
        ok(not logins, '%s: no LOGIN or AUTHENTICATE reached the proxy' %
           name, '%d seen' % len(logins))
    if h.key == '13':
        ok(b'\x1b' not in r['stderr'] and b'\x07' not in r['stderr'],
           '%s: no ESC or BEL on stderr' % name, repr(r['stderr'][:2000]))
    if not idle or p.notes:
        print('# %s: the proxy: %s%s' % (
            name, '' if idle else 'connections left open; ',
            '; '.join(p.notes[:5])))
    proxy.forget()
    proxy.case = None
    r2 = sync(box, cfg)
    got = box.drafts()
    ok(r2['rc'] == 0 and got == ref,
       '%s: then a sync with no lies exits 0, Drafts as the reference' %
       name, 'exit %d: %s\n%s' % (r2['rc'], shown(r2['stderr'].decode(
           'utf-8', 'replace')), harness.diff(ref, got)))


def stuck(box, proxy, cfg, ref):
    """A message the server never gives (its FETCH item without a UID, run
    after run): two syncs hold the account's drafts (exit 75, try 1 and 2
    of 3), the third passes it over with one warning and makes the other
    drafts; a sync with no lies then reads nothing again and says
    nothing."""
    box.reset()
    said = []
    for run in (1, 2, 3):
        proxy.forget()
        proxy.case = On('UID FETCH', rewrite(drop_uid))
        r = sync(box, cfg)
        proxy.case = None
        proxy.wait_idle()
        said.append(lines_of(r['stderr']))
        print('# stuck, run %d: exit %d, stderr: %s' % (
            run, r['rc'], ' | '.join(shown(s) for s in said[-1])))
        if run < 3:
            ok(r['rc'] == 75 and len(said[-1]) == 1 and
               'try %d of 3' % run in said[-1][0] and box.drafts() == [],
               'stuck message, run %d: exit 75, try %d of 3, no drafts' %
               (run, run), (r['rc'], said[-1], box.drafts()))
    got = box.drafts()
    ok(r['rc'] == 0 and len(said[-1]) == 1 and
       'passed over' in said[-1][0] and len(got) == len(ref) - 1 and
       all(d in ref for d in got),
       'stuck message, run 3: passed over with one warning, the other '
       'drafts made', (r['rc'], said[-1], got))
    proxy.forget()
    r = sync(box, cfg)
    ok(r['rc'] == 0 and r['stderr'] == b'' and box.drafts() == got,
       'then a sync with no lies: exit 0, silent, the same drafts',
       (r['rc'], r['stderr'], box.drafts()))


def make_box():
    return harness.Box(proxy=False)


box = harness.started(make_box)
proxy = None
listeners = {}
try:
    proxy = HostileProxy(box.srv.imaps_port, box.srv.cert,
                         box.srv.key).start()
    cfg = box.config('config-hostile', port=str(proxy.port),
                     general={'timeout': TIMEOUT})
    listeners = make_listeners(box)

    t0 = time.monotonic()
    box.reset()
    r = sync(box, cfg)
    proxy.wait_idle()
    ref = box.drafts()
    print('# reference: exit %d, %.1f s, peak RSS %.1f MB, handshakes %s' % (
        r['rc'], r['took'], r['rss'], [v or e for v, e in proxy.handshakes]))
    ok(r['rc'] == 0 and r['stderr'] == b'',
       'reference sync through the proxy exits 0, nothing on stderr',
       'exit %d: %s' % (r['rc'], r['stderr'].decode('utf-8', 'replace')))
    ok([d[0] for d in ref] == harness.DUE_THREADS and
       all(d[1] == '1' for d in ref),
       'reference: one step-1 draft per due thread', ref)
    ok(len(proxy.saw('LOGIN', 'AUTHENTICATE')) == 1 and
       proxy.saw('APPEND') and not proxy.notes,
       'the proxy relayed the whole sync (a login, the APPENDs)',
       '\n'.join(proxy.commands + proxy.notes))

    for h in CASES:
        run_case(box, proxy, cfg, listeners, ref, h)
    print('# %d cases in %.0f s' % (len(CASES), time.monotonic() - t0))
    stuck(box, proxy, cfg, ref)
finally:
    for p, c, why in listeners.values():
        if p is not None:
            p.close()
    if proxy is not None:
        proxy.close()
    box.cleanup()
done()
