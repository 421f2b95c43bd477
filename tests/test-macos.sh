#!/bin/sh
# What macOS users install, checked on Linux: the launchd agent
# (contrib/launchd) is a plist launchd can run, hourly and at login, with
# the full paths launchd wants; the Homebrew formula (contrib/homebrew) is
# valid Ruby, names every library configure asks for, builds the version
# of configure.ac without systemd units, and has the hourly service.
# Ruby comes from scripts/setup.sh; without it the formula's syntax is a
# SKIP (which scripts/check counts as a failure).
RENRAKU=${RENRAKU:-src/renraku}
TOP_SRCDIR=${TOP_SRCDIR:-.}
plist=$TOP_SRCDIR/contrib/launchd/jp.renraku.sync.plist
formula=$TOP_SRCDIR/contrib/homebrew/renraku.rb
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$TOP_SRCDIR/tests/tap.sh"

# plist_ok EXPRESSION: a Python expression on the plist (d) is true
plist_ok() {
	python3 - "$plist" "$1" <<'PY'
import plistlib, sys
with open(sys.argv[1], 'rb') as f:
    d = plistlib.load(f)
if not eval("(" + sys.argv[2] + ")"):
    print('false:', sys.argv[2])
    print({k: d[k] for k in sorted(d)})
    sys.exit(1)
PY
}

ok "the launchd plist parses (plistlib)" plist_ok 'isinstance(d, dict)'
ok "its Label is jp.renraku.sync, the file's name" \
	plist_ok 'd.get("Label") == "jp.renraku.sync" ==
	    sys.argv[1].rsplit("/", 1)[-1][:-len(".plist")]'
ok "ProgramArguments: renraku by its full path, then sync" \
	plist_ok 'len(d.get("ProgramArguments", [])) == 2 and
	    d["ProgramArguments"][0].startswith("/") and
	    d["ProgramArguments"][0].endswith("/bin/renraku") and
	    d["ProgramArguments"][-1] == "sync"'
ok "StartInterval is 3600 (hourly)" \
	plist_ok 'd.get("StartInterval") == 3600 and
	    type(d["StartInterval"]) is int'
ok "RunAtLoad is true (at login)" plist_ok 'd.get("RunAtLoad") is True'
ok "StandardOutPath and StandardErrorPath are full paths (no ~)" \
	plist_ok 'all(isinstance(d.get(k), str) and d[k].startswith("/") and
	    "~" not in d[k] and "$" not in d[k]
	    for k in ("StandardOutPath", "StandardErrorPath"))'
ok "its PATH has Homebrew's bin, for a password_command's helper" \
	plist_ok '"/opt/homebrew/bin" in
	    d.get("EnvironmentVariables", {}).get("PATH", "").split(":")'
ok "its comment tells how to load it (launchctl bootstrap)" \
	grep -q 'launchctl bootstrap gui/\$(id -u) ' "$plist"

if command -v ruby >/dev/null 2>&1; then
	ok "the Homebrew formula is valid Ruby (ruby -c)" ruby -c "$formula"
else
	n=$((n + 1))
	echo "ok $n - the Homebrew formula is valid Ruby # SKIP ruby is not installed"
fi

# named EXPR...: each is a line of the formula (an ERE, spaces trimmed)
named() {
	sed 's/^ *//; s/ *#.*//' "$formula" >"$tmp/formula"
	for e; do
		grep -q -E -x -- "$e" "$tmp/formula" || { echo "no line: $e"; return 1; }
	done
}
# the Homebrew name of each pkg-config module configure.ac asks for
ok "the formula names every library (Homebrew's names)" named \
	'depends_on "pkgconf" => :build' \
	'depends_on "glib"' 'depends_on "gmime"' 'depends_on "gnutls"' \
	'depends_on "json-glib"' 'depends_on "libetpan"' \
	'uses_from_macos "curl"(, since: :[a-z_]+)?' \
	'uses_from_macos "libxml2"(, since: :[a-z_]+)?' \
	'uses_from_macos "sqlite"(, since: :[a-z_]+)?' \
	'depends_on "gettext"'
ok "configure.ac asks for no module the formula does not name" sh -c '
	mods=$(sed -n -e "/PKG_CHECK_MODULES(\[DEPS\]/,/\])/p" \
	    -e "/PKG_CHECK_MODULES(\[CURL\]/p" "$1/configure.ac" |
	    grep -o -E "[a-z][a-z0-9.-]*[a-z0-9]( >=|\]| |$)" |
	    sed "s/[] >=]*$//" | grep -v -E "^(DEPS|CURL|PKG_CHECK_MODULES)$")
	[ -n "$mods" ] || { echo "no modules found in configure.ac"; exit 1; }
	for m in $mods; do
		case $m in
		libetpan) f=libetpan ;; gmime-3.0) f=gmime ;; libcurl) f=curl ;;
		gnutls) f=gnutls ;; glib-2.0|gmodule-2.0) f=glib ;;
		json-glib-1.0) f=json-glib ;;
		sqlite3) f=sqlite ;; libxml-2.0) f=libxml2 ;;
		*) echo "configure.ac asks for $m: add it here and to the formula"
		   exit 1 ;;
		esac
		grep -q -E "^ *(depends_on|uses_from_macos) \"$f\"" "$2" ||
		    { echo "$m ($f) is not in the formula"; exit 1; }
	done' sh "$TOP_SRCDIR" "$formula"
version=$(sed -n 's/^AC_INIT(\[renraku\], \[\([^]]*\)\].*/\1/p' \
	"$TOP_SRCDIR/configure.ac")
ok "the formula builds the tarball of configure.ac's version ($version)" \
	grep -q -E "^ *url \"https://[^\"]*/renraku-$version\\.tar\\.gz\"$" \
	"$formula"
ok "it configures without systemd units, an option configure.ac has" sh -c '
	grep -q -e "\"--without-systemduserunitdir\"" "$2" &&
	grep -q -F "AC_ARG_WITH([systemduserunitdir]" "$1/configure.ac"' \
	sh "$TOP_SRCDIR" "$formula"
ok "its service runs renraku sync hourly, logging to var/log" named \
	'service do' 'run \[opt_bin/"renraku", "sync"\]' \
	'run_type :interval' 'interval 3600' \
	'log_path var/"log/renraku.log"' 'error_log_path var/"log/renraku.log"'
ok "its test expects what renraku --version prints" sh -c '
	grep -q -F "assert_match \"renraku #{version}\", shell_output(" "$2" &&
	grep -q -F "shell_output(\"#{bin}/renraku --version\")" "$2" &&
	"$1" --version | grep -q -x -F "renraku $3"' sh "$RENRAKU" "$formula" \
	"$version"
plan
