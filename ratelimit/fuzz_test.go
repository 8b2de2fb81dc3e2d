package ratelimit

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// FuzzForwardingHeaders reads X-Forwarded-For and Forwarded lines (split at
// '\n') from a trusted peer: the walk must end on the peer or an address
// read from the one header configured, and its key must stay short.
func FuzzForwardingHeaders(f *testing.F) {
	for _, s := range [][2]string{
		{"198.51.100.1, 10.0.0.2", ""},
		{"1.1.1.1,198.51.100.1:80\n10.0.0.3", ""},
		{"[2001:db8::1]:4711, garbage", ""},
		{"", `for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"`},
		{"", `for=_hidden, for=unknown;ext="a,b", FOR=10.0.0.2`},
		{"", `for="\"[::1]"`},
		{strings.Repeat("10.0.0.1,", 40), strings.Repeat(`for="`, 20)},
	} {
		f.Add(s[0], s[1])
	}
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
	f.Fuzz(func(t *testing.T, xff, fwd string) {
		checkForwarding(t, "10.0.0.1:1", &proxies{prefixes: trusted}, xff, fwd)
		checkForwarding(t, "10.0.0.1:1", &proxies{prefixes: trusted, forwarded: true}, xff, fwd)
		checkForwarding(t, "@", &proxies{prefixes: trusted, unix: true}, xff, fwd)
	})
}

// checkForwarding checks the client read from a trusted peer: the peer,
// or an address read from the one header p names.
func checkForwarding(t *testing.T, peer string, p *proxies, xff, fwd string) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = peer
	if xff != "" {
		r.Header["X-Forwarded-For"] = strings.Split(xff, "\n")
	}
	if fwd != "" {
		r.Header["Forwarded"] = strings.Split(fwd, "\n")
	}
	a, ok := clientAddr(r, p)
	if ok != a.IsValid() || !ok && peer != "@" || a.Zone() != "" || a.Is4In6() {
		t.Fatalf("peer %s: client %v, %v", peer, a, ok)
	}
	read := xff
	if p.forwarded {
		read = fwd
	}
	// IPv4 has one text form; IPv6 has several, and is not checked.
	if a.Is4() && a.String()+":1" != peer && !strings.Contains(read, a.String()) {
		t.Fatalf("client %v is neither the peer nor in the header read", a)
	}
	if key := appendAddrKey(nil, a); len(key) > 64 {
		t.Fatalf("key %q", key)
	}
}
