package reqid

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"
)

type otherKey struct{}

func TestFromReturnsTheIdThroughDerivedContexts(t *testing.T) {
	t.Parallel()
	base := context.WithValue(context.Background(), otherKey{}, "other")
	ctx, _ := With(base, "abc")
	derived, cancel := context.WithTimeout(context.WithValue(ctx, otherKey{}, "inner"), time.Hour)
	defer cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"no id", context.Background(), ""},
		{"another value only", base, ""},
		{"the id", ctx, "abc"},
		{"a context derived from it", derived, "abc"},
		{"an id over an id", first(With(ctx, "def")), "def"},
	} {
		if got := From(tc.ctx); got != tc.want {
			t.Errorf("%s: From = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := ctx.Value(otherKey{}); got != "other" {
		t.Errorf("the id's context hides its parent's values: got %v", got)
	}
}

func first(ctx context.Context, _ []string) context.Context { return ctx }

func TestTheHeaderValueIsACopy(t *testing.T) {
	t.Parallel()
	ctx, value := With(context.Background(), "abc")
	if len(value) != 1 || cap(value) != 1 || value[0] != "abc" {
		t.Fatalf("value %q (cap %d), want [abc] with no room to append into", value, cap(value))
	}
	value[0] = "changed"
	if got := From(ctx); got != "abc" {
		t.Errorf("changing the header's value changed the id to %q", got)
	}
}

func TestTheIdsContextKeepsItsParentsCancellation(t *testing.T) {
	t.Parallel()
	parent, cancel := context.WithCancelCause(context.Background())
	ctx, _ := With(parent, "abc")
	child, stop := context.WithCancel(ctx)
	defer stop()
	cause := context.DeadlineExceeded
	cancel(cause)
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling the parent did not reach a context derived from the id's")
	}
	if ctx.Err() == nil || context.Cause(child) != cause {
		t.Errorf("Err %v, Cause %v; want canceled, %v", ctx.Err(), context.Cause(child), cause)
	}
}

func TestWithAllocatesOnceAndFromNever(t *testing.T) {
	ctx := context.WithValue(context.Background(), otherKey{}, "x")
	var sink context.Context
	if n := testing.AllocsPerRun(100, func() { sink, _ = With(ctx, "abc") }); n != 1 {
		t.Errorf("With: %v allocations, want 1", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = From(sink) }); n != 0 {
		t.Errorf("From with an id: %v allocations, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = From(ctx) }); n != 0 {
		t.Errorf("From without an id: %v allocations, want 0", n)
	}
	attrs := make([]slog.Attr, 0, 4)
	if n := testing.AllocsPerRun(100, func() { _ = AppendAttr(sink, attrs) }); n != 0 {
		t.Errorf("AppendAttr: %v allocations, want 0", n)
	}
}

func TestAppendAttrAddsTheIdOnlyWhenThereIsOne(t *testing.T) {
	t.Parallel()
	attrs := []slog.Attr{slog.String("path", "/")}
	if got := AppendAttr(context.Background(), attrs); len(got) != 1 {
		t.Errorf("without an id: %v, want the path alone", got)
	}
	got := AppendAttr(first(With(context.Background(), "abc")), attrs)
	if len(got) != 2 || !got[1].Equal(slog.String("request_id", "abc")) {
		t.Errorf("with an id: %v, want path and request_id=abc", got)
	}
}

func TestInstanceIsTheIdWhereverItIsASafeSegment(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ id, want string }{
		{"NXNWQOU6JXVIKVOEJ34N7TDXOU", "NXNWQOU6JXVIKVOEJ34N7TDXOU"},                                                           // crypto/rand.Text
		{"f47ac10b-58cc-4372-a567-0e02b2c3d479", "f47ac10b-58cc-4372-a567-0e02b2c3d479"},                                       // UUID
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}, // traceparent
		{"8a1b2c3d4e5f6789-SJC", "8a1b2c3d4e5f6789-SJC"},                                                                       // Cloudflare's cf-ray
		{"dGVzdA+b=", "dGVzdA+b="}, // base64 without "/"
		{"a_b~c.d!$&'()*,;@", "a_b~c.d!$&'()*,;@"},
		{"a/b", "a%2Fb"},
		{"//evil.example/x", "%2F%2Fevil.example%2Fx"},
		{"javascript:alert(1)", "javascript%3Aalert(1)"},
		{"a?b#c", "a%3Fb%23c"},
		{"100%", "100%25"},
		{`"<>[\]^` + "`{|}", "%22%3C%3E%5B%5C%5D%5E%60%7B%7C%7D"},
		{".", "%2E"},
		{"..", "%2E%2E"},
		{"...", "..."},
	} {
		if got := Instance(tc.id); got != tc.want {
			t.Errorf("Instance(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestInstanceDoesNotAllocateForASafeId(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = Instance("f47ac10b-58cc-4372-a567-0e02b2c3d479") }); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
}

// FuzzInstance checks that any id of visible ASCII becomes a relative
// reference of one path segment that decodes back to the id.
func FuzzInstance(f *testing.F) {
	for _, s := range []string{"abc", "a/b", "..", ".", "//h/p", "x:y", "%zz", "?#", "a b", "\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		for i := 0; i < len(id); i++ {
			if id[i] < 0x21 || id[i] > 0x7e {
				return // requestid keeps nothing else
			}
		}
		if id == "" {
			return
		}
		inst := Instance(id)
		u, err := url.Parse(inst)
		if err != nil {
			t.Fatalf("Instance(%q) = %q: %v", id, inst, err)
		}
		if u.Scheme != "" || u.Host != "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
			t.Fatalf("Instance(%q) = %q is not a relative path: %#v", id, inst, u)
		}
		if strings.Contains(inst, "/") || inst == "." || inst == ".." {
			t.Fatalf("Instance(%q) = %q is not one segment", id, inst)
		}
		if u.Path != id {
			t.Fatalf("Instance(%q) = %q decodes to %q", id, inst, u.Path)
		}
		safe := !strings.ContainsAny(id, "\"#%/:<>?[\\]^`{|}") && id != "." && id != ".."
		if safe != (inst == id) {
			t.Fatalf("Instance(%q) = %q: encoded a safe id, or kept an unsafe one", id, inst)
		}
	})
}
