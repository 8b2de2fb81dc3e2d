package ratelimit

import (
	"net/http"
	"net/netip"
	"strings"
)

const (
	// maxHops bounds the entries of X-Forwarded-For or Forwarded read for
	// one request, and maxForwardedBytes their bytes, counted from the
	// right (the nearest proxy) over all the header's lines.
	maxHops           = 32
	maxForwardedBytes = 8 << 10
)

// proxies is Config's TrustedProxies and ForwardedHeader, compiled.
type proxies struct {
	prefixes  []netip.Prefix
	unix      bool // "unix": a peer that is not an IP address is a proxy
	forwarded bool // read Forwarded, not X-Forwarded-For
}

// clientAddr returns the address of r's client: the peer's (RemoteAddr),
// or, when the peer is a trusted proxy, the address the trusted proxies
// forwarded in the one header p names (see walk). ok is false when
// neither gives an IP address (a Unix socket peer, untrusted or without
// a readable header).
func clientAddr(r *http.Request, p *proxies) (a netip.Addr, ok bool) {
	peer, ok := parseHostPort(r.RemoteAddr)
	if ok && !trusts(p.prefixes, peer) || !ok && !p.unix {
		return peer, ok
	}
	if p.forwarded {
		a = walk(r.Header["Forwarded"], p.prefixes, peer, forwardedElement)
	} else {
		a = walk(r.Header["X-Forwarded-For"], p.prefixes, peer, xffEntry)
	}
	return a, a.IsValid()
}

func trusts(trusted []netip.Prefix, a netip.Addr) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// walk reads the hops of a forwarding header from the right, skipping the
// trusted ones, and returns the first untrusted address: the client as the
// outermost trusted proxy saw it. It stops at the last trusted hop, and
// returns that hop's address (peer, which may be the zero Addr, if none
// was read), when it meets an
// entry it cannot read (malformed, or an obfuscated or "unknown" node), a
// line cut by the byte bound, more than maxHops entries or
// maxForwardedBytes bytes, or the header's start. A hop it cannot read
// cannot then be chosen by the client, and its cost is bounded whatever
// the header.
func walk(lines []string, trusted []netip.Prefix, peer netip.Addr, entry func(string) (netip.Addr, bool)) netip.Addr {
	last := peer
	budget, hops := maxForwardedBytes, 0
	for i := len(lines) - 1; i >= 0; i-- {
		s, cut := lines[i], false
		if len(s) > budget {
			s, cut = s[len(s)-budget:], true
		}
		budget -= len(s) + 1 // an empty line costs a byte too
		for s != "" {
			var e string
			j := lastSeparator(s)
			if j < 0 {
				if cut {
					return last // the entry's start is beyond the bound
				}
				e, s = s, ""
			} else {
				e, s = s[j+1:], s[:j]
			}
			e = strings.Trim(e, " \t")
			if e == "" {
				continue // an empty list element, as RFC 9110 allows
			}
			if hops++; hops > maxHops {
				return last
			}
			a, ok := entry(e)
			if !ok {
				return last
			}
			if !trusts(trusted, a) {
				return a
			}
			last = a
		}
		if budget <= 0 {
			return last
		}
	}
	return last
}

// lastSeparator returns the index of the last comma of s outside a quoted
// string, or -1. An unbalanced quote puts the rest of s in one entry, which
// does not parse.
func lastSeparator(s string) int {
	quoted := false
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				return i
			}
		}
	}
	return -1
}

// xffEntry parses an X-Forwarded-For entry: an address, with or without a
// port ("192.0.2.1", "2001:db8::1", "192.0.2.1:4711", "[2001:db8::1]:4711").
func xffEntry(e string) (netip.Addr, bool) {
	if a, ok := parseHost(e); ok {
		return a, true
	}
	return parseHostPort(e)
}

// forwardedElement parses an RFC 7239 Forwarded element
// (for=192.0.2.60;proto=http;by=203.0.113.43) and returns its for=
// address. An element without for=, with an obfuscated (_hidden) or
// unknown node, or with a quoted-pair, is refused.
func forwardedElement(e string) (netip.Addr, bool) {
	for e != "" {
		var pair string
		pair, e, _ = strings.Cut(e, ";")
		name, v, ok := strings.Cut(strings.Trim(pair, " \t"), "=")
		if !ok || !strings.EqualFold(name, "for") {
			continue
		}
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		if strings.ContainsAny(v, "\"\\") {
			return netip.Addr{}, false
		}
		if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
			return parseHost(v[1 : len(v)-1])
		}
		return xffEntry(v)
	}
	return netip.Addr{}, false
}

// parseHost parses an address alone, without its zone, IPv4-mapped IPv6
// as IPv4.
func parseHost(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// parseHostPort parses "host:port" (RemoteAddr's form), or an address
// alone.
func parseHostPort(s string) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return parseHost(s)
	}
	return ap.Addr().Unmap().WithZone(""), true
}

// appendAddrKey appends a's key: the address for IPv4, its /64 for IPv6
// (one subscriber's usual allocation: keying single IPv6 addresses would
// give each client 2^64 keys to rotate through).
func appendAddrKey(b []byte, a netip.Addr) []byte {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.AppendTo(b)
	}
	return a.AppendTo(b)
}
