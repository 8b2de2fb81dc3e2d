package cookies

import "time"

// SetClock makes s read the time from now, so that tests can age values.
func SetClock(s *Signer, now func() time.Time) { s.now = now }
