#!/usr/bin/env bash
# End-to-end benchmark: each server of ./e2e (bare, chain, json-apiroutes,
# json-stdlib, json-echo, json-gin) as its own process on loopback, driven
# by the e2e load generator (another process) for a fixed time; ROUNDS
# rounds of every case in turn, then a markdown table of the medians with
# ratios to bare, and the targets' verdicts. Rewrites the part of E2E.md
# between <!-- e2e:start --> and <!-- e2e:end --> (unless CASES is set).
#
#   ./e2e.sh                          3 rounds × 16 cases × (2 s + 10 s), about 10 min
#   ROUNDS=1 DURATION=3s ./e2e.sh     a quick look (E2E.md is rewritten too)
#   CASES="bare chain" ./e2e.sh       a subset; E2E.md is left alone
#   SKIP_RUN=1 ./e2e.sh               re-render from the last e2e/results.jsonl
#
# Placement: on a machine with 2 CPUs or more, the server runs on CPU
# $SERVER_CPU (0) and the load generator on CPU $LOAD_CPU (1), pinned with
# taskset, each with GOMAXPROCS=1, so that neither takes the other's core
# and a server gets the one core a Node.js server uses. Set SERVER_CPU= and
# LOAD_CPU= (empty) to let them share every core.
#
# Bounded: every run lasts WARMUP + DURATION; the servers stop on SIGTERM
# after their run, and by themselves after 10 minutes whatever happens. It
# exits 1 if a target is missed, 2 on a failure.
set -euo pipefail
cd "$(dirname "$0")"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-32}
PORT=${PORT:-18080}
# A case is a server, or json-<server>@<size> for a larger order (64KiB,
# 1MiB); the -full servers also get an Origin and a session Cookie.
ALL_CASES="bare chain json-apiroutes json-apiroutes-gojson json-apiroutes-full json-stdlib json-echo json-echo-full json-gin
json-apiroutes@64KiB json-stdlib@64KiB json-echo@64KiB json-gin@64KiB
json-apiroutes@1MiB json-stdlib@1MiB json-echo@1MiB json-gin@1MiB"
CASES=${CASES:-$ALL_CASES}
SERVER_CPU=${SERVER_CPU-0}
LOAD_CPU=${LOAD_CPU-1}
RESULTS=e2e/results.jsonl
ADMIN_PORT=$((PORT + 1))

tmp=$(mktemp -d)
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$(nproc)" -lt 2 ] || ! command -v taskset >/dev/null; then
	SERVER_CPU='' LOAD_CPU=''
fi
# The prefixes that place each process (env and taskset exec the command, so
# $! is the server's own pid).
server_on=(env)
load_on=(env)
if [ -n "$SERVER_CPU" ]; then
	server_on=(env GOMAXPROCS=1 taskset -c "$SERVER_CPU")
	load_on=(env GOMAXPROCS=1 taskset -c "$LOAD_CPU")
fi
if [ -n "$SERVER_CPU" ]; then
	setup="server pinned to CPU $SERVER_CPU and load generator to CPU $LOAD_CPU (taskset), GOMAXPROCS=1 each, separate processes"
else
	setup="server and load generator as separate processes sharing every CPU, default GOMAXPROCS"
fi
run="./e2e.sh"
[ "$CASES" = "$ALL_CASES" ] || run="CASES='$(echo $CASES)' $run"
run="ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP CONNS=$CONNS $run"

go build -o "$tmp/e2e" ./e2e

if [ -z "${SKIP_RUN:-}" ]; then
	{
		echo "# run: $run"
		echo "# setup: $setup"
		echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
	} >"$tmp/results.jsonl"
	for round in $(seq "$ROUNDS"); do
		for c in $CASES; do
			impl=${c%@*} size=1024 extra=()
			case $c in
			*@64KiB) size=65536 ;;
			*@1MiB) size=1048576 ;;
			*@*)
				echo "e2e.sh: unknown size in $c" >&2
				exit 2
				;;
			esac
			case $impl in
			bare | chain) path=/api/hello post='' ;;
			*) path=/api/echo post=-post ;;
			esac
			case $impl in
			*-full) extra=(-origin https://app.example -cookie "theme=dark; session=s3cr3t-session-id; _ga=GA1.2.3") ;;
			esac
			"${server_on[@]}" "$tmp/e2e" serve -impl "$impl" -addr "127.0.0.1:$PORT" -admin "127.0.0.1:$ADMIN_PORT" -exit-after 10m 2>"$tmp/server.log" &
			server_pid=$!
			echo "e2e.sh: round $round/$ROUNDS: $c" >&2
			if ! "${load_on[@]}" "$tmp/e2e" load -json -name "$c" $post -size "$size" "${extra[@]}" -url "http://127.0.0.1:$PORT$path" \
				-stats "http://127.0.0.1:$ADMIN_PORT/__stats" -conns "$CONNS" -warmup "$WARMUP" -duration "$DURATION" -wait 30s >>"$tmp/results.jsonl"; then
				cat "$tmp/server.log" >&2
				exit 2
			fi
			kill -TERM "$server_pid"
			wait "$server_pid" || true
			server_pid=
		done
	done
	cp "$tmp/results.jsonl" "$RESULTS"
fi
[ -s "$RESULTS" ] || {
	echo "e2e.sh: no $RESULTS; run without SKIP_RUN first" >&2
	exit 2
}

status=0
"$tmp/e2e" report -base bare "$RESULTS" >"$tmp/report.md" || status=$?
case $status in
0 | 3) ;;
*) exit 2 ;;
esac
cat "$tmp/report.md"

if [ "$CASES" = "$ALL_CASES" ] && [ -f E2E.md ]; then
	awk -v report="$tmp/report.md" '
		/<!-- e2e:end -->/ { skip = 0 }
		!skip { print }
		/<!-- e2e:start -->/ { while ((getline line < report) > 0) print line; skip = 1 }
	' E2E.md >"$tmp/E2E.md"
	cp "$tmp/E2E.md" E2E.md
	echo "e2e.sh: E2E.md updated" >&2
fi
if [ "$status" -eq 3 ]; then
	echo "e2e.sh: a target was missed" >&2
	exit 1
fi
