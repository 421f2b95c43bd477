#!/usr/bin/env python3
"""STARTTLS cannot be stripped; a certificate out of its dates is refused;
SNI is sent.

1. With security = starttls, a server that does not offer STARTTLS (in the
   greeting's capabilities, or only when asked), that answers STARTTLS
   with NO or BAD, that says OK and then goes on in clear, or that greets
   with PREAUTH: sync fails with one line naming the problem, and the
   server (a scripted fake, which would accept any login and serve a
   mailbox) never sees LOGIN, AUTHENTICATE, the password or a mailbox
   command.
2. Against a real Dovecot whose certificate, from the CA renraku trusts
   and for the right name, has expired or is not valid yet: sync fails
   for security = tls and starttls with a message naming that, and Dovecot
   sees no login attempt.
3. A Dovecot whose default certificate is for another name and that has
   one for localhost in a local_name block only: sync with host =
   localhost succeeds (so renraku sends SNI), a client that sends no SNI
   gets the other certificate, and without the local_name block renraku
   rejects the certificate.
"""
import base64
import datetime
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dovecot  # noqa: E402
from tap import ok, done, bail  # noqa: E402

RENRAKU = os.environ.get('RENRAKU', 'src/renraku')
TOP = os.environ.get('TOP_SRCDIR', '.')
NOW = '2026-12-09T10:00:00+09:00'
CAPS = 'IMAP4rev1 LITERAL+ AUTH=PLAIN'
MAIL = (b'From: client@crowdworks.jp\r\nTo: %s\r\nSubject: read in clear\r\n'
        b'Date: Mon, 07 Dec 2026 10:00:00 +0900\r\n\r\nsecret body\r\n'
        % dovecot.USER.encode())
# what a login would put on the wire, in any of its forms
SECRETS = [dovecot.PASSWORD.encode(),
           base64.b64encode(b'\0%s\0%s' % (dovecot.USER.encode(),
                                           dovecot.PASSWORD.encode())),
           base64.b64encode(dovecot.PASSWORD.encode())]
MAILBOX_COMMANDS = ('SELECT', 'EXAMINE', 'STATUS', 'FETCH', 'SEARCH', 'LIST',
                    'APPEND', 'UID', 'STORE', 'IDLE')


class FakeIMAP:
    """An IMAP server on 127.0.0.1 that plays one of these parts, keeps
    every byte it receives (received) and every command (commands):

      no-starttls-greeting  greeting lists capabilities without STARTTLS;
                            STARTTLS gets BAD
      no-starttls           plain greeting; CAPABILITY has no STARTTLS;
                            STARTTLS gets BAD
      starttls-no           STARTTLS offered, answered NO
      starttls-bad          STARTTLS offered, answered BAD
      starttls-clear        STARTTLS answered OK, then more in clear
      preauth               greets with PREAUTH (no TLS)

    Whatever else comes it plays along as an attacker would: any LOGIN or
    AUTHENTICATE succeeds, and INBOX holds one mail."""

    def __init__(self, part):
        self.part = part
        self.received = b''
        self.commands = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(4)
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.threads = []
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.acceptor = t

    def _accept(self):
        while not self.stopping.is_set():
            try:
                c, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(c,), daemon=True)
            self.threads.append(t)
            t.start()

    def _caps(self):
        return CAPS + ('' if self.part.startswith('no-starttls')
                       else ' STARTTLS')

    def _serve(self, c):
        c.settimeout(20)
        f = c.makefile('rwb')

        def send(line):
            f.write(line.encode() + b'\r\n')
            f.flush()

        try:
            if self.part == 'preauth':
                send('* PREAUTH [CAPABILITY %s] logged in as %s' %
                     (self._caps(), dovecot.USER))
            elif self.part == 'no-starttls':
                send('* OK fake IMAP ready')
            else:
                send('* OK [CAPABILITY %s] fake IMAP ready' % self._caps())
            while True:
                line = f.readline()
                if not line:
                    return
                self._keep(line)
                if line.rstrip(b'\r\n').endswith(b'}'):
                    # a literal: take it without looking
                    n = line.rstrip(b'\r\n').rsplit(b'{', 1)[1]
                    if not n.endswith(b'+}'):
                        send('+ go on')
                    self._keep(f.read(int(n.strip(b'+}'))))
                    continue
                words = line.decode('ascii', 'replace').split()
                if len(words) < 2:
                    continue
                if not self._answer(send, f, words[0], words[1].upper(),
                                    words[2:]):
                    return
        except (OSError, ValueError):
            return
        finally:
            c.close()

    def _keep(self, data):
        with self.lock:
            self.received += data
            if data.endswith(b'\n'):
                self.commands.append(data.decode('ascii', 'replace')
                                     .rstrip('\r\n'))

    def _answer(self, send, f, tag, cmd, args):
        if cmd == 'STARTTLS':
            if self.part == 'starttls-no':
                send(tag + ' NO TLS is not available right now')
            elif self.part == 'starttls-clear':
                send(tag + ' OK Begin TLS negotiation now')
                send('* OK [CAPABILITY %s] still in clear' % CAPS)
            else:
                send(tag + ' BAD Unknown command STARTTLS')
        elif cmd == 'CAPABILITY':
            send('* CAPABILITY ' + self._caps())
            send(tag + ' OK done')
        elif cmd == 'AUTHENTICATE':
            send('+ ')
            self._keep(f.readline())
            send(tag + ' OK logged in')
        elif cmd in ('SELECT', 'EXAMINE'):
            send('* 1 EXISTS')
            send('* OK [UIDVALIDITY 7] ok')
            send('* OK [UIDNEXT 2] ok')
            send(tag + ' OK [READ-ONLY] done')
        elif cmd == 'UID' and args and args[0].upper() == 'SEARCH':
            send('* SEARCH 1')
            send(tag + ' OK done')
        elif cmd == 'UID' and args and args[0].upper() == 'FETCH':
            f.write(b'* 1 FETCH (UID 1 BODY[]<0> {%d}\r\n%s)\r\n' %
                    (len(MAIL), MAIL))
            send(tag + ' OK done')
        elif cmd == 'LIST':
            send('* LIST (\\Drafts) "/" Drafts')
            send(tag + ' OK done')
        elif cmd == 'LOGOUT':
            send('* BYE bye')
            send(tag + ' OK done')
            return False
        else:
            send(tag + ' OK done')
        return True

    def close(self):
        """Stop listening; wait for the connections to end."""
        self.stopping.set()
        self.acceptor.join(5)
        self.listener.close()
        for t in self.threads:
            t.join(5)

    def logins(self):
        """Commands that log in, and any trace of the password."""
        bad = [c for c in self.commands if len(c.split()) > 1 and
               c.split()[1].upper() in ('LOGIN', 'AUTHENTICATE')]
        bad += ['password bytes: %r' % s for s in SECRETS
                if s in self.received]
        return bad

    def mailbox_commands(self):
        return [c for c in self.commands if len(c.split()) > 1 and
                c.split()[1].upper() in MAILBOX_COMMANDS]


def sync(cfg, home):
    env = dict(os.environ, RENRAKU_DATADIR=TOP,
               XDG_CONFIG_HOME=os.path.join(home, 'xdg'))
    return subprocess.run([RENRAKU, '-c', cfg, 'sync', '--now', NOW],
                          capture_output=True, text=True, env=env,
                          timeout=60)


def check_fake(part, writer, words):
    fake = FakeIMAP(part)
    name = 'starttls, ' + {
        'no-starttls-greeting': 'STARTTLS not in the greeting\'s '
                                'capabilities',
        'no-starttls': 'STARTTLS not in CAPABILITY',
        'starttls-no': 'STARTTLS answered NO',
        'starttls-bad': 'STARTTLS answered BAD',
        'starttls-clear': 'STARTTLS answered OK, then no TLS',
        'preauth': 'PREAUTH greeting in clear'}[part]
    st = os.path.join(work, 'state-' + part)
    cfg = writer.renraku_config(os.path.join(work, 'config-' + part), st,
                                security='starttls', port=str(fake.port))
    try:
        r = sync(cfg, work)
    finally:
        fake.close()
    seen = '\n'.join(['server received:'] + fake.commands)
    ok(r.returncode in (75, 78), name + ': sync fails (exit %d)' %
       r.returncode, (r.returncode, r.stderr, seen))
    said = r.stderr.strip().splitlines()
    ok(len(said) == 1 and all(w in said[0] for w in words),
       name + ': one line on stderr names the problem',
       'want one line with %r, got:\n%s' % (words, r.stderr))
    ok(r.stdout == '', name + ': nothing on stdout', r.stdout)
    ok(fake.logins() == [], name + ': no LOGIN, AUTHENTICATE or password '
       'reached the server', seen + '\n' + '\n'.join(fake.logins()))
    ok(fake.mailbox_commands() == [],
       name + ': no mailbox was opened or read in clear', seen)


def dovecot_settled(srv, before):
    """Wait (briefly) until Dovecot has logged the end of the connections
    that came after offset 'before' of its log; return that part."""
    for _ in range(40):
        after = srv.log_text()[before:]
        if 'Disconnected' in after or 'Login:' in after:
            return after
        time.sleep(0.05)
    return srv.log_text()[before:]


def check_rejected(srv, name, cfg, words):
    before = len(srv.log_text())
    r = sync(cfg, srv.dir)
    ok(r.returncode == 75, name + ': sync exits 75',
       (r.returncode, r.stderr))
    lines = r.stderr.strip().splitlines()
    ok(len(lines) == 1 and 'certificate' in lines[0] and
       all(w in lines[0] for w in words),
       name + ': one line names the certificate problem (%s)' %
       ', '.join(words), r.stderr)
    ok(r.stdout == '', name + ': nothing on stdout', r.stdout)
    # Dovecot logs how each connection ended, with its auth attempts
    # ("disconnected before auth was ready" when its login process had
    # not yet reached the auth process: no attempt could be made either)
    after = dovecot_settled(srv, before)
    ok(('no auth attempts' in after or
        'disconnected before auth was ready' in after) and
       'Login:' not in after and dovecot.USER not in after,
       name + ': no LOGIN reached the server '
       '(Dovecot logged "no auth attempts")', after)


def peer_names(port, server_hostname, ca):
    """The DNS names of the certificate the server on 'port' presents
    to a client that sends SNI 'server_hostname' (None: no SNI)."""
    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = False
    with socket.create_connection(('127.0.0.1', port), 5) as raw:
        with ctx.wrap_socket(raw, server_hostname=server_hostname) as s:
            cert = s.getpeercert()
    return sorted(v for k, v in cert.get('subjectAltName', ()) if k == 'DNS')


utc = datetime.timezone.utc
now = datetime.datetime.now(utc)
day = datetime.timedelta(days=1)
work = tempfile.mkdtemp(prefix='renraku-tls-strip-')
servers = []
try:
    expired = dovecot.Dovecot(cert_not_before=now - 30 * day,
                              cert_not_after=now - day)
    servers.append(expired)
    future = dovecot.Dovecot(cert_not_before=now + day,
                             cert_not_after=now + 30 * day)
    servers.append(future)
    sni = dovecot.Dovecot(cert_san='DNS:mail.other.example',
                          local_names=['localhost'])
    servers.append(sni)
    nosni = dovecot.Dovecot(cert_san='DNS:mail.other.example')
    servers.append(nosni)
    for s in servers:
        s.start()
except Exception as e:  # noqa: BLE001
    for s in servers:
        s.cleanup()
    shutil.rmtree(work, ignore_errors=True)
    bail('cannot start dovecot: %s' % e)

try:
    # 1. Scripted servers that strip or refuse STARTTLS.  The config (CA,
    # user, password) is a real one: only the port is the fake's.
    check_fake('no-starttls-greeting', sni,
               ['does not offer STARTTLS', 'without TLS'])
    check_fake('no-starttls', sni,
               ['STARTTLS failed', 'Unknown command', 'without TLS'])
    check_fake('starttls-no', sni,
               ['STARTTLS failed', 'TLS is not available', 'without TLS'])
    check_fake('starttls-bad', sni,
               ['STARTTLS failed', 'Unknown command', 'without TLS'])
    check_fake('starttls-clear', sni, ['STARTTLS failed', 'without TLS'])
    check_fake('preauth', sni, ['skipped authentication', 'STARTTLS'])

    # 2. Certificates from the trusted CA, for localhost, out of date.
    for sec in ('tls', 'starttls'):
        cfg = expired.renraku_config(os.path.join(expired.dir, 'cfg-' + sec),
                                     os.path.join(expired.dir, 'st-' + sec),
                                     security=sec)
        check_rejected(expired, sec + ', expired certificate', cfg,
                       ['expired'])
        cfg = future.renraku_config(os.path.join(future.dir, 'cfg-' + sec),
                                    os.path.join(future.dir, 'st-' + sec),
                                    security=sec)
        check_rejected(future, sec + ', certificate not valid yet', cfg,
                       ['not yet'])

    # 3. SNI.  First, that the server tells clients apart by it alone.
    try:
        with_sni = peer_names(sni.imaps_port, 'localhost', sni.ca)
        without = peer_names(sni.imaps_port, None, sni.ca)
    except (OSError, ssl.SSLError) as e:
        with_sni = without = repr(e)
    ok(with_sni == ['localhost'] and without == ['mail.other.example'],
       'Dovecot presents the localhost certificate only to a client that '
       'asks for localhost by SNI',
       'with SNI: %s; without: %s' % (with_sni, without))
    for sec in ('tls', 'starttls'):
        cfg = sni.renraku_config(os.path.join(sni.dir, 'cfg-' + sec),
                                 os.path.join(sni.dir, 'st-' + sec),
                                 security=sec)
        before = len(sni.log_text())
        r = sync(cfg, sni.dir)
        ok(r.returncode == 0, sec + ', certificate chosen by SNI: sync '
           'succeeds with host = localhost', (r.returncode, r.stderr))
        ok('Login: user=<%s>' % dovecot.USER in
           dovecot_settled(sni, before), sec + ', SNI: and logs in',
           sni.log_text()[before:])
        cfg = nosni.renraku_config(os.path.join(nosni.dir, 'cfg-' + sec),
                                   os.path.join(nosni.dir, 'st-' + sec),
                                   security=sec)
        check_rejected(nosni, sec + ', control without local_name', cfg,
                       ['mail.other.example'])
finally:
    cleaners = [threading.Thread(target=s.cleanup) for s in servers]
    for t in cleaners:
        t.start()
    for t in cleaners:
        t.join()
    shutil.rmtree(work, ignore_errors=True)
done()
