#!/bin/sh
# The command line, configuration errors and exit statuses, offline.
RENRAKU=${RENRAKU:-src/renraku}
RENRAKU_DATADIR=${RENRAKU_DATADIR:-${TOP_SRCDIR:-.}}
export RENRAKU_DATADIR
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/xdg" XDG_STATE_HOME="$tmp/state"
n=0
failed=0

check() {	# check NAME COMMAND...: ok when COMMAND succeeds
	name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		failed=$((failed + 1))
		sed 's/^/# /' "$tmp/out" "$tmp/err" 2>/dev/null
	fi
}

run() {		# run STATUS ARGS...: renraku ARGS exits STATUS
	want=$1
	shift
	"$RENRAKU" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || { echo "exit $got, wanted $want" >>"$tmp/err"; return 1; }
}

has() { grep -q -- "$1" "$2"; }

printf '[general]\nyour_name = x\n\033[31mred = 1\n[account a]\nhost = h\nuser = u\npassword_command = true\n' >"$tmp/esc.conf"
esc_shown() {	# the key's ESC written out as \x1b, no raw ESC byte
	run 78 -c "$tmp/esc.conf" status &&
	    ! grep -q "$(printf '\033')" "$tmp/err" &&
	    grep -q 'x1b\[31mred' "$tmp/err"
}
check "a terminal escape from a file is shown, not obeyed" esc_shown
check "--help lists the commands" \
	sh -c "'$RENRAKU' --help >'$tmp/out' 2>'$tmp/err' && grep -q sync '$tmp/out' && grep -q status '$tmp/out'"
check "sync --help lists --dry-run and --now" \
	sh -c "'$RENRAKU' sync --help >'$tmp/out' 2>'$tmp/err' && grep -q -- --dry-run '$tmp/out' && grep -q -- --now '$tmp/out'"
check "--version" sh -c "'$RENRAKU' --version | grep -q '^renraku [0-9]'"
check "no command is a usage error (64)" run 64
check "an unknown command is a usage error (64)" run 64 frobnicate
check "a bad --now is a usage error (64)" run 64 -c /dev/null sync --now yesterday

check "a missing config file exits 78" run 78 -c "$tmp/none" sync
check "and names the file" has "$tmp/none" "$tmp/err"

mkdir -p "$XDG_CONFIG_HOME/renraku"
cat >"$XDG_CONFIG_HOME/renraku/config" <<'CONF'
[general]
your_name = 山田 花子
timeout = soon

[account main]
host = imap.example.com
port = 99999
security = plain
user = hanako@example.com
password = hunter2
colour = blue
CONF
chmod 644 "$XDG_CONFIG_HOME/renraku/config"
cfg="$XDG_CONFIG_HOME/renraku/config"
check "a bad config exits 78 (default path)" run 78 sync
check "every problem is reported, FILE: [group] key: what" sh -c "
	grep -q '^renraku: $cfg: \[general\] timeout: .soon. is not a whole number' '$tmp/err' &&
	grep -q '^$cfg: \[account main\] port: .99999.' '$tmp/err' &&
	grep -q '^$cfg: \[account main\] security: .plain. is not tls or starttls' '$tmp/err' &&
	grep -q '^$cfg: \[account main\] password: refused' '$tmp/err' &&
	grep -q '^$cfg: \[account main\] colour: unknown key' '$tmp/err'"
check "the password never appears in an error" sh -c "! grep -q hunter2 '$tmp/err'"
check "status refuses a bad config too (78)" run 78 status

cat >"$cfg" <<'CONF'
[general]
your_name = 山田 花子

[account main]
host = imap.example.com
user = hanako@example.com
password_command = echo x
CONF
check "status before any sync" run 0 status --now 2026-12-09T10:00:00+09:00
check "says to run sync" has "renraku sync" "$tmp/out"
check "the state directory is created owner-only" sh -c \
	"[ \"\$(stat -c %a '$XDG_STATE_HOME/renraku')\" = 700 ]"

db="$XDG_STATE_HOME/renraku/state.db"

# mark takes a thread's old id: a proposal merged into its contract
python3 - "$db" <<'PY' || echo "could not write $db" >&2
import sqlite3, sys
d = sqlite3.connect(sys.argv[1])
d.execute("INSERT INTO thread VALUES ('crowdworks/63712345', 'crowdworks', "
          "'63712345', 'main', NULL, NULL, NULL)")
d.execute("INSERT INTO alias VALUES ('crowdworks/418765432', "
          "'crowdworks/63712345')")
d.commit()
PY
check "mark takes a proposal's old id, and marks its contract" sh -c "
	'$RENRAKU' mark crowdworks/418765432 sent >'$tmp/out' 2>'$tmp/err' &&
	python3 -c \"import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute('SELECT thread, kind FROM mark').fetchall()
sys.exit(rows != [('crowdworks/63712345', 'sent')])\" '$db'"
check "mark still refuses an id it does not know (64)" \
	run 64 mark crowdworks/1 sent

# A damaged state database stops sync before it reads anything, and says so.
check "the state database has pages to damage" \
	sh -c "[ \$(stat -c %s '$db') -ge 16384 ]"
yes 'not a b-tree page' | head -c 4096 |
	dd of="$db" bs=4096 seek=2 conv=notrunc 2>/dev/null
check "sync refuses a damaged state database (exit 1, not 75: no connection)" \
	run 1 sync --now 2026-12-09T10:00:00+09:00
check "and names the integrity check and what to do" \
	has "integrity check failed: .*move it aside" "$tmp/err"
rm -f "$db"

# The example in the README is a config renraku reads.
sed -n '/^```ini$/,/^```$/p' "${TOP_SRCDIR:-.}/README.md" | sed '1d;$d' >"$tmp/readme.conf"
chmod 600 "$tmp/readme.conf"
check "the README's example config loads" run 0 -c "$tmp/readme.conf" status

# renraku init refuses values it cannot write faithfully, writing nothing
init() {	# init STATUS WHAT ARGS...: exits STATUS, names WHAT, no file
	want=$1 what=$2
	shift 2
	run "$want" -c "$tmp/init.conf" init "$@" </dev/null &&
	    has "$what" "$tmp/err" && [ ! -e "$tmp/init.conf" ]
}
check "init: missing values are named (64), no file" \
	init 64 "needed: --user --name" --host imap.example.com
check "init: a line break in a value is refused (64)" \
	init 64 "--user: contains a control character" --host h --name n \
	--user "$(printf 'u\r\nA1 LOGOUT')"
check "init: a host with a port in it is refused (64)" \
	init 64 "--host: 'h:993' is not a host name" --host h:993 --user u --name n
check "init: security plain is refused (64)" \
	init 64 "no cleartext" --host h --user u --name n --security plain
check "init: port 70000 is refused (64)" \
	init 64 "--port: 70000" --host h --user u --name n --port 70000
check "init: an account name with a space is refused (64)" \
	init 64 "--account" --host h --user u --name n --account "my box"
good_init() {	# blanks stripped, a backslash escaped, the account named
	"$RENRAKU" -c "$tmp/init.conf" init --host imap.example.com \
	    --user u@example.com --name ' 山田\花子 ' \
	    --password-command 'pass show x' --account work \
	    </dev/null >"$tmp/out" 2>"$tmp/err" &&
	grep -qx 'your_name = 山田\\\\花子' "$tmp/init.conf" &&
	grep -qx '\[account work\]' "$tmp/init.conf" &&
	"$RENRAKU" -c "$tmp/init.conf" templates list >>"$tmp/out" 2>>"$tmp/err"
}
check "init: a good one is written, and loads" good_init

echo "1..$n"
[ "$failed" -eq 0 ]
