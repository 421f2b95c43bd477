#!/usr/bin/env python3
"""renraku watch: a draft within seconds of a mail arriving (IDLE).

watch runs against a real Dovecot; another client APPENDs a CrowdWorks
message dated a week ago; the follow-up draft must appear within seconds,
long before the polling interval.  SIGTERM ends watch cleanly.
"""
import datetime
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
from tap import ok, done, bail  # noqa: E402

RENRAKU = os.environ.get('RENRAKU', 'src/renraku')
TOP = os.environ.get('TOP_SRCDIR', '.')
JST = datetime.timezone(datetime.timedelta(hours=9))
NOW = '2026-12-09T10:00:00+09:00'

try:
    srv = dovecot.Dovecot().start()
except Exception as e:  # noqa: BLE001
    bail('cannot start dovecot: %s' % e)
proc = None
try:
    cfg = srv.renraku_config(os.path.join(srv.dir, 'config'),
                             os.path.join(srv.dir, 'state'))
    env = dict(os.environ, RENRAKU_DATADIR=TOP,
               XDG_CONFIG_HOME=os.path.join(srv.dir, 'xdg'))
    proc = subprocess.Popen([RENRAKU, '-c', cfg, '-v', 'watch',
                             '--interval', '300', '--now', NOW],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    time.sleep(2)
    ok(proc.poll() is None, 'watch keeps running')
    with open(os.path.join(TOP, 'tests', 'corpus',
                           'crowdworks-message-1.eml'), 'rb') as f:
        raw = f.read()
    when = datetime.datetime(2026, 12, 2, 18, 0, tzinfo=JST)
    start = time.time()
    srv.append('INBOX', dovecot.dated(raw, when), when)
    drafts = []
    while time.time() - start < 20 and not drafts:
        time.sleep(0.3)
        drafts = srv.messages('Drafts')
    took = time.time() - start
    ok(len(drafts) == 1 and took < 10,
       'a draft appears within seconds of the mail (%.1f s)' % took)
    proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    ok(proc.returncode == 0, 'SIGTERM ends watch cleanly',
       (proc.returncode, out, err))
    ok('watching INBOX of main' in out, 'watch says what it watches', out)
    r = subprocess.run([RENRAKU, '-c', cfg, 'sync', '--now', NOW],
                       capture_output=True, text=True, env=env, timeout=60)
    ok(r.returncode == 0 and len(srv.messages('Drafts')) == 1,
       'a cron sync afterwards adds nothing', r.stderr)
finally:
    if proc is not None and proc.poll() is None:
        proc.kill()
    srv.cleanup()
done()
