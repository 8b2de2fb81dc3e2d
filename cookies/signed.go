package cookies

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Errors of Signer.Get.
var (
	ErrNoCookie         = errors.New("cookies: no such cookie")
	ErrInvalidSignature = errors.New("cookies: invalid signature: the cookie was tampered with, truncated, or signed with a key no longer in use")
	// ErrExpired is a validly signed value older than the MaxAge it was
	// set with. errors.Is(err, ErrNoCookie) also holds for it: a browser
	// that honoured Max-Age would not have sent the cookie.
	ErrExpired error = expiredError{}
)

type expiredError struct{}

func (expiredError) Error() string {
	return "cookies: signed value expired"
}

func (expiredError) Is(target error) bool { return target == ErrNoCookie }

// Signer sets and reads cookies whose values are signed with HMAC-SHA256,
// so that a client can read them but not change them. The value is not
// encrypted: do not put secrets in it.
//
// A signed value expires on the server too, since Max-Age only advises the
// browser and a copied cookie would otherwise verify forever: [Signer.Set]
// signs the time and the MaxAge with the value, and [Signer.Get] refuses
// the value, with [ErrExpired], once that MaxAge has passed. A session
// cookie (MaxAge 0) is held to 24 hours: browsers restore sessions for
// weeks, so "until the browser closes" bounds nothing on the server, and a
// day is what session stores commonly assume (connect-redis's default
// TTL); set MaxAge for another bound. A value without a signed time is
// refused with [ErrInvalidSignature]: it could be a copy that never expires.
//
// The first key signs; every key verifies. To rotate, put the new key first
// and keep the old one for the longest MaxAge you sign with (24 hours for
// session cookies): no value it signed verifies after that.
type Signer struct {
	keys [][]byte
	now  func() time.Time // time.Now; tests set another
}

// MinKeyLen is the shortest key Signed accepts: 32 bytes, the size of the
// HMAC-SHA256 output.
const MinKeyLen = 32

// sessionMaxAge bounds, on the server, a signed session cookie (see Signer).
const sessionMaxAge = 24 * time.Hour

// Signed returns a Signer for keys. Like the library's other constructors,
// it panics, at start-up, on a bad configuration: no key, or a key shorter
// than MinKeyLen bytes. To report a key read from the environment as an
// error instead, check its length against MinKeyLen first.
func Signed(keys ...[]byte) *Signer {
	if len(keys) == 0 {
		panic(errors.New("cookies: Signed needs at least one key"))
	}
	s := &Signer{now: time.Now}
	for i, k := range keys {
		if len(k) < MinKeyLen {
			panic(fmt.Errorf("cookies: Signed: key %d is %d bytes; use at least %d random bytes (crypto/rand)", i, len(k), MinKeyLen))
		}
		s.keys = append(s.keys, append([]byte(nil), k...))
	}
	return s
}

// A signed cookie's value is "<value>.<issued>.<max age>.<signature>": the
// issue time in Unix seconds and the max age in seconds, both in base 36,
// then the base64url HMAC of everything before it. Get cuts the fields
// from the right, so the value may hold dots.

// mac signs name and the signed part of the value together, so that a
// signed value cannot be moved to a cookie of another name. What is signed
// starts with a NUL, which no cookie name does, so that no value signed
// without a time (name=value) can pass for one signed with it.
func mac(key []byte, name, signed string) []byte {
	h := hmac.New(sha256.New, key)
	io.WriteString(h, "\x00"+name+"="+signed)
	return h.Sum(nil)
}

// Set writes name=value with its issue time, its MaxAge and a signature,
// with the attributes of o (see [Set]).
func (s *Signer) Set(w http.ResponseWriter, r *http.Request, name, value string, o Options) error {
	maxAge := int64(sessionMaxAge / time.Second)
	if o.MaxAge > 0 {
		// Whole seconds, at least one, as Set writes Max-Age.
		maxAge = max(int64(o.MaxAge/time.Second), 1)
	}
	signed := value + "." + strconv.FormatInt(s.now().Unix(), 36) + "." + strconv.FormatInt(maxAge, 36)
	sig := base64.RawURLEncoding.EncodeToString(mac(s.keys[0], name, signed))
	return Set(w, r, name, signed+"."+sig, o)
}

// Get returns the value of the signed cookie name. It returns ErrNoCookie
// when there is none, ErrInvalidSignature when the signature does not match
// under any key, and ErrExpired when the value is older than the MaxAge it
// was set with.
func (s *Signer) Get(r *http.Request, name string) (string, error) {
	raw, ok := Parse(r)[name]
	if !ok {
		return "", ErrNoCookie
	}
	signed, sig, ok := cutLast(raw)
	if !ok {
		return "", ErrInvalidSignature
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return "", ErrInvalidSignature
	}
	if !slices.ContainsFunc(s.keys, func(k []byte) bool { return hmac.Equal(got, mac(k, name, signed)) }) {
		return "", ErrInvalidSignature
	}
	rest, maxAgeField, ok1 := cutLast(signed)
	value, issuedField, ok2 := cutLast(rest)
	issued, err1 := strconv.ParseInt(issuedField, 36, 64)
	maxAge, err2 := strconv.ParseInt(maxAgeField, 36, 64)
	if !ok1 || !ok2 || err1 != nil || err2 != nil || maxAge < 1 {
		return "", ErrInvalidSignature // only a holder of the key could sign this
	}
	if age := s.now().Unix() - issued; age >= maxAge {
		return "", fmt.Errorf("%w: %s was signed %v ago with MaxAge %v; set it again", ErrExpired, strconv.Quote(name), time.Duration(age)*time.Second, time.Duration(maxAge)*time.Second)
	}
	return value, nil
}

// cutLast cuts s around its last '.'.
func cutLast(s string) (before, after string, found bool) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}
