# tap.sh: TAP results for the shell tests, sourced once $tmp (a private
# temporary directory) is made.  Call ok for each check, then plan at the
# end.  (test-cli.sh keeps its own check: it looks at renraku's output
# files rather than a command's.)
n=0

ok() {		# ok NAME COMMAND...: one TAP result; what COMMAND printed
		# is shown when it fails
	name=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/out" 2>&1; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		sed 's/^/# /' "$tmp/out"
	fi
}

plan() {	# the plan line, after the last result
	echo "1..$n"
}
