package cookies

import "time"

// SetClock makes s read the time from now, so that tests can age values.
func SetClock(s *Signer, now func() time.Time) { s.now = now }

// The limits of Parse, for the tests of package cookies_test.
const (
	MaxCookieBytes = maxCookieBytes
	MaxCookies     = maxCookies
)
