package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"
)

// serverStats is what a server reports on its admin listener: counters
// since it started, which the load generator subtracts across its measured
// window.
type serverStats struct {
	Impl       string `json:"impl"`
	PID        int    `json:"pid"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Requests   uint64 `json:"requests"`
	// Mallocs and TotalAlloc are runtime.MemStats': heap objects and
	// bytes allocated by the whole process (the server's own handling,
	// net/http's included).
	Mallocs    uint64 `json:"mallocs"`
	TotalAlloc uint64 `json:"totalAlloc"`
	NumGC      uint32 `json:"numGC"`
	// CPUNanos is the process's user+system CPU time, -1 where unknown.
	CPUNanos int64 `json:"cpuNanos"`
}

// running is a server under test and its admin listener, which answers
// GET /__stats with serverStats. They are separate listeners (and
// http.Servers), so that the handler under test is exactly the impl's.
type running struct {
	impl  impl
	srv   *http.Server
	admin *http.Server
	count *counted
	// Addr and AdminAddr are the listeners' addresses.
	Addr, AdminAddr string
	errc            chan error
}

// loopbackOnly refuses an address that does not listen on a loopback IP:
// the benchmark must not open a port to the network.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address (use 127.0.0.1)", addr)
	}
	return nil
}

// start serves im on addr and its stats on adminAddr (both loopback; port 0
// picks one).
func start(im impl, addr, adminAddr string) (*running, error) {
	for _, a := range []string{addr, adminAddr} {
		if err := loopbackOnly(a); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	aln, err := net.Listen("tcp", adminAddr)
	if err != nil {
		ln.Close()
		return nil, err
	}
	rs := &running{impl: im, count: &counted{h: im.handler()}, errc: make(chan error, 2),
		Addr: ln.Addr().String(), AdminAddr: aln.Addr().String()}
	// Every server runs on the same http.Server with net/http's defaults;
	// echo and gin are http.Handlers, which is what their Start and Run
	// serve too.
	rs.srv = &http.Server{Handler: rs.count}
	amux := http.NewServeMux()
	amux.HandleFunc("GET /__stats", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(rs.stats())
	})
	rs.admin = &http.Server{Handler: amux}
	for s, l := range map[*http.Server]net.Listener{rs.srv: ln, rs.admin: aln} {
		go func() {
			if err := s.Serve(l); !errors.Is(err, http.ErrServerClosed) {
				rs.errc <- err
			}
		}()
	}
	return rs, nil
}

func (rs *running) stats() serverStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return serverStats{
		Impl:       rs.impl.name,
		PID:        os.Getpid(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Requests:   rs.count.n.Load(),
		Mallocs:    m.Mallocs,
		TotalAlloc: m.TotalAlloc,
		NumGC:      m.NumGC,
		CPUNanos:   selfCPU(),
	}
}

// Close stops both listeners, waiting up to 5 s for requests in flight.
func (rs *running) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return errors.Join(rs.srv.Shutdown(ctx), rs.admin.Shutdown(ctx))
}

func serveMain(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	name := fs.String("impl", "bare", "server to run: "+implNames())
	addr := fs.String("addr", "127.0.0.1:8080", "loopback address of the server under test")
	admin := fs.String("admin", "127.0.0.1:8081", "loopback address of GET /__stats")
	exitAfter := fs.Duration("exit-after", 10*time.Minute, "stop by itself after this long (0: only on SIGINT/SIGTERM)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	timePhases := fs.Bool("phases", false, "time each request's read, compute and write inside the handler; print their quantiles on exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	im, err := findImpl(*name)
	if err != nil {
		return err
	}
	if *timePhases {
		p, handler := &phases{}, im.handler
		im.handler = func() http.Handler { return p.wrap(handler()) }
		defer p.report(os.Stderr)
	}
	rs, err := start(im, *addr, *admin)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "e2e serve: %s on http://%s, stats on http://%s/__stats, GOMAXPROCS=%d\n",
		im.name, rs.Addr, rs.AdminAddr, runtime.GOMAXPROCS(0))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var timeout <-chan time.Time
	if *exitAfter > 0 {
		timeout = time.After(*exitAfter)
	}
	select {
	case <-ctx.Done():
	case <-timeout:
		fmt.Fprintf(os.Stderr, "e2e serve: stopping after -exit-after %s\n", *exitAfter)
	case err := <-rs.errc:
		rs.Close()
		return err
	}
	st := rs.stats()
	fmt.Fprintf(os.Stderr, "e2e serve: %s served %d requests, %d mallocs, %d GCs in all\n", im.name, st.Requests, st.Mallocs, st.NumGC)
	return rs.Close()
}
