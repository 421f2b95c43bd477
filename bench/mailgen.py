"""Mailboxes for bench/run: ordinary mail plus platform notifications.

Ordinary mail is 2-30 KB (log-normal, median about 7 KB), 4% of it with
an attachment (log-normal, median 200 KB, up to 8 MB), dated over the two
years before 'now'.  About 2% of all messages are platform notifications
(CrowdWorks /contracts/N, Lancers /work/detail/N, Coconala talk rooms) in
up to 200 threads, dated over the 60 days before 'now', made from the
templates in tests/corpus with other ids, clients, titles, messages and
dates.  Messages are written straight into a Maildir's cur/ with Dovecot's
own file names (TIME.MUSECPPIDQN.HOST,S=SIZE,W=VSIZE:2,S) and the internal
date as the file's mtime, so Dovecot assigns UIDs in date order when it
first indexes the folder.
"""
import base64
import email
import email.header
import email.policy
import email.utils
import os
import quopri
import random

PLATFORM_SHARE = 0.02
MAX_THREADS = 200
PLATFORM_DAYS = 60
# Other mailboxes than the default, for bench/run --profile: the share of
# platform mail, the most threads, the days it spans, its platforms.
PROFILES = {
    None: (PLATFORM_SHARE, MAX_THREADS, PLATFORM_DAYS, None),
    # a busy freelancer: 10% CrowdWorks mail over two years (10,000 of
    # 100,000), in 1,500 contracts
    'busy': (0.10, 1500, 730, 'crowdworks'),
    # thousands of threads in the first sync's window: half the mail is
    # the platforms', one thread or so for each of those mails
    'threads': (0.5, 7500, 60, None),
}
ORDINARY_DAYS = 730
DOMAINS = ('crowdworks.jp', 'crowdworks.co.jp', 'lancers.co.jp',
           'lancers.jp', 'mail.coconala.com')

CLIENTS = [
    '株式会社サンプル商事', '株式会社テスト企画', '合同会社ミドリ設計',
    '有限会社かもめ物産', '株式会社ひかりデザイン', '一般社団法人みらい教育',
    '株式会社ノースウェブ', 'さくら整骨院', '株式会社オレンジ不動産',
    '株式会社あおぞら食品', 'カフェ・ルポ', '株式会社シンセイ工業',
    '合同会社ことば舎', '株式会社フジミ運輸', '株式会社ユニバース教材',
    'やまなみ税理士事務所', '株式会社リンクス', '株式会社はなまる保育',
]
PEOPLE = ['田中', '佐藤', '鈴木', '高橋', '伊藤', '渡辺', '山本', '中村',
          '小林', '加藤', '吉田', '山口', 'tanaka_k', 'mika.design', 'kenji88']
TITLES = [
    '【GAS】スプレッドシート集計の自動化ツール作成',
    '【LP制作】美容サロンのランディングページ制作',
    'ECサイトの商品説明文ライティング（30本）',
    'WordPressテーマのカスタマイズと不具合修正',
    '【急募】会社案内パンフレットのデザイン',
    'Pythonによる売上データの集計スクリプト作成',
    '名刺・ショップカードのデザインを作成します',
    'YouTube動画の編集（10分程度・週2本）',
    'Shopifyストアの初期構築とテーマ調整',
    '採用サイトの原稿作成とインタビュー記事',
    'ロゴデザイン（飲食店・和風）',
    'Excelマクロで請求書を自動作成するツール',
    'Instagram投稿用の画像制作（月20枚）',
    '社内向けマニュアルの英訳（約8,000語）',
]
SENTENCES = [
    'お世話になっております。',
    'ご提出いただいた資料を確認いたしました。',
    '先日いただいた試作版、社内で確認いたしました。',
    '修正案ありがとうございます。',
    '集計シートの列構成について2点ご相談がございます。',
    '裏面の地図をもう少し大きくできますか？',
    'ファーストビューの写真を差し替えたいので、候補を明日お送りします。',
    '納期について、社内の予定が少し変わりましたのでご相談させてください。',
    '見積もりの内訳を改めてお送りいただけますでしょうか。',
    '詳細は添付の資料をご確認ください。',
    '引き続きよろしくお願いいたします。',
    'お手数ですが、ご確認のほどよろしくお願いいたします。',
    '来週の打ち合わせは水曜の午後でいかがでしょうか。',
    '色味はもう少し落ち着いたトーンにしていただけると助かります。',
    '担当者が不在のため、返信が遅くなり申し訳ございません。',
]
WORDS = ('the of and to in is for on that with as meeting report invoice '
         'project update please attached schedule review draft team week '
         'next client budget shipment order account password notice '
         'quarterly summary agenda minutes thanks regards').split()
JA_LINES = [
    'いつもお世話になっております。', '会議資料をお送りします。',
    'ご確認のほどよろしくお願いいたします。', '本日の議事録を共有します。',
    '来月のスケジュールについてご連絡いたします。',
    'ご注文ありがとうございます。発送準備が整いました。',
    '請求書を添付いたしましたのでご査収ください。',
    '詳しくは下記URLをご覧ください。', '以上、よろしくお願いいたします。',
]
SENDERS = [
    ('Suzuki Taro', 'taro.suzuki@example.org'),
    ('佐藤 美咲', 'misaki@example.net'),
    ('GitHub', 'notifications@github.com'),
    ('Amazon.co.jp', 'shipment-tracking@amazon.co.jp'),
    ('楽天市場', 'order@rakuten.co.jp'),
    ('Team Calendar', 'calendar-notification@google.com'),
    ('Yamada Sensei', 'yamada@univ.example.ac.jp'),
    ('経理部', 'keiri@corp.example.co.jp'),
    ('Upwork', 'donotreply@upwork.com'),
    ('note', 'no-reply@note.com'),
    ('Slack', 'feedback@slack.com'),
    ('Mercari', 'no-reply@mercari.jp'),
]


def crlf(b):
    return b.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')


def lf(b):
    return b.replace(b'\r\n', b'\n')


class Corpus:
    """The tests/corpus templates, decoded once."""

    def __init__(self, corpus_dir):
        self.t = {}
        for name in ('crowdworks-message-1', 'crowdworks-escrow-1',
                     'lancers-comment-1', 'coconala-talkroom-1',
                     'upwork-message-1'):
            with open(os.path.join(corpus_dir, name + '.eml'), 'rb') as f:
                self.t[name] = f.read()

    def render(self, name, subs, msg_block, when, msgid, to):
        """Template 'name' with strings replaced, the message block (the
        client's words) replaced, Date, Message-ID and To set; CRLF
        bytes."""
        m = email.message_from_bytes(self.t[name],
                                     policy=email.policy.compat32)
        parts = email.header.decode_header(m['Subject'])
        cs = parts[0][1] or 'utf-8'
        subj = ''.join(b if isinstance(b, str) else b.decode(c or 'ascii')
                       for b, c in parts)
        for a, b in subs:
            subj = subj.replace(a, b)
        if any(c is not None for b, c in parts):
            del m['Subject']
            m['Subject'] = email.header.Header(subj, cs,
                                               header_name='Subject')
        del m['Date']
        m['Date'] = email.utils.format_datetime(when)
        del m['Message-ID']
        m['Message-ID'] = msgid
        del m['To']
        m['To'] = to
        plain = None
        for part in m.walk():
            if part.get_content_maintype() != 'text':
                continue
            pcs = part.get_content_charset() or 'utf-8'
            text = part.get_payload(decode=True).decode(pcs)
            if part.get_content_subtype() == 'plain':
                text = text.replace('\r\n', '\n')
                for a, b in subs:
                    text = text.replace(a, b)
                if msg_block is not None:
                    text = replace_block(name, text, msg_block)
                plain = text
            else:
                # the templates' HTML is the plain text, <br> by line
                text = ('<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
                        '</head>\n<body style="font-family:sans-serif">\n' +
                        '<br>\n'.join(plain.rstrip('\n').split('\n')) +
                        '\n</body></html>\n')
            set_text(part, text, pcs)
        return crlf(m.as_bytes())

    def upwork(self, when, msgid, to):
        return self.render('upwork-message-1', [], None, when, msgid, to)


def replace_block(name, text, block):
    """Put the client's words 'block' where the template has its own."""
    if name == 'crowdworks-message-1':
        a, b = '■メッセージ\n', '\n\n▼'
    elif name == 'lancers-comment-1':
        a, b = '━━━━━━━━━━━━━━━━━━━━━━━\n', '\n━━━━'
    elif name == 'coconala-talkroom-1':
        a, b = '【メッセージ】\n', '\n\n▼'
    else:
        return text
    i = text.index(a) + len(a)
    j = text.index(b, i)
    return text[:i] + block + text[j:]


def set_text(part, text, cs):
    cte = (part['Content-Transfer-Encoding'] or '7bit').lower()
    if cte == 'base64':
        data = text.replace('\n', '\r\n').encode(cs)
        enc = base64.encodebytes(data).decode('ascii')
        part.set_payload(enc)
        return
    data = text.encode(cs)
    if cte == 'quoted-printable':
        enc = quopri.encodestring(data).decode('ascii')
    else:
        enc = data.decode('ascii', 'replace')
    part.set_payload(enc)


class Generator:
    def __init__(self, corpus_dir, now, seed, user, profile=None):
        self.share, self.max_threads, self.platform_days, self.only = \
            PROFILES[profile]
        self.corpus = Corpus(corpus_dir)
        self.now = now
        self.rng = random.Random(seed)
        self.user = user
        r = random.Random(seed + 1)
        # a pool of base64 lines for attachments (random bytes, so they
        # neither compress nor dedupe)
        self.b64 = base64.encodebytes(r.randbytes(6 * 1024 * 1024))
        self.seq = 0

    # --- ordinary mail ---

    def ordinary(self, when):
        rng = self.rng
        self.seq += 1
        name, addr = rng.choice(SENDERS)
        mid = '<%d.%x@%s>' % (self.seq, rng.getrandbits(48),
                             addr.split('@')[1])
        if addr == 'donotreply@upwork.com':
            return lf(self.corpus.upwork(when, mid, self.user))
        target = int(min(30000, max(2000, rng.lognormvariate(8.85, 0.7))))
        hdr = []
        host = 'mx%d.example.com' % rng.randint(1, 9)
        for i in range(rng.randint(2, 4)):
            hdr.append('Received: from %s (%s [192.0.2.%d])\n\tby %s '
                       '(Postfix) with ESMTPS id %X\n\tfor <%s>; %s' % (
                           host, host, rng.randint(1, 254),
                           'mail.example.com', rng.getrandbits(40),
                           self.user, email.utils.format_datetime(when)))
        hdr.append('From: %s <%s>' % (
            email.header.Header(name, 'utf-8').encode(), addr))
        hdr.append('To: %s' % self.user)
        subj = ' '.join(rng.choice(WORDS) for _ in range(rng.randint(3, 8)))
        if rng.random() < 0.5:
            subj = email.header.Header(
                rng.choice(JA_LINES).rstrip('。'), 'utf-8').encode()
        hdr.append('Subject: ' + subj)
        hdr.append('Date: ' + email.utils.format_datetime(when))
        hdr.append('Message-ID: ' + mid)
        hdr.append('MIME-Version: 1.0')
        body_len = max(500, target - sum(len(h) + 1 for h in hdr) - 200)
        text = self.text(body_len)
        if rng.random() < 0.04:
            # an attachment
            att = int(min(8 << 20, max(30000,
                                       rng.lognormvariate(12.2, 1.0))))
            bnd = '=_bench_%x' % rng.getrandbits(64)
            hdr.append('Content-Type: multipart/mixed; boundary="%s"' % bnd)
            off = rng.randrange(0, len(self.b64) // 77 - 1) * 77
            blob = self.b64[off:off + att // 77 * 77]
            while len(blob) < att:
                blob += self.b64[:att - len(blob)]
            body = ('--%s\nContent-Type: text/plain; charset=utf-8\n'
                    'Content-Transfer-Encoding: base64\n\n%s\n--%s\n'
                    'Content-Type: application/pdf; name="doc-%d.pdf"\n'
                    'Content-Disposition: attachment; filename="doc-%d.pdf"\n'
                    'Content-Transfer-Encoding: base64\n\n' % (
                        bnd, base64.encodebytes(text.encode()).decode(), bnd,
                        self.seq, self.seq)).encode()
            body += blob[:att] + ('\n--%s--\n' % bnd).encode()
        else:
            hdr.append('Content-Type: text/plain; charset=utf-8')
            hdr.append('Content-Transfer-Encoding: base64')
            body = base64.encodebytes(text.encode())
        return ('\n'.join(hdr) + '\n\n').encode() + body

    def text(self, n):
        """About n bytes (once base64-encoded) of mixed text."""
        rng = self.rng
        out, size = [], 0
        want = n * 3 // 4
        while size < want:
            if rng.random() < 0.5:
                line = rng.choice(JA_LINES)
            else:
                line = ' '.join(rng.choice(WORDS)
                                for _ in range(rng.randint(6, 14)))
            out.append(line)
            size += len(line.encode()) + 1
        return '\n'.join(out) + '\n'

    # --- platform mail ---

    def threads(self, n_mails):
        """Thread descriptions for n_mails platform mails."""
        rng = self.rng
        n = min(self.max_threads, n_mails)
        out = []
        for i in range(n):
            p = 0.0 if self.only == 'crowdworks' else rng.random()
            t = {'client': rng.choice(CLIENTS), 'title': rng.choice(TITLES),
                 'amount': '{:,}'.format(rng.randrange(5, 300) * 1000)}
            if p < 0.5:
                t.update(platform='crowdworks', id=str(63000000 + rng.randrange(
                    1000000)))
            elif p < 0.8:
                t.update(platform='lancers', id=str(5000000 + rng.randrange(
                    1000000)), msg=str(7000000 + rng.randrange(1000000)))
            else:
                t.update(platform='coconala', id=str(18000000 + rng.randrange(
                    1000000)), client=rng.choice(PEOPLE))
            out.append(t)
        return out

    def platform(self, t, when, first=False):
        rng = self.rng
        self.seq += 1
        block = '\n'.join(rng.choice(SENTENCES)
                          for _ in range(rng.randint(1, 7)))
        subs = [('63712345', t['id']), ('5561234', t['id']),
                ('18234567', t['id']), ('7654321', t.get('msg', '')),
                ('55,000', t['amount'])]
        if t['platform'] == 'crowdworks':
            name = ('crowdworks-escrow-1' if first and rng.random() < 0.5
                    else 'crowdworks-message-1')
            subs += [('株式会社サンプル商事', t['client']),
                     ('【GAS】スプレッドシート集計の自動化ツール作成',
                      t['title'])]
            dom = 'crowdworks.jp'
        elif t['platform'] == 'lancers':
            name = 'lancers-comment-1'
            subs += [('株式会社テスト企画', t['client']),
                     ('【LP制作】美容サロンのランディングページ制作',
                      t['title'])]
            dom = 'lancers.co.jp'
        else:
            name = 'coconala-talkroom-1'
            subs += [('田中', t['client']),
                     ('名刺・ショップカードのデザインを作成します',
                      t['title'])]
            dom = 'mail.coconala.com'
        mid = '<%s.%d.%x@%s>' % (when.strftime('%Y%m%d%H%M%S'), self.seq,
                                 rng.getrandbits(40), dom)
        return lf(self.corpus.render(name, subs, block, when, mid,
                                     self.user))

    # --- a whole mailbox ---

    def mailbox(self, n):
        """[(internal date, LF bytes, is_platform)], oldest first."""
        import datetime
        rng = self.rng
        n_plat = int(round(n * self.share))
        threads = self.threads(n_plat)
        out = []
        end = self.now - datetime.timedelta(hours=1)
        # every thread gets one mail, the rest go to random threads
        owners = list(range(len(threads))) + [
            rng.randrange(len(threads)) for _ in range(n_plat - len(threads))]
        by_thread = {}
        for ti in owners:
            by_thread.setdefault(ti, []).append(
                end - datetime.timedelta(seconds=rng.uniform(
                    0, self.platform_days * 86400)))
        for ti, dates in by_thread.items():
            for k, d in enumerate(sorted(dates)):
                d = d.replace(microsecond=0)
                out.append((d, self.platform(threads[ti], d, k == 0), True))
        for _ in range(n - n_plat):
            d = (end - datetime.timedelta(seconds=rng.uniform(
                0, ORDINARY_DAYS * 86400))).replace(microsecond=0)
            out.append((d, self.ordinary(d), False))
        out.sort(key=lambda x: x[0])
        self.thread_list = threads
        return out

    def new_mails(self, threads, when, n_platform=5, n_ordinary=5):
        """Mail delivered between two syncs: client messages in existing
        threads and ordinary mail; CRLF bytes, for APPEND."""
        import datetime
        out = []
        for i in range(n_platform + n_ordinary):
            d = (when + datetime.timedelta(minutes=i)).replace(microsecond=0)
            if i < n_platform:
                out.append((d, crlf(self.platform(
                    threads[self.rng.randrange(len(threads))], d)), True))
            else:
                out.append((d, crlf(self.ordinary(d)), False))
        return out


def write_maildir(path, msgs, uid, gid):
    """Write msgs ([(when, LF bytes, is_platform)]) into path/cur."""
    for sub in ('cur', 'new', 'tmp'):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    cur = os.path.join(path, 'cur')
    for i, (when, raw, _) in enumerate(msgs):
        ts = int(when.timestamp())
        vsize = len(raw) + raw.count(b'\n')
        name = '%d.M%dP%dQ%d.bench,S=%d,W=%d:2,S' % (
            ts, i % 1000000, os.getpid(), i, len(raw), vsize)
        fn = os.path.join(cur, name)
        with open(fn, 'wb') as f:
            f.write(raw)
        os.utime(fn, (ts, ts))
    for root, dirs, files in os.walk(path):
        os.chown(root, uid, gid)
        for f in files:
            os.chown(os.path.join(root, f), uid, gid)
