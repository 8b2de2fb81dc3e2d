// Command e2e measures apiroutes end to end: real servers on loopback,
// driven by a closed-loop HTTP/1.1 load generator for a fixed time.
//
//	e2e serve -impl bare|chain|json-apiroutes|json-stdlib|json-echo|json-gin -addr 127.0.0.1:18080 -admin 127.0.0.1:18081
//	e2e load -name chain -url http://127.0.0.1:18080/api/hello -stats http://127.0.0.1:18081/__stats -conns 32 -warmup 2s -duration 10s -json
//	e2e load -name json-echo -post -url http://127.0.0.1:18080/api/echo ...
//	e2e report -base bare results.jsonl
//
// serve runs one server (a separate process, so that it can be placed on
// its own CPU) and reports its request count, allocations and CPU time on
// GET /__stats of a second listener. load checks the server's first answer
// against the expected JSON, then keeps -conns connections busy for
// -warmup and -duration, requires every answer to be the same 200 with the
// same body, and prints requests/s, latency quantiles and, from the stats
// read at both ends of the window, allocations and CPU per request. report
// turns the JSON lines of several runs into a markdown table with ratios to
// a base case and the targets' verdicts.
//
// ../e2e.sh runs every case and writes ../E2E.md; ../nextjs/run.sh does
// the same against a Next.js server.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

const usage = `usage: e2e serve|load|report [flags]   (e2e <command> -h for the flags)`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serveMain(os.Args[2:])
	case "load":
		err = loadMain(os.Args[2:])
	case "report":
		err = reportMain(os.Args[2:])
	case "-h", "-help", "--help", "help":
		fmt.Println(usage)
		return
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case errors.Is(err, errTargetMissed):
		// The report is out; e2e.sh tells this from a failure.
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(3)
	default:
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
}
