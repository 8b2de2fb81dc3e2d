package cookies

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Errors of Signer.Get.
var (
	ErrNoCookie         = errors.New("cookies: no such cookie")
	ErrInvalidSignature = errors.New("cookies: invalid signature: the cookie was tampered with, truncated, or signed with a key no longer in use")
)

// Signer sets and reads cookies whose values are signed with HMAC-SHA256,
// so that a client can read them but not change them. The value is not
// encrypted: do not put secrets in it.
//
// The first key signs; every key verifies. To rotate, put the new key first
// and keep the old one until the cookies it signed have expired.
type Signer struct {
	keys [][]byte
}

// MinKeyLen is the shortest key Signed accepts: 32 bytes, the size of the
// HMAC-SHA256 output.
const MinKeyLen = 32

// Signed returns a Signer for keys. It panics, at start-up, without a key or
// with a key shorter than MinKeyLen bytes; see [NewSigner].
func Signed(keys ...[]byte) *Signer {
	s, err := NewSigner(keys...)
	if err != nil {
		panic(err)
	}
	return s
}

// NewSigner is [Signed] returning the error instead of panicking.
func NewSigner(keys ...[]byte) (*Signer, error) {
	if len(keys) == 0 {
		return nil, errors.New("cookies: Signed needs at least one key")
	}
	s := &Signer{}
	for i, k := range keys {
		if len(k) < MinKeyLen {
			return nil, fmt.Errorf("cookies: key %d is %d bytes; use at least %d random bytes (crypto/rand)", i, len(k), MinKeyLen)
		}
		s.keys = append(s.keys, append([]byte(nil), k...))
	}
	return s, nil
}

// mac signs name and value together, so that a signed value cannot be moved
// to a cookie of another name.
func mac(key []byte, name, value string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(name))
	h.Write([]byte{'='})
	h.Write([]byte(value))
	return h.Sum(nil)
}

// Set writes name=value with a signature, with the attributes of o (see
// [Set]).
func (s *Signer) Set(w http.ResponseWriter, r *http.Request, name, value string, o Options) error {
	sig := base64.RawURLEncoding.EncodeToString(mac(s.keys[0], name, value))
	return Set(w, r, name, value+"."+sig, o)
}

// Get returns the value of the signed cookie name, or ErrNoCookie, or
// ErrInvalidSignature when the signature does not match under any key.
func (s *Signer) Get(r *http.Request, name string) (string, error) {
	raw, ok := Parse(r)[name]
	if !ok {
		return "", ErrNoCookie
	}
	dot := strings.LastIndexByte(raw, '.')
	if dot < 0 {
		return "", ErrInvalidSignature
	}
	value, sig := raw[:dot], raw[dot+1:]
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return "", ErrInvalidSignature
	}
	for _, k := range s.keys {
		if hmac.Equal(got, mac(k, name, value)) {
			return value, nil
		}
	}
	return "", ErrInvalidSignature
}
