package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestPhasesTimeEachPart checks -phases on a handler whose read, compute
// and write take known times, and that json-apiroutes still answers 200
// through the wrapper on a real server.
func TestPhasesTimeEachPart(t *testing.T) {
	const step = 20 * time.Millisecond
	p := &phases{}
	h := p.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(step)
		if _, err := io.ReadAll(r.Body); err != nil {
			t.Error(err)
		}
		if r.URL.Path == "/nobody" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		time.Sleep(2 * step)
		w.Write([]byte("{}"))
		time.Sleep(3 * step)
	}))
	for _, path := range []string{"/timed", "/nobody"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", path, strings.NewReader(`{"a":1}`)))
	}
	if p.handler.n != 1 || p.untimed != 1 {
		t.Fatalf("timed %d, untimed %d; want 1 and 1", p.handler.n, p.untimed)
	}
	for _, c := range []struct {
		name string
		h    *histogram
		want time.Duration
	}{{"read", &p.read, step}, {"compute", &p.compute, 2 * step}, {"write", &p.write, 3 * step}, {"handler", &p.handler, 6 * step}} {
		// Sleep oversleeps, never undersleeps; a loaded machine may add a lot.
		if got := time.Duration(c.h.max); got < c.want || got > c.want+time.Second {
			t.Errorf("%s: %v, want %v or a little more", c.name, got, c.want)
		}
	}
	var out bytes.Buffer
	p.report(&out)
	for _, want := range []string{"phases of 1 requests", "(1 untimed)", "read ", "compute ", "write ", "handler "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}

	im, err := findImpl("json-apiroutes")
	if err != nil {
		t.Fatal(err)
	}
	p = &phases{}
	srv := httptest.NewServer(p.wrap(im.handler()))
	defer srv.Close()
	res, err := http.Post(srv.URL+echoPath, "application/json", bytes.NewReader(payloadOf(1<<10)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("json-apiroutes through the phases wrapper: %d %s", res.StatusCode, body)
	}
	if p.handler.n != 1 {
		t.Errorf("json-apiroutes: %d requests timed, want 1", p.handler.n)
	}
}
