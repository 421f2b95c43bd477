#!/bin/sh
# bench/mbsync.sh: renraku's read side done the plain way, for bench/run:
# mbsync mirrors INBOX into a local Maildir (a one-way pull; its state is
# kept beside the mail, so a later run fetches only what is new), then
# grep finds the platform notifications among the mirrored files by
# sender domain (the domains of platforms/*.rules).  It drafts nothing.
#
# Parameters come from the environment (bench/run sets them):
#   BENCH_MBSYNCRC   the mbsync config: the Dovecot, its CA, the Maildir
#   BENCH_MAILDIR    the Maildir it mirrors into
set -e
mbsync -q -c "$BENCH_MBSYNCRC" bench
n=$(grep -rlE -m1 \
    '@(mail\.)?(crowdworks\.(co\.)?jp|lancers\.(co\.)?jp|coconala\.com)>' \
    "$BENCH_MAILDIR" | wc -l)
echo "mbsync + grep: $n platform mails"
