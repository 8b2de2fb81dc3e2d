package main

// Authentication: bearer tokens from the configuration, or a session cookie
// obtained with one (POST /api/session). withAuth puts the user in the
// request's context; handlers read it with currentUser.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/cookies"
)

// sessionCookie is the name of the session cookie, and sessionTTL how long
// a session lasts. The __Host- prefix makes browsers keep the cookie only
// if it is Secure, has Path=/ and no Domain: a sibling subdomain cannot
// plant or overwrite it. Browsers and curl treat http://localhost and
// http://127.0.0.1 as secure, so it works there without TLS too.
const (
	sessionCookie = "__Host-tasks_session"
	sessionTTL    = 24 * time.Hour
)

// sessionCookieOptions are the attributes of the session cookie: the
// cookies package's defaults (HttpOnly, SameSite=Lax, Path=/) and Secure
// always, as the prefix requires, also behind a proxy that terminates TLS.
var sessionCookieOptions = cookies.Options{Secure: true}

// sessionStore keeps the server's record of every session, so that signing
// out ends a session for good, even for a copy of its cookie. *Store is
// one.
type sessionStore interface {
	CreateSession(ctx context.Context, idHash []byte, user string, expires, now time.Time) error
	SessionUser(ctx context.Context, idHash []byte) (string, error) // errNoSession
	DeleteSession(ctx context.Context, idHash []byte) error
}

// authenticator maps credentials to users.
type authenticator struct {
	// users maps the SHA-256 of each token to its user. Looking up a hash
	// rather than the token keeps the lookup's timing independent of how
	// much of a guessed token is right.
	users    map[[sha256.Size]byte]string
	known    map[string]bool // every configured user
	signer   *cookies.Signer
	sessions sessionStore // set by newApp once the database is open
	now      func() time.Time
}

// newAuthenticator returns an authenticator for tokens (token → user) whose
// sessions are signed with key.
func newAuthenticator(tokens map[string]string, key []byte) (*authenticator, error) {
	if len(key) < cookies.MinKeyLen {
		return nil, fmt.Errorf("%d bytes; use at least %d random bytes", len(key), cookies.MinKeyLen)
	}
	signer := cookies.Signed(key)
	a := &authenticator{
		users:  make(map[[sha256.Size]byte]string, len(tokens)),
		known:  make(map[string]bool, len(tokens)),
		signer: signer,
		now:    time.Now,
	}
	for token, user := range tokens {
		a.users[sha256.Sum256([]byte(token))] = user
		a.known[user] = true
	}
	return a, nil
}

// Errors of authentication. Their messages are what the client reads.
var (
	errNoCredentials  = apierror.Unauthorized("authentication required: send Authorization: Bearer <token>, or the session cookie from POST /api/session")
	errNeedBearer     = apierror.Unauthorized("a session starts from a bearer token: send Authorization: Bearer <token>")
	errBadBearer      = apierror.Unauthorized("invalid bearer token")
	errBadSession     = apierror.Unauthorized("invalid session cookie: sign in again with POST /api/session")
	errExpiredSession = apierror.Unauthorized("session expired: sign in again with POST /api/session")
	errEndedSession   = apierror.Unauthorized("session ended (signed out): sign in again with POST /api/session")
)

// withAuth lets a request through when it carries a known bearer token or a
// valid session cookie, with the user in its context. Otherwise it answers
// 401 with a WWW-Authenticate challenge, rendered by apierror like every
// other error of the route. A bearer token, when sent, is authoritative:
// a bad one is refused even if a good cookie comes with it.
//
// It is a plain func(http.Handler) http.Handler in the compose chain's
// BeforeBody, so it runs after CORS (preflights never need credentials)
// and the method check, and before the body is read.
func (a *authenticator) withAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, err := a.authenticate(r)
		var refusal *apierror.Error
		if errors.As(err, &refusal) {
			err = a.challenge(w, err)
		}
		if err != nil { // a 401, or the database failing: a 500
			apierror.Write(w, r, err)
			return
		}
		noteUser(r, user)
		next.ServeHTTP(w, r.WithContext(withUser(r.Context(), user)))
	})
}

// challenge adds the WWW-Authenticate header RFC 6750 asks for to a 401 and
// returns err.
func (a *authenticator) challenge(w http.ResponseWriter, err error) error {
	v := `Bearer realm="tasks"`
	if errors.Is(err, errBadBearer) {
		v += `, error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", v)
	return err
}

func (a *authenticator) authenticate(r *http.Request) (string, error) {
	if _, ok := r.Header["Authorization"]; ok {
		return a.bearerUser(r)
	}
	return a.sessionUser(r)
}

// bearerUser returns the user of the request's bearer token.
func (a *authenticator) bearerUser(r *http.Request) (string, error) {
	if _, ok := r.Header["Authorization"]; !ok {
		return "", errNeedBearer
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", errBadBearer
	}
	user, ok := a.users[sha256.Sum256([]byte(token))]
	if !ok {
		return "", errBadBearer
	}
	return user, nil
}

// A session cookie's value is "<user>|<expiry in Unix seconds>|<id>",
// signed by cookies.Signer: clients can read it but not forge or extend it.
// The expiry is inside the signed value because the cookie's Max-Age is
// only advice to the browser. The id, 32 random bytes, names the session's
// record in the database (by its SHA-256, so that a copy of the database
// holds no usable session): a session is valid while its record exists,
// and signing out deletes the record. The signature lets requests with a
// forged cookie be refused without a database query.

// startSession records a new session of user and sets its cookie, and
// returns its expiry.
func (a *authenticator) startSession(w http.ResponseWriter, r *http.Request, user string) (time.Time, error) {
	now := a.now()
	expires := now.Add(sessionTTL).UTC().Truncate(time.Second)
	id := randomSecret(32)
	value := user + "|" + strconv.FormatInt(expires.Unix(), 10) + "|" + id
	hash := sha256.Sum256([]byte(id))
	if err := a.sessions.CreateSession(r.Context(), hash[:], user, expires, now); err != nil {
		return time.Time{}, err
	}
	o := sessionCookieOptions
	o.MaxAge = sessionTTL
	if err := a.signer.Set(w, r, sessionCookie, value, o); err != nil {
		return time.Time{}, err
	}
	return expires, nil
}

// session is what a validly signed session cookie says.
type session struct {
	user    string
	expires time.Time
	idHash  [sha256.Size]byte
}

// signedSession reads the request's session cookie and checks its
// signature and form, without looking at the database.
func (a *authenticator) signedSession(r *http.Request) (session, error) {
	value, err := a.signer.Get(r, sessionCookie)
	switch {
	case errors.Is(err, cookies.ErrExpired): // checked first: it is also an ErrNoCookie
		return session{}, errExpiredSession
	case errors.Is(err, cookies.ErrNoCookie):
		return session{}, errNoCredentials
	case err != nil:
		return session{}, errBadSession
	}
	rest, id, ok1 := cutLast(value, "|")
	user, exp, ok2 := cutLast(rest, "|")
	unix, err := strconv.ParseInt(exp, 10, 64)
	if !ok1 || !ok2 || err != nil || id == "" {
		return session{}, errBadSession
	}
	return session{user: user, expires: time.Unix(unix, 0), idHash: sha256.Sum256([]byte(id))}, nil
}

// sessionUser returns the user of the request's session cookie. A session
// that has expired, was ended, or belongs to a user no longer configured is
// refused.
func (a *authenticator) sessionUser(r *http.Request) (string, error) {
	s, err := a.signedSession(r)
	if err != nil {
		return "", err
	}
	if !a.known[s.user] {
		return "", errBadSession
	}
	if !a.now().Before(s.expires) {
		return "", errExpiredSession
	}
	user, err := a.sessions.SessionUser(r.Context(), s.idHash[:])
	switch {
	case errors.Is(err, errNoSession):
		return "", errEndedSession
	case err != nil:
		return "", err
	case user != s.user: // cannot happen without the signing key
		return "", errBadSession
	}
	return user, nil
}

// endSession deletes the record of the request's session, if it carries a
// validly signed session cookie: every copy of the cookie stops working.
// Without one there is nothing to end.
func (a *authenticator) endSession(r *http.Request) error {
	s, err := a.signedSession(r)
	if err != nil {
		return nil
	}
	return a.sessions.DeleteSession(r.Context(), s.idHash[:])
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// The user travels from withAuth to the handlers in the request's context.
type userKey struct{}

func withUser(ctx context.Context, user string) context.Context {
	return context.WithValue(ctx, userKey{}, user)
}

func userFrom(ctx context.Context) (string, bool) {
	u, ok := ctx.Value(userKey{}).(string)
	return u, ok && u != ""
}

// randomSecret returns n random bytes, base64url-encoded.
func randomSecret(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
