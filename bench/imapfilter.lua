-- bench/imapfilter.lua: renraku's job done with imapfilter, for bench/run.
--
-- Finds the platform notifications of the last 90 days in INBOX by sender
-- domain and arrival date, fetches them whole, works out each thread's
-- platform id and last mail from the decoded text, and appends one
-- follow-up draft (for the thread silent longest) to Drafts.  It keeps no
-- state, so every run searches and fetches the whole window again.
--
-- Parameters come from the environment (bench/run sets them):
--   BENCH_HOST, BENCH_PORT    the Dovecot to talk to (implicit TLS)
--   BENCH_USER, BENCH_PASSWORD
--   BENCH_SINCE               dd-Mon-yyyy: renraku's first-sync window
--   BENCH_NOW                 Unix time the draft is written for
-- The server certificate is checked against the test CA given with
-- 'imapfilter -t CA.pem' (host name checked too: options.hostnames).

options.timeout = 60
options.info = false
options.certificates = true     -- never accept an unverified certificate
options.hostnames = true        -- check the host name in the certificate
options.create = false

local env = os.getenv
local acct = IMAP {
    server = env('BENCH_HOST') or 'localhost',
    port = tonumber(env('BENCH_PORT')),
    username = env('BENCH_USER'),
    password = env('BENCH_PASSWORD'),
    ssl = 'auto',
}

local domains = { 'crowdworks.jp', 'crowdworks.co.jp', 'lancers.co.jp',
                  'lancers.jp', 'mail.coconala.com' }
local keys = {
    { 'crowdworks', 'https://crowdworks%.jp/contracts/(%d+)' },
    { 'lancers', 'https://www%.lancers%.jp/work/detail/(%d+)' },
    { 'coconala', 'https://coconala%.com/talkrooms/(%d+)' },
}

-- base64 and quoted-printable, enough for the platforms' text parts
local b64 = {}
do
    local a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    for i = 1, 64 do b64[a:byte(i)] = i - 1 end
end

local function unbase64(s)
    -- imapfilter 2.8 runs Lua 5.2: no bit operators, no //
    local out, q, nq = {}, {}, 0
    for i = 1, #s do
        local v = b64[s:byte(i)]
        if v then
            nq = nq + 1
            q[nq] = v
            if nq == 4 then
                local n = q[1] * 262144 + q[2] * 4096 + q[3] * 64 + q[4]
                out[#out + 1] = string.char(math.floor(n / 65536),
                    math.floor(n / 256) % 256, n % 256)
                nq = 0
            end
        end
    end
    if nq == 2 then
        out[#out + 1] = string.char(math.floor((q[1] * 64 + q[2]) / 16))
    elseif nq == 3 then
        local n = q[1] * 4096 + q[2] * 64 + q[3]
        out[#out + 1] = string.char(math.floor(n / 1024),
            math.floor(n / 4) % 256)
    end
    return table.concat(out)
end

local function unqp(s)
    s = s:gsub('=\r?\n', '')
    return (s:gsub('=(%x%x)', function (h)
        return string.char(tonumber(h, 16))
    end))
end

-- a part's body decoded by its Content-Transfer-Encoding
local function decode(head, body)
    local cte = (head:match('[Cc]ontent%-[Tt]ransfer%-[Ee]ncoding:%s*(%S+)')
                 or '7bit'):lower()
    if cte == 'base64' then return unbase64(body) end
    if cte == 'quoted-printable' then return unqp(body) end
    return body
end

-- the decoded text of every part of a raw message (one level of
-- multipart, which is all the platforms send)
local function texts(raw)
    local head, body = raw:match('^(.-)\r?\n\r?\n(.*)$')
    if not head then return { raw } end
    local boundary = head:match('boundary="?([^";\r\n]+)"?')
    if not boundary then return { decode(head, body) } end
    local delim, at, pos, out = '--' .. boundary, {}, 1, {}
    while true do
        local s, e = body:find(delim, pos, true)
        if not s then break end
        at[#at + 1] = { s, e }
        pos = e + 1
    end
    for i = 1, #at - 1 do
        local seg = body:sub(at[i][2] + 1, at[i + 1][1] - 1)
        local h, b = seg:match('^\r?\n(.-)\r?\n\r?\n(.*)$')
        if h then out[#out + 1] = decode(h, b) end
    end
    return out
end

local months = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6,
                 Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12 }

-- an RFC 5322 Date: as Unix time (0 if unreadable)
local function date_of(raw)
    local d, mon, y, hh, mm, ss, sign, zh, zm = raw:match(
        '\n[Dd]ate:%s*%a*,?%s*(%d+)%s+(%a+)%s+(%d+)%s+(%d+):(%d+):(%d+)%s*([+-])(%d%d)(%d%d)')
    if not d then return 0 end
    local days = os.time({ year = tonumber(y), month = months[mon],
                           day = tonumber(d), hour = 12 })
    days = math.floor(days / 86400)
    local t = days * 86400 + tonumber(hh) * 3600 + tonumber(mm) * 60 +
              tonumber(ss)
    local off = (tonumber(zh) * 3600 + tonumber(zm) * 60)
    return sign == '+' and t - off or t + off
end

local inbox = acct.INBOX
local recent = inbox:arrived_since(env('BENCH_SINCE'))
local found = Set({})
for _, d in ipairs(domains) do
    found = found + recent:contain_from(d)
end

local raws = inbox:fetch_message(found) or {}
local threads, nmail, bytes = {}, 0, 0
for uid, raw in pairs(raws) do
    nmail = nmail + 1
    bytes = bytes + #raw
    local when = date_of(raw)
    for _, text in ipairs(texts(raw)) do
        local hit
        for _, k in ipairs(keys) do
            local id = text:match(k[2])
            if id then
                hit = k[1] .. '/' .. id
                break
            end
        end
        if hit then
            local t = threads[hit]
            if not t or t.last < when then
                threads[hit] = { last = when, uid = uid }
            end
            break
        end
    end
end

local nthreads, oldest, oldest_id = 0, nil, nil
for id, t in pairs(threads) do
    nthreads = nthreads + 1
    if oldest == nil or t.last < oldest then
        oldest, oldest_id = t.last, id
    end
end

if oldest_id then
    local now = tonumber(env('BENCH_NOW')) or os.time()
    local body = 'お世話になっております。\r\n' ..
        'お忙しいとは思いますが、納期の都合もございますので、' ..
        '一度ご連絡を頂ければ幸いです。\r\n\r\n' ..
        '(' .. oldest_id .. ': ' .. math.floor((now - oldest) / 86400) ..
        ' days silent)\r\n'
    local msg = 'From: ' .. env('BENCH_USER') .. '\r\n' ..
        'To: ' .. env('BENCH_USER') .. '\r\n' ..
        'Subject: =?UTF-8?B?' .. '44GU6YCj57Wh44Gu44GK6aGY44GE?=\r\n' ..
        'Date: ' .. os.date('!%a, %d %b %Y %H:%M:%S +0000', now) .. '\r\n' ..
        'Message-ID: <' .. now .. '.' .. oldest_id:gsub('/', '.') ..
        '@imapfilter.bench>\r\n' ..
        'X-Bench-Thread: ' .. oldest_id .. '\r\n' ..
        'MIME-Version: 1.0\r\n' ..
        'Content-Type: text/plain; charset=utf-8\r\n' ..
        'Content-Transfer-Encoding: 8bit\r\n\r\n' .. body
    acct.Drafts:append_message(msg, { '\\Draft' })
end

print(string.format('imapfilter: %d platform mails, %d bytes, %d threads, '
                    .. 'draft for %s', nmail, bytes, nthreads,
                    tostring(oldest_id)))
