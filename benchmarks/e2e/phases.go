package main

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// phases times each request inside the server, for `e2e serve -phases`:
// where a request's latency goes once its handler runs, which the load
// generator's end-to-end latency cannot show. The phases of a request are
//
//   - read: from the handler's start to the body's last byte (Content-Length
//     reached, or EOF or an error),
//   - compute: from there to the response's first Write,
//   - write: from there to the handler's return,
//   - handler: the three together.
//
// A request whose handler never read its body to the end or never wrote a
// body is counted apart, not timed. The time a request waits before its
// handler runs (for its connection's goroutine to read the headers) is the
// load generator's latency minus handler.
type phases struct {
	mu                            sync.Mutex
	read, compute, write, handler histogram
	untimed                       uint64
}

func (p *phases) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		b := &timedBody{ReadCloser: r.Body, want: r.ContentLength}
		r.Body = b
		tw := &timedWriter{ResponseWriter: w}
		h.ServeHTTP(tw, r)
		end := time.Now()
		p.mu.Lock()
		defer p.mu.Unlock()
		if b.done.IsZero() || tw.first.IsZero() || tw.first.Before(b.done) {
			p.untimed++
			return
		}
		p.read.record(uint64(b.done.Sub(start)))
		p.compute.record(uint64(tw.first.Sub(b.done)))
		p.write.record(uint64(end.Sub(tw.first)))
		p.handler.record(uint64(end.Sub(start)))
	})
}

// report writes the phases' quantiles in milliseconds.
func (p *phases) report(w io.Writer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(w, "e2e serve: phases of %d requests inside the handler (%d untimed), ms:\n", p.handler.n, p.untimed)
	fmt.Fprintf(w, "%-8s %9s %9s %9s %9s %9s\n", "phase", "p50", "p90", "p99", "max", "mean")
	for _, ph := range []struct {
		name string
		h    *histogram
	}{{"read", &p.read}, {"compute", &p.compute}, {"write", &p.write}, {"handler", &p.handler}} {
		mean := 0.0
		if ph.h.n > 0 {
			mean = float64(ph.h.sum) / float64(ph.h.n) / 1e6
		}
		fmt.Fprintf(w, "%-8s %9.1f %9.1f %9.1f %9.1f %9.1f\n", ph.name,
			float64(ph.h.quantile(0.5))/1e6, float64(ph.h.quantile(0.9))/1e6,
			float64(ph.h.quantile(0.99))/1e6, float64(ph.h.max)/1e6, mean)
	}
}

// timedBody notes when the body's last byte was read.
type timedBody struct {
	io.ReadCloser
	n, want int64
	done    time.Time
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if b.done.IsZero() && (err != nil || (b.want > 0 && b.n >= b.want)) {
		b.done = time.Now()
	}
	return n, err
}

// timedWriter notes the response's first Write. It unwraps, so that
// http.ResponseController (bodyparser's read deadline) reaches the
// connection through it.
type timedWriter struct {
	http.ResponseWriter
	first time.Time
}

func (w *timedWriter) Write(p []byte) (int, error) {
	if w.first.IsZero() {
		w.first = time.Now()
	}
	return w.ResponseWriter.Write(p)
}

func (w *timedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
