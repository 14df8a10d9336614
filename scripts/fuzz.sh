#!/usr/bin/env bash
# fuzz.sh FUZZTIME [PACKAGES...]: run every Fuzz target of the packages
# (default ./...) for FUZZTIME each ("30s" or a count such as "500x"),
# starting from the corpus in each package's testdata/fuzz.
#
# Go 1.26's fuzz coordinator can fail a duration-bounded run with a bare
# "context deadline exceeded" when a starved worker misses the end of
# -fuzztime (go.dev/issue/75804, fixed in Go 1.27): no input failed. Such a
# run is reported and retried once; any other failure (a failing input
# written to testdata/fuzz, a panic, a t.Error) fails at once.
set -u
fuzztime=${1:?usage: fuzz.sh FUZZTIME [PACKAGES...]}
shift
pkgs=("${@:-./...}")
go=${GO:-go}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() { # pkg target
	"$go" test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" "$1" >"$log" 2>&1
}

# deadline_only: the run failed with nothing but the coordinator's race.
deadline_only() {
	grep -q '^    context deadline exceeded$' "$log" &&
		! grep -q 'Failing input written\|panic:\|_test.go:[0-9]' "$log"
}

failed=0 targets=0
while read -r dir pkg; do
	# The targets, read from the sources (cheaper than linking each test
	# binary for `go test -list`).
	for t in $(cat "$dir"/*_test.go 2>/dev/null | sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p'); do
		targets=$((targets + 1))
		echo "fuzz $pkg $t ($fuzztime)"
		if run "$pkg" "$t"; then
			continue
		fi
		if deadline_only; then
			echo "  go.dev/issue/75804 (the coordinator missed its own deadline; no input failed): retrying once"
			run "$pkg" "$t" && continue
		fi
		cat "$log"
		failed=$((failed + 1))
	done
done < <("$go" list -f '{{.Dir}} {{.ImportPath}}' "${pkgs[@]}")
echo "fuzz: $targets targets, $failed failed"
[ "$failed" -eq 0 ]
