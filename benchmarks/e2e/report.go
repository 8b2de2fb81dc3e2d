package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// caseLabels are the names for the cases.
var caseLabels = map[string]string{
	"bare":           "(a)",
	"chain":          "(b)",
	"json-apiroutes": "(c)",
	"json-echo":      "(d)",
	"json-gin":       "(d)",
}

// summary is one case over its rounds: the median of each figure.
type summary struct {
	name   string
	rounds []result
	rps    float64
	minRPS float64
	maxRPS float64
	p50    float64
	p99    float64
	allocs float64
	bytes  float64
	cpu    float64
	// cores the server and the load generator used over the window
	serverCores float64
	loadCores   float64
}

func median(rs []result, f func(result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func summarize(results []result) []*summary {
	by := map[string]*summary{}
	var names []string
	for _, r := range results {
		s := by[r.Name]
		if s == nil {
			s = &summary{name: r.Name}
			by[r.Name] = s
			names = append(names, r.Name)
		}
		s.rounds = append(s.rounds, r)
	}
	sortCases(names)
	out := make([]*summary, len(names))
	for i, n := range names {
		s := by[n]
		s.rps = median(s.rounds, func(r result) float64 { return r.RPS })
		s.minRPS = slices.MinFunc(s.rounds, func(a, b result) int { return cmpFloat(a.RPS, b.RPS) }).RPS
		s.maxRPS = slices.MaxFunc(s.rounds, func(a, b result) int { return cmpFloat(a.RPS, b.RPS) }).RPS
		s.p50 = median(s.rounds, func(r result) float64 { return r.P50 })
		s.p99 = median(s.rounds, func(r result) float64 { return r.P99 })
		s.allocs = median(s.rounds, func(r result) float64 { return r.AllocsPerReq })
		s.bytes = median(s.rounds, func(r result) float64 { return r.BytesPerReq })
		s.cpu = median(s.rounds, func(r result) float64 { return r.ServerCPUus })
		s.serverCores = median(s.rounds, func(r result) float64 {
			if r.ServerCPUus < 0 {
				return -1
			}
			return r.ServerCPUus * r.RPS / 1e6
		})
		s.loadCores = median(s.rounds, func(r result) float64 { return r.LoadCPU })
		out[i] = s
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// num formats a positive figure with thousands separators and no
// decimals, or with prec decimals; a negative one (unknown) as "n/a".
func num(v float64, prec int) string {
	if v < 0 {
		return "n/a"
	}
	if prec > 0 {
		return fmt.Sprintf("%.*f", prec, v)
	}
	s := fmt.Sprintf("%.0f", v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func ratio(v, base float64) string {
	if v < 0 || base <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", v/base)
}

// verdict is one target's line.
type verdict struct {
	met  bool
	text string
}

func (v verdict) String() string {
	mark := "❌"
	if v.met {
		mark = "✅"
	}
	return "- " + mark + " " + v.text
}

// pairedRatios returns a/b for each round, the i-th result of a with the
// i-th of b (the cases of a round run one after the other).
func pairedRatios(a, b *summary) string {
	n := min(len(a.rounds), len(b.rounds))
	if n < 2 {
		return ""
	}
	parts := make([]string, n)
	for i := range n {
		parts[i] = fmt.Sprintf("%.2f", a.rounds[i].RPS/b.rounds[i].RPS)
	}
	return " (by round: " + strings.Join(parts, ", ") + ")"
}

// targets checks the targets among the cases present.
func targets(sums []*summary) []verdict {
	by := map[string]*summary{}
	for _, s := range sums {
		by[s.name] = s
	}
	var vs []verdict
	if a, b := by["bare"], by["chain"]; a != nil && b != nil {
		r := b.rps / a.rps
		vs = append(vs, verdict{r >= 0.90, fmt.Sprintf("(b) chain keeps %.0f%% of (a) bare's requests/s (target ≥ 90%%)%s", 100*r, pairedRatios(b, a))})
	}
	if c := by["json-apiroutes"]; c != nil {
		// Issue 22: with encoding/json on every side, at least 95% of echo's
		// and gin's requests/s and 92% of the hand-written net/http handler's.
		for _, rival := range []struct {
			name string
			min  float64
		}{{"json-echo", 0.95}, {"json-gin", 0.95}, {"json-stdlib", 0.92}} {
			d := by[rival.name]
			if d == nil {
				continue
			}
			vs = append(vs, verdict{c.rps >= rival.min*d.rps, fmt.Sprintf("(c) json-apiroutes serves %.2f× %s's requests/s (target ≥ %.2f×) at %s µs of server CPU per request against %s, p99 %s µs vs %s µs%s",
				c.rps/d.rps, rival.name, rival.min, num(c.cpu, 1), num(d.cpu, 1), num(c.p99, 0), num(d.p99, 0), pairedRatios(c, d))})
		}
		// With the fast codec adapter: 10% more than echo on encoding/json.
		if g, d := by["json-apiroutes-gojson"], by["json-echo"]; g != nil && d != nil {
			vs = append(vs, verdict{g.rps >= 1.10*d.rps, fmt.Sprintf("json-apiroutes-gojson serves %.2f× json-echo's requests/s (target ≥ 1.10×) at %s µs of server CPU per request against %s%s",
				g.rps/d.rps, num(g.cpu, 1), num(d.cpu, 1), pairedRatios(g, d))})
		}
		if n := by["nextjs"]; n != nil {
			vs = append(vs,
				verdict{c.rps >= 10*n.rps, fmt.Sprintf("json-apiroutes serves %.1f× Next.js's requests/s (target ≥ 10×)%s", c.rps/n.rps, pairedRatios(c, n))},
				verdict{c.p99 < n.p99, fmt.Sprintf("json-apiroutes p99 %s µs vs Next.js %s µs (target: lower)", num(c.p99, 0), num(n.p99, 0))})
		}
	}
	return vs
}

// growth renders the JSON cases by body size (json-echo@64KiB is json-echo
// POSTing 64 KiB) and the full chains, when the results have them.
func growth(p func(string, ...any), sums []*summary) {
	by := map[string]*summary{}
	for _, s := range sums {
		by[s.name] = s
	}
	impls := []string{"json-apiroutes", "json-stdlib", "json-echo", "json-gin"}
	sizes := []string{"", "@64KiB", "@1MiB"}
	if by["json-apiroutes@64KiB"] != nil || by["json-apiroutes@1MiB"] != nil {
		p("\nBy body size: server CPU µs per request (requests/s), and json-apiroutes' requests/s over each rival's at the same size (by round):\n\n")
		p("| size | json-apiroutes | json-stdlib | json-echo | json-gin | ÷ stdlib | ÷ echo | ÷ gin |\n|---|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, sz := range sizes {
			label := strings.TrimPrefix(sz, "@")
			if label == "" {
				label = "1KiB"
			}
			row := "| " + label
			for _, im := range impls {
				if s := by[im+sz]; s != nil {
					row += fmt.Sprintf(" | %s (%s)", num(s.cpu, 1), num(s.rps, 0))
				} else {
					row += " | –"
				}
			}
			c := by["json-apiroutes"+sz]
			for _, im := range impls[1:] {
				if d := by[im+sz]; c != nil && d != nil {
					row += fmt.Sprintf(" | %.2f×%s", c.rps/d.rps, strings.Replace(pairedRatios(c, d), "by round: ", "", 1))
				} else {
					row += " | –"
				}
			}
			p("%s |\n", row)
		}
	}
	c, e := by["json-apiroutes-full"], by["json-echo-full"]
	if c != nil && e != nil {
		p("\nThe full chains (CORS and a session cookie read, 1 KiB): json-apiroutes-full %s µs per request, %s requests/s; json-echo-full %s µs, %s requests/s: %.2f× echo's requests/s%s.",
			num(c.cpu, 1), num(c.rps, 0), num(e.cpu, 1), num(e.rps, 0), c.rps/e.rps, pairedRatios(c, e))
		if b := by["json-apiroutes"]; b != nil {
			p(" CORS and cookies cost apiroutes %s µs per request over json-apiroutes.", num(c.cpu-b.cpu, 1))
		}
		p("\n")
	}
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return runtime.GOOS
	}
	return runtime.GOOS + " " + strings.TrimSpace(string(b))
}

// reportOptions are the parts of the report the results do not hold;
// e2e.sh writes them as "# key: value" lines at the top of results.jsonl.
type reportOptions struct {
	base    string
	command string            // "# run:"
	setup   string            // "# setup:"
	date    string            // "# date:"; now if empty
	loadavg string            // "# load average before:"
	what    map[string]string // extra case descriptions (nextjs)
}

var errTargetMissed = errors.New("a target was missed")

// writeReport renders the results as markdown: the setup, a table of
// medians with ratios to the base case, and the target verdicts. It
// returns errTargetMissed after writing if one was missed.
func writeReport(w io.Writer, results []result, o reportOptions) error {
	if len(results) == 0 {
		return errors.New("no results")
	}
	sums := summarize(results)
	var base *summary
	for _, s := range sums {
		if s.name == o.base {
			base = s
		}
	}
	first := results[0]
	rounds := 0
	for _, s := range sums {
		rounds = max(rounds, len(s.rounds))
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	if o.command != "" {
		p("Measured with `%s`:\n\n", o.command)
	}
	date := o.date
	if date == "" {
		date = time.Now().UTC().Format("2006-01-02 15:04 UTC")
	}
	p("- date: %s\n", date)
	p("- cpu: %s, nproc %d\n", cpuModel(), runtime.NumCPU())
	p("- os: %s\n", kernel())
	p("- go: %s\n", runtime.Version())
	if o.setup != "" {
		p("- setup: %s\n", o.setup)
	}
	if o.loadavg != "" {
		p("- load average before the run (1, 5, 15 min): %s\n", o.loadavg)
	}
	p("- load: %d keep-alive connections, one request in flight on each (closed loop), %.3g s measured after %.3g s of warm-up, %d round(s) of every case in turn; medians over the rounds\n",
		first.Conns, first.Seconds, first.Warmup, rounds)
	serverProcs := 0
	for _, r := range results {
		serverProcs = max(serverProcs, r.ServerProcs)
	}
	if serverProcs > 0 {
		p("- GOMAXPROCS: Go servers %d, load generator %d\n", serverProcs, first.LoadProcs)
	}
	p("\n")
	bl := o.base
	if l := caseLabels[bl]; l != "" {
		bl = l
	}
	p("| case | req/s (min–max) | ×%s | p50 µs | ×%s | p99 µs | ×%s | allocs/req | ×%s | B/req | server CPU µs/req | cores used: server, load |\n", bl, bl, bl, bl)
	p("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	var b summary
	if base != nil {
		b = *base
	} else {
		b = summary{rps: -1, p50: -1, p99: -1, allocs: -1}
	}
	for _, s := range sums {
		label := s.name
		if l := caseLabels[s.name]; l != "" {
			label = l + " " + label
		}
		rng := ""
		if len(s.rounds) > 1 {
			rng = fmt.Sprintf(" (%s–%s)", num(s.minRPS, 0), num(s.maxRPS, 0))
		}
		p("| %s | %s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s, %s |\n", label,
			num(s.rps, 0), rng, ratio(s.rps, b.rps),
			num(s.p50, 0), ratio(s.p50, b.p50),
			num(s.p99, 0), ratio(s.p99, b.p99),
			num(s.allocs, 1), ratio(s.allocs, b.allocs),
			num(s.bytes, 0), num(s.cpu, 1), num(s.serverCores, 2), num(s.loadCores, 2))
	}
	p("\nCases:\n\n")
	for _, s := range sums {
		what := o.what[s.name]
		if im, err := findImpl(s.name); err == nil {
			what = im.what
		}
		r := s.rounds[0]
		p("- `%s`: %s %s; %s\n", s.name, r.Method, urlPath(r.URL), what)
	}
	var redials []string
	for _, s := range sums {
		var n uint64
		for _, r := range s.rounds {
			n += r.Redials
		}
		if n > 0 {
			redials = append(redials, fmt.Sprintf("%s %d", s.name, n))
		}
	}
	if len(redials) > 0 {
		p("\nConnections the servers closed and the load generator reopened during the windows (all rounds): %s.\n", strings.Join(redials, ", "))
	}
	growth(p, sums)
	vs := targets(sums)
	if len(vs) > 0 {
		p("\nTargets (medians):\n\n")
	}
	missed := false
	for _, v := range vs {
		p("%s\n", v)
		missed = missed || !v.met
	}
	if missed {
		return errTargetMissed
	}
	return nil
}

func urlPath(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
			return u[i+3+j:]
		}
	}
	return u
}

// readResults reads the JSON lines of e2e load -json, and the "# key: value"
// lines among them into headers (the last of a key wins).
func readResults(paths []string, headers map[string]string) ([]result, error) {
	var out []result
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			if h, ok := strings.CutPrefix(line, "#"); ok {
				if k, v, ok := strings.Cut(h, ":"); ok {
					headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
				}
				continue
			}
			var r result
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			out = append(out, r)
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func reportMain(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	var o reportOptions
	fs.StringVar(&o.base, "base", "bare", "case the ratios are taken to")
	fs.StringVar(&o.command, "command", "", "the command that produced the results (default: the files' \"# run:\" line)")
	fs.StringVar(&o.setup, "setup", "", "how the processes were placed (default: the files' \"# setup:\" line)")
	var whats multiFlag
	fs.Var(&whats, "what", "name=description of a case that is not one of e2e's servers (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("report: give the results.jsonl files written by e2e load -json")
	}
	o.what = map[string]string{}
	for _, w := range whats {
		k, v, _ := strings.Cut(w, "=")
		o.what[k] = v
	}
	headers := map[string]string{}
	results, err := readResults(fs.Args(), headers)
	if err != nil {
		return err
	}
	if o.command == "" {
		o.command = headers["run"]
	}
	if o.setup == "" {
		o.setup = headers["setup"]
	}
	o.date = headers["date"]
	o.loadavg = headers["load average before"]
	return writeReport(os.Stdout, results, o)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }
