"""A throwaway Dovecot on 127.0.0.1 for renraku's tests and demo.

Everything lives under one temporary directory: its own CA and server
certificate (made with openssl), the Dovecot configuration, base_dir, log,
passwd-file and Maildir.  Ports are picked free.  Works as root (the mail
user is 'nobody') and as an ordinary user (Dovecot runs as that user).
"""
import atexit
import datetime
import email.utils
import imaplib
import os
import pwd
import grp
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

USER = 'hanako@example.com'
PASSWORD = 'secret-pw-7F3k'


def dovecot_bin():
    """dovecot lives in /usr/sbin, often not on an ordinary user's PATH."""
    return shutil.which('dovecot') or '/usr/sbin/dovecot'


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def openssl(*args, cwd):
    subprocess.run(['openssl'] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(d, name):
    """A CA key and certificate: d/name.key, d/name.pem."""
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt',
            'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
            '-subj', '/CN=renraku test ' + name, '-keyout', name + '.key',
            '-out', name + '.pem', '-addext',
            'basicConstraints=critical,CA:TRUE', '-addext',
            'keyUsage=critical,keyCertSign,cRLSign', cwd=d)
    return os.path.join(d, name + '.pem')


def make_cert(d, name, ca, san, days=30, not_before=None, not_after=None):
    """A server certificate for 'san' signed by CA 'ca'.

    Valid from now for 'days' days; or, with not_before and not_after
    (aware datetimes, either may be left out), for that span, which may lie
    wholly in the past or the future (made with 'openssl ca', as 'openssl
    x509' cannot set a start date)."""
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt',
            'ec_paramgen_curve:prime256v1', '-nodes', '-subj',
            '/CN=' + san.split(',')[0].split(':')[1], '-keyout',
            name + '.key', '-out', name + '.csr', cwd=d)
    with open(os.path.join(d, name + '.ext'), 'w') as f:
        f.write('subjectAltName=%s\nextendedKeyUsage=serverAuth\n'
                'basicConstraints=CA:FALSE\n' % san)
    if not_before is None and not_after is None:
        openssl('x509', '-req', '-in', name + '.csr', '-CA', ca + '.pem',
                '-CAkey', ca + '.key', '-CAcreateserial', '-days',
                str(days), '-extfile', name + '.ext', '-out', name + '.pem',
                cwd=d)
        return os.path.join(d, name + '.pem'), os.path.join(d, name + '.key')
    utc = datetime.timezone.utc
    if not_before is None:
        not_before = datetime.datetime.now(utc)
    if not_after is None:
        not_after = not_before + datetime.timedelta(days=days)
    with open(os.path.join(d, name + '.cnf'), 'w') as f:
        f.write('[ca]\ndefault_ca = this\n[this]\n'
                'database = %s.index\nnew_certs_dir = .\n'
                'serial = %s.serial\ndefault_md = sha256\n'
                'unique_subject = no\npolicy = any\n'
                '[any]\ncommonName = supplied\n' % (name, name))
    open(os.path.join(d, name + '.index'), 'w').close()
    with open(os.path.join(d, name + '.serial'), 'w') as f:
        f.write('%016X\n' % secrets.randbits(63))
    stamp = '%Y%m%d%H%M%SZ'
    openssl('ca', '-batch', '-config', name + '.cnf', '-cert', ca + '.pem',
            '-keyfile', ca + '.key', '-in', name + '.csr', '-out',
            name + '.pem', '-notext', '-extfile', name + '.ext',
            '-startdate', not_before.astimezone(utc).strftime(stamp),
            '-enddate', not_after.astimezone(utc).strftime(stamp), cwd=d)
    return os.path.join(d, name + '.pem'), os.path.join(d, name + '.key')


class Dovecot:
    """Start with Dovecot(cert_san=...).start(); stop with stop().
    With drafts_special_use=False no mailbox is marked \\Drafts (there is
    still a mailbox named Drafts).  cert_not_before and cert_not_after
    give the server certificate another validity (see make_cert).  For
    each name in local_names, a certificate for that name (by the same CA)
    is presented to clients that ask for it by SNI (a local_name block);
    the one for cert_san stays the default.  'extra' is appended to the
    configuration as it is."""

    def __init__(self, cert_san='DNS:localhost,IP:127.0.0.1', tmp=None,
                 drafts='Drafts', drafts_special_use=True,
                 cert_not_before=None, cert_not_after=None, local_names=(),
                 extra=''):
        self.extra = extra
        self.drafts_name = drafts
        self.drafts_special_use = drafts_special_use
        self.dir = tmp or tempfile.mkdtemp(prefix='renraku-dovecot-')
        os.chmod(self.dir, 0o755)
        self.ca = make_ca(self.dir, 'ca')
        self.other_ca = make_ca(self.dir, 'other-ca')
        self.cert, self.key = make_cert(self.dir, 'server', 'ca', cert_san,
                                        not_before=cert_not_before,
                                        not_after=cert_not_after)
        self.local_names = {}
        for i, name in enumerate(local_names):
            self.local_names[name] = make_cert(self.dir, 'local-%d' % i,
                                               'ca', 'DNS:' + name)
        self.imaps_port = free_port()
        self.imap_port = free_port()
        self.log = os.path.join(self.dir, 'dovecot.log')
        self.conf = os.path.join(self.dir, 'dovecot.conf')
        self.started = False

    def _write_config(self):
        d = self.dir
        if os.geteuid() == 0:
            pw = pwd.getpwnam('nobody')
            uid, gid = pw.pw_uid, pw.pw_gid
            users = ''
        else:
            uid, gid = os.getuid(), os.getgid()
            me = pwd.getpwuid(uid).pw_name
            group = grp.getgrgid(gid).gr_name
            users = ('default_internal_user = %s\ndefault_login_user = %s\n'
                     'default_internal_group = %s\n' % (me, me, group))
        drafts_use = ('special_use = \\Drafts' if self.drafts_special_use
                      else '')
        local = ''.join('local_name %s {\n  ssl_cert = <%s\n'
                        '  ssl_key = <%s\n}\n' % (name, cert, key)
                        for name, (cert, key) in self.local_names.items())
        home = os.path.join(d, 'home')
        os.makedirs(home, exist_ok=True)
        os.chown(home, uid, gid)
        with open(os.path.join(d, 'passwd'), 'w') as f:
            f.write('%s:{PLAIN}%s::::::\n' % (USER, PASSWORD))
        with open(self.conf, 'w') as f:
            f.write(f'''{users}
base_dir = {d}/run
state_dir = {d}/state
log_path = {self.log}
info_log_path = {self.log}
protocols = imap
listen = 127.0.0.1
first_valid_uid = {min(uid, 500)}
first_valid_gid = {min(gid, 500)}
ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{self.key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox "{self.drafts_name}" {{
    {drafts_use}
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
{local}{self.extra}''')

    def start(self):
        self._write_config()
        subprocess.run([dovecot_bin(), '-c', self.conf], check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        self.started = True
        # stopped even if the test dies of an exception or is told to
        # stop (SIGTERM from make or a CI timeout): no Dovecot outlives it
        atexit.register(self.cleanup)
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + 15))
        # ready when it greets on the plain port: imap-login sends its
        # greeting only once it has a connection to the auth process,
        # which the master starts at the first login process's asking.
        # A test that closed its first connection before then would
        # find "disconnected before auth was ready" in the log.
        for _ in range(100):
            try:
                with socket.create_connection(('127.0.0.1', self.imap_port),
                                              5) as s:
                    s.settimeout(5)
                    if s.makefile('rb').readline().startswith(b'* OK'):
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError('dovecot did not start; see ' + self.log)

    def stop(self):
        if not self.started:
            return
        pidfile = os.path.join(self.dir, 'run', 'master.pid')
        try:
            subprocess.run([dovecot_bin(), '-c', self.conf, 'stop'],
                           stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=20)
        except subprocess.TimeoutExpired:
            pass
        for _ in range(50):
            if not os.path.exists(pidfile):
                break
            time.sleep(0.1)
        self.started = False

    def cleanup(self):
        """Stop it and remove its directory, unless asked to keep it
        (keep = True: bench/run --workdir)."""
        self.stop()
        if not getattr(self, 'keep', False):
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self):
        try:
            with open(self.log, errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    # --- a client of our own, to seed and to inspect ---

    def client(self):
        ctx = ssl.create_default_context(cafile=self.ca)
        c = imaplib.IMAP4_SSL('localhost', self.imaps_port, ssl_context=ctx)
        c.login(USER, PASSWORD)
        return c

    def append(self, mailbox, raw, when, flags=''):
        """APPEND raw bytes with internal date 'when' (aware datetime)."""
        c = self.client()
        c.append(mailbox, flags, imaplib.Time2Internaldate(when), raw)
        c.logout()

    def flags(self, mailbox):
        """{uid: flags string} of every message in 'mailbox'."""
        c = self.client()
        c.select(mailbox, readonly=True)
        typ, data = c.uid('FETCH', '1:*', '(UID FLAGS)')
        out = {}
        for item in data:
            if not item:
                continue
            s = item.decode() if isinstance(item, bytes) else item[0].decode()
            uid = s.split('UID ')[1].split()[0].rstrip(')')
            out[int(uid)] = s.split('FLAGS (')[1].split(')')[0]
        c.logout()
        return out

    def messages(self, mailbox):
        """[(flags, raw bytes)] of every message in 'mailbox'."""
        c = self.client()
        c.select(mailbox, readonly=True)
        typ, data = c.uid('FETCH', '1:*', '(FLAGS BODY.PEEK[])')
        out = []
        for item in data:
            if isinstance(item, tuple):
                head = item[0].decode()
                flags = head.split('FLAGS (')[1].split(')')[0]
                out.append((flags, item[1]))
        c.logout()
        return out

    def renraku_config(self, path, state_dir, security='tls', **over):
        """Write a renraku config for this server; 'over' replaces keys."""
        keys = {
            'host': 'localhost',
            'port': str(self.imaps_port if security == 'tls'
                        else self.imap_port),
            'security': security,
            'ca_file': self.ca,
            'user': USER,
            'password_command': "printf '%%s\\n' '%s'" % PASSWORD,
            'mailboxes': 'INBOX',
        }
        keys.update(over)
        with open(path, 'w') as f:
            f.write('[general]\nyour_name = 山田 花子\nstate_dir = %s\n\n'
                    '[account main]\n' % state_dir)
            for k, v in keys.items():
                if v is not None:
                    f.write('%s = %s\n' % (k, v))
        os.chmod(path, 0o600)
        return path


def dated(raw, when):
    """The mail 'raw' (bytes) with its Date: header set to 'when'."""
    head, sep, body = raw.partition(b'\r\n\r\n')
    lines = [l for l in head.split(b'\r\n')
             if not l.lower().startswith(b'date:')]
    lines.append(b'Date: ' + email.utils.format_datetime(when).encode())
    return b'\r\n'.join(lines) + sep + body


def ja_env(env, tmp):
    """'env' plus what renraku needs to speak Japanese in a test.

    The ja_JP.UTF-8 locale is generated under 'tmp' with localedef when the
    machine lacks it (LOCPATH), and the catalogue built in po/ is put where
    RENRAKU_LOCALEDIR finds it.  Returns None if neither can be had.
    """
    env = dict(env)
    env.pop('LC_ALL', None)
    env.pop('LANGUAGE', None)
    env['LANG'] = 'ja_JP.UTF-8'
    have = subprocess.run(['locale', '-a'], capture_output=True,
                          text=True).stdout.lower()
    if 'ja_jp.utf8' not in have:
        loc = os.path.join(tmp, 'locale')
        os.makedirs(loc, exist_ok=True)
        r = subprocess.run(['localedef', '-i', 'ja_JP', '-f', 'UTF-8',
                            os.path.join(loc, 'ja_JP.UTF-8')],
                           capture_output=True)
        if not os.path.isdir(os.path.join(loc, 'ja_JP.UTF-8')):
            return None
        env['LOCPATH'] = loc
    # gettext's po/Makefile builds ja.gmo in the source tree (a tarball
    # ships it), so a VPATH build such as distcheck has none of its own
    gmo = None
    for top in (os.environ.get('TOP_BUILDDIR'), os.environ.get('TOP_SRCDIR'),
                '.'):
        if top and os.path.exists(os.path.join(top, 'po', 'ja.gmo')):
            gmo = os.path.join(top, 'po', 'ja.gmo')
            break
    if gmo is None:
        return None
    cat = os.path.join(tmp, 'catalogue', 'ja', 'LC_MESSAGES')
    os.makedirs(cat, exist_ok=True)
    shutil.copy(gmo, os.path.join(cat, 'renraku.mo'))
    env['RENRAKU_LOCALEDIR'] = os.path.join(tmp, 'catalogue')
    return env
