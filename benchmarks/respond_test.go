package benchmarks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	// Aliased: responselimit_test.go has a func respond.
	apirespond "github.com/apiroutes/apiroutes/respond"
)

// The respond benchmarks compare respond.JSON, Next's res.json, with what a
// handler does with encoding/json alone ("stdlib"), and with that handler
// also sending the headers respond sends, Content-Length and Next's ETag
// ("stdlib_etag", the floor for the same response). The ETag benchmarks
// compare Next's ETag, an FNV-1a over the body's UTF-16 code units, with
// hash/fnv's FNV-1a over its bytes ("stdlib"), which is the same hash for
// ASCII.

// Task is a typical API object: an id, text, a status, numbers, a flag,
// tags and a time. Some titles are not ASCII, so the ETag hashes UTF-16
// units beyond the ASCII fast path, as it would for real data.
type Task struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Status      string    `json:"status"`
	Priority    int       `json:"priority"`
	Done        bool      `json:"done"`
	Tags        []string  `json:"tags"`
	CreatedAt   time.Time `json:"createdAt"`
}

var (
	taskTitles = []string{
		"Relire le contrat de Zoë", "Fix the flaky login test", "Préparer la démo client",
		"Update the onboarding docs", "Migrate billing to the v2 API", "Réunion d'équipe — ordre du jour",
	}
	taskStatuses = []string{"todo", "in_progress", "review", "done"}
	taskTags     = [][]string{{"backend"}, {"frontend", "bug"}, {"docs"}, {"billing", "urgent", "q3"}}
)

func newTask(i int) Task {
	return Task{
		ID:          fmt.Sprintf("tsk_%08d", 1000+i),
		Title:       taskTitles[i%len(taskTitles)],
		Description: "Follow up with the team and close the loop before the end of the sprint.",
		Status:      taskStatuses[i%len(taskStatuses)],
		Priority:    1 + i%3,
		Done:        i%4 == 3,
		Tags:        taskTags[i%len(taskTags)],
		CreatedAt:   time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC).Add(time.Duration(i) * time.Hour),
	}
}

func newTasks(n int) []Task {
	tasks := make([]Task, n)
	for i := range tasks {
		tasks[i] = newTask(i)
	}
	return tasks
}

// jsonType is the Content-Type of a JSON answer, as respond sends it.
const jsonType = "application/json; charset=utf-8"

type respondCase struct {
	name  string
	value any    // a Task, or 100 of them
	body  []byte // its JSON, without the encoder's newline
}

var respondCases = sync.OnceValue(func() []respondCase {
	var cases []respondCase
	for _, v := range []any{newTask(0), newTasks(100)} {
		n := 1
		if tasks, ok := v.([]Task); ok {
			n = len(tasks)
		}
		// No value holds <, > or &, so json.Marshal's HTML escaping, which
		// respond leaves out as JSON.stringify does, changes nothing.
		cases = append(cases, respondCase{name: strconv.Itoa(n), value: v, body: marshal(v)})
	}
	return cases
})

// respondImpls are the three sides, in the order they run; stdlib, the
// first baseline, is run.sh's default one. The handlers answer 200 to a
// GET without If-None-Match.
var respondImpls = []struct {
	name string
	// newline reports whether the body ends with the encoder's newline;
	// etag whether an ETag and a Content-Length are sent.
	newline, etag bool
	handler       func(tb testing.TB, v any) http.Handler
}{
	{"apiroutes", false, true, func(tb testing.TB, v any) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := apirespond.JSON(w, r, http.StatusOK, v); err != nil {
				tb.Fatalf("apiroutes: %v", err)
			}
		})
	}},
	{"stdlib", true, false, func(tb testing.TB, v any) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", jsonType)
			if err := json.NewEncoder(w).Encode(v); err != nil {
				tb.Fatalf("stdlib: %v", err)
			}
		})
	}},
	{"stdlib_etag", false, true, func(tb testing.TB, v any) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			b, err := json.Marshal(v)
			if err != nil {
				tb.Fatalf("stdlib_etag: %v", err)
			}
			h := w.Header()
			h.Set("Content-Type", jsonType)
			h.Set("Etag", apirespond.ETag(b))
			h.Set("Content-Length", strconv.Itoa(len(b)))
			w.Write(b)
		})
	}},
}

func BenchmarkRespondJSON(b *testing.B) {
	for _, c := range respondCases() {
		b.Run("size="+c.name, func(b *testing.B) {
			for _, impl := range respondImpls {
				b.Run(impl.name, func(b *testing.B) {
					h := impl.handler(b, c.value)
					f := newResponseFixture()
					b.ReportAllocs()
					for b.Loop() {
						f.serve(h, nil)
					}
					// The last answer was the whole body, a 200 with the
					// JSON type and, where sent, the body's ETag.
					n, etag := len(c.body), ""
					if impl.newline {
						n++
					}
					if impl.etag {
						etag = apirespond.ETag(c.body)
					}
					hd := f.w.header
					if f.w.status != http.StatusOK || f.w.written != int64(n) || hd.Get("Content-Type") != jsonType || hd.Get("Etag") != etag {
						b.Fatalf("status %d, %d bytes, Content-Type %q, ETag %q; want 200, %d bytes, %q, %q",
							f.w.status, f.w.written, hd.Get("Content-Type"), hd.Get("Etag"), n, jsonType, etag)
					}
				})
			}
		})
	}
}

// TestRespondJSONBaselinesAgree makes the comparison fair: the three sides
// send the same JSON (the encoder's with its newline) with the same
// Content-Type, and ours and stdlib_etag the same ETag and Content-Length.
func TestRespondJSONBaselinesAgree(t *testing.T) {
	for _, c := range respondCases() {
		t.Logf("size=%s: %d bytes", c.name, len(c.body))
		for _, impl := range respondImpls {
			t.Run("size="+c.name+"/"+impl.name, func(t *testing.T) {
				rec := httptest.NewRecorder()
				impl.handler(t, c.value).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/tasks", nil))
				want, etag, length := c.body, "", ""
				if impl.newline {
					want = append(bytes.Clone(want), '\n')
				}
				if impl.etag {
					etag, length = apirespond.ETag(c.body), strconv.Itoa(len(c.body))
				}
				h := rec.Result().Header
				if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), want) {
					t.Errorf("status %d, body\n\t%s\nwant 200,\n\t%s", rec.Code, rec.Body.Bytes(), want)
				}
				if h.Get("Content-Type") != jsonType || h.Get("Etag") != etag || h.Get("Content-Length") != length {
					t.Errorf("Content-Type %q, ETag %q, Content-Length %q; want %q, %q, %q",
						h.Get("Content-Type"), h.Get("Etag"), h.Get("Content-Length"), jsonType, etag, length)
				}
			})
		}
	}
}

// fnvTag is the ETag baseline: hash/fnv's 64-bit FNV-1a over the bytes,
// folded to 52 bits and written as Next writes its tag, with the byte
// length. For an ASCII body, where each byte is one UTF-16 unit, it is
// Next's ETag; for any other, the same work without the UTF-16 decoding.
func fnvTag(b []byte) string {
	h := fnv.New64a()
	h.Write(b)
	v := h.Sum64()
	v = v&0x000fffffffff0000 | (v&0xffff ^ v>>52)
	tag := make([]byte, 0, 2+11+13)
	tag = append(tag, '"')
	tag = strconv.AppendUint(tag, v, 36)
	tag = strconv.AppendInt(tag, int64(len(b)), 36)
	return string(append(tag, '"'))
}

type etagCase struct {
	name string
	body []byte
}

// etagCases are JSON bodies (a list of tasks, cut) of exactly 1 KiB and
// 64 KiB, valid UTF-8, some titles not ASCII.
var etagCases = sync.OnceValue(func() []etagCase {
	var cases []etagCase
	for _, c := range []struct {
		name string
		size int
	}{{"1KiB", 1 << 10}, {"64KiB", 64 << 10}} {
		all := marshal(newTasks(c.size/128 + 1)) // a task is over 128 bytes
		b := bytes.Clone(all[:c.size])
		for i := len(b) - 1; !utf8.Valid(b); i-- {
			b[i] = ' ' // the cut split a character
		}
		cases = append(cases, etagCase{c.name, b})
	}
	return cases
})

// utf16Len is the body's length in UTF-16 code units, JavaScript's length.
func utf16Len(b []byte) int {
	return len(utf16.Encode([]rune(string(b))))
}

func BenchmarkETag(b *testing.B) {
	for _, c := range etagCases() {
		b.Run("size="+c.name, func(b *testing.B) {
			for _, impl := range []struct {
				name   string
				tag    func([]byte) string
				length int // what the tag ends with
			}{
				{"apiroutes", apirespond.ETag, utf16Len(c.body)},
				{"stdlib", fnvTag, len(c.body)},
			} {
				b.Run(impl.name, func(b *testing.B) {
					b.ReportAllocs()
					b.SetBytes(int64(len(c.body)))
					var tag string
					for b.Loop() {
						tag = impl.tag(c.body)
					}
					// The whole body was hashed: the tag ends with its
					// length (UTF-16 units for ours).
					if suffix := strconv.FormatInt(int64(impl.length), 36) + `"`; len(tag) < 2+len(suffix) || tag[0] != '"' || !strings.HasSuffix(tag, suffix) {
						b.Fatalf("tag %s, want one ending with the length %d: %s", tag, impl.length, suffix)
					}
				})
			}
		})
	}
}

// TestETagBaselinesAgree makes the comparison fair: on ASCII, where a
// byte is a UTF-16 unit, both sides compute the same tag (Next's), and on
// the benchmark bodies they hash the same bytes to tags of the same form.
func TestETagBaselinesAgree(t *testing.T) {
	for _, body := range [][]byte{[]byte("hello"), textPayload(), marshal(newTasks(3)[1])} {
		if got, want := fnvTag(body), apirespond.ETag(body); got != want {
			t.Errorf("%.20q…: stdlib %s, apiroutes %s", body, got, want)
		}
	}
	if got := fnvTag([]byte("hello")); got != `"2caikvdqo85"` {
		t.Errorf(`stdlib ETag of "hello" is %s, want "2caikvdqo85" (Next's)`, got)
	}
	for _, c := range etagCases() {
		units := utf16Len(c.body)
		t.Logf("size=%s: %d bytes, %d UTF-16 units", c.name, len(c.body), units)
		if units == len(c.body) {
			t.Errorf("size=%s: the body is ASCII; it should exercise ours beyond the ASCII fast path", c.name)
		}
	}
}
