package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const msgIfMatch = "Precondition Failed: If-Match does not match the current ETag"

// Two clients read the same task and both change it with the ETag they
// read: the first wins, the second's lost update is refused with 412 in
// the API's error format, and the task holds the first's change.
func TestTheSecondOfTwoEditorsOfTheSameVersionGets412(t *testing.T) {
	t.Parallel()
	s := startAPI(t, testConfig(t))
	task := s.create(aliceToken, `{"title":"Plan <the> launch & party"}`) // JSON that json.Marshal would escape
	path := fmt.Sprintf("/api/tasks/%d", task.ID)

	// Two clients of the loopback server, each with its own connections.
	first, second := s, s.otherClient()
	etag1 := first.do("GET", path, "", bearer(aliceToken)).want(t, http.StatusOK).header.Get("ETag")
	etag2 := second.do("GET", path, "", bearer(aliceToken)).want(t, http.StatusOK).header.Get("ETag")
	if etag1 == "" || etag1 != etag2 || strings.HasPrefix(etag1, "W/") {
		t.Fatalf("GET ETags %q and %q; want one strong ETag", etag1, etag2)
	}
	if want, _ := taskETag(task); etag1 != want {
		t.Fatalf("GET sent ETag %s; the handlers compute %s for the same task", etag1, want)
	}

	won := first.do("PATCH", path, `{"status":"doing"}`, bearer(aliceToken), header("If-Match", etag1)).want(t, http.StatusOK)
	if newTag := won.header.Get("ETag"); newTag == "" || newTag == etag1 {
		t.Errorf("the update answered ETag %q; want a new one", newTag)
	}
	lost := second.do("PATCH", path, `{"title":"Cancel the launch"}`, bearer(aliceToken), header("If-Match", etag2)).want(t, http.StatusPreconditionFailed)
	if msg := lost.errorMessage(t); msg != msgIfMatch {
		t.Errorf("412 says %q; want %q", msg, msgIfMatch)
	}

	got := decode[Task](t, s.do("GET", path, "", bearer(aliceToken)).want(t, http.StatusOK))
	if got != decode[Task](t, won) || got.Title != task.Title || got.Status != StatusDoing {
		t.Errorf("task is %+v; want the first update, %s", got, won.body)
	}
	// The second client reads again and retries with the current ETag.
	fresh := second.do("GET", path, "", bearer(aliceToken)).want(t, http.StatusOK).header.Get("ETag")
	second.do("PATCH", path, `{"title":"Cancel the launch"}`, bearer(aliceToken), header("If-Match", fresh)).want(t, http.StatusOK)
}

// Many clients PATCH the same version at once: the check runs inside the
// store's write transaction, so exactly one gets through.
func TestConcurrentWritesWithTheSameIfMatchLetOneThrough(t *testing.T) {
	t.Parallel()
	s := startAPI(t, testConfig(t))
	task := s.create(aliceToken, `{"title":"contended"}`)
	path := fmt.Sprintf("/api/tasks/%d", task.ID)
	etag := s.do("GET", path, "", bearer(aliceToken)).want(t, http.StatusOK).header.Get("ETag")

	const n = 20
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest("PATCH", s.srv.URL+path, strings.NewReader(fmt.Sprintf(`{"description":"writer %d"}`, i)))
			req.Header.Set("Authorization", "Bearer "+aliceToken)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("If-Match", etag)
			res, err := s.client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			statuses[i] = res.StatusCode
		})
	}
	wg.Wait()
	winner := -1
	for i, st := range statuses {
		switch {
		case st == http.StatusOK && winner < 0:
			winner = i
		case st != http.StatusPreconditionFailed:
			t.Errorf("writer %d: %d; want one 200 and 412 for the others (%v)", i, st, statuses)
		}
	}
	if winner < 0 {
		t.Fatalf("no writer got through: %v", statuses)
	}
	if got := decode[Task](t, s.do("GET", path, "", bearer(aliceToken)).want(t, http.StatusOK)); got.Description != fmt.Sprintf("writer %d", winner) {
		t.Errorf("description %q; want the winner's, writer %d", got.Description, winner)
	}
}

func TestWritesHonourTheirPreconditions(t *testing.T) {
	t.Parallel()
	s := startAPI(t, testConfig(t))
	task := s.create(aliceToken, `{"title":"guarded"}`)
	path := fmt.Sprintf("/api/tasks/%d", task.ID)
	bobs := s.create(bobToken, `{"title":"bob's"}`)
	bobPath := fmt.Sprintf("/api/tasks/%d", bobs.ID)
	etag := func() string {
		return s.do("GET", path, "", bearer(aliceToken)).want(t, http.StatusOK).header.Get("ETag")
	}
	stale := etag()
	s.do("PATCH", path, `{"status":"doing"}`, bearer(aliceToken)).want(t, http.StatusOK) // unconditional: still allowed
	before := etag()
	if before == stale {
		t.Fatal("the ETag did not change with the task")
	}

	cases := []struct {
		name         string
		method, path string
		body         string
		opts         []option
		status       int
		msg          string
	}{
		{"PUT with a stale If-Match", "PUT", path, `{"title":"x"}`, []option{header("If-Match", stale)}, 412, msgIfMatch},
		{"DELETE with a stale If-Match", "DELETE", path, "", []option{header("If-Match", stale)}, 412, msgIfMatch},
		{"an empty PATCH with a stale If-Match", "PATCH", path, `{}`, []option{header("If-Match", stale)}, 412, msgIfMatch},
		{"the weak form of the ETag", "PATCH", path, `{"status":"done"}`, []option{header("If-Match", "W/"+before)}, 412, msgIfMatch},
		{"an If-Match list without the ETag", "PATCH", path, `{"status":"done"}`, []option{header("If-Match", stale+`, "other"`)}, 412, msgIfMatch},
		{"an unquoted ETag", "PATCH", path, `{"status":"done"}`, []option{header("If-Match", strings.Trim(before, `"`))}, 412, "Precondition Failed: If-Match is neither * nor a list of entity tags"},
		{"If-None-Match * on a task that exists", "PUT", path, `{"title":"x"}`, []option{header("If-None-Match", "*")}, 412, "Precondition Failed: If-None-Match is * but the resource exists"},
		{"If-None-Match with the ETag", "DELETE", path, "", []option{header("If-None-Match", before)}, 412, "Precondition Failed: If-None-Match matches the current ETag"},
		// RFC 9110 §13.2.1: a request that would be a 404 without its
		// preconditions is a 404 with them.
		{"If-Match on a missing task", "PATCH", "/api/tasks/999999", `{"status":"done"}`, []option{header("If-Match", before)}, 404, "task not found"},
		{"If-Match * on a missing task", "DELETE", "/api/tasks/999999", "", []option{header("If-Match", "*")}, 404, "task not found"},
		{"If-Match on another user's task", "DELETE", bobPath, "", []option{header("If-Match", "*")}, 404, "task not found"},
		// A bad body is refused before the task is read.
		{"a bad body with a stale If-Match", "PATCH", path, `{"status":"later"}`, []option{header("If-Match", stale)}, 400, `invalid field "status"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := s.do(c.method, c.path, c.body, append([]option{bearer(aliceToken)}, c.opts...)...).want(t, c.status)
			if msg := res.errorMessage(t); msg != c.msg && !strings.Contains(msg, c.msg) {
				t.Errorf("error %q; want %q", msg, c.msg)
			}
		})
	}
	if now := etag(); now != before {
		t.Fatalf("a refused write changed the task: ETag %s, was %s", now, before)
	}
	s.do("GET", bobPath, "", bearer(bobToken)).want(t, http.StatusOK)

	// The passing forms.
	s.do("PATCH", path, `{}`, bearer(aliceToken), header("If-Match", before)).want(t, http.StatusOK)
	s.do("PATCH", path, `{"status":"done"}`, bearer(aliceToken), header("If-Match", `"other", `+before)).want(t, http.StatusOK)
	s.do("PUT", path, `{"title":"replaced"}`, bearer(aliceToken), header("If-Match", "*")).want(t, http.StatusOK)
	s.do("PATCH", path, `{"status":"doing"}`, bearer(aliceToken), header("If-None-Match", stale)).want(t, http.StatusOK)
	s.do("DELETE", path, "", bearer(aliceToken), header("If-Match", etag())).want(t, http.StatusNoContent)
	s.do("GET", path, "", bearer(aliceToken)).want(t, http.StatusNotFound)
}

// With -require-precondition, a write without If-Match is a 428; reads and
// creations are not conditional.
func TestRequirePreconditionRefusesBlindWritesWith428(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig([]string{"-require-precondition"}, func(string) string { return "" }, io.Discard)
	if err != nil || !cfg.RequirePrecondition {
		t.Fatalf("-require-precondition: %+v, %v", cfg, err)
	}
	cfg = testConfig(t)
	cfg.RequirePrecondition = true
	s := startAPI(t, cfg)
	task := s.create(aliceToken, `{"title":"strict"}`) // POST needs none
	path := fmt.Sprintf("/api/tasks/%d", task.ID)
	etag := s.do("GET", path, "", bearer(aliceToken)).want(t, http.StatusOK).header.Get("ETag")
	s.do("GET", "/api/tasks", "", bearer(aliceToken)).want(t, http.StatusOK)

	const msg = "Precondition Required: send If-Match with the current ETag"
	for _, c := range []struct{ method, body string }{{"PUT", `{"title":"x"}`}, {"PATCH", `{"status":"done"}`}, {"PATCH", `{}`}, {"DELETE", ""}} {
		if got := s.do(c.method, path, c.body, bearer(aliceToken)).want(t, http.StatusPreconditionRequired).errorMessage(t); got != msg {
			t.Errorf("%s without If-Match: %q; want %q", c.method, got, msg)
		}
	}
	// A missing task is still a 404.
	s.do("DELETE", "/api/tasks/999999", "", bearer(aliceToken)).want(t, http.StatusNotFound)
	s.do("PATCH", path, `{"status":"done"}`, bearer(aliceToken), header("If-Match", etag)).want(t, http.StatusOK)
	s.do("DELETE", path, "", bearer(aliceToken), header("If-Match", etag)).want(t, http.StatusPreconditionFailed)
}

// otherClient returns s with a client of its own, on connections of its own.
func (s *api) otherClient() *api {
	tr := &http.Transport{}
	s.t.Cleanup(tr.CloseIdleConnections)
	other := *s
	other.client = &http.Client{Transport: tr, Timeout: s.client.Timeout, CheckRedirect: s.client.CheckRedirect}
	return &other
}

// A precondition holds until the write commits: while writer A's check
// runs, writer B (a patch, a replace or a delete) waits for A's
// transaction, then checks the task A wrote. A check made before the
// transaction would let both through.
func TestAPreconditionHoldsUntilItsWriteCommits(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store, err := OpenStore(ctx, filepath.Join(t.TempDir(), "tasks.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := NewService(store)

	for _, op := range []string{"patch", "replace", "delete"} {
		t.Run(op, func(t *testing.T) {
			task, err := svc.Create(ctx, "alice", TaskInput{Title: "contended"})
			if err != nil {
				t.Fatal(err)
			}
			read, _ := taskETag(task)
			errStale := errors.New("stale")
			ifMatch := func(cur Task) error {
				if etag, _ := taskETag(cur); etag != read {
					return errStale
				}
				return nil
			}
			write := func(op, title string, pre Precondition) error {
				var err error
				switch op {
				case "patch":
					_, err = svc.Patch(ctx, "alice", task.ID, TaskPatch{Title: &title}, pre)
				case "replace":
					_, err = svc.Replace(ctx, "alice", task.ID, TaskInput{Title: title}, pre)
				default:
					err = svc.Delete(ctx, "alice", task.ID, pre)
				}
				return err
			}

			inside := make(chan struct{})
			errA := make(chan error, 1)
			go func() {
				errA <- write("patch", "A", func(cur Task) error {
					close(inside)
					time.Sleep(100 * time.Millisecond) // B starts meanwhile
					return ifMatch(cur)
				})
			}()
			<-inside
			errB := write(op, "B", ifMatch)
			if err := <-errA; err != nil {
				t.Fatalf("first writer: %v", err)
			}
			if !errors.Is(errB, errStale) {
				t.Fatalf("second writer: %v; want its precondition to fail", errB)
			}
			if got, err := svc.Get(ctx, "alice", task.ID); err != nil || got.Title != "A" {
				t.Errorf("task %+v, %v; want the first writer's", got, err)
			}
		})
	}
}
