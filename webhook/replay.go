package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/apiroutes/apiroutes/apierror"
)

// Replay remembers events by id, so that an event is handled once however
// often it is delivered: senders deliver an event again when they got no
// 2xx in time (Stripe and Svix retry for days), and whoever captured a
// delivery can send it again within the timestamp tolerance.
//
// With a Replay set, once a delivery's signature has verified (never
// before: forged requests would fill it), the middleware claims its event
// id (see [Scheme] for where each one is):
//
//   - claimed: the handler runs. A 2xx answer marks the event handled;
//     anything else, or a panic, releases it, so that the sender's retry
//     runs the handler again and no event is lost.
//   - already handled: 200 with an empty body, and the handler does not
//     run. A refusal would only make the sender retry an event that was
//     handled, for days, as if the endpoint were failing.
//   - in flight (another delivery of the event is being handled): 409
//     Conflict. The sender retries later, and gets the outcome of the
//     first delivery then.
//
// An event id longer than 256 bytes, or a missing one, is a 400.
//
// Implementations must be safe for concurrent use. [NewMemoryReplay] keeps
// ids in memory; servers that share the work implement the two methods
// over a shared store (in Redis: SET id claimed NX EX ttl, then SET or
// DEL). When Claim fails, the delivery is answered 503 and the handler does
// not run: the sender retries later. An error from Done is logged at Error
// level with Config.Errors' logger.
type Replay interface {
	// Claim claims id for the delivery about to be handled. When it
	// cannot, handled reports whether the event has been handled (else a
	// delivery of it is in flight).
	Claim(ctx context.Context, id string) (claimed, handled bool, err error)
	// Done ends a claim: handled keeps id as handled, else id is forgotten.
	Done(ctx context.Context, id string, handled bool) error
}

var (
	errInFlight   = apierror.Conflict("Another delivery of this event is being handled; retry later")
	errReplay     = apierror.New(http.StatusServiceUnavailable, "Webhook deliveries cannot be checked for duplicates right now; retry later")
	errNoDelivery = apierror.BadRequest("Missing X-GitHub-Delivery header: the event has no id")
	errNoEventID  = apierror.BadRequest(`Stripe event has no id: want a JSON object with a string "id"`)
	errLongID     = apierror.BadRequest("Event id is longer than " + strconv.Itoa(maxID) + " bytes")
)

// eventID returns the id of the delivery's event: X-GitHub-Delivery,
// webhook-id (read with the signature), or the Stripe event's "id".
func (h *handler) eventID(r *http.Request, id string, body []byte) (string, *apierror.Error) {
	switch h.scheme {
	case GitHub:
		if vs := r.Header["X-Github-Delivery"]; len(vs) > 0 {
			id = vs[0]
		}
		if id == "" {
			return "", errNoDelivery
		}
	case Stripe:
		var ok bool
		if id, ok = stripeEventID(body); !ok || id == "" {
			return "", errNoEventID
		}
	}
	if len(id) > maxID {
		return "", errLongID
	}
	// One Replay may serve several endpoints: an id is the scheme's, so
	// that GitHub's unsigned X-GitHub-Delivery cannot take a Stripe
	// event's id.
	return idPrefix[h.scheme] + id, nil
}

var idPrefix = [...]string{GitHub: "github:", Stripe: "stripe:", StandardWebhooks: "standardwebhooks:"}

// stripeEventID returns the "id" member of the JSON object body. Stripe
// writes it first, so the rest is rarely read.
func stripeEventID(body []byte) (string, bool) {
	d := json.NewDecoder(bytes.NewReader(body))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return "", false
	}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return "", false
		}
		if t == "id" {
			t, err = d.Token()
			id, ok := t.(string)
			return id, err == nil && ok
		}
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return "", false
		}
	}
	return "", false
}

// NewMemoryReplay returns a [Replay] that remembers up to capacity event
// ids in memory, for one server. Claim and Done take constant time; a
// released claim frees its place, and when all are taken, the event
// handled longest ago is forgotten. An event in flight is never forgotten:
// when every place is in flight, Claim fails and the delivery gets 503.
// Each id costs its length plus about 100 bytes.
//
// Deliveries outside the timestamp tolerance are refused anyway: for Stripe
// and Standard Webhooks, a capacity that holds the events of one tolerance
// (5 minutes by default) at the busiest is enough to refuse every replay.
// GitHub signs no time, so its ids are remembered for as long as the
// capacity lasts. NewMemoryReplay panics if capacity is less than 1.
func NewMemoryReplay(capacity int) Replay {
	if capacity < 1 {
		panic(fmt.Errorf("webhook: NewMemoryReplay(%d): the capacity must be at least 1", capacity))
	}
	m := &memoryReplay{ids: make(map[string]int, min(capacity, 1024)), slots: make([]slot, capacity), head: -1, tail: -1}
	for i := range m.slots {
		m.slots[i].next = i + 1 // all free
	}
	m.slots[capacity-1].next = -1
	return m
}

// memoryReplay is a map from ids to slots. Handled slots are linked in the
// order they were handled (head is the oldest, the one forgotten when the
// store is full); slots in flight are in no list and never forgotten, so
// that a flood of new events cannot make a running one's retry run it
// again; free slots are in the free list.
type memoryReplay struct {
	mu         sync.Mutex
	ids        map[string]int
	slots      []slot
	head, tail int // -1: none
	free       int // the first free slot, -1: none
}

type slot struct {
	id         string
	prev, next int
	handled    bool
}

func (m *memoryReplay) Claim(_ context.Context, id string) (claimed, handled bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i, ok := m.ids[id]; ok {
		return false, m.slots[i].handled, nil
	}
	i := m.free
	switch {
	case i >= 0:
		m.free = m.slots[i].next
	case m.head >= 0: // full: forget the event handled longest ago
		i = m.head
		m.unlink(i)
		delete(m.ids, m.slots[i].id)
	default:
		return false, false, errReplayFull
	}
	id = strings.Clone(id) // keep nothing of the request
	m.slots[i] = slot{id: id, prev: -1, next: -1}
	m.ids[id] = i
	return true, false, nil
}

// errReplayFull is Claim's error when every slot is in flight.
var errReplayFull = errors.New("webhook: every id of the memory Replay is in flight: raise its capacity")

func (m *memoryReplay) Done(_ context.Context, id string, handled bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.ids[id]
	switch {
	case !ok || m.slots[i].handled: // not claimed
	case handled:
		m.slots[i].handled = true
		m.slots[i].prev = m.tail
		if m.tail >= 0 {
			m.slots[m.tail].next = i
		} else {
			m.head = i
		}
		m.tail = i
	default:
		delete(m.ids, id)
		m.slots[i] = slot{next: m.free}
		m.free = i
	}
	return nil
}

func (m *memoryReplay) unlink(i int) {
	p, n := m.slots[i].prev, m.slots[i].next
	if p >= 0 {
		m.slots[p].next = n
	} else {
		m.head = n
	}
	if n >= 0 {
		m.slots[n].prev = p
	} else {
		m.tail = p
	}
}
