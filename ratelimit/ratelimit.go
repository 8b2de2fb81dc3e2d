package ratelimit

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/apiroutes/apiroutes/apierror"
)

// Config configures one limit. Limit must be set; the other fields have
// defaults.
type Config struct {
	// Limit is the rate and the burst allowed to each key.
	Limit Limit

	// Key returns the key whose limit a request counts against: a user id,
	// an API key's id. Nil, or "" returned, means the client's address
	// (see TrustedProxies): an IPv4 address, or an IPv6 address's /64. A
	// key over 256 bytes is replaced by its SHA-256 before it reaches the
	// Store.
	Key func(*http.Request) string

	// TrustedProxies lists the addresses ("10.0.0.7") and networks
	// ("10.0.0.0/8", "fd00::/8") of your reverse proxies, and "unix" for
	// a proxy on a Unix socket (a peer that is not an IP address). Only
	// when a request comes from one of them is ForwardedHeader read, from
	// the right, and the first address that is not a trusted proxy is the
	// client. Empty means the header is never read: the client is the
	// connection's peer. Without "unix", every peer on a Unix socket is
	// the same client: one key, one limit for all of them.
	TrustedProxies []string

	// ForwardedHeader is the one header read from a trusted proxy:
	// "X-Forwarded-For" (empty means it) or "Forwarded" (RFC 7239).
	// Name the one your proxies write: the other is never read, so that
	// a client cannot pick its key with the header its proxy passes
	// through unchanged.
	ForwardedHeader string

	// Cost is what one request counts against the limit. Zero means 1; it
	// may not exceed Limit.Burst.
	Cost int

	// Store keeps the keys' state. Nil means a memory store of the
	// middleware's own, NewMemoryStore(0), made at its first request.
	// Give routes of one Limit one shared Store (a Redis one across
	// instances) and the same Name to share a limit. Never share a memory
	// store across different Limits (see [NewMemoryStore]).
	Store Store

	// Name is the policy's name in the RateLimit headers, and the prefix
	// of its keys in the Store ("default:ip:192.0.2.1"). Empty means
	// "default"; at most 64 printable ASCII characters, no '"', '\' or
	// ':'.
	Name string

	// Errors renders the 429 and 503 answers. Its zero value inherits the
	// renderer of an enclosing apierror layer, else JSON.
	Errors apierror.Config
}

const (
	defaultName = "default"
	maxName     = 64
	// maxKey bounds a key from Config.Key; a longer one is replaced by
	// its hex SHA-256, in a namespace of its own ("hash:", not "key:").
	maxKey = 256
	// keyBuf holds name, ':', "key:" and a key: the store's key is built
	// on the stack.
	keyBuf = maxName + 1 + 4 + maxKey
	// stateBuf holds a RateLimit value: the quoted name and two int64s.
	stateBuf = maxName + 2 + len(";r=;t=") + 2*19
)

// Validate reports whether c is usable, with a "ratelimit: " error that
// names the field.
func (c Config) Validate() error {
	_, err := c.compile()
	return err
}

// New returns the middleware that counts each request against its key's
// limit. A request that fits runs the handler; its answer carries the
// RateLimit-Policy and RateLimit headers. One that does not is answered
// 429 with those headers and Retry-After, rendered by c.Errors, and the
// handler does not run. A Store error is answered 503, not logged (the
// Store reports its outages).
//
// New panics with the error of [Config.Validate] if c is invalid.
func New(c Config) func(http.Handler) http.Handler {
	l, err := c.compile()
	if err != nil {
		panic(err)
	}
	if l.store == nil { // here, not in compile; and made at the first request
		l.own = sync.OnceValue(func() *memoryStore { return newMemoryStore(0) })
	}
	return func(next http.Handler) http.Handler {
		return &handler{limiter: l, next: next}
	}
}

// limiter is a compiled Config, shared by every handler New wraps.
type limiter struct {
	limit   Limit
	cost    int
	key     func(*http.Request) string
	proxies proxies
	store   Store
	mem     *memoryStore        // store, when it is a memory store: no key string to allocate
	own     func() *memoryStore // when store is nil: the middleware's own, made once
	prefix  string              // name + ":"
	quoted  string              // the name as a Structured Fields string
	policy  []string            // RateLimit-Policy, shared by every answer
	errs    apierror.Config
	states  [stateCacheSize]atomic.Pointer[stateValue]

	tooMany, unavailable *apierror.Error
}

func (c Config) compile() (*limiter, error) {
	lim := c.Limit
	switch {
	case lim.Rate <= 0:
		return nil, fmt.Errorf("ratelimit: Limit.Rate %d: must be at least 1 request per Period", lim.Rate)
	case lim.Period <= 0:
		return nil, fmt.Errorf("ratelimit: Limit.Period %v: must be positive, such as time.Minute", lim.Period)
	case lim.Burst < 1:
		return nil, fmt.Errorf("ratelimit: Limit.Burst %d: must be at least 1 (a burst of 1 spaces requests evenly)", lim.Burst)
	}
	interval, _, ok := lim.gcra()
	if !ok {
		if interval = int64(lim.Period) / int64(lim.Rate); interval < 1 {
			return nil, fmt.Errorf("ratelimit: Limit.Rate %d per %v is more than one request per nanosecond", lim.Rate, lim.Period)
		}
		return nil, fmt.Errorf("ratelimit: Limit.Burst %d takes more than a century to refill at %d per %v", lim.Burst, lim.Rate, lim.Period)
	}
	cost := c.Cost
	switch {
	case cost < 0:
		return nil, fmt.Errorf("ratelimit: Cost %d is negative; zero means 1", cost)
	case cost == 0:
		cost = 1
	case cost > lim.Burst:
		return nil, fmt.Errorf("ratelimit: Cost %d is more than Limit.Burst %d: every request would be refused", cost, lim.Burst)
	}
	name := c.Name
	if name == "" {
		name = defaultName
	}
	if len(name) > maxName {
		return nil, fmt.Errorf("ratelimit: Name is %d bytes long; at most %d", len(name), maxName)
	}
	for i := 0; i < len(name); i++ {
		if b := name[i]; b < 0x20 || b > 0x7e || b == '"' || b == '\\' || b == ':' {
			return nil, fmt.Errorf("ratelimit: Name %q: byte %d is not printable ASCII other than '\"', '\\' and ':'", name, i)
		}
	}
	l := &limiter{
		limit:  lim,
		cost:   cost,
		key:    c.Key,
		store:  c.Store,
		prefix: name + ":",
		quoted: `"` + name + `"`,
		errs:   c.Errors,
	}
	for i, s := range c.TrustedProxies {
		if s == "unix" {
			l.proxies.unix = true
			continue
		}
		p, err := parsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("ratelimit: TrustedProxies[%d] %q is not an address, a CIDR (\"10.0.0.0/8\") or \"unix\"", i, s)
		}
		l.proxies.prefixes = append(l.proxies.prefixes, p)
	}
	switch {
	case c.ForwardedHeader == "" || strings.EqualFold(c.ForwardedHeader, "X-Forwarded-For"):
	case strings.EqualFold(c.ForwardedHeader, "Forwarded"):
		l.proxies.forwarded = true
	default:
		return nil, fmt.Errorf("ratelimit: ForwardedHeader %q is neither \"X-Forwarded-For\" nor \"Forwarded\"", c.ForwardedHeader)
	}
	l.mem, _ = l.store.(*memoryStore)

	// q is the burst and w the time it takes to refill: a client that
	// sends q requests per w seconds, at once or spread out, is never
	// refused (see the package doc).
	w := ceilSeconds(time.Duration(interval * int64(lim.Burst)))
	policy := l.quoted + ";q=" + strconv.Itoa(lim.Burst) + ";w=" + strconv.FormatInt(w, 10)
	l.policy = []string{policy}[:1:1] // an append to a response's copy cannot write into it

	msg := fmt.Sprintf("Too many requests: the limit is %d per %s, in bursts of %d", lim.Rate, per(lim.Period), lim.Burst)
	if cost > 1 {
		msg += fmt.Sprintf(", and this request counts %d", cost)
	}
	l.tooMany = apierror.New(http.StatusTooManyRequests, msg+"; retry after the seconds in Retry-After")
	l.unavailable = apierror.New(http.StatusServiceUnavailable, "The rate limit could not be checked; retry shortly")
	return l, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if p.Addr().Is4In6() {
			return netip.Prefix{}, errors.New("IPv4-mapped prefix")
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// per names a period for the 429's message: "minute", or "1m30s".
func per(d time.Duration) string {
	switch d {
	case time.Second:
		return "second"
	case time.Minute:
		return "minute"
	case time.Hour:
		return "hour"
	case 24 * time.Hour:
		return "day"
	}
	return d.String()
}

// ceilSeconds rounds d up to whole seconds, 0 for d ≤ 0.
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}

type handler struct {
	*limiter
	next http.Handler
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var buf [keyBuf]byte
	key := h.appendKey(buf[:0], r)
	var res Result
	var err error
	mem := h.mem
	if h.own != nil {
		mem = h.own()
	}
	if mem != nil {
		res, err = mem.allowBytes(key, h.limit, h.cost)
	} else {
		res, err = h.store.Allow(r.Context(), string(key), h.limit, h.cost)
	}
	if err != nil {
		h.errs.Render(w, r, h.unavailable)
		return
	}
	hdr := w.Header()
	addItem(hdr, "Ratelimit-Policy", h.policy)
	addItem(hdr, "Ratelimit", h.state(res))
	if !res.Allowed {
		hdr["Retry-After"] = []string{strconv.FormatInt(max(1, ceilSeconds(res.RetryAfter)), 10)}
		h.errs.Render(w, r, h.tooMany)
		return
	}
	h.next.ServeHTTP(w, r)
}

// addItem adds a RateLimit field's one item v to hdr[k]: v itself when
// the field is absent (no allocation), else a new slice whose last value
// is the old one, a comma and the item, so that stacked limiters each
// report their policy. The old slice is not written to: it may be shared.
func addItem(hdr http.Header, k string, v []string) {
	old := hdr[k]
	n := len(old)
	if n == 0 {
		hdr[k] = v
		return
	}
	s := make([]string, n)
	copy(s, old)
	if s[n-1] = v[0]; old[n-1] != "" {
		s[n-1] = old[n-1] + ", " + v[0]
	}
	hdr[k] = s
}

// appendKey appends the Store's key of r to b: the name, then "key:" and
// Config.Key's key, or "hash:" and its digest when it is long, or "ip:"
// and the client's address.
func (l *limiter) appendKey(b []byte, r *http.Request) []byte {
	b = append(b, l.prefix...)
	if l.key != nil {
		if k := l.key(r); k != "" {
			if len(k) > maxKey {
				return appendDigest(append(b, "hash:"...), k)
			}
			return append(append(b, "key:"...), k...)
		}
	}
	b = append(b, "ip:"...)
	if a, ok := clientAddr(r, &l.proxies); ok {
		return appendAddrKey(b, a)
	}
	if len(r.RemoteAddr) > maxKey { // not an IP address: a Unix socket's name
		return appendDigest(append(b, "sha256:"...), r.RemoteAddr)
	}
	return append(b, r.RemoteAddr...)
}

// appendDigest appends the hex SHA-256 of k, hashed in chunks so that a
// key of megabytes is not copied.
func appendDigest(b []byte, k string) []byte {
	d := sha256.New()
	var chunk [512]byte
	for k != "" {
		n := copy(chunk[:], k)
		d.Write(chunk[:n])
		k = k[n:]
	}
	var sum [sha256.Size]byte
	return hex.AppendEncode(b, d.Sum(sum[:0]))
}

// stateCacheSize is the number of RateLimit values a middleware keeps: a
// client well under its limit gets the same few values (r=Burst-1) again
// and again, and they cost no allocation.
const stateCacheSize = 256

// stateValue is a RateLimit header's value and the bytes it is made of,
// in one allocation, never changed once made.
type stateValue struct {
	r, t int64
	v    [1]string
	b    [stateBuf]byte
}

// state returns the RateLimit value for res: the remaining quota, and the
// seconds until it is whole again. The value is shared with the answers
// that have the same figures: its slice has no room to append into.
func (l *limiter) state(res Result) []string {
	r, t := int64(max(0, res.Remaining)), ceilSeconds(res.ResetAfter)
	slot := &l.states[uint64(r*31+t)%stateCacheSize]
	if sv := slot.Load(); sv != nil && sv.r == r && sv.t == t {
		return sv.v[:1:1]
	}
	sv := &stateValue{r: r, t: t}
	b := append(sv.b[:0], l.quoted...)
	b = append(b, ";r="...)
	b = strconv.AppendInt(b, r, 10)
	b = append(b, ";t="...)
	b = strconv.AppendInt(b, t, 10)
	sv.v[0] = unsafe.String(unsafe.SliceData(b), len(b)) // b is never written again
	slot.Store(sv)
	return sv.v[:1:1]
}
