"""A TLS-terminating man in the middle for renraku's hostile-server tests.

Unlike tests/faultproxy.py, which forwards TLS untouched, this proxy ends
renraku's TLS itself with the test Dovecot's own certificate and key (for
localhost and 127.0.0.1, signed by the CA renraku's config trusts), opens
a TLS connection of its own to Dovecot's implicit-TLS port and relays
IMAP between the two, so that it can play a server that lies.

It knows just enough IMAP for that.  What the client sends is split into
command lines ('TAG COMMAND ...'); a line that ends with a literal
('{n}' or '{n+}') is followed by n bytes relayed untouched, and the
server's '+' to a synchronizing literal flows back as any other line.
What the server sends is split into whole responses (a line and the
literals and lines that continue it).

A case object ('proxy.case = ...', None to relay everything; see Case
and On) is taken by each new connection and can

  - send the greeting itself:  greeting(conn), e.g. Dovecot's greeting one
                               byte a second (conn.server_response(),
                               conn.drip());
  - act on each command:       command(conn, tag, line) returns True when
                               it has answered the command itself (the
                               server never sees it), False to relay it; on
                               the way it may send the client anything
                               (conn.to_client(), conn.flood()), or ask
                               that the server's reply to this tag be held
                               until its tagged line and then rewritten or
                               dripped (conn.hold()).

Every client command line is recorded (proxy.commands, proxy.saw()), and
every TLS handshake with the client (proxy.handshakes).

A proxy can also offer only old TLS versions (max_version: TLS 1.0 or
1.1), another certificate and key (make_rsa_cert: an RSA-1024 one), or
STARTTLS: it greets in clear, advertises STARTTLS and LOGINDISABLED,
answers STARTTLS with OK, then does the handshake.  After the handshake
it relays to Dovecot as usual, so what a client that accepted the
handshake did next is on record.
"""
import os
import re
import socket
import ssl
import threading
import warnings

import dovecot

LITERAL = re.compile(rb'\{(\d+)\+?\}\r?\n\Z')
HANDSHAKE_TIMEOUT = 30
STARTTLS_GREETING = (b'* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] '
                     b'ready\r\n')


def verb(line):
    """The command a client line names: 'LOGIN', 'UID FETCH', ... ('' if
    none)."""
    words = line.split()
    if len(words) < 2:
        return ''
    w = words[1].decode('ascii', 'replace').upper()
    if w == 'UID' and len(words) > 2:
        return 'UID ' + words[2].decode('ascii', 'replace').upper()
    return w


def repeat(unit, size=65536):
    """Chunks of about 'size' bytes of 'unit' repeated, for ever."""
    chunk = unit * max(1, size // len(unit))
    while True:
        yield chunk


def server_context(cert, key, max_version=None, weak=False):
    """The context renraku's TLS ends in.  With max_version (an
    ssl.TLSVersion) the proxy offers TLS 1.0 up to that version only; with
    weak, keys and ciphers OpenSSL's security level would refuse (such as
    RSA-1024) are allowed."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if max_version is not None or weak:
        # old versions need OpenSSL's security level 0 (SHA-1 and MD5 in
        # the handshake); Python warns that they are deprecated
        ctx.set_ciphers('DEFAULT:@SECLEVEL=0')
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            if max_version is not None:
                ctx.maximum_version = max_version
    ctx.load_cert_chain(cert, key)
    return ctx


def legacy_tls_problem(version, cert, key):
    """None if this Python and OpenSSL can offer TLS 'version' (an
    ssl.TLSVersion, 1.0 or 1.1) with this certificate and key: a
    handshake between two Python ends on 127.0.0.1 must settle on it.
    Otherwise why not."""
    if not {ssl.TLSVersion.TLSv1: ssl.HAS_TLSv1,
            ssl.TLSVersion.TLSv1_1: ssl.HAS_TLSv1_1}[version]:
        return '%s was left out of %s' % (version.name, ssl.OPENSSL_VERSION)
    try:
        srv = server_context(cert, key, max_version=version)
        cli = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        cli.check_hostname = False
        cli.verify_mode = ssl.CERT_NONE
        cli.set_ciphers('DEFAULT:@SECLEVEL=0')
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)
            cli.minimum_version = ssl.TLSVersion.TLSv1
    except (ssl.SSLError, ValueError, OSError) as e:
        return 'cannot set up a %s context: %s' % (version.name, e)
    got = {}
    lsock = socket.socket()
    lsock.bind(('127.0.0.1', 0))
    lsock.listen(1)
    lsock.settimeout(10)

    def serve():
        try:
            c, _ = lsock.accept()
            c.settimeout(10)
            with srv.wrap_socket(c, server_side=True) as t:
                got['server'] = t.version()
        except (OSError, ssl.SSLError) as e:
            got['server'] = repr(e)
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        with socket.create_connection(lsock.getsockname(), 10) as raw:
            with cli.wrap_socket(raw) as s:
                got['client'] = s.version()
    except (OSError, ssl.SSLError) as e:
        got['client'] = repr(e)
    t.join(10)
    lsock.close()
    want = {ssl.TLSVersion.TLSv1: 'TLSv1',
            ssl.TLSVersion.TLSv1_1: 'TLSv1.1'}[version]
    if got.get('client') == want and got.get('server') == want:
        return None
    return '%s handshake on 127.0.0.1 failed with %s: client %s, ' \
        'server %s' % (version.name, ssl.OPENSSL_VERSION, got.get('client'),
                       got.get('server'))


def make_rsa_cert(d, name, ca, san, bits=1024, days=30):
    """A server certificate for 'san' with an RSA key of 'bits' bits,
    signed by CA 'ca' (d/ca.pem, d/ca.key): what dovecot.make_cert makes,
    with RSA instead of EC.  (cert path, key path)."""
    dovecot.openssl('req', '-new', '-newkey', 'rsa:%d' % bits, '-nodes',
                    '-subj', '/CN=' + san.split(',')[0].split(':')[1],
                    '-keyout', name + '.key', '-out', name + '.csr', cwd=d)
    with open(os.path.join(d, name + '.ext'), 'w') as f:
        f.write('subjectAltName=%s\nextendedKeyUsage=serverAuth\n'
                'basicConstraints=CA:FALSE\n' % san)
    dovecot.openssl('x509', '-req', '-in', name + '.csr', '-CA', ca + '.pem',
                    '-CAkey', ca + '.key', '-CAcreateserial', '-days',
                    str(days), '-extfile', name + '.ext', '-out',
                    name + '.pem', cwd=d)
    return os.path.join(d, name + '.pem'), os.path.join(d, name + '.key')


class _TLS:
    """One TLS end over a socket, through memory BIOs so that one thread
    may read while others write (an ssl.SSLSocket must not be used by two
    threads at once).  'pending' is what was read off the socket before
    TLS began (for STARTTLS)."""

    def __init__(self, sock, ctx, server_side, hostname=None, pending=b''):
        self.sock = sock
        self._in = ssl.MemoryBIO()
        self._out = ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self._in, self._out, server_side=server_side,
                                server_hostname=hostname)
        self.lock = threading.Lock()        # the SSL object and its BIOs
        self.sending = threading.Lock()     # the socket's sending side
        if pending:
            self._in.write(pending)

    def _flush(self):
        """Send what the SSL object has for the peer, in order."""
        if not self._out.pending:
            return
        with self.sending:
            with self.lock:
                data = self._out.read()
            if data:
                self.sock.sendall(data)

    def handshake(self, timeout):
        self.sock.settimeout(timeout)
        try:
            while True:
                with self.lock:
                    try:
                        self.obj.do_handshake()
                        finished = True
                    except ssl.SSLWantReadError:
                        finished = False
                self._flush()
                if finished:
                    break
                data = self.sock.recv(65536)
                if not data:
                    raise ConnectionError('the peer closed the connection '
                                          'during the TLS handshake')
                with self.lock:
                    self._in.write(data)
        except ssl.SSLError:
            try:
                self._flush()       # our alert
            except OSError:
                pass
            raise
        self.sock.settimeout(None)

    def version(self):
        return self.obj.version()

    def recv(self):
        """Some bytes from the peer; b'' at the end."""
        while True:
            with self.lock:
                try:
                    data = self.obj.read(65536)
                except ssl.SSLWantReadError:
                    data = None
                except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                    data = b''
            self._flush()
            if data is not None:
                return data
            raw = self.sock.recv(65536)
            if not raw:
                return b''
            with self.lock:
                self._in.write(raw)

    def send(self, data):
        with self.sending:
            with self.lock:
                view = memoryview(data)
                while len(view):
                    n = self.obj.write(view)
                    view = view[n:]
                out = self._out.read()
            self.sock.sendall(out)


class _Reader:
    """Lines and exact counts of bytes from recv() (b'' at the end)."""

    def __init__(self, recv):
        self.recv = recv
        self.buf = bytearray()

    def line(self):
        """Up to and with the next LF; what is left at the end; b''."""
        start = 0
        while True:
            i = self.buf.find(b'\n', start)
            if i >= 0:
                out = bytes(self.buf[:i + 1])
                del self.buf[:i + 1]
                return out
            start = len(self.buf)
            data = self.recv()
            if not data:
                out = bytes(self.buf)
                self.buf.clear()
                return out
            self.buf += data

    def exact(self, n):
        """n bytes, or fewer at the end."""
        while len(self.buf) < n:
            data = self.recv()
            if not data:
                break
            self.buf += data
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out


class _Hold:
    def __init__(self, tag, rewrite, drip):
        self.tag = tag
        self.rewrite = rewrite
        self.drip = drip
        self.parts = []


class Case:
    """A server that does nothing hostile: subclasses change that."""

    def greeting(self, conn):
        conn.to_client(conn.server_response())

    def command(self, conn, tag, line):
        """True if the case answered the command itself."""
        return False


class On(Case):
    """act(conn, tag, line) on the first command 'what' ('UID FETCH',
    'LIST', ...) of each connection; it returns True when it answered the
    command itself.  Everything else is relayed."""

    def __init__(self, what, act):
        self.what = what
        self.act = act

    def command(self, conn, tag, line):
        if verb(line) != self.what or self.what in conn.fired:
            return False
        conn.fired.add(self.what)
        return bool(self.act(conn, tag, line))


class Connection:
    """One client connection and its own connection to the server."""

    def __init__(self, proxy, sock, case):
        self.proxy = proxy
        self.sock = sock
        self.case = case or Case()
        self.client = None
        self.server = None
        self.server_sock = None
        self.sreader = None
        self.creader = None
        self.fired = set()          # for cases: what they did here
        self.flooded = 0            # bytes sent by flood()
        self.closed = threading.Event()
        self.finished = threading.Event()
        self._hold = None
        self._hold_lock = threading.Lock()
        self._c2s_thread = None

    # --- for the cases ---

    def to_client(self, data):
        """Send bytes to the client (from any thread)."""
        self.client.send(data)

    def to_server(self, data):
        self.server.send(data)

    def server_response(self):
        """The server's next whole response: a line, and when it ends with
        a literal, the literal and the line that goes on after it; b'' at
        the end."""
        out = []
        while True:
            line = self.sreader.line()
            if not line:
                break
            out.append(line)
            m = LITERAL.search(line)
            if not m:
                break
            n = int(m.group(1))
            data = self.sreader.exact(n)
            out.append(data)
            if len(data) < n:
                break
        return b''.join(out)

    def hold(self, tag, rewrite=None, drip=None):
        """Hold what the server sends from now until the tagged line of
        'tag' (bytes), then send it all through rewrite(bytes) -> bytes,
        or drip it one byte every 'drip' seconds.  Call before the
        command goes to the server."""
        with self._hold_lock:
            self._hold = _Hold(tag, rewrite, drip)

    def drip(self, data, interval=1.0):
        """Send 'data' one byte every 'interval' seconds while the client
        stays; True if all of it went."""
        for i in range(len(data)):
            if self.closed.is_set():
                return False
            try:
                self.to_client(data[i:i + 1])
            except (OSError, ssl.SSLError):
                self.close()
                return False
            if self.closed.wait(interval):
                return False
        return True

    def flood(self, chunks, total=None):
        """Send the client each chunk of the iterable 'chunks' until it
        goes, the chunks end or 'total' bytes went; the bytes sent."""
        sent = 0
        try:
            for chunk in chunks:
                if self.closed.is_set():
                    break
                if total is not None and sent + len(chunk) > total:
                    chunk = chunk[:total - sent]
                self.to_client(chunk)
                sent += len(chunk)
                self.flooded += len(chunk)
                if total is not None and sent >= total:
                    break
        except (OSError, ssl.SSLError):
            self.close()
        return sent

    # --- the relay ---

    def run(self):
        try:
            self._serve()
        except (OSError, ssl.SSLError, ValueError) as e:
            self._note('server to client', e)
        finally:
            self.close()
            if self._c2s_thread is not None:
                self._c2s_thread.join(30)
            self.finished.set()

    def _serve(self):
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pending = b''
        if self.proxy.starttls:
            pending = self._starttls()
            if pending is None:
                return
        self.client = _TLS(self.sock, self.proxy.server_ctx, True,
                           pending=pending)
        try:
            self.client.handshake(HANDSHAKE_TIMEOUT)
        except (OSError, ssl.SSLError) as e:
            self.proxy._handshake(None, repr(e))
            return
        self.proxy._handshake(self.client.version(), None)
        self.server_sock = socket.create_connection(
            (self.proxy.target_host, self.proxy.target_port), 10)
        self.server_sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY,
                                    1)
        self.server = _TLS(self.server_sock, self.proxy.client_ctx, False,
                           hostname='localhost')
        self.server.handshake(10)
        self.sreader = _Reader(self.server.recv)
        self.creader = _Reader(self.client.recv)
        self._c2s_thread = threading.Thread(target=self._c2s, daemon=True)
        self._c2s_thread.start()
        if self.proxy.starttls:
            self.server_response()  # the client had a greeting in clear
        else:
            self.case.greeting(self)
        while not self.closed.is_set():
            resp = self.server_response()
            if not resp:
                return
            self._from_server(resp)

    def _starttls(self):
        """The clear part of a STARTTLS session: what came after the
        STARTTLS line (the start of the handshake, as a rule nothing), or
        None if the client left without asking for TLS."""
        r = _Reader(lambda: self.sock.recv(65536))
        self.sock.settimeout(HANDSHAKE_TIMEOUT)
        self.sock.sendall(STARTTLS_GREETING)
        while True:
            line = r.line()
            if not line.endswith(b'\n'):
                return None
            self.proxy._record(line)
            tag = line.split(b' ', 1)[0]
            what = verb(line)
            if what == 'STARTTLS':
                self.sock.sendall(tag + b' OK begin TLS\r\n')
                return bytes(r.buf)
            if what == 'CAPABILITY':
                self.sock.sendall(b'* CAPABILITY IMAP4rev1 STARTTLS '
                                  b'LOGINDISABLED\r\n' + tag + b' OK done\r\n')
            elif what == 'LOGOUT':
                self.sock.sendall(b'* BYE bye\r\n' + tag + b' OK done\r\n')
                return None
            elif what in ('LOGIN', 'AUTHENTICATE'):
                self.sock.sendall(tag + b' NO [PRIVACYREQUIRED] use '
                                  b'STARTTLS\r\n')
            elif what == 'NOOP':
                self.sock.sendall(tag + b' OK done\r\n')
            else:
                self.sock.sendall(tag + b' BAD not before STARTTLS\r\n')

    def _c2s(self):
        try:
            while not self.closed.is_set():
                line = self.creader.line()
                if not line:
                    return
                tag = line.split(b' ', 1)[0]
                self.proxy._record(line)
                answered = self.case.command(self, tag, line)
                if not answered:
                    self.to_server(line)
                while LITERAL.search(line):
                    n = int(LITERAL.search(line).group(1))
                    data = self.creader.exact(n)
                    if not answered:
                        self.to_server(data)
                    if len(data) < n:
                        return
                    line = self.creader.line()
                    if not line:
                        return
                    if not answered:
                        self.to_server(line)
        except (OSError, ssl.SSLError, ValueError) as e:
            self._note('client to server', e)
        finally:
            self.close()

    def _note(self, where, e):
        """Keep what went wrong in the relay, but not the client's going
        away (what hostile cases expect) nor what follows a close."""
        if not self.closed.is_set() and not isinstance(
                e, (ConnectionResetError, BrokenPipeError)):
            self.proxy._note('%s: %r' % (where, e))

    def _from_server(self, resp):
        with self._hold_lock:
            h = self._hold
            if h is not None:
                h.parts.append(resp)
                if not resp.startswith(h.tag + b' '):
                    return
                self._hold = None
        if h is None:
            self.to_client(resp)
            return
        data = b''.join(h.parts)
        if h.rewrite is not None:
            data = h.rewrite(data)
        if h.drip is not None:
            self.drip(data, h.drip)
        else:
            self.to_client(data)

    def close(self):
        """End both connections (from any thread)."""
        self.closed.set()
        for s in (self.sock, self.server_sock):
            if s is None:
                continue
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass


class HostileProxy:
    """HostileProxy(dovecot_port, cert, key).start(); set .case; close().

    max_version (ssl.TLSVersion.TLSv1 or TLSv1_1): offer TLS 1.0 up to
    that version only; weak: allow keys OpenSSL would refuse (for an
    RSA-1024 cert and key); starttls: greet in clear and begin TLS on
    STARTTLS."""

    def __init__(self, target_port, cert, key, target_host='127.0.0.1',
                 max_version=None, weak=False, starttls=False):
        self.target_host = target_host
        self.target_port = target_port
        self.starttls = starttls
        self.server_ctx = server_context(cert, key, max_version, weak)
        self.client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.client_ctx.check_hostname = False
        self.client_ctx.verify_mode = ssl.CERT_NONE
        self.case = None
        self.commands = []      # every client line of a command, as str
        self.handshakes = []    # (TLS version or None, error or None)
        self.notes = []         # what went wrong in the proxy's relay
        self.connections = []
        self._lock = threading.Lock()
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(('127.0.0.1', 0))
        self.lsock.listen(16)
        self.port = self.lsock.getsockname()[1]
        self._acceptor = None

    def start(self):
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()
        return self

    def _accept(self):
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            conn = Connection(self, c, self.case)
            with self._lock:
                self.connections.append(conn)
            threading.Thread(target=conn.run, daemon=True).start()

    def _record(self, line):
        with self._lock:
            self.commands.append(line.decode('utf-8', 'replace')
                                 .rstrip('\r\n'))

    def _handshake(self, version, error):
        with self._lock:
            self.handshakes.append((version, error))

    def _note(self, what):
        with self._lock:
            self.notes.append(what)

    def saw(self, *verbs):
        """The recorded command lines naming one of 'verbs'."""
        with self._lock:
            return [c for c in self.commands
                    if verb(c.encode('utf-8', 'replace')) in verbs]

    def wait_idle(self, timeout=15):
        """Wait until every connection so far has ended; True if they
        have.  Those that have not are cut."""
        for c in list(self.connections):
            if not c.finished.wait(timeout):
                c.close()
                c.finished.wait(5)
        return all(c.finished.is_set() for c in self.connections)

    def forget(self):
        """Wait for past connections to end, then forget what they did."""
        idle = self.wait_idle()
        with self._lock:
            self.connections = []
            self.commands = []
            self.handshakes = []
            self.notes = []
        return idle

    def close(self):
        try:
            self.lsock.shutdown(socket.SHUT_RDWR)   # wakes accept()
        except OSError:
            pass
        try:
            self.lsock.close()
        except OSError:
            pass
        for c in list(self.connections):
            c.close()
