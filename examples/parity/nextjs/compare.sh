#!/usr/bin/env bash
# Sends the same requests (requests.sh) to the Next.js app in ./app, served
# by `next build && next start`, and to the Go parity server, and diffs what
# they answer: status, the headers that matter, body, and the warnings each
# server logged. See README.md.
#
#   ./compare.sh                      # everything; prints the diff
#   NEXT_PORT=3100 GO_PORT=3101 WORK=/tmp/x ./compare.sh
#   GO_ERRORS=json ./compare.sh       # the Go server's default error bodies
#   SHOW_FRAMING=1 ./compare.sh       # also compare Content-Length and chunking
#
# Needs node (>= 20.9), npm with access to the npm registry, curl and go.
# The first run installs next, react and react-dom (pinned below) into WORK
# and takes a few minutes; later runs reuse the install.
set -euo pipefail

NEXT_VERSION=${NEXT_VERSION:-16.4.6}
REACT_VERSION=${REACT_VERSION:-19.3.1}
NEXT_PORT=${NEXT_PORT:-3100}
GO_PORT=${GO_PORT:-3101}
WORK=${WORK:-${TMPDIR:-/tmp}/apiroutes-parity-next}
# text: Next's plain-text error bodies (apierror.RenderText), so that the diff
# shows what differs beyond the documented choice of JSON errors.
GO_ERRORS=${GO_ERRORS:-text}

here=$(cd "$(dirname "$0")" && pwd)
examples=$(cd "$here/../.." && pwd)

for tool in node npm curl go; do
	command -v "$tool" >/dev/null || { echo "compare.sh: $tool is required" >&2; exit 2; }
done

step() { printf '\n=== %s\n' "$*" >&2; }

step "app in $WORK (next@$NEXT_VERSION, react@$REACT_VERSION)"
mkdir -p "$WORK"
rm -rf "$WORK/pages" "$WORK/app" "$WORK/lib" "$WORK/results" "$WORK/bodies"
cp -R "$here/app/." "$WORK/"
cat >"$WORK/package.json" <<JSON
{
  "name": "apiroutes-parity-next",
  "private": true,
  "dependencies": {
    "next": "$NEXT_VERSION",
    "react": "$REACT_VERSION",
    "react-dom": "$REACT_VERSION"
  }
}
JSON
installed=$(node -p "try { require('$WORK/node_modules/next/package.json').version } catch { '' }")
if [ "$installed" != "$NEXT_VERSION" ]; then
	step "npm install"
	(cd "$WORK" && npm install --no-audit --no-fund --loglevel=error)
fi
export NEXT_TELEMETRY_DISABLED=1
step "next build"
(cd "$WORK" && node node_modules/next/dist/bin/next build) >"$WORK/next-build.log" 2>&1 ||
	{ cat "$WORK/next-build.log" >&2; exit 1; }

step "go build ./parity"
(cd "$examples" && go build -o "$WORK/parity-server" ./parity)

step "request bodies"
BODIES=$WORK/bodies
mkdir -p "$BODIES"
for n in 100 101 1024 1025 1536 1537 1048576 1048577; do
	head -c "$n" /dev/zero | tr '\0' x >"$BODIES/x$n"
done
node -e "process.stdout.write('é'.repeat(513))" >"$BODIES/e513"
node -e "let s = ''; for (let i = 1; s.length < 2097152; i++) s += i + '\\n'; process.stdout.write(s.slice(0, 2097152))" >"$BODIES/bin2m"

results=$WORK/results
mkdir -p "$results"
pids=()
stop() {
	for pid in "${pids[@]}"; do
		kill -- "-$pid" 2>/dev/null || true
	done
}
trap stop EXIT

step "start both servers"
(cd "$WORK" && exec setsid node node_modules/next/dist/bin/next start -H 127.0.0.1 -p "$NEXT_PORT") \
	>"$results/next.stdout" 2>"$results/next.log" &
pids+=($!)
(exec setsid "$WORK/parity-server" -addr "127.0.0.1:$GO_PORT" -errors "$GO_ERRORS") >"$results/go.stdout" 2>"$results/go.log" &
pids+=($!)
for port in "$NEXT_PORT" "$GO_PORT"; do
	for _ in $(seq 1 120); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && break
		sleep 0.5
	done
	curl -s -o /dev/null "http://127.0.0.1:$port/" || { echo "compare.sh: nothing listens on $port" >&2; exit 1; }
done

# req NAME METHOD PATH [curl arguments…]: one request to each server.
req() {
	local name=$1 method=$2 path=$3
	shift 3
	local side port log off rc
	local -a how
	if [ "$method" = HEAD ]; then how=(--head); else how=(-X "$method"); fi
	for side in next go; do
		if [ "$side" = next ]; then port=$NEXT_PORT; else port=$GO_PORT; fi
		log=$results/$side.log
		off=$(wc -c <"$log")
		rc=0
		curl -s -o "$results/body" -D "$results/head" --max-time 30 "${how[@]}" "$@" \
			"http://127.0.0.1:$port$path" || rc=$?
		sleep 0.3 # a warning is logged after the response
		tail -c "+$((off + 1))" "$log" >"$results/newlog"
		node "$here/fmt.mjs" "$name" "$method" "$path" "$rc" "$results/head" "$results/body" "$results/newlog" \
			>>"$results/$side.txt"
	done
}

step "requests"
# shellcheck source=requests.sh
source "$here/requests.sh"

stop
trap - EXIT
rm -f "$results/body" "$results/head" "$results/newlog"
diff -u --label next --label go "$results/next.txt" "$results/go.txt" >"$results/diff.txt" || true
cat "$results/diff.txt"
# The names of the requests whose answers differ.
node -e '
const fs = require("fs")
const blocks = (f) => new Map(fs.readFileSync(f, "utf8").split(/^### /m).filter(Boolean).map((b) => [b.split(":")[0], b]))
const next = blocks(process.argv[1]), go = blocks(process.argv[2])
const differ = [...next.keys()].filter((k) => next.get(k) !== go.get(k))
console.error(`\n=== ${next.size} requests, ${differ.length} answered differently (README.md lists the expected differences):`)
for (const k of differ) console.error("  " + k)
' "$results/next.txt" "$results/go.txt"
echo "results: $results/{next,go}.txt, diff.txt, next.log, go.log" >&2
