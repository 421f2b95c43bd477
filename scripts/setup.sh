# Sourced by scripts/check, scripts/demo, scripts/deb and scripts/deb-check:
# install what renraku needs on Debian 12 (only what is missing), then
# build it.  Idempotent; works as root, or as a user with sudo for the
# packages.

# clang and libclang-rt-14-dev (libFuzzer's runtime, only recommended by
# clang) are for fuzz/run and scripts/portable; gcc's ASan/UBSan runtimes
# come with gcc.  ruby: tests/test-macos.sh checks the Homebrew formula's
# syntax (ruby -c).
PACKAGES="libetpan-dev libgmime-3.0-dev libcurl4-gnutls-dev libgnutls28-dev
libglib2.0-dev libjson-glib-dev libsqlite3-dev libxml2-dev libcmocka-dev
dovecot-imapd
autoconf automake libtool pkg-config make gcc python3 openssl mandoc
gettext autopoint locales
clang libclang-rt-14-dev
ruby"

# What scripts/deb and scripts/deb-check need as well: dpkg-buildpackage
# (dpkg-dev, build-essential), debhelper (which brings dh-autoreconf) and
# lintian.  The package's own build dependencies are in PACKAGES.
DEB_PACKAGES="dpkg-dev build-essential debhelper lintian"

# as_root COMMAND...: run COMMAND as root, with sudo if we are not root
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "not root, and no sudo: cannot run $*" >&2
		return 1
	fi
}

# install_packages [PACKAGE...]: install those of the packages (default
# PACKAGES) that are missing
install_packages() {
	missing=""
	for p in ${*:-$PACKAGES}; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q ' installed$' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "installing:$missing" >&2
	if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
		echo "renraku needs these Debian packages:$missing" >&2
		echo "install them as root, then run this again" >&2
		return 1
	fi
	# dovecot-imapd's own service is not needed: tests start their own
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $missing >&2
}

build() {
	{ [ -x configure ] || ./autogen.sh; } &&
	{ [ -f Makefile ] || ./configure; } &&
	make -j"$(nproc 2>/dev/null || echo 2)"
}
