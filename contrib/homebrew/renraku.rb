# Homebrew formula for renraku, built from the release tarball ("make
# dist").  Homebrew installs formulae from taps only (it refuses a path
# such as ./contrib/homebrew/renraku.rb): publish this file as
# Formula/renraku.rb in a repository named homebrew-<tap> and run
# "brew install <user>/<tap>/renraku", or make a local tap of it:
#   brew tap-new --no-git "$USER/renraku"
#   cp contrib/homebrew/renraku.rb \
#       "$(brew --repository "$USER/renraku")/Formula/"
#   brew install "$USER/renraku/renraku"
# Then "brew services start renraku" runs "renraku sync" at login and
# every hour (the service block below), its output going to
# $(brew --prefix)/var/log/renraku.log.
class Renraku < Formula
  desc "Drafts polite Japanese follow-ups for silent freelance platform clients"
  homepage "https://renraku.example.org/"
  # The version is AC_INIT's in configure.ac.  Placeholder address: the
  # release's real one replaces it.
  url "https://renraku.example.org/releases/renraku-0.1.0.tar.gz"
  # Filled in at release, from the tarball that is uploaded:
  #   shasum -a 256 renraku-0.1.0.tar.gz
  # Until then this all-zero placeholder makes the download fail its
  # check, rather than install something unverified.
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  # No license yet: the project has no licence file.  Add the SPDX
  # identifier here once it has one, e.g.  license "MIT"
  # license "..."

  depends_on "pkgconf" => :build # the "pkg-config" formula, renamed
  depends_on "glib"
  depends_on "gmime"
  depends_on "gnutls"
  depends_on "json-glib"
  depends_on "libetpan"

  # macOS has these, and Homebrew the .pc files for them.  configure wants
  # libcurl >= 7.85 (macOS 14 has 8.x; not every macOS 13 had it),
  # sqlite >= 3.34 and libxml2 >= 2.9: older systems get the formula.
  uses_from_macos "curl", since: :sonoma
  uses_from_macos "libxml2"
  uses_from_macos "sqlite", since: :monterey

  on_macos do
    depends_on "gettext" # libintl: glibc has it built in, macOS does not
  end

  def install
    # No systemd on macOS: no systemd user units in the keg either.
    system "./configure", *std_configure_args,
                          "--disable-silent-rules",
                          "--without-systemduserunitdir"
    system "make", "install"
  end

  service do
    run [opt_bin/"renraku", "sync"]
    run_type :interval
    interval 3600
    log_path var/"log/renraku.log"
    error_log_path var/"log/renraku.log"
    # Homebrew's bin for a password_command's helper ("pass"); LANG: the
    # messages and each draft's renraku note in Japanese
    environment_variables PATH: std_service_path_env, LANG: "ja_JP.UTF-8"
  end

  test do
    assert_match "renraku #{version}", shell_output("#{bin}/renraku --version")
    assert_match "sync", shell_output("#{bin}/renraku --help")
  end
end
