#!/bin/sh
# make install: every file lands where it belongs, the paths in the
# generated files are the installed ones, and an installed renraku finds
# its own templates and platform rules with RENRAKU_DATADIR unset.
#
# Run by "make check", which sets TOP_BUILDDIR, TOP_SRCDIR, MAKE and the
# INST_* directories of this build.  The last part configures and builds a
# second copy of the sources (from "make distdir") with a prefix in a
# temporary directory: the one true test of the compiled-in data path,
# which a DESTDIR install cannot give.  It takes a few seconds.
TOP_BUILDDIR=${TOP_BUILDDIR:-.}
TOP_SRCDIR=${TOP_SRCDIR:-.}
MAKE=${MAKE:-make}
# sub-makes must not inherit make check's flags, jobserver or DESTDIR
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES DESTDIR RENRAKU_DATADIR
tmp=$(mktemp -d) || exit 1
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/xdg" XDG_STATE_HOME="$tmp/state"
. "${TOP_SRCDIR:-.}/tests/tap.sh"

has() { grep -q -F -- "$1" "$2" || { echo "$2 lacks: $1"; return 1; }; }

# The files of the build in $TOP_BUILDDIR, as installed by it.
dest=$tmp/dest
ok "make install DESTDIR=... succeeds" \
	sh -c 'cd "$1" && $2 install DESTDIR="$3"' sh "$TOP_BUILDDIR" \
	"$MAKE" "$dest"

files_present() {	# every named file is in $dest
	missing=0
	for f; do
		[ -f "$dest$f" ] || { echo "missing: $f"; missing=1; }
	done
	return $missing
}
bin=$INST_BINDIR/renraku
ok "the binary is installed and runs" \
	sh -c '[ -x "$1" ] && "$1" --version | grep -q "^renraku "' sh "$dest$bin"

# every shipped template and rules file, whatever Makefile.am lists
want=$( (cd "$TOP_SRCDIR" && find templates platforms -type f \
	\( -name '*.txt' -o -name '*.rules' \) | sort) )
[ -n "$want" ] || echo "# no templates found under $TOP_SRCDIR"
set --
for f in $want; do
	set -- "$@" "$INST_PKGDATADIR/$f"
done
ok "every template and platform rules file is installed ($#)" \
	files_present "$@"
ok "the man pages are installed" files_present \
	"$INST_MANDIR/man1/renraku.1" "$INST_MANDIR/man5/renraku.conf.5" \
	"$INST_MANDIR/ja/man1/renraku.1" "$INST_MANDIR/ja/man5/renraku.conf.5"
ok "the man pages name the installed data directory" sh -c '
	for m in "$1/man1/renraku.1" "$1/man5/renraku.conf.5" \
	    "$1/ja/man1/renraku.1" "$1/ja/man5/renraku.conf.5"; do
		sed "s/\\\\://g" "$m" | grep -q -F "$2/templates" || exit 1
		! grep -q "@[a-z]*@" "$m" || exit 1
	done' sh "$dest$INST_MANDIR" "$INST_PKGDATADIR"
# renders_clean MANDIR [DEPTH]: man -l renders the four installed pages at
# 80 columns without a troff warning, each with its NAME section.  With
# DEPTH, every installed path on a .Pa line first gets DEPTH more
# directories in front, its slashes written as the page writes them: a
# user's long prefix must still fit the terminal.
renders_clean() {
	for m in "$1/man1/renraku.1" "$1/man5/renraku.conf.5" \
	    "$1/ja/man1/renraku.1" "$1/ja/man5/renraku.conf.5"; do
		page=$m
		if [ -n "${2-}" ]; then
			rep='\1\3' i=0
			while [ $i -lt "$2" ]; do
				rep="$rep"'a-long-prefix/\3' i=$((i + 1))
			done
			sed -E 's,^(\.(It )?Pa /)(\\:)?,'"$rep"',' "$m" \
			    >"$tmp/page" || return 1
			page=$tmp/page
		fi
		err=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null) &&
		    [ -z "$err" ] || { echo "$m: $err"; return 1; }
		MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q "^NAME\|^名前" ||
		    { echo "$m: no NAME section"; return 1; }
	done
}
if command -v man >/dev/null 2>&1; then
	ok "man -l renders every installed page" \
		renders_clean "$dest$INST_MANDIR"
	ok "man -l renders them with a prefix 70 characters longer" \
		renders_clean "$dest$INST_MANDIR" 5
else
	n=$((n + 2))
	echo "ok $((n - 1)) - man -l renders every installed page # SKIP man is not installed"
	echo "ok $n - man -l with a longer prefix # SKIP man is not installed"
fi
ok "the Japanese catalogue is installed" files_present \
	"$INST_LOCALEDIR/ja/LC_MESSAGES/renraku.mo"
ok "the example config and crontab are installed with the docs" \
	files_present "$INST_DOCDIR/renraku.conf.example" \
	"$INST_DOCDIR/crontab.example"
ok "the crontab example runs the installed binary" \
	has "* * * * $bin sync" "$dest$INST_DOCDIR/crontab.example"
if [ -n "$INST_SYSTEMDUSERUNITDIR" ]; then
	units=$dest$INST_SYSTEMDUSERUNITDIR
	ok "the systemd user units are installed" files_present \
		"$INST_SYSTEMDUSERUNITDIR/renraku.service" \
		"$INST_SYSTEMDUSERUNITDIR/renraku.timer"
	ok "renraku.service is a oneshot running the installed binary" sh -c '
		grep -q "^Type=oneshot$" "$1" &&
		grep -q -F -x "ExecStart=$2 sync" "$1"' sh \
		"$units/renraku.service" "$bin"
	ok "renraku.timer is hourly, persistent, randomized, installable" sh -c '
		grep -q "^OnCalendar=hourly$" "$1" &&
		grep -q "^Persistent=true$" "$1" &&
		grep -q "^RandomizedDelaySec=" "$1" &&
		grep -q "^WantedBy=timers.target$" "$1"' sh "$units/renraku.timer"
	if command -v systemd-analyze >/dev/null 2>&1; then
		# verify wants ExecStart to exist: point it at the DESTDIR copy
		mkdir -p "$tmp/units"
		sed "s|^ExecStart=.*|ExecStart=$dest$bin sync|" \
			"$units/renraku.service" >"$tmp/units/renraku.service"
		cp "$units/renraku.timer" "$tmp/units/"
		ok "systemd-analyze verify accepts the units" sh -c '
			cd "$1" && systemd-analyze verify --man=no \
			    renraku.service renraku.timer 2>&1 | tee "$1/log" &&
			! grep -q . "$1/log"' sh "$tmp/units"
	else
		# not a SKIP: scripts/check counts those as failures, and
		# systemd is not a dependency
		echo "# systemd-analyze is not installed: units not verified"
	fi
else
	echo "# configured --without-systemduserunitdir: no units to check"
fi
ok "the installed binary has the installed data directory compiled in" \
	grep -a -q -F "$INST_PKGDATADIR" "$dest$bin"
ok "the installed example config loads, with the installed data" \
	env RENRAKU_DATADIR="$dest$INST_PKGDATADIR" "$dest$bin" \
	-c "$dest$INST_DOCDIR/renraku.conf.example" templates check
ok "make uninstall DESTDIR=... removes every file" sh -c '
	cd "$1" && $2 uninstall DESTDIR="$3" >/dev/null &&
	left=$(find "$3" -type f) && [ -z "$left" ] ||
	{ echo "left: $left"; exit 1; }' sh "$TOP_BUILDDIR" "$MAKE" "$dest"

# A build of its own, installed into a prefix of its own: the binary must
# find what it installed without help.
prefix=$tmp/prefix
build() {
	# a relative distdir: gettext's po/Makefile cannot take an absolute one
	(cd "$TOP_BUILDDIR" && rm -rf renraku-install-test &&
	    $MAKE distdir distdir=renraku-install-test >/dev/null &&
	    mv renraku-install-test "$tmp/src") &&
	mkdir "$tmp/build" && cd "$tmp/build" &&
	"$tmp/src/configure" -q --prefix="$prefix" \
	    --with-systemduserunitdir="$prefix/lib/systemd/user" \
	    --disable-dependency-tracking &&
	$MAKE && $MAKE install
}
ok "a copy configured with --prefix=TMP builds and installs" build
printf '[general]\nyour_name = 山田 花子\n[account main]\nhost = imap.example.com\nuser = hanako@example.com\npassword_command = echo x\n' >"$tmp/config"
ok "installed to a prefix, renraku finds its own templates" sh -c '
	"$1/bin/renraku" -c "$2" templates list >"$2.out" || exit 1
	cat "$2.out"
	! grep -q MISSING "$2.out" &&
	grep -q -F "$1/share/renraku/templates/followup-1.txt" "$2.out" &&
	grep -q -F "$1/share/renraku/templates/lancers/escalation.txt" "$2.out"
	' sh "$prefix" "$tmp/config"
ok "installed to a prefix, renraku finds its rules, templates check passes" \
	"$prefix/bin/renraku" -c "$tmp/config" templates check
ok "installed to a prefix, the service runs the binary of that prefix" \
	grep -q -F -x "ExecStart=$prefix/bin/renraku sync" \
	"$prefix/lib/systemd/user/renraku.service"
plan
