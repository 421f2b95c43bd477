# Sourced by scripts/check and scripts/demo: install what renraku needs on
# Debian 12 (only what is missing), then build it.  Idempotent; works as
# root, or as a user with sudo for the packages.

# clang and libclang-rt-14-dev (libFuzzer's runtime, only recommended by
# clang) are for fuzz/run; gcc's ASan/UBSan runtimes come with gcc.
PACKAGES="libetpan-dev libgmime-3.0-dev libcurl4-gnutls-dev libgnutls28-dev
libglib2.0-dev libjson-glib-dev libsqlite3-dev libxml2-dev libcmocka-dev
dovecot-imapd
autoconf automake libtool pkg-config make gcc python3 openssl mandoc
gettext autopoint locales
clang libclang-rt-14-dev"

install_packages() {
	missing=""
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q ' installed$' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "installing:$missing" >&2
	if [ "$(id -u)" -eq 0 ]; then
		sudo=""
	elif command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "renraku needs these Debian packages:$missing" >&2
		echo "install them as root, then run this again" >&2
		return 1
	fi
	# dovecot-imapd's own service is not needed: tests start their own
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $missing >&2
}

build() {
	{ [ -x configure ] || ./autogen.sh; } &&
	{ [ -f Makefile ] || ./configure; } &&
	make -j"$(nproc 2>/dev/null || echo 2)"
}
