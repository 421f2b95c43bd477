"""A fault-injecting TCP proxy for renraku's tests.

It sits between renraku and Dovecot on 127.0.0.1 and forwards raw bytes,
so TLS passes through it untouched: renraku still checks the certificate
and the host name (point its config at the proxy's port with host
localhost).  Per connection it can

  - cut:   forward exactly N bytes in one direction (C2S, client to server,
           or S2C), then close both sides (FIN; RST with reset=True);
  - stall: forward exactly N bytes in one direction, then nothing more
           either way, keeping both sockets open (what arrives is read and
           dropped, so the client's giving up is still noticed);
  - call:  forward everything, but call 'action(connection)' the moment
           exactly N bytes have gone through in one direction (a test
           kills renraku there);
  - slow:  sleep 'delay[direction]' seconds before every 'chunk' bytes
           (with any of the above).

N is an int (bytes in the fault's direction), or an address in the TLS
record stream of that direction, which stays put when a UID grows a digit:

  ('rec', r, j)      j bytes into TLS record r (j < 0 counts back from
                     its start: ('rec', r + 1, -1) is all of r but its last
                     byte, ('rec', r + 1, 0) all of it)
  ('resp', k, r, j)  the same, counting records from the first one that
                     follows the other direction's record k; for S2C that
                     is the answer to the client's k-th record (command)

Every connection keeps its byte counts, a timeline of what was forwarded
and the TLS records seen each way, from which a test picks cut points.
"""
import socket
import struct
import threading
import time

C2S = 'c2s'
S2C = 's2c'
OTHER = {C2S: S2C, S2C: C2S}


class Fault:
    """What to do to each new connection: mode None, 'cut', 'stall' or
    'call' (see above)."""

    def __init__(self, mode=None, direction=C2S, after=0, reset=False,
                 delay=None, chunk=4096, action=None):
        assert mode in (None, 'cut', 'stall', 'call')
        assert direction in (C2S, S2C)
        assert (mode == 'call') == (action is not None)
        self.mode = mode
        self.action = action
        self.direction = direction
        self.after = after
        self.reset = reset
        self.delay = dict(delay or {})      # {direction: seconds per chunk}
        self.chunk = chunk

    def __repr__(self):
        return '%s %s %r' % (self.mode, self.direction, self.after)


class Record:
    """One TLS record: where it starts, its type and length with header,
    when it began to arrive, and how many records the other direction had
    begun by then."""

    def __init__(self, start, typ, length, when, other_begun):
        self.start = start
        self.type = typ
        self.length = length
        self.end = start + length
        self.when = when
        self.other_begun = other_begun

    def __repr__(self):
        return 'Record(%d, %d, %d)' % (self.start, self.type, self.length)


class _Parser:
    """Splits one direction's byte stream into TLS records."""

    def __init__(self):
        self.head = b''
        self.skip = 0
        self.offset = 0     # bytes seen
        self.records = []
        self.other_begun = 0

    def begun(self):
        """Records begun so far (a partial header counts)."""
        return len(self.records) + (1 if self.head else 0)

    def feed(self, data, now, other):
        i = 0
        while i < len(data):
            if self.skip > 0:
                n = min(self.skip, len(data) - i)
                self.skip -= n
                i += n
                continue
            if not self.head:
                self.other_begun = other.begun()
            n = min(5 - len(self.head), len(data) - i)
            self.head += data[i:i + n]
            i += n
            if len(self.head) == 5:
                typ, _, length = struct.unpack('!BHH', self.head)
                self.records.append(Record(self.offset + i - 5, typ,
                                           5 + length, now,
                                           self.other_begun))
                self.head = b''
                self.skip = length
        self.offset += len(data)

    def start_of(self, r):
        """Offset where record r starts, or None if not yet known."""
        if r < len(self.records):
            return self.records[r].start
        if r == 0:
            return 0
        if r == len(self.records):
            return self.records[-1].end
        return None


class Connection:
    def __init__(self, proxy, client, fault):
        self.proxy = proxy
        self.client = client
        self.server = None
        self.fault = fault
        self.count = {C2S: 0, S2C: 0}       # bytes forwarded
        self.timeline = []          # (time, direction, offset, length)
        self.seen = {C2S: _Parser(), S2C: _Parser()}
        self.cut = False
        self.stalled = False
        self.called = False
        self.closed = threading.Event()
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.forwarding = threading.Lock()
        self._pumps = 0

    def run(self):
        try:
            self.server = socket.create_connection(
                (self.proxy.target_host, self.proxy.target_port), 5)
            self.server.settimeout(None)
            # forward each piece at once: Nagle would add delays of its own
            for s in (self.client, self.server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            self._close_all()
            return
        self._pumps = 2
        for src, dst, d in ((self.client, self.server, C2S),
                            (self.server, self.client, S2C)):
            threading.Thread(target=self._pump, args=(src, dst, d),
                             name='pump ' + d, daemon=True).start()

    def _pump(self, src, dst, d):
        try:
            while True:
                try:
                    data = src.recv(65536)
                except OSError:
                    # reset (a killed client with unread data): end both
                    # sides, or the other pump waits for ever
                    self._close_all()
                    break
                if not data:
                    if self.stalled:
                        self._close_all()   # the peer gave up
                    elif not self.cut:
                        try:
                            dst.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
                    break
                if self.cut:
                    break
                with self.lock:
                    self.seen[d].feed(data, time.monotonic(),
                                      self.seen[OTHER[d]])
                if self.stalled:
                    continue        # read and drop
                if not self._forward(dst, d, data):
                    break
        finally:
            with self.lock:
                self._pumps -= 1
                last = self._pumps == 0
            if last or self.cut:
                self._close_all()

    def limit(self, d):
        """Bytes to forward in direction d before the fault, or None
        (no fault that way, or its point is not known yet: it lies beyond
        what has arrived)."""
        f = self.fault
        if f.mode is None or f.direction != d:
            return None
        a = f.after
        if isinstance(a, int):
            return a
        with self.lock:
            p = self.seen[d]
            if a[0] == 'rec':
                _, r, j = a
            else:
                _, k, r, j = a
                other = self.seen[OTHER[d]].records
                if k >= len(other):
                    return None
                r += other[k].other_begun
            start = p.start_of(r)
        return None if start is None else max(start + j, 0)

    def _forward(self, dst, d, data):
        """Forward 'data' under the fault; False once the pump must end.
        Sending and deciding to cut or stall happen under one lock, so the
        other direction cannot slip an answer through in between."""
        f = self.fault
        delay = f.delay.get(d, 0)
        step = f.chunk if delay else len(data)
        pieces = [data[i:i + step] for i in range(0, len(data), step)]
        while pieces:
            piece = pieces.pop(0)
            limit = self.limit(d)
            if limit is not None and limit < self.count[d] + len(piece):
                # the fault's byte lies in this piece: send up to it
                head = max(limit - self.count[d], 0)
                if f.mode == 'call' and not self.called:
                    pieces.insert(0, piece[head:])
                piece = piece[:head]
            if delay:
                time.sleep(delay)
            with self.forwarding:
                if self.cut:
                    return False
                if self.stalled:
                    return True
                if piece:
                    try:
                        dst.sendall(piece)
                    except OSError:
                        self._close_all()
                        return False
                    with self.lock:
                        self.timeline.append((time.monotonic(), d,
                                              self.count[d], len(piece)))
                        self.count[d] += len(piece)
                if limit is None or self.count[d] < limit:
                    continue
                if f.mode == 'call':
                    if not self.called:
                        self.called = True
                        f.action(self)
                    continue
                if f.mode == 'cut':
                    self.cut = True
                    self._close_all(reset=f.reset)
                    return False
                self.stalled = True
                return True
        return True

    def _close_all(self, reset=False):
        for s in (self.client, self.server):
            if s is None:
                continue
            try:
                if reset:
                    # linger 0: the close sends RST; SHUT_RD wakes the
                    # other pump's recv() so that the close takes effect
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 struct.pack('ii', 1, 0))
                    s.shutdown(socket.SHUT_RD)
                else:
                    s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass
        self.closed.set()

    # --- for the tests ---

    def records(self, d):
        """The TLS records that arrived in direction d."""
        return list(self.seen[d].records)

    def forwarded_at(self, d, t):
        """Bytes forwarded in direction d before monotonic time t."""
        n = 0
        for when, dd, off, length in self.timeline:
            if dd == d and when < t:
                n = off + length
        return n


class FaultProxy:
    """FaultProxy(dovecot_port).start(); set(Fault(...)); close()."""

    def __init__(self, target_port, target_host='127.0.0.1'):
        self.target_host = target_host
        self.target_port = target_port
        self.fault = Fault()
        self.connections = []
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(('127.0.0.1', 0))
        self.lsock.listen(64)
        self.port = self.lsock.getsockname()[1]
        self._lock = threading.Lock()

    def start(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self):
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                break
            with self._lock:
                conn = Connection(self, c, self.fault)
                self.connections.append(conn)
            threading.Thread(target=conn.run, daemon=True).start()

    def set(self, fault=None):
        """The fault for connections made from now on (None: none)."""
        with self._lock:
            self.fault = fault or Fault()

    def reset(self, timeout=10):
        """Wait for past connections to close, forget them and the fault."""
        self.wait_closed(timeout)
        with self._lock:
            self.connections = []
            self.fault = Fault()

    def last(self):
        with self._lock:
            return self.connections[-1] if self.connections else None

    def wait_closed(self, timeout=10):
        deadline = time.monotonic() + timeout
        for c in list(self.connections):
            c.closed.wait(max(0, deadline - time.monotonic()))

    def close(self):
        try:
            self.lsock.close()
        except OSError:
            pass
        for c in list(self.connections):
            c._close_all()
