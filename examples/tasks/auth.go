package main

// Authentication: bearer tokens from the configuration, or a signed session
// cookie obtained with one (POST /api/session). withAuth puts the user in
// the request's context; handlers read it with currentUser.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/cookies"
)

// sessionCookie is the name of the signed session cookie, and sessionTTL how
// long a session lasts.
const (
	sessionCookie = "tasks_session"
	sessionTTL    = 24 * time.Hour
)

// authenticator maps credentials to users.
type authenticator struct {
	// users maps the SHA-256 of each token to its user. Looking up a hash
	// rather than the token keeps the lookup's timing independent of how
	// much of a guessed token is right.
	users  map[[sha256.Size]byte]string
	known  map[string]bool // every configured user
	signer *cookies.Signer
	now    func() time.Time
}

// newAuthenticator returns an authenticator for tokens (token → user) whose
// sessions are signed with key.
func newAuthenticator(tokens map[string]string, key []byte) (*authenticator, error) {
	signer, err := cookies.NewSigner(key)
	if err != nil {
		return nil, err
	}
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
)

// withAuth lets a request through when it carries a known bearer token or a
// valid session cookie, with the user in its context. Otherwise it answers
// 401 with a WWW-Authenticate challenge, rendered by apierror like every
// other error of the route. A bearer token, when sent, is authoritative:
// a bad one is refused even if a good cookie comes with it.
//
// It is a plain func(http.Handler) http.Handler, appended to the compose
// chain, so it runs after CORS (preflights never need credentials) and
// after the body parser.
func (a *authenticator) withAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, err := a.authenticate(r)
		if err != nil {
			apierror.Write(w, r, a.challenge(w, err))
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

// A session cookie's value is "<user>|<expiry in Unix seconds>", signed by
// cookies.Signer: clients can read it but not forge or extend it. The expiry
// is inside the signed value because the cookie's Max-Age is only advice to
// the browser.

// startSession sets the session cookie for user and returns its expiry.
// The cookie gets the cookies package's safe defaults: HttpOnly,
// SameSite=Lax, Path=/, and Secure when the request came over TLS.
func (a *authenticator) startSession(w http.ResponseWriter, r *http.Request, user string) (time.Time, error) {
	expires := a.now().Add(sessionTTL).UTC().Truncate(time.Second)
	value := user + "|" + strconv.FormatInt(expires.Unix(), 10)
	if err := a.signer.Set(w, r, sessionCookie, value, cookies.Options{MaxAge: sessionTTL}); err != nil {
		return time.Time{}, err
	}
	return expires, nil
}

// sessionUser returns the user of the request's session cookie. A session
// of a user no longer configured is refused.
func (a *authenticator) sessionUser(r *http.Request) (string, error) {
	value, err := a.signer.Get(r, sessionCookie)
	switch {
	case errors.Is(err, cookies.ErrNoCookie):
		return "", errNoCredentials
	case err != nil:
		return "", errBadSession
	}
	user, exp, ok := strings.Cut(value, "|")
	unix, err := strconv.ParseInt(exp, 10, 64)
	if !ok || err != nil || !a.known[user] {
		return "", errBadSession
	}
	if !a.now().Before(time.Unix(unix, 0)) {
		return "", errExpiredSession
	}
	return user, nil
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
