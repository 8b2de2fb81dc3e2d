#!/usr/bin/env bash
# Next.js against apiroutes on the same route and machine: installs next,
# react and react-dom (pinned below) from the npm registry into a temporary
# folder, builds the one-route app in app/ (pages/api/echo.js: POST echoes
# the parsed JSON body with res.json), starts `next start` on loopback, and
# drives it and e2e's json-apiroutes server with the same load (e2e load
# -post: 1 KiB of JSON, CONNS keep-alive connections, WARMUP then
# DURATION), ROUNDS times each, alternating. Prints the table and the
# ratio, and rewrites the part of ../E2E.md between <!-- nextjs:start -->
# and <!-- nextjs:end -->. Not part of CI: it needs npm and a few minutes.
#
#   ./run.sh                           2 rounds × 2 servers × (5 s + 10 s)
#   ROUNDS=1 DURATION=5s ./run.sh      quicker
#   KEEP=1 ./run.sh                    keep the temporary folder (printed)
#   NEXT_VERSION=15.5.4 ./run.sh       another Next (and REACT_VERSION)
#
# Placement as in ../e2e.sh: each server on CPU $SERVER_CPU (0), the load
# generator on CPU $LOAD_CPU (1), pinned with taskset, so that Node's one
# JavaScript thread and our GOMAXPROCS=1 server get the same single core.
# Both servers stop when the script exits (trap), and by themselves after
# 30 minutes (the Go server's -exit-after; `timeout` around next start).
# Exits 1 if a target is missed, 2 on a failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bench=$(dirname "$here")

# The latest stable releases on 2026-11-21 (npm view next version, npm view
# react version, npm view react-dom version).
NEXT_VERSION=${NEXT_VERSION:-16.4.6}
REACT_VERSION=${REACT_VERSION:-19.3.1}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
CONNS=${CONNS:-32}
NEXT_PORT=${NEXT_PORT:-18090}
GO_PORT=${GO_PORT:-18092}
SERVER_CPU=${SERVER_CPU-0}
LOAD_CPU=${LOAD_CPU-1}
RESULTS=$here/results.jsonl

work=$(mktemp -d)
next_pid='' go_pid=''
cleanup() {
	local pid
	for pid in $next_pid $go_pid; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [ -n "${KEEP:-}" ]; then
		echo "nextjs/run.sh: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "nextjs/run.sh: $*" >&2; }

if [ "$(nproc)" -lt 2 ] || ! command -v taskset >/dev/null; then
	SERVER_CPU='' LOAD_CPU=''
fi
server_on=(env)
load_on=(env)
if [ -n "$SERVER_CPU" ]; then
	server_on=(env GOMAXPROCS=1 taskset -c "$SERVER_CPU")
	load_on=(env GOMAXPROCS=1 taskset -c "$LOAD_CPU")
	setup="each server pinned to CPU $SERVER_CPU (Go with GOMAXPROCS=1) and the load generator to CPU $LOAD_CPU (GOMAXPROCS=1), taskset, separate processes"
else
	setup="servers and load generator as separate processes sharing every CPU"
fi

say "building e2e"
(cd "$bench" && go build -o "$work/e2e" ./e2e)

say "installing next@$NEXT_VERSION react@$REACT_VERSION react-dom@$REACT_VERSION into $work/app"
cp -R "$here/app" "$work/app"
cat >"$work/app/package.json" <<JSON
{
  "name": "apiroutes-e2e-nextjs",
  "private": true,
  "version": "0.0.0",
  "dependencies": {
    "next": "$NEXT_VERSION",
    "react": "$REACT_VERSION",
    "react-dom": "$REACT_VERSION"
  }
}
JSON
cd "$work/app"
export NEXT_TELEMETRY_DISABLED=1
if ! npm install --no-audit --no-fund --loglevel=error >"$work/npm-install.log" 2>&1; then
	say "npm install failed:"
	cat "$work/npm-install.log" >&2
	exit 2
fi
installed=$(node -p 'require("next/package.json").version')
say "building the app (next build, next $installed, node $(node --version))"
if ! node node_modules/next/dist/bin/next build >"$work/next-build.log" 2>&1; then
	cat "$work/next-build.log" >&2
	exit 2
fi

say "starting next start on 127.0.0.1:$NEXT_PORT and e2e serve -impl json-apiroutes on 127.0.0.1:$GO_PORT"
# node runs next directly (no npx); $! is timeout's pid, and the load
# generator counts the CPU time of that process and of all its descendants.
"${server_on[@]}" timeout 30m node node_modules/next/dist/bin/next start -p "$NEXT_PORT" -H 127.0.0.1 >"$work/next-start.log" 2>&1 &
next_pid=$!
"${server_on[@]}" "$work/e2e" serve -impl json-apiroutes -addr "127.0.0.1:$GO_PORT" -admin "127.0.0.1:$((GO_PORT + 1))" -exit-after 30m 2>"$work/go-serve.log" &
go_pid=$!

run="ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP CONNS=$CONNS ./nextjs/run.sh"
{
	echo "# run: $run"
	echo "# setup: $setup; next $installed (next start, production build), react $REACT_VERSION, node $(node --version)"
	echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
} >"$work/results.jsonl"
load() { "${load_on[@]}" "$work/e2e" load -json -post -conns "$CONNS" -warmup "$WARMUP" -duration "$DURATION" -wait 60s "$@" >>"$work/results.jsonl"; }
for round in $(seq "$ROUNDS"); do
	say "round $round/$ROUNDS: nextjs"
	if ! load -name nextjs -url "http://127.0.0.1:$NEXT_PORT/api/echo" -pid "$next_pid"; then
		cat "$work/next-start.log" >&2
		exit 2
	fi
	say "round $round/$ROUNDS: json-apiroutes"
	if ! load -name json-apiroutes -url "http://127.0.0.1:$GO_PORT/api/echo" -stats "http://127.0.0.1:$((GO_PORT + 1))/__stats"; then
		cat "$work/go-serve.log" >&2
		exit 2
	fi
done
cp "$work/results.jsonl" "$RESULTS"

status=0
"$work/e2e" report -base nextjs \
	-what "nextjs=Next.js $installed, \`next start\` of a production build, pages/api/echo.js: \`res.status(200).json(req.body)\` after Next's default body parser (see nextjs/app)" \
	"$RESULTS" >"$work/report.md" || status=$?
case $status in
0 | 3) ;;
*) exit 2 ;;
esac
cat "$work/report.md"
if [ -f "$bench/E2E.md" ]; then
	awk -v report="$work/report.md" '
		/<!-- nextjs:end -->/ { skip = 0 }
		!skip { print }
		/<!-- nextjs:start -->/ { while ((getline line < report) > 0) print line; skip = 1 }
	' "$bench/E2E.md" >"$work/E2E.md"
	cp "$work/E2E.md" "$bench/E2E.md"
	say "E2E.md updated"
fi
if [ "$status" -eq 3 ]; then
	say "a target was missed"
	exit 1
fi
