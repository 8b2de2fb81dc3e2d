package main

// withAuth, as the guide writes it: a wrapper that authenticates the
// request and hands the handler the user, or answers 401 itself. A client
// authenticates with a bearer token, or with the session cookie that the
// login callback sets after exchanging a one-time code (the OAuth-style
// redirect flow of the guide's POST /api/auth/callback).

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/cookies"
)

// sessionCookie has the __Host- prefix: browsers only keep it Secure, with
// Path=/ and no Domain, so no subdomain can set or shadow it. Browsers and
// curl accept Secure cookies from http://localhost and 127.0.0.1, so local
// development works too.
const (
	sessionCookie     = "__Host-session"
	sessionTTL        = 12 * time.Hour
	codeTTL           = 5 * time.Minute
	maxPendingCodes   = 1024
	maxActiveSessions = 100_000
)

// User is what withAuth hands a handler.
type User struct{ ID string }

// authedHandler is a route handler that needs a user.
type authedHandler func(w http.ResponseWriter, r *http.Request, u User) error

// auth keeps tokens, one-time login codes and sessions. Sessions live on
// the server (only a random id is in the cookie), so logging out ends them.
type auth struct {
	tokens map[[sha256.Size]byte]string // sha256(token) → user
	now    func() time.Time

	mu       sync.Mutex
	codes    map[[sha256.Size]byte]pending // sha256(code) → user, until used or expired
	sessions map[[sha256.Size]byte]pending // sha256(session id) → user
}

type pending struct {
	user    string
	expires time.Time
}

func newAuth(tokens map[string]string) *auth {
	a := &auth{
		tokens:   map[[sha256.Size]byte]string{},
		now:      time.Now,
		codes:    map[[sha256.Size]byte]pending{},
		sessions: map[[sha256.Size]byte]pending{},
	}
	for t, u := range tokens {
		a.tokens[sha256.Sum256([]byte(t))] = u
	}
	return a
}

var errUnauthorized = apierror.Unauthorized("Unauthorized")

type userKey struct{}

// authenticate is the middleware form, for compose's BeforeBody: it runs
// before the body is read, so a client without credentials never makes the
// server read its upload. It answers 401 or passes the user on in the
// request's context, where withAuth finds it.
func (a *auth) authenticate(next http.Handler) http.Handler {
	return apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		u, ok := a.user(r)
		if !ok {
			return challenge(w)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
		return nil
	})
}

// withAuth is the guide's withAuth(handler): it hands h the user that
// authenticate found, or authenticates the request itself when the route
// has no authenticate layer.
func (a *auth) withAuth(h authedHandler) http.Handler {
	return apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		u, ok := r.Context().Value(userKey{}).(User)
		if !ok {
			if u, ok = a.user(r); !ok {
				return challenge(w)
			}
		}
		return h(w, r, u)
	})
}

func challenge(w http.ResponseWriter) error {
	w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
	return errUnauthorized
}

func (a *auth) user(r *http.Request) (User, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return User{}, false
		}
		u, ok := a.tokens[sha256.Sum256([]byte(token))]
		return User{ID: u}, ok
	}
	id, ok := cookies.Parse(r)[sessionCookie]
	if !ok {
		return User{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	key := sha256.Sum256([]byte(id))
	s, ok := a.sessions[key]
	if !ok || !a.now().Before(s.expires) {
		delete(a.sessions, key)
		return User{}, false
	}
	return User{ID: s.user}, true
}

// IssueCode returns a one-time login code for user, as an identity
// provider would put in its redirect to the callback.
func (a *auth) IssueCode(user string) string {
	code := randomString(24)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.expire()
	if len(a.codes) >= maxPendingCodes {
		for k := range a.codes { // drop one: a flood of codes cannot grow the map
			delete(a.codes, k)
			break
		}
	}
	a.codes[sha256.Sum256([]byte(code))] = pending{user: user, expires: a.now().Add(codeTTL)}
	return code
}

// exchange spends code and starts a session for its user, returning the
// session id for the cookie.
func (a *auth) exchange(code string) (sessionID string, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	key := sha256.Sum256([]byte(code))
	p, found := a.codes[key]
	delete(a.codes, key) // one use, even a failed one
	if !found || !a.now().Before(p.expires) {
		return "", false
	}
	a.expire()
	if len(a.sessions) >= maxActiveSessions {
		return "", false
	}
	sessionID = randomString(32)
	a.sessions[sha256.Sum256([]byte(sessionID))] = pending{user: p.user, expires: a.now().Add(sessionTTL)}
	return sessionID, true
}

// logout ends the request's session, if it has one.
func (a *auth) logout(r *http.Request) {
	if id, ok := cookies.Parse(r)[sessionCookie]; ok {
		a.mu.Lock()
		delete(a.sessions, sha256.Sum256([]byte(id)))
		a.mu.Unlock()
	}
}

// expire drops expired codes and sessions; a.mu is held.
func (a *auth) expire() {
	now := a.now()
	for k, p := range a.codes {
		if !now.Before(p.expires) {
			delete(a.codes, k)
		}
	}
	for k, p := range a.sessions {
		if !now.Before(p.expires) {
			delete(a.sessions, k)
		}
	}
}

// randomString is n random bytes in hex. crypto/rand.Read does not fail
// (it panics rather than return short).
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
