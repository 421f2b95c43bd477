#!/usr/bin/env python3
"""renraku watch: a draft within seconds of a mail arriving (IDLE).

watch runs against a real Dovecot and watches two mailboxes, INBOX and
Work, one IDLE connection each, through tests/faultproxy.py; another
client APPENDs a CrowdWorks message dated a week ago to INBOX, then a
Lancers one to Work; each follow-up draft must appear within seconds,
long before the polling interval.  Then the network goes away and comes
back: watch says so, reconnects after its first backoff (5 s) and drafts
the next mail.  SIGTERM ends watch cleanly.  Against a Dovecot that
does not offer IDLE, watch says it polls and drafts within --interval.
While it waits (in IDLE, for the network, between polls) watch must
sleep: it may use less than a second of processor time in a few.
"""
import datetime
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
from faultproxy import Fault, FaultProxy, C2S  # noqa: E402
from tap import ok, done, bail  # noqa: E402

RENRAKU = os.environ.get('RENRAKU', 'src/renraku')
TOP = os.environ.get('TOP_SRCDIR', '.')
JST = datetime.timezone(datetime.timedelta(hours=9))
NOW = '2026-12-09T10:00:00+09:00'


def arrives(mailbox, name, want):
    """APPEND a corpus mail to 'mailbox' of the server srv; wait for
    'want' drafts in Drafts.  Returns them and the seconds it took."""
    with open(os.path.join(TOP, 'tests', 'corpus', name), 'rb') as f:
        raw = f.read()
    when = datetime.datetime(2026, 12, 2, 18, 0, tzinfo=JST)
    start = time.time()
    srv.append(mailbox, dovecot.dated(raw, when), when)
    drafts = []
    while time.time() - start < 20 and len(drafts) < want:
        time.sleep(0.3)
        drafts = srv.messages('Drafts')
    return drafts, time.time() - start


def start_watch(interval, **keys):
    """renraku -v watch against srv, with its config's 'keys' replaced."""
    cfg = srv.renraku_config(os.path.join(srv.dir, 'config'),
                             os.path.join(srv.dir, 'state'), **keys)
    env = dict(os.environ, RENRAKU_DATADIR=TOP,
               XDG_CONFIG_HOME=os.path.join(srv.dir, 'xdg'))
    return cfg, env, subprocess.Popen(
        [RENRAKU, '-c', cfg, '-v', 'watch', '--interval', str(interval),
         '--now', NOW], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env)


def cpu_seconds(proc):
    """The processor time proc has used so far (user and system)."""
    with open('/proc/%d/stat' % proc.pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def stop_watch(proc):
    """SIGTERM to watch; its stdout and stderr."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


try:
    srv = dovecot.Dovecot().start()
    proxy = FaultProxy(srv.imaps_port).start()
except Exception as e:  # noqa: BLE001
    bail('cannot start dovecot: %s' % e)
proc = None
try:
    c = srv.client()
    c.create('Work')
    c.logout()
    cfg, env, proc = start_watch(300, mailboxes='INBOX;Work',
                                 port=str(proxy.port))
    time.sleep(2)
    ok(proc.poll() is None, 'watch keeps running')
    cpu, start = cpu_seconds(proc), time.time()
    time.sleep(3)
    cpu = cpu_seconds(proc) - cpu
    ok(cpu < 1, 'watch sleeps in IDLE (%.2f s of processor time in %.0f s)'
       % (cpu, time.time() - start))

    drafts, took = arrives('INBOX', 'crowdworks-message-1.eml', 1)
    ok(len(drafts) == 1 and took < 10,
       'a draft appears within seconds of a mail in INBOX (%.1f s)' % took)
    drafts, took = arrives('Work', 'lancers-message-2.eml', 2)
    ok(len(drafts) == 2 and took < 10 and
       any(b'X-Renraku-Thread: lancers/5572345' in d[1] for d in drafts),
       'a draft appears within seconds of a mail in Work, the second '
       'watched mailbox (%.1f s)' % took,
       [d[1][:300] for d in drafts])

    # the network goes away (both IDLE connections reset, new ones cut
    # in the TLS handshake) and comes back: watch reconnects by itself
    proxy.set(Fault('cut', C2S, 0))
    cpu, start = cpu_seconds(proc), time.time()
    for conn in list(proxy.connections):
        conn._close_all(reset=True)
    time.sleep(2)
    cpu = cpu_seconds(proc) - cpu
    ok(proc.poll() is None and cpu < 1,
       'watch outlives the network going away, and waits for it '
       '(%.2f s of processor time in %.0f s)' % (cpu, time.time() - start))
    proxy.set(None)
    drafts, took = arrives('INBOX', 'crowdworks-message-2.eml', 3)
    ok(len(drafts) == 3 and took < 15,
       'after the server is back, a new mail is drafted within seconds '
       '(%.1f s, the first retry waits 5 s)' % took)
    out, err = stop_watch(proc)
    ok(proc.returncode == 0, 'SIGTERM ends watch cleanly',
       (proc.returncode, out, err))
    ok('watching INBOX of main' in out and 'watching Work of main' in out,
       'watch says what it watches', out)
    ok('; reconnecting' in err and '; again in 5 s' in err,
       'watch said it lost the server and when it tries again', (out, err))
    r = subprocess.run([RENRAKU, '-c', cfg, 'sync', '--now', NOW],
                       capture_output=True, text=True, env=env, timeout=60)
    ok(r.returncode == 0 and len(srv.messages('Drafts')) == 3,
       'a cron sync afterwards adds nothing', r.stderr)
finally:
    if proc is not None and proc.poll() is None:
        proc.kill()
    srv.cleanup()

# A server without IDLE: watch says so and syncs every --interval seconds.
try:
    srv = dovecot.Dovecot(extra='imap_capability = IMAP4rev1 LITERAL+ '
                          'SASL-IR ENABLE UIDPLUS SPECIAL-USE\n').start()
except Exception as e:  # noqa: BLE001
    bail('cannot start dovecot: %s' % e)
proc = None
try:
    proc = start_watch(2)[2]
    time.sleep(1)
    drafts, took = arrives('INBOX', 'crowdworks-message-1.eml', 1)
    ok(len(drafts) == 1 and took < 6,
       'no IDLE: a draft appears within the 2 s interval (%.1f s)' % took)
    cpu, start = cpu_seconds(proc), time.time()
    time.sleep(4)
    cpu = cpu_seconds(proc) - cpu
    ok(cpu < 1, 'no IDLE: watch sleeps between its syncs (%.2f s of '
       'processor time in %.0f s)' % (cpu, time.time() - start))
    out, err = stop_watch(proc)
    ok(proc.returncode == 0 and err == '' and
       'INBOX of main: the server has no IDLE; syncing every 2 s' in out,
       'no IDLE: watch says it polls, and nothing went wrong', (out, err))
finally:
    if proc is not None and proc.poll() is None:
        proc.kill()
    srv.cleanup()
done()
