#!/usr/bin/env bash
# Runs this module's benchmarks, compares ours with each baseline of every
# family with benchstat, checks the targets below, and prints the report.
# After a full run (BENCH unset) it also rewrites the part of README.md
# between <!-- bench:start --> and <!-- bench:end -->.
#
#   ./run.sh                          every benchmark, -count 10
#   COUNT=6 ./run.sh                  fewer samples (6 is benchstat's minimum
#                                     for a confidence interval)
#   BENCH=BodyParserJSON ./run.sh     a subset; README.md is left alone
#   SKIP_RUN=1 ./run.sh               re-render from the last results.txt
#
# Benchmarks are named Benchmark<Package>/<case>/<impl>: "apiroutes" is
# ours, any other last element a baseline. The raw output stays in
# results.txt, with the machine it ran on in its "# " lines.
set -euo pipefail
cd "$(dirname "$0")"

# golang.org/x/perf has no tags: this is its latest pseudo-version (needs Go 1.26).
BENCHSTAT_VERSION=v0.0.0-20260908200009-22c9c6c9d4da
BENCH=${BENCH:-.}
COUNT=${COUNT:-10}
RESULTS=results.txt
OURS=apiroutes

# Targets, checked on the medians: "<rows> <unit> <check> <bound> [<baseline>]",
# where ratio is ours/baseline, delta is ours−baseline, max is ours alone.
# <rows> is a family, which holds for each of its rows, or one case of it
# (ResponseLimit/size=1KiB); <baseline> defaults to the family's first one.
# Rows without the side a check needs (a case with no baseline) are skipped.
TARGETS=(
	"BodyParserJSON sec/op ratio 1.15"
	"BodyParserJSON allocs/op delta 3"
	"BodyParserEmptyGET allocs/op max 0"
	"ResponseLimit/size=1KiB sec/op ratio 1.2 bare"
	"ResponseLimit allocs/op max 1"
	"ResponseLimit sec/op ratio 1.0 httpsnoop"
	"CORS/preflight sec/op ratio 1.05 rscors"
	"CORS/actual sec/op ratio 1.05 rscors"
	"CORS/no-origin allocs/op max 0"
	"CORS/preflight sec/op ratio 1.0 chicors"
	"CORS/actual sec/op ratio 1.0 chicors"
	"CORS/preflight sec/op ratio 1.0 gorilla"
	"CORS/actual sec/op ratio 1.0 gorilla"
	"CookiesParse sec/op ratio 1.5 stdlib"
	"RespondJSON sec/op ratio 1.1 stdlib"
	# Issue 22: with encoding/json on both sides, a JSON route keeps at
	# least 95% of echo's and gin's speed (1/0.95 = 1.053 in sec/op).
	"JSONRoute sec/op ratio 1.053 echo"
	"JSONRoute sec/op ratio 1.053 gin"
	# Issue 21: Decode within 1.5x encoding/json on every type shape.
	"Decode sec/op ratio 1.5 stdlib"
	"Decode allocs/op ratio 1.5 stdlib"
	# Bounds are in benchstat's base unit: seconds for sec/op (100 µs here).
	"ETag/size=64KiB sec/op max 100e-6"
	# Issue 22: a [param] route costs a ServeMux lookup (its per-route
	# ServeMux carries r.PathValue) plus our trie: 1.5x, measured against
	# the alternatives in route/mux.go. Static, catch-all and 404 beat
	# ServeMux.
	"Route/static sec/op ratio 1.2 servemux"
	"Route/catchall sec/op ratio 1.2 servemux"
	"Route/notfound sec/op ratio 1.2 servemux"
	"Route/param sec/op ratio 1.6 servemux"
	"Route/param3 sec/op ratio 1.6 servemux"
	"Route allocs/op delta 0 servemux"
	"Compose sec/op ratio 1.5 bare"
)

gobin=$(go env GOBIN)
gobin=${gobin:-$(go env GOPATH)/bin}
go install "golang.org/x/perf/cmd/benchstat@${BENCHSTAT_VERSION}"
benchstat="$gobin/benchstat"

if [ -z "${SKIP_RUN:-}" ]; then
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)
	cpu=${cpu:-$(sysctl -n machdep.cpu.brand_string 2>/dev/null || echo unknown)}
	cores=$(nproc 2>/dev/null || sysctl -n hw.ncpu)
	{
		run="COUNT=$COUNT ./run.sh"
		[ "$BENCH" = . ] || run="BENCH='$BENCH' $run"
		echo "# run: $run"
		echo "# command: go test -c, then $COUNT rounds of: ./benchmarks.test -test.run '^\$' -test.bench '$BENCH' -test.benchmem -test.count 1"
		echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "# cpu: $cpu, nproc $cores"
		echo "# os: $(uname -srm)"
		echo "# go: $(go version)"
		echo "# benchstat: golang.org/x/perf $BENCHSTAT_VERSION"
	} >"$RESULTS.tmp"
	tmpbin=$(mktemp)
	# Rounds, not -count: every benchmark runs once per round, so a slow
	# spell on a shared machine lands on ours and its baselines alike
	# (with -count, all samples of one side run back to back). The samples
	# go to stderr as they come, so a long run shows progress.
	go test -c -o "$tmpbin" .
	for round in $(seq "$COUNT"); do
		echo "run.sh: round $round of $COUNT" >&2
		"$tmpbin" -test.run '^$' -test.bench "$BENCH" -test.benchmem -test.count 1 | tee -a "$RESULTS.tmp" >&2
	done
	rm -f "$tmpbin"
	mv "$RESULTS.tmp" "$RESULTS"
fi
[ -s "$RESULTS" ] || { echo "run.sh: no $RESULTS; run without SKIP_RUN first" >&2; exit 1; }

# benchstat projects only key=value name elements, so the impl element is
# renamed impl=<impl> ("-col /impl" then puts baseline and ours side by side).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -E 's#^(Benchmark[^[:space:]]*)/([A-Za-z0-9_.]+)(-[0-9]+)?([[:space:]])#\1/impl=\2\3\4#' "$RESULTS" >"$tmp/impl.txt"

# families prints each benchmark family once, in the order they ran.
families() { sed -nE 's#^Benchmark([^/[:space:]]+)/.*#\1#p' "$tmp/impl.txt" | awk '!seen[$0]++'; }
# baselines prints the impls of family $1 that are not ours.
baselines() {
	sed -nE "s#^Benchmark$1/([^[:space:]]*/)?impl=([^-[:space:]]+).*#\2#p" "$tmp/impl.txt" | awk -v ours="$OURS" '$0 != ours && !seen[$0]++'
}
# compare runs benchstat on family $1, baseline $2 and ours; extra flags follow.
compare() {
	local family=$1 base=$2
	shift 2
	"$benchstat" "$@" -filter ".name:$family (/impl:$base OR /impl:$OURS)" -col "/impl@($base $OURS)" "$tmp/impl.txt"
}

# check prints one line per row for a target and returns 1 if one misses.
check() {
	local rows=$1 unit=$2 kind=$3 bound=$4 base=${5:-} family=${1%%/*}
	[ -n "$base" ] || base=$(baselines "$family" | head -n1)
	if [ -z "$base" ] || ! baselines "$family" | grep -xF "$base" >/dev/null; then
		echo "- $rows ${base:+vs $base }$unit: not measured in this run"
		return 0
	fi
	compare "$family" "$base" -format csv 2>/dev/null | awk -F, -v rows="$rows" -v unit="$unit" -v kind="$kind" -v bound="$bound" -v base="$base" -v ours="$OURS" '
		$1 == "" { if ($3 == "CI") inunit = ($2 == unit); next } # the header rows
		inunit && $1 != "geomean" {
			name = $1; sub(/-[0-9]+$/, "", name) # without the GOMAXPROCS suffix
			if (name != rows && index(name, rows "/") != 1) next
			if ($4 == "" || (kind != "max" && $2 == "")) next
			checked = 1
			b = $2 + 0; o = $4 + 0
			if (kind == "ratio") { v = (b > 0 ? o / b : 0); got = sprintf("%s/%s %.2f×", ours, base, v); want = sprintf("%.2f×", bound) }
			if (kind == "delta") { v = o - b; got = sprintf("%s−%s %+g", ours, base, v); want = sprintf("%+g", bound) }
			if (kind == "max") { v = o; got = sprintf("%s %g", ours, v); want = sprintf("%g", bound) }
			met = (v <= bound + 0)
			if (!met) failed = 1
			printf "- %s %s %s: %s (target ≤ %s)\n", (met ? "✅" : "❌"), $1, unit, got, want
		}
		END {
			if (!checked) printf "- %s vs %s %s: not measured in this run\n", rows, base, unit
			exit failed
		}'
}

report() {
	echo "Measured with \`$(sed -n 's/^# run: //p' "$RESULTS")\`, that is \`$(sed -n 's/^# command: //p' "$RESULTS")\`:"
	echo
	sed -n 's/^# \(date\|cpu\|os\|go\|benchstat\): /- \1: /p' "$RESULTS"
	echo
	echo "Targets (medians):"
	echo
	local t status=0
	for t in "${TARGETS[@]}"; do
		# shellcheck disable=SC2086 # a target is four or five words
		check $t || status=1
	done
	local family base
	for family in $(families); do
		for base in $(baselines "$family"); do
			echo
			echo "### $family: $base vs $OURS"
			echo
			echo '```'
			# The machine is listed once, above.
			compare "$family" "$base" | grep -Ev '^(goos|goarch|pkg|cpu): '
			echo '```'
		done
	done
	return $status
}

status=0
report >"$tmp/report.md" || status=1
cat "$tmp/report.md"

if [ "$BENCH" = . ] && [ -f README.md ]; then
	awk -v report="$tmp/report.md" '
		/<!-- bench:end -->/ { skip = 0 }
		!skip { print }
		/<!-- bench:start -->/ { while ((getline line < report) > 0) print line; skip = 1 }
	' README.md >"$tmp/README.md"
	cp "$tmp/README.md" README.md
	echo "run.sh: README.md updated" >&2
fi
if [ "$status" -ne 0 ]; then
	echo "run.sh: a target was missed" >&2
fi
exit $status
