package cookies_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/cookies"
)

// signAt sets name=value with a Signer for keys whose clock reads at, and
// returns the cookie's value as the browser sends it back, decoded.
func signAt(t *testing.T, at time.Time, keys [][]byte, name, value string, o cookies.Options) string {
	t.Helper()
	s := cookies.Signed(keys...)
	cookies.SetClock(s, func() time.Time { return at })
	rec := httptest.NewRecorder()
	if err := s.Set(rec, nil, name, value, o); err != nil {
		t.Fatal(err)
	}
	pair, _, _ := strings.Cut(rec.Header().Get("Set-Cookie"), ";")
	raw, err := url.PathUnescape(strings.TrimPrefix(pair, name+"="))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// getAt reads the signed cookie name=raw with a Signer for keys whose clock
// reads at.
func getAt(at time.Time, keys [][]byte, name, raw string) (string, error) {
	s := cookies.Signed(keys...)
	cookies.SetClock(s, func() time.Time { return at })
	return s.Get(withCookies(name+"="+url.PathEscape(raw)), name)
}

func TestSignedValuesExpireOnTheServer(t *testing.T) {
	t.Parallel()
	oldKey, newKey := randomKey(t), randomKey(t)
	issued := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name     string
		maxAge   time.Duration // Options.MaxAge of Set
		age      time.Duration // how long after Set the value is read
		readKeys [][]byte      // the reading Signer's keys; nil: the signing key
		want     error         // nil: the value verifies
	}{
		{"a fresh value verifies", time.Hour, 0, nil, nil},
		{"a value a second short of its MaxAge verifies", time.Hour, time.Hour - time.Second, nil, nil},
		{"a value as old as its MaxAge is refused", time.Hour, time.Hour, nil, cookies.ErrExpired},
		{"a value past its MaxAge is refused", time.Hour, 30 * 24 * time.Hour, nil, cookies.ErrExpired},
		{"a MaxAge under a second lasts one second, as Max-Age does", time.Millisecond, time.Second, nil, cookies.ErrExpired},
		{"a session cookie verifies for a day", 0, 24*time.Hour - time.Second, nil, nil},
		{"a session cookie is refused after a day", 0, 24 * time.Hour, nil, cookies.ErrExpired},
		{"a negative MaxAge is a session cookie", -time.Hour, 2 * time.Hour, nil, nil},
		{"a value signed with a rotated key verifies with its time", time.Hour, 30 * time.Minute, [][]byte{newKey, oldKey}, nil},
		{"a value signed with a rotated key expires all the same", time.Hour, 2 * time.Hour, [][]byte{newKey, oldKey}, cookies.ErrExpired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			raw := signAt(t, issued, [][]byte{oldKey}, "user", "ada.lovelace", cookies.Options{MaxAge: c.maxAge})
			keys := c.readKeys
			if keys == nil {
				keys = [][]byte{oldKey}
			}
			got, err := getAt(issued.Add(c.age), keys, "user", raw)
			if c.want == nil {
				if err != nil || got != "ada.lovelace" {
					t.Fatalf("Get = %q, %v; want the value", got, err)
				}
				return
			}
			if !errors.Is(err, c.want) || got != "" {
				t.Fatalf("Get = %q, %v; want %v", got, err, c.want)
			}
			// Callers that only know ErrNoCookie treat an expired value as
			// no cookie, which is what a browser honouring Max-Age sends.
			if !errors.Is(err, cookies.ErrNoCookie) || errors.Is(err, cookies.ErrInvalidSignature) {
				t.Errorf("%v: want errors.Is ErrNoCookie, not ErrInvalidSignature", err)
			}
		})
	}
}

func TestSignedRefusesTamperedTimes(t *testing.T) {
	t.Parallel()
	key := randomKey(t)
	issued := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	raw := signAt(t, issued, [][]byte{key}, "user", "ada", cookies.Options{MaxAge: time.Hour})
	// raw is "ada.<issued>.<max age>.<signature>".
	f := strings.Split(raw, ".")
	if len(f) != 4 || f[0] != "ada" {
		t.Fatalf("signed value %q: want value, issue time, max age and signature", raw)
	}
	value, iss, maxAge, sig := f[0], f[1], f[2], f[3]
	b36 := func(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 36) }
	later := strconv.FormatInt(issued.Add(24*time.Hour).Unix(), 36)

	// A value without a time, validly signed as before issue times were.
	old := hmac.New(sha256.New, key)
	old.Write([]byte("user=ada"))
	oldFormat := "ada." + base64.RawURLEncoding.EncodeToString(old.Sum(nil))

	cases := []struct {
		name, raw string
		want      error // nil: the value verifies
	}{
		{"untouched", raw, nil},
		{"issue time moved later", strings.Join([]string{value, later, maxAge, sig}, "."), cookies.ErrInvalidSignature},
		{"max age raised", strings.Join([]string{value, iss, b36(10 * 365 * 24 * time.Hour), sig}, "."), cookies.ErrInvalidSignature},
		{"issue time and max age swapped", strings.Join([]string{value, maxAge, iss, sig}, "."), cookies.ErrInvalidSignature},
		{"time removed", value + "." + sig, cookies.ErrInvalidSignature},
		{"max age removed", strings.Join([]string{value, iss, sig}, "."), cookies.ErrInvalidSignature},
		{"the format without a time", oldFormat, cookies.ErrInvalidSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// Read a minute later: the untampered value is fresh.
			got, err := getAt(issued.Add(time.Minute), [][]byte{key}, "user", c.raw)
			if c.want == nil {
				if err != nil || got != "ada" {
					t.Fatalf("Get(%q) = %q, %v; want the value", c.raw, got, err)
				}
				return
			}
			if !errors.Is(err, c.want) || got != "" {
				t.Fatalf("Get(%q) = %q, %v; want %v", c.raw, got, err, c.want)
			}
		})
	}
}
