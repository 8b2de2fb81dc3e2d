package ratelimit

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTheClientAddressIsTheKey(t *testing.T) {
	trusted := []string{"10.0.0.0/8", "2001:db8:ffff::1"}
	hops33 := strings.Repeat("10.0.0.9, ", 32) + "10.0.0.33"
	for _, tc := range []struct {
		name      string
		remote    string
		xff, fwd  []string
		want      string
		untrusted bool // TrustedProxies empty
	}{
		{name: "IPv4 peer", remote: "203.0.113.7:4711", want: "203.0.113.7"},
		{name: "IPv6 peer is keyed by its /64", remote: "[2001:db8:1:2:3:4:5:6]:443", want: "2001:db8:1:2::/64"},
		{name: "IPv6 peers of one /64 share a key", remote: "[2001:db8:1:2:ffff::1]:443", want: "2001:db8:1:2::/64"},
		{name: "IPv4-mapped peer is IPv4", remote: "[::ffff:203.0.113.7]:80", want: "203.0.113.7"},
		{name: "zone dropped", remote: "[fe80::1%eth0]:80", want: "fe80::/64"},
		{name: "peer without port", remote: "203.0.113.7", want: "203.0.113.7"},
		{name: "Unix socket peer", remote: "@", want: "@"},
		{name: "untrusted peer ignores X-Forwarded-For", remote: "203.0.113.7:1", xff: []string{"198.51.100.1"}, want: "203.0.113.7"},
		{name: "untrusted peer ignores Forwarded", remote: "203.0.113.7:1", fwd: []string{"for=198.51.100.1"}, want: "203.0.113.7"},
		{name: "no proxies trusted", remote: "10.0.0.1:1", xff: []string{"198.51.100.1"}, want: "10.0.0.1", untrusted: true},
		{name: "trusted peer, one hop", remote: "10.0.0.1:1", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "spoofed left entries ignored", remote: "10.0.0.1:1", xff: []string{"1.1.1.1, 2.2.2.2, 198.51.100.1"}, want: "198.51.100.1"},
		{name: "trusted hops skipped", remote: "10.0.0.1:1", xff: []string{"1.1.1.1, 198.51.100.1, 10.0.0.3,10.0.0.2"}, want: "198.51.100.1"},
		{name: "lines are one list", remote: "10.0.0.1:1", xff: []string{"1.1.1.1, 198.51.100.1", "10.0.0.3", "10.0.0.2"}, want: "198.51.100.1"},
		{name: "empty elements skipped", remote: "10.0.0.1:1", xff: []string{"198.51.100.1,, ", ""}, want: "198.51.100.1"},
		{name: "entry with port", remote: "10.0.0.1:1", xff: []string{"198.51.100.1:5555"}, want: "198.51.100.1"},
		{name: "IPv6 entry with port", remote: "10.0.0.1:1", xff: []string{"[2001:db8:5::1]:5555"}, want: "2001:db8:5::/64"},
		{name: "IPv6 entry keyed by its /64", remote: "10.0.0.1:1", xff: []string{"2001:db8:5:6::1"}, want: "2001:db8:5:6::/64"},
		{name: "trusted IPv6 proxy", remote: "[2001:db8:ffff::1]:1", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "all hops trusted: the leftmost", remote: "10.0.0.1:1", xff: []string{"10.0.0.5, 10.0.0.4"}, want: "10.0.0.5"},
		{name: "malformed entry: the last trusted hop", remote: "10.0.0.1:1", xff: []string{"198.51.100.1, garbage, 10.0.0.2"}, want: "10.0.0.2"},
		{name: "malformed first entry: the peer", remote: "10.0.0.1:1", xff: []string{"198.51.100.1, not-an-ip"}, want: "10.0.0.1"},
		{name: "more than 32 hops: the 32nd", remote: "10.0.0.1:1", xff: []string{"198.51.100.1, " + hops33}, want: "10.0.0.9"},
		{name: "Forwarded", remote: "10.0.0.1:1", fwd: []string{"for=192.0.2.60;proto=http;by=203.0.113.43"}, want: "192.0.2.60"},
		{name: "Forwarded quoted IPv6 and port", remote: "10.0.0.1:1", fwd: []string{`for="[2001:db8:cafe::17]:4711"`}, want: "2001:db8:cafe::/64"},
		{name: "Forwarded quoted IPv4 and port", remote: "10.0.0.1:1", fwd: []string{`for="192.0.2.43:47011"`}, want: "192.0.2.43"},
		{name: "Forwarded spoofed left elements", remote: "10.0.0.1:1", fwd: []string{"for=1.1.1.1, for=192.0.2.60", "For=10.0.0.2;proto=https"}, want: "192.0.2.60"},
		{name: "Forwarded quoted comma in another parameter", remote: "10.0.0.1:1", fwd: []string{`for=1.1.1.1, for=192.0.2.60;ext="a, for=9.9.9.9"`}, want: "192.0.2.60"},
		{name: "Forwarded obfuscated node: the last trusted hop", remote: "10.0.0.1:1", fwd: []string{"for=_hidden, for=10.0.0.2"}, want: "10.0.0.2"},
		{name: "Forwarded unknown node: the peer", remote: "10.0.0.1:1", fwd: []string{"for=unknown"}, want: "10.0.0.1"},
		{name: "Forwarded without for: the peer", remote: "10.0.0.1:1", fwd: []string{"proto=https;by=10.0.0.1"}, want: "10.0.0.1"},
		{name: "Forwarded unbalanced quote: the peer", remote: "10.0.0.1:1", fwd: []string{`for="192.0.2.1`}, want: "10.0.0.1"},
		{name: "Forwarded quoted-pair: the peer", remote: "10.0.0.1:1", fwd: []string{`for="192.0.2\.1"`}, want: "10.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{Limit: tenPerMinute, TrustedProxies: trusted}
			if tc.untrusted {
				c.TrustedProxies = nil
			}
			if tc.fwd != nil {
				c.ForwardedHeader = "Forwarded"
			}
			l, err := c.compile()
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			if tc.xff != nil {
				r.Header["X-Forwarded-For"] = tc.xff
			}
			if tc.fwd != nil {
				r.Header["Forwarded"] = tc.fwd
			}
			if got, want := string(l.appendKey(nil, r)), "default:ip:"+tc.want; got != want {
				t.Fatalf("key %q, want %q", got, want)
			}
		})
	}
}

func TestHostileForwardingHeadersCostABoundedWalk(t *testing.T) {
	many := make([]string, 10_000)
	for i := range many {
		many[i] = "10.0.0.7"
	}
	garbage := make([]string, 10_000)
	for i := range garbage {
		garbage[i] = strings.Repeat(",", 100)
	}
	for _, tc := range []struct {
		name string
		h    string
		v    []string
		want string
	}{
		{"ten thousand trusted lines", "X-Forwarded-For", many, "10.0.0.7"},
		{"ten thousand lines of empty elements", "X-Forwarded-For", garbage, "10.0.0.1"},
		{"one line of a megabyte", "X-Forwarded-For", []string{strings.Repeat("1", 1<<20)}, "10.0.0.1"},
		{"a megabyte of hops", "X-Forwarded-For", []string{strings.Repeat("10.0.0.8,", 1<<17)}, "10.0.0.8"},
		{"a megabyte quoted", "Forwarded", []string{`for="` + strings.Repeat(",", 1<<20)}, "10.0.0.1"},
		{"ten thousand Forwarded lines", "Forwarded", many, "10.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Config{Limit: tenPerMinute, TrustedProxies: []string{"10.0.0.0/8"}, ForwardedHeader: tc.h}.compile()
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = "10.0.0.1:1"
			r.Header[tc.h] = tc.v
			start := time.Now()
			got := string(l.appendKey(nil, r))
			if d := time.Since(start); d > 50*time.Millisecond {
				t.Errorf("the walk took %v", d)
			}
			if want := "default:ip:" + tc.want; got != want {
				t.Fatalf("key %q, want %q", got, want)
			}
			if !raceEnabled {
				var buf [keyBuf]byte
				if n := testing.AllocsPerRun(10, func() { l.appendKey(buf[:0], r) }); n != 0 {
					t.Errorf("the walk allocates %v times", n)
				}
			}
		})
	}
}

func TestLongKeysAreDigested(t *testing.T) {
	huge := strings.Repeat("x", 4<<20)
	for _, tc := range []struct {
		key  string
		want string
	}{
		{"user-42", "default:key:user-42"},
		{strings.Repeat("a", 256), "default:key:" + strings.Repeat("a", 256)},
		{strings.Repeat("a", 257), ""},
		{huge, ""},
	} {
		l, _ := Config{Limit: tenPerMinute, Key: func(*http.Request) string { return tc.key }}.compile()
		got := string(l.appendKey(nil, httptest.NewRequest("GET", "/", nil)))
		if len(tc.key) > maxKey {
			sum := sha256.Sum256([]byte(tc.key))
			if got != "default:hash:"+hex.EncodeToString(sum[:]) {
				t.Errorf("key of %d bytes: got %q, want its digest", len(tc.key), got)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("key %q: got %q", tc.key, got)
		}
	}
}

func TestAnEmptyKeyFallsBackToTheClientAddress(t *testing.T) {
	l, _ := Config{Limit: tenPerMinute, Key: func(*http.Request) string { return "" }}.compile()
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "203.0.113.9:1"
	if got := string(l.appendKey(nil, r)); got != "default:ip:203.0.113.9" {
		t.Fatalf("got %q", got)
	}
}

func TestAShortKeyCannotBeALongKeysDigest(t *testing.T) {
	long := strings.Repeat("x", maxKey+1)
	sum := sha256.Sum256([]byte(long))
	store := func(k string) string {
		l, _ := Config{Limit: tenPerMinute, Key: func(*http.Request) string { return k }}.compile()
		return string(l.appendKey(nil, httptest.NewRequest("GET", "/", nil)))
	}
	for _, short := range []string{"sha256:" + hex.EncodeToString(sum[:]), "hash:" + hex.EncodeToString(sum[:]), hex.EncodeToString(sum[:])} {
		if store(short) == store(long) {
			t.Errorf("the key %q shares the store's key of a %d-byte key: %q", short, len(long), store(long))
		}
	}
}

func TestOnlyTheConfiguredForwardingHeaderIsRead(t *testing.T) {
	// The proxy at 10.0.0.1 writes one header and passes the other, the
	// client's own, through.
	xff := []string{"6.6.6.6"}
	fwd := []string{"for=198.51.100.1"}
	for _, tc := range []struct {
		header   string
		xff, fwd []string
		want     string
	}{
		{"", xff, fwd, "6.6.6.6"},
		{"X-Forwarded-For", xff, fwd, "6.6.6.6"},
		{"x-forwarded-for", nil, fwd, "10.0.0.1"},
		{"Forwarded", []string{"6.6.6.6"}, fwd, "198.51.100.1"},
		{"forwarded", xff, nil, "10.0.0.1"},
	} {
		l, err := Config{Limit: tenPerMinute, TrustedProxies: []string{"10.0.0.0/8"}, ForwardedHeader: tc.header}.compile()
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "10.0.0.1:1"
		if tc.xff != nil {
			r.Header["X-Forwarded-For"] = tc.xff
		}
		if tc.fwd != nil {
			r.Header["Forwarded"] = tc.fwd
		}
		if got := string(l.appendKey(nil, r)); got != "default:ip:"+tc.want {
			t.Errorf("ForwardedHeader %q, X-Forwarded-For %q, Forwarded %q: key %q, want the client %s", tc.header, tc.xff, tc.fwd, got, tc.want)
		}
	}
}

func TestAProxyOnAUnixSocketIsTrustedAsUnix(t *testing.T) {
	for _, tc := range []struct {
		trusted []string
		xff     string
		want    string
	}{
		{[]string{"unix"}, "198.51.100.1", "198.51.100.1"},
		{[]string{"unix", "10.0.0.0/8"}, "198.51.100.1, 10.0.0.2", "198.51.100.1"},
		{[]string{"unix"}, "198.51.100.1, 10.0.0.2", "10.0.0.2"},
		{[]string{"unix"}, "", "@"},                   // no header: the socket
		{[]string{"unix"}, "garbage", "@"},            // nothing readable: the socket
		{[]string{"10.0.0.0/8"}, "198.51.100.1", "@"}, // a socket not trusted: one key for all
	} {
		l, err := Config{Limit: tenPerMinute, TrustedProxies: tc.trusted}.compile()
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "@" // net/http's RemoteAddr for a Unix socket's peer
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := string(l.appendKey(nil, r)); got != "default:ip:"+tc.want {
			t.Errorf("TrustedProxies %q, X-Forwarded-For %q: key %q, want the client %s", tc.trusted, tc.xff, got, tc.want)
		}
	}
	// Through the middleware: one client limited, another behind the same
	// socket is not.
	h := New(Config{Limit: Limit{Rate: 1, Period: time.Hour, Burst: 1}, TrustedProxies: []string{"unix"}})(ok)
	send := func(client string) int {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "@"
		r.Header.Set("X-Forwarded-For", client)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if a, b, c := send("198.51.100.1"), send("198.51.100.1"), send("198.51.100.2"); a != 200 || b != 429 || c != 200 {
		t.Fatalf("behind one socket: %d %d %d, want 200 429 200", a, b, c)
	}
	// An IP peer is not trusted by "unix".
	l, _ := Config{Limit: tenPerMinute, TrustedProxies: []string{"unix"}}.compile()
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "203.0.113.7:1"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	if got := string(l.appendKey(nil, r)); got != "default:ip:203.0.113.7" {
		t.Fatalf("an IP peer was trusted by \"unix\": %q", got)
	}
}
