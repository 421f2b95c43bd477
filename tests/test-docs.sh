#!/bin/sh
# The documentation keeps up with the code: every config key of
# src/config.c is in renraku.conf(5) and the example config, every command
# and option of src/main.c is in renraku(1), the man pages are clean for
# mandoc, and the example config is one renraku loads.  The Japanese pages
# (man/ja) are checked the same way: keys, commands and options are not
# translated.
RENRAKU=${RENRAKU:-src/renraku}
TOP_SRCDIR=${TOP_SRCDIR:-.}
TOP_BUILDDIR=${TOP_BUILDDIR:-.}
RENRAKU_DATADIR=${RENRAKU_DATADIR:-$TOP_SRCDIR}
export RENRAKU_DATADIR
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/xdg" XDG_STATE_HOME="$tmp/state"
man1=$TOP_BUILDDIR/man/renraku.1
man5=$TOP_BUILDDIR/man/renraku.conf.5
man1ja=$TOP_BUILDDIR/man/ja/renraku.1
man5ja=$TOP_BUILDDIR/man/ja/renraku.conf.5
example=$TOP_SRCDIR/doc/renraku.conf.example
. "${TOP_SRCDIR:-.}/tests/tap.sh"

all_in() {	# all_in FILE PREFIX SUFFIX WORD...: each, as an ERE
	file=$1 pre=$2 suf=$3 bad=0
	shift 3
	[ $# -gt 0 ] || { echo "nothing to look for"; return 1; }
	for w; do
		grep -q -E -- "$pre$w$suf" "$file" ||
		    { echo "$file: no $pre$w$suf"; bad=1; }
	done
	return $bad
}

# the key names of src/config.c's *_keys arrays
keys=$(sed -n '/_keys\[\] = {/,/NULL/p' "$TOP_SRCDIR/src/config.c" |
	grep -o '"[a-z0-9_]*"' | tr -d '"' | sort -u)
# the commands table and the long options of src/main.c
cmds=$(sed -n '/^} commands\[\] = {/,/^};/p' "$TOP_SRCDIR/src/main.c" |
	sed -n 's/^	{ "\([a-z]*\)", .*/\1/p')
opts=$(sed -n "s/^	{ \"\([a-z-]*\)\", \('.'\|0\), .*/\1/p" \
	"$TOP_SRCDIR/src/main.c" | sort -u)

man_pages() {	# man_pages MAN1 MAN5 LABEL: what a pair of pages must show
	ok "renraku.conf(5)$3 describes every key ($(echo $keys | wc -w))" \
		all_in "$2" '^\.It Cm ' '( |$)' $keys
	ok "renraku.conf(5)$3 describes every group" sh -c '
	for g in "general\]" "policy\]" "policy Ar platform" "account Ar name"; do
		grep -q "^\.Ss \[$g" "$1" || { echo "no [$g"; exit 1; }
	done' sh "$2"
	ok "renraku(1)$3 shows every command ($(echo $cmds | wc -w))" \
		all_in "$1" '^\.Cm ' '( |$)' $cmds
	ok "renraku(1)$3 shows every option ($(echo $opts | wc -w))" \
		all_in "$1" 'Fl -' '( |$)' $opts
	ok "renraku(1)$3 lists the exit statuses 0, 64, 75, 78 and 1" \
		all_in "$1" '^\.It ' '$' 0 64 75 78 1
	if command -v mandoc >/dev/null 2>&1; then
		# STYLE messages (such as a manual not installed yet) are not
		# errors
		ok "mandoc -T lint finds nothing to warn about$3" \
			mandoc -T lint -W warning "$1" "$2"
	else
		n=$((n + 1))
		echo "ok $n - mandoc -T lint$3 # SKIP mandoc is not installed"
	fi
}

ok "the example config shows every key" \
	all_in "$example" '^#?' ' = ' $keys
man_pages "$man1" "$man5" ""
man_pages "$man1ja" "$man5ja" " (Japanese)"

ok "renraku loads the example config" \
	"$RENRAKU" -c "$example" templates list
ok "the README's source layout names every module, in both languages" \
	sh -c 'for f in "$1"/src/*.c; do for r in README.md README.ja.md; do
		grep -q -F "\`src/${f##*/}\`" "$1/$r" ||
		{ echo "$r lacks src/${f##*/}"; exit 1; }; done; done' \
	sh "$TOP_SRCDIR"
plan
