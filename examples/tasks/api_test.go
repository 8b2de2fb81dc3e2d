package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCRUDFlow(t *testing.T) {
	t.Parallel()
	s := startAPI(t, testConfig(t))

	// create
	res := s.do("POST", "/api/tasks", `{"title":"  Write tests  ","description":"all of them","status":"doing"}`, bearer(aliceToken)).want(t, http.StatusCreated)
	created := decode[Task](t, res)
	if created.ID < 1 || created.Title != "Write tests" || created.Description != "all of them" || created.Status != StatusDoing {
		t.Fatalf("created %+v", created)
	}
	if created.CreatedAt.IsZero() || !created.UpdatedAt.Equal(created.CreatedAt) {
		t.Errorf("timestamps %v %v", created.CreatedAt, created.UpdatedAt)
	}
	loc := res.header.Get("Location")
	if want := fmt.Sprintf("/api/tasks/%d", created.ID); loc != want {
		t.Fatalf("Location %q, want %q", loc, want)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}

	// a status left out is "todo"
	if other := s.create(aliceToken, `{"title":"Second"}`); other.Status != StatusTodo || other.Description != "" {
		t.Errorf("defaults: %+v", other)
	}

	// list
	list := decode[listResponse](t, s.do("GET", "/api/tasks", "", bearer(aliceToken)).want(t, http.StatusOK))
	if len(list.Tasks) != 2 || list.Tasks[1] != created || list.NextCursor != "" {
		t.Fatalf("list %+v", list)
	}

	// get, through the Location
	if got := decode[Task](t, s.do("GET", loc, "", bearer(aliceToken)).want(t, http.StatusOK)); got != created {
		t.Fatalf("get %+v, want %+v", got, created)
	}

	// put replaces everything: the description and status left out are reset
	time.Sleep(2 * time.Millisecond) // let updated_at move
	put := decode[Task](t, s.do("PUT", loc, `{"title":"Replaced"}`, bearer(aliceToken)).want(t, http.StatusOK))
	if put.ID != created.ID || put.Title != "Replaced" || put.Description != "" || put.Status != StatusTodo {
		t.Fatalf("put %+v", put)
	}
	if !put.CreatedAt.Equal(created.CreatedAt) || !put.UpdatedAt.After(created.UpdatedAt) {
		t.Errorf("put timestamps: created %v→%v, updated %v→%v", created.CreatedAt, put.CreatedAt, created.UpdatedAt, put.UpdatedAt)
	}

	// patch changes only what it names
	patched := decode[Task](t, s.do("PATCH", loc, `{"status":"done","description":"again"}`, bearer(aliceToken)).want(t, http.StatusOK))
	if patched.Title != "Replaced" || patched.Status != StatusDone || patched.Description != "again" {
		t.Fatalf("patch %+v", patched)
	}
	// null clears the description; an empty patch changes nothing
	patched = decode[Task](t, s.do("PATCH", loc, `{"description":null}`, bearer(aliceToken)).want(t, http.StatusOK))
	if patched.Description != "" || patched.Status != StatusDone || patched.Title != "Replaced" {
		t.Fatalf("patch null %+v", patched)
	}
	if same := decode[Task](t, s.do("PATCH", loc, `{}`, bearer(aliceToken)).want(t, http.StatusOK)); same != patched {
		t.Fatalf("empty patch %+v, want %+v", same, patched)
	}
	if got := decode[Task](t, s.do("GET", loc, "", bearer(aliceToken)).want(t, http.StatusOK)); got != patched {
		t.Fatalf("after patches %+v, want %+v", got, patched)
	}

	// delete
	del := s.do("DELETE", loc, "", bearer(aliceToken)).want(t, http.StatusNoContent)
	if len(del.body) != 0 || del.header.Get("Content-Type") != "" {
		t.Errorf("204 with body %q, Content-Type %q", del.body, del.header.Get("Content-Type"))
	}
	for _, m := range []string{"GET", "DELETE", "PUT", "PATCH"} {
		body := ""
		if m == "PUT" || m == "PATCH" {
			body = `{"title":"ghost"}`
		}
		if msg := s.do(m, loc, body, bearer(aliceToken)).want(t, http.StatusNotFound).errorMessage(t); msg != "task not found" {
			t.Errorf("%s after delete: %q", m, msg)
		}
	}

	// Methods: 405 with Allow; OPTIONS answers Allow
	res = s.do("POST", loc, `{"title":"x"}`, bearer(aliceToken)).want(t, http.StatusMethodNotAllowed)
	if allow := res.header.Get("Allow"); allow != "DELETE, GET, HEAD, OPTIONS, PATCH, PUT" {
		t.Errorf("Allow %q", allow)
	}
	if allow := s.do("OPTIONS", "/api/tasks", "", bearer(aliceToken)).want(t, http.StatusNoContent).header.Get("Allow"); allow != "GET, HEAD, OPTIONS, POST" {
		t.Errorf("OPTIONS Allow %q", allow)
	}
}

func TestUsersSeeOnlyTheirOwnTasks(t *testing.T) {
	t.Parallel()
	s := startAPI(t, testConfig(t))

	bobs := s.create(bobToken, `{"title":"Bob's secret","description":"private"}`)
	alices := s.create(aliceToken, `{"title":"Alice's"}`)
	path := fmt.Sprintf("/api/tasks/%d", bobs.ID)

	// Alice gets exactly the answer of a task that does not exist.
	missing := s.do("GET", "/api/tasks/999999", "", bearer(aliceToken)).want(t, http.StatusNotFound)
	for _, c := range []struct{ method, body string }{
		{"GET", ""}, {"PUT", `{"title":"mine now"}`}, {"PATCH", `{"status":"done"}`}, {"DELETE", ""},
	} {
		res := s.do(c.method, path, c.body, bearer(aliceToken)).want(t, http.StatusNotFound)
		if string(res.body) != string(missing.body) {
			t.Errorf("alice %s bob's task: %s, want the not-found answer %s", c.method, res.body, missing.body)
		}
	}

	for _, c := range []struct {
		token string
		want  Task
	}{{aliceToken, alices}, {bobToken, bobs}} {
		list := decode[listResponse](t, s.do("GET", "/api/tasks", "", bearer(c.token)).want(t, http.StatusOK))
		if len(list.Tasks) != 1 || list.Tasks[0] != c.want {
			t.Errorf("list: %+v, want only %+v", list.Tasks, c.want)
		}
	}
	// Bob's task came through untouched.
	if got := decode[Task](t, s.do("GET", path, "", bearer(bobToken)).want(t, http.StatusOK)); got != bobs {
		t.Errorf("bob's task became %+v", got)
	}
}

func TestDataSurvivesARestart(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	s := startAPI(t, cfg)
	first := s.create(aliceToken, `{"title":"Persist me","status":"doing"}`)
	second := s.create(aliceToken, `{"title":"Me too"}`)
	s.do("DELETE", fmt.Sprintf("/api/tasks/%d", second.ID), "", bearer(aliceToken)).want(t, http.StatusNoContent)
	s.stop()

	// A clean close folds the WAL back into the database file.
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(cfg.DBPath + suffix); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left after Close: %v", suffix, err)
		}
	}

	s = startAPI(t, cfg)
	if got := decode[Task](t, s.do("GET", fmt.Sprintf("/api/tasks/%d", first.ID), "", bearer(aliceToken)).want(t, http.StatusOK)); got != first {
		t.Errorf("after restart %+v, want %+v", got, first)
	}
	list := decode[listResponse](t, s.do("GET", "/api/tasks", "", bearer(aliceToken)).want(t, http.StatusOK))
	if len(list.Tasks) != 1 || list.Tasks[0] != first {
		t.Errorf("after restart the list is %+v", list.Tasks)
	}
	// IDs are never reused, not even the deleted one's.
	if third := s.create(aliceToken, `{"title":"New"}`); third.ID != second.ID+1 {
		t.Errorf("new ID %d after %d", third.ID, second.ID)
	}
}

func TestDatabaseSetUp(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	s := startAPI(t, cfg)
	s.stop()

	db, err := sql.Open("sqlite", cfg.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version int
	var mode string
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if version != schemaVersion || mode != "wal" {
		t.Errorf("user_version %d, journal_mode %q; want %d, wal", version, mode, schemaVersion)
	}

	// A database from a newer build is refused, not silently used.
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if a, err := newApp(cfg); err == nil {
		a.Close()
		t.Fatal("newApp accepted a database with a newer schema")
	} else if !strings.Contains(err.Error(), "newer") {
		t.Errorf("error %q does not say the schema is newer", err)
	}

	// A path with characters that mean something in a URI works.
	cfg.DBPath = t.TempDir() + "/new folder/odd?name#1%.db"
	other := startAPI(t, cfg)
	other.create(aliceToken, `{"title":"x"}`)
	other.stop()
	if fi, err := os.Stat(cfg.DBPath); err != nil {
		t.Errorf("database not at %q: %v", cfg.DBPath, err)
	} else if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("database file mode %v, want 0600", perm)
	}
}

func TestRequestErrors(t *testing.T) {
	t.Parallel()
	s := startAPI(t, testConfig(t))
	task := s.create(aliceToken, `{"title":"target"}`)
	path := fmt.Sprintf("/api/tasks/%d", task.ID)
	long := strings.Repeat("é", maxTitleLen+1) // characters, not bytes

	cases := []struct {
		name         string
		method, path string
		body         string
		opts         []option
		status       int
		contains     string // in the error message
	}{
		{"oversized body", "POST", "/api/tasks", `{"title":"` + strings.Repeat("a", 17<<10) + `"}`, nil, 413, "Body exceeded 16kb limit"},
		{"invalid JSON", "POST", "/api/tasks", `{"title":`, nil, 400, "Invalid JSON"},
		{"not JSON at all", "PUT", path, `title=x`, nil, 400, "Invalid JSON"},
		{"unknown field", "POST", "/api/tasks", `{"title":"x","titel":"y"}`, nil, 400, `unknown field "titel"`},
		{"unknown field in patch", "PATCH", path, `{"owner":"bob"}`, nil, 400, `unknown field "owner"`},
		{"wrong type", "POST", "/api/tasks", `{"title":42}`, nil, 400, `field "title" must be a string`},
		{"wrong type in patch", "PATCH", path, `{"status":true}`, nil, 400, `field "status" must be a string`},
		{"no title", "POST", "/api/tasks", `{"description":"x"}`, nil, 400, `invalid field "title": is required`},
		{"blank title", "POST", "/api/tasks", `{"title":"   "}`, nil, 400, `invalid field "title": is required`},
		{"empty body", "POST", "/api/tasks", ``, []option{header("Content-Type", "application/json")}, 400, `invalid field "title": is required`},
		{"title too long", "POST", "/api/tasks", `{"title":"` + long + `"}`, nil, 400, `invalid field "title": must be at most 200 characters, got 201`},
		{"title on two lines", "POST", "/api/tasks", `{"title":"a\nb"}`, nil, 400, `invalid field "title"`},
		{"description too long", "POST", "/api/tasks", `{"title":"x","description":"` + strings.Repeat("d", maxDescriptionLen+1) + `"}`, nil, 400, `invalid field "description"`},
		{"bad status", "POST", "/api/tasks", `{"title":"x","status":"later"}`, nil, 400, `invalid field "status": must be one of "todo", "doing", "done"`},
		{"empty status", "POST", "/api/tasks", `{"title":"x","status":""}`, nil, 400, `invalid field "status"`},
		{"null status", "PUT", path, `{"title":"x","status":null}`, nil, 400, `invalid field "status"`},
		{"put without title", "PUT", path, `{"status":"done"}`, nil, 400, `invalid field "title": is required`},
		{"patch null title", "PATCH", path, `{"title":null}`, nil, 400, `invalid field "title": cannot be null`},
		{"patch bad status", "PATCH", path, `{"status":"DONE"}`, nil, 400, `invalid field "status"`},
		{"text/plain", "POST", "/api/tasks", `{"title":"x"}`, []option{header("Content-Type", "text/plain")}, 415, "Content-Type must be application/json or application/*+json"},
		{"form", "PATCH", path, `title=x`, []option{header("Content-Type", "application/x-www-form-urlencoded")}, 415, "Content-Type must be application/json or application/*+json"},
		{"limit 0", "GET", "/api/tasks?limit=0", ``, nil, 400, `invalid query parameter "limit"`},
		{"limit 101", "GET", "/api/tasks?limit=101", ``, nil, 400, `invalid query parameter "limit": must be an integer from 1 to 100`},
		{"limit abc", "GET", "/api/tasks?limit=abc", ``, nil, 400, `invalid query parameter "limit"`},
		{"limit twice", "GET", "/api/tasks?limit=1&limit=2", ``, nil, 400, `invalid query parameter "limit": given 2 times`},
		{"bad status filter", "GET", "/api/tasks?status=finished", ``, nil, 400, `invalid query parameter "status"`},
		{"unknown parameter", "GET", "/api/tasks?page=2", ``, nil, 400, `unknown query parameter "page"`},
		{"bad cursor", "GET", "/api/tasks?cursor=not-a-cursor", ``, nil, 400, `invalid query parameter "cursor"`},
		{"id not a number", "GET", "/api/tasks/abc", ``, nil, 404, "task not found"},
		{"id not canonical", "GET", "/api/tasks/0" + strings.TrimPrefix(path, "/api/tasks/"), ``, nil, 404, "task not found"},
		{"unknown path", "GET", "/api/nothing", ``, nil, 404, "Not Found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := s.do(c.method, c.path, c.body, append([]option{bearer(aliceToken)}, c.opts...)...).want(t, c.status)
			if msg := res.errorMessage(t); !strings.Contains(msg, c.contains) {
				t.Errorf("error %q does not contain %q", msg, c.contains)
			}
		})
	}

	// Nothing above changed the task.
	if got := decode[Task](t, s.do("GET", path, "", bearer(aliceToken)).want(t, http.StatusOK)); got != task {
		t.Errorf("task became %+v", got)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	s := startAPI(t, testConfig(t))

	cases := []struct {
		name      string
		opts      []option
		challenge string
	}{
		{"no credentials", nil, `Bearer realm="tasks"`},
		{"unknown token", []option{bearer("nope")}, `Bearer realm="tasks", error="invalid_token"`},
		{"empty token", []option{header("Authorization", "Bearer ")}, `Bearer realm="tasks", error="invalid_token"`},
		{"basic auth", []option{header("Authorization", "Basic YWxpY2U6eA==")}, `Bearer realm="tasks", error="invalid_token"`},
		{"token of another case", []option{bearer(strings.ToUpper(aliceToken))}, `Bearer realm="tasks", error="invalid_token"`},
	}
	for _, c := range cases {
		for _, m := range []string{"GET /api/tasks", "POST /api/tasks", "DELETE /api/tasks/1"} {
			method, path, _ := strings.Cut(m, " ")
			res := s.do(method, path, "", c.opts...).want(t, http.StatusUnauthorized)
			if got := res.header.Get("WWW-Authenticate"); got != c.challenge {
				t.Errorf("%s, %s: WWW-Authenticate %q, want %q", c.name, m, got, c.challenge)
			}
			res.errorMessage(t)
		}
	}
	// The scheme is case-insensitive (RFC 9110).
	s.do("GET", "/api/tasks", "", header("Authorization", "bearer "+aliceToken)).want(t, http.StatusOK)
}

func TestSessionCookie(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	s := startAPI(t, cfg)

	// Only a bearer token opens a session.
	if msg := s.do("POST", "/api/session", "").want(t, http.StatusUnauthorized).errorMessage(t); !strings.Contains(msg, "Bearer") {
		t.Errorf("POST /api/session without a token: %q", msg)
	}
	s.do("POST", "/api/session", "", bearer("nope")).want(t, http.StatusUnauthorized)

	res := s.do("POST", "/api/session", "", bearer(aliceToken)).want(t, http.StatusOK)
	info := decode[sessionResponse](t, res)
	if info.User != "alice" || time.Until(info.ExpiresAt) < 23*time.Hour {
		t.Errorf("session %+v", info)
	}
	if cc := res.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	cookie := sessionCookieOf(t, res)
	// __Host-: Secure (even over plain HTTP: browsers and curl keep Secure
	// cookies from localhost), Path=/, no Domain.
	if !strings.HasPrefix(cookie.Name, "__Host-") || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || !cookie.Secure || cookie.Path != "/" || cookie.Domain != "" || cookie.MaxAge != int(sessionTTL/time.Second) {
		t.Errorf("cookie attributes: %s", res.header.Get("Set-Cookie"))
	}

	// The cookie alone authenticates.
	created := decode[Task](t, s.do("POST", "/api/tasks", `{"title":"by cookie"}`, withCookie(cookie)).want(t, http.StatusCreated))
	list := decode[listResponse](t, s.do("GET", "/api/tasks", "", withCookie(cookie)).want(t, http.StatusOK))
	if len(list.Tasks) != 1 || list.Tasks[0] != created {
		t.Errorf("list by cookie %+v", list)
	}
	// Bob's token sees none of it: the cookie was alice's.
	if l := decode[listResponse](t, s.do("GET", "/api/tasks", "", bearer(bobToken)).want(t, http.StatusOK)); len(l.Tasks) != 0 {
		t.Errorf("bob sees %+v", l.Tasks)
	}
	// A session cannot renew itself, and a bad bearer token is not rescued
	// by a good cookie.
	s.do("POST", "/api/session", "", withCookie(cookie)).want(t, http.StatusUnauthorized)
	s.do("GET", "/api/tasks", "", withCookie(cookie), bearer("nope")).want(t, http.StatusUnauthorized)

	// Tampered cookies: another user under alice's signature, a signature
	// cut short, no signature, a later expiry.
	value, _ := url.QueryUnescape(cookie.Value)
	payload, sig, _ := strings.Cut(value, ".")
	_, exp, _ := strings.Cut(payload, "|")
	for _, v := range []string{
		"bob|" + exp + "." + sig,
		payload + "." + sig[:len(sig)-2],
		payload,
		"alice|9999999999." + sig,
	} {
		res := s.do("GET", "/api/tasks", "", withCookie(&http.Cookie{Name: sessionCookie, Value: url.QueryEscape(v)})).want(t, http.StatusUnauthorized)
		if got := res.errorMessage(t); !strings.Contains(got, "invalid session") {
			t.Errorf("cookie %q: %q", v, got)
		}
		if res.header.Get("WWW-Authenticate") == "" {
			t.Errorf("cookie %q: 401 without WWW-Authenticate", v)
		}
	}

	// With the same -session-key, sessions survive a restart.
	s.stop()
	s = startAPI(t, cfg)
	s.do("GET", "/api/tasks", "", withCookie(cookie)).want(t, http.StatusOK)

	// Signing out deletes the cookie, even without credentials.
	res = s.do("DELETE", "/api/session", "").want(t, http.StatusNoContent)
	if gone := sessionCookieOf(t, res); gone.Value != "" || gone.MaxAge >= 0 || !gone.Secure || !strings.HasPrefix(gone.Name, "__Host-") {
		t.Errorf("DELETE /api/session: %s", res.header.Get("Set-Cookie"))
	}
}

// Signing out ends the session on the server: a copy of the cookie, kept by
// whoever had it, stops working, also after a restart with the same key
// and database. Other sessions of the same user go on.
func TestSigningOutRevokesTheSessionForEveryCopyOfItsCookie(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	s := startAPI(t, cfg)
	login := func() *http.Cookie {
		return sessionCookieOf(t, s.do("POST", "/api/session", "", bearer(aliceToken)).want(t, http.StatusOK))
	}
	laptop, phone := login(), login()
	stolen := *laptop // a copy, taken before signing out
	s.do("GET", "/api/tasks", "", withCookie(&stolen)).want(t, http.StatusOK)

	s.do("DELETE", "/api/session", "", withCookie(laptop)).want(t, http.StatusNoContent)
	for _, c := range []*http.Cookie{laptop, &stolen} {
		res := s.do("GET", "/api/tasks", "", withCookie(c)).want(t, http.StatusUnauthorized)
		if msg := res.errorMessage(t); !strings.Contains(msg, "session ended") {
			t.Errorf("after signing out: %q", msg)
		}
		if res.header.Get("WWW-Authenticate") == "" {
			t.Errorf("401 without WWW-Authenticate")
		}
	}
	s.do("GET", "/api/tasks", "", withCookie(phone)).want(t, http.StatusOK)

	// The revocation is in the database: a restart does not undo it.
	s.stop()
	s = startAPI(t, cfg)
	s.do("GET", "/api/tasks", "", withCookie(&stolen)).want(t, http.StatusUnauthorized)
	s.do("GET", "/api/tasks", "", withCookie(phone)).want(t, http.StatusOK)

	// Signing out twice, or with a forged cookie, is harmless.
	s.do("DELETE", "/api/session", "", withCookie(laptop)).want(t, http.StatusNoContent)
	s.do("DELETE", "/api/session", "", withCookie(&http.Cookie{Name: sessionCookie, Value: "alice%7C1%7Cx.sig"})).want(t, http.StatusNoContent)
	s.do("GET", "/api/tasks", "", withCookie(phone)).want(t, http.StatusOK)
}

// A client that opens sessions in a loop does not grow the table: the
// user's oldest session ends when one more than maxSessionsPerUser starts.
func TestSessionsPerUserAreBounded(t *testing.T) {
	t.Parallel()
	s := startAPI(t, testConfig(t))
	var all []*http.Cookie
	for range maxSessionsPerUser + 1 {
		all = append(all, sessionCookieOf(t, s.do("POST", "/api/session", "", bearer(aliceToken)).want(t, http.StatusOK)))
	}
	s.do("GET", "/api/tasks", "", withCookie(all[0])).want(t, http.StatusUnauthorized)
	for _, c := range all[1:] {
		s.do("GET", "/api/tasks", "", withCookie(c)).want(t, http.StatusOK)
	}
	var n int
	if err := s.app.store.db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n); err != nil || n != maxSessionsPerUser {
		t.Errorf("%d sessions in the table (%v), want %d", n, err, maxSessionsPerUser)
	}
}

// sessionCookieOf returns the session cookie a response sets.
func sessionCookieOf(t *testing.T, res answer) *http.Cookie {
	t.Helper()
	for _, c := range res.res.Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie in %q", sessionCookie, res.header.Values("Set-Cookie"))
	return nil
}

func TestSessionCookieIsSecureOverTLS(t *testing.T) {
	t.Parallel()
	a, err := newApp(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(a.Handler())
	defer a.Close()
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/session", nil)
	req.Header.Set("Authorization", "Bearer "+aliceToken)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if sc := res.Header.Get("Set-Cookie"); res.StatusCode != 200 || !strings.Contains(sc, "; Secure") {
		t.Errorf("%d, Set-Cookie %q: want Secure", res.StatusCode, sc)
	}
}

func TestSessionExpires(t *testing.T) {
	t.Parallel()
	auth, err := newAuthenticator(map[string]string{aliceToken: "alice"}, []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := OpenStore(t.Context(), filepath.Join(t.TempDir(), "tasks.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	auth.sessions = store
	start := time.Now()
	auth.now = func() time.Time { return start }
	rec := httptest.NewRecorder()
	if _, err := auth.startSession(rec, httptest.NewRequest("POST", "/api/session", nil), "alice"); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/tasks", nil)
	req.Header.Set("Cookie", rec.Header().Get("Set-Cookie"))

	auth.now = func() time.Time { return start.Add(sessionTTL - time.Minute) }
	if u, err := auth.sessionUser(req); u != "alice" || err != nil {
		t.Errorf("before expiry: %q, %v", u, err)
	}
	auth.now = func() time.Time { return start.Add(sessionTTL + time.Second) }
	if _, err := auth.sessionUser(req); !errors.Is(err, errExpiredSession) {
		t.Errorf("after expiry: %v", err)
	}
	// Starting a session removes the expired ones from the database.
	rec2 := httptest.NewRecorder()
	if _, err := auth.startSession(rec2, httptest.NewRequest("POST", "/api/session", nil), "alice"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := store.db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d sessions after the first expired and another started (%v), want 1", n, err)
	}
	// A user removed from the configuration loses their sessions.
	delete(auth.known, "alice")
	auth.now = func() time.Time { return start }
	if _, err := auth.sessionUser(req); !errors.Is(err, errBadSession) {
		t.Errorf("removed user: %v", err)
	}
}

func TestPaginationAndStatusFilter(t *testing.T) {
	t.Parallel()
	s := startAPI(t, testConfig(t))

	if l := s.do("GET", "/api/tasks", "", bearer(aliceToken)).want(t, http.StatusOK); string(l.body) != `{"tasks":[]}` {
		t.Errorf("empty list: %s", l.body)
	}
	statuses := []Status{StatusTodo, StatusDoing, StatusDone}
	var all []Task
	for i := range 25 {
		all = append(all, s.create(aliceToken, fmt.Sprintf(`{"title":"task %d","status":%q}`, i, statuses[i%3])))
	}
	s.create(bobToken, `{"title":"bob's","status":"done"}`)
	slices.Reverse(all) // newest first

	// walk follows next_cursor and returns the page sizes and the tasks.
	walk := func(query string) (sizes []int, tasks []Task) {
		t.Helper()
		cursor := ""
		for range 50 {
			q := query
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			page := decode[listResponse](t, s.do("GET", "/api/tasks?"+q, "", bearer(aliceToken)).want(t, http.StatusOK))
			sizes = append(sizes, len(page.Tasks))
			tasks = append(tasks, page.Tasks...)
			if cursor = page.NextCursor; cursor == "" {
				return sizes, tasks
			}
		}
		t.Fatalf("%s: no last page", query)
		return nil, nil
	}
	filter := func(st Status) []Task {
		var out []Task
		for _, tk := range all {
			if st == "" || tk.Status == st {
				out = append(out, tk)
			}
		}
		return out
	}

	for _, c := range []struct {
		query string
		sizes []int
		want  []Task
	}{
		{"", []int{20, 5}, all},                       // default limit 20
		{"limit=100", []int{25}, all},                 // the maximum
		{"limit=10", []int{10, 10, 5}, all},           // exact multiples stop cleanly too:
		{"limit=5", []int{5, 5, 5, 5, 5}, all},        // no empty last page
		{"status=done", []int{8}, filter(StatusDone)}, // only bob's other "done"
		{"status=todo&limit=3", []int{3, 3, 3}, filter(StatusTodo)},
		{"status=doing&limit=4", []int{4, 4}, filter(StatusDoing)},
		{"status=&limit=", []int{20, 5}, all}, // empty parameters are absent ones
	} {
		sizes, got := walk(c.query)
		if !slices.Equal(sizes, c.sizes) || !slices.Equal(got, c.want) {
			t.Errorf("?%s: pages %v, want %v; %d tasks, want %d (equal: %v)", c.query, sizes, c.sizes, len(got), len(c.want), slices.Equal(got, c.want))
		}
	}
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	cfg := testConfig(t)
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	s := startAPI(t, cfg)

	task := s.create(aliceToken, `{"title":"logged"}`)
	get := s.do("GET", fmt.Sprintf("/api/tasks/%d", task.ID), "", bearer(aliceToken)).want(t, http.StatusOK)
	s.do("GET", fmt.Sprintf("/api/tasks/%d", task.ID), "", bearer(aliceToken), header("If-None-Match", get.header.Get("ETag"))).want(t, http.StatusNotModified)
	s.do("GET", fmt.Sprintf("/api/tasks/%d", task.ID), "", bearer(bobToken)).want(t, http.StatusNotFound)
	s.do("GET", "/api/tasks", "").want(t, http.StatusUnauthorized)
	s.do("POST", "/api/tasks", `{"title":"`+strings.Repeat("x", 20<<10)+`"}`, bearer(aliceToken)).want(t, http.StatusRequestEntityTooLarge)
	s.do("DELETE", fmt.Sprintf("/api/tasks/%d", task.ID), "", bearer(aliceToken)).want(t, http.StatusNoContent)
	s.do("GET", "/api/tasks/", "").want(t, http.StatusPermanentRedirect)

	type line struct {
		Msg, Method, Path, User string
		Status                  *int
		Bytes                   int64
		Duration                time.Duration
	}
	want := []struct {
		method, path, user string
		status             int // 0: none logged
		bytes              int64
	}{
		{"POST", "/api/tasks", "alice", 201, int64(len(mustJSON(t, task)))},
		{"GET", fmt.Sprintf("/api/tasks/%d", task.ID), "alice", 200, int64(len(get.body))},
		{"GET", fmt.Sprintf("/api/tasks/%d", task.ID), "alice", 304, 0},
		{"GET", fmt.Sprintf("/api/tasks/%d", task.ID), "bob", 404, int64(len(`{"error":"task not found"}`))},
		{"GET", "/api/tasks", "", 401, -1},
		{"POST", "/api/tasks", "alice", 413, int64(len(`{"error":"Body exceeded 16kb limit"}`))}, // authenticated before the body is read
		{"DELETE", fmt.Sprintf("/api/tasks/%d", task.ID), "alice", 204, 0},
		{"GET", "/api/tasks/", "", 0, -1}, // the router's own 308 reports no status
	}
	var lines []line
	eventually(t, "every access log line", func() bool {
		lines = lines[:0]
		for l := range strings.Lines(logs.String()) {
			var ln line
			if err := json.Unmarshal([]byte(l), &ln); err == nil && ln.Msg == "request" {
				lines = append(lines, ln)
			}
		}
		return len(lines) >= len(want)
	})
	for i, w := range want {
		l := lines[i]
		status := 0
		if l.Status != nil {
			status = *l.Status
		}
		if l.Method != w.method || l.Path != w.path || l.User != w.user || status != w.status || (w.bytes >= 0 && l.Bytes != w.bytes) || l.Duration <= 0 {
			t.Errorf("line %d: %+v (status %d), want %+v", i, l, status, w)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCORSAndCrossOriginProtection(t *testing.T) {
	t.Parallel()
	const origin = "https://app.example"

	// Default: same-origin. No CORS headers, and a cross-site write from a
	// browser is refused before it reaches the handler.
	same := startAPI(t, testConfig(t))
	res := same.do("GET", "/api/tasks", "", bearer(aliceToken), header("Origin", origin)).want(t, http.StatusOK)
	if v := res.header.Get("Access-Control-Allow-Origin"); v != "" {
		t.Errorf("same-origin server sent Access-Control-Allow-Origin %q", v)
	}
	res = same.do("POST", "/api/tasks", `{"title":"csrf"}`, withCookie(&http.Cookie{Name: sessionCookie, Value: "x"}),
		header("Origin", "https://evil.example"), header("Sec-Fetch-Site", "cross-site")).want(t, http.StatusForbidden)
	if msg := res.errorMessage(t); !strings.HasPrefix(msg, "Cross-origin request refused") {
		t.Errorf("403 says %q", msg)
	}

	// With -cors-origin: preflights answered, every answer readable by the
	// app, errors included, and its writes allowed.
	cfg := testConfig(t)
	cfg.CORSOrigin = origin
	s := startAPI(t, cfg)
	res = s.do("OPTIONS", "/api/tasks/1", "", header("Origin", origin), header("Access-Control-Request-Method", "PATCH"),
		header("Access-Control-Request-Headers", "authorization,content-type")).want(t, http.StatusNoContent)
	for name, want := range map[string]string{
		"Access-Control-Allow-Origin":      origin,
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods":     "PATCH",
		"Access-Control-Allow-Headers":     "authorization,content-type",
		"Access-Control-Max-Age":           "600",
	} {
		if got := res.header.Get(name); got != want {
			t.Errorf("preflight %s: %q, want %q", name, got, want)
		}
	}
	res = s.do("POST", "/api/tasks", `{"title":"from the app"}`, bearer(aliceToken), header("Origin", origin), header("Sec-Fetch-Site", "cross-site")).want(t, http.StatusCreated)
	if res.header.Get("Access-Control-Allow-Origin") != origin || res.header.Get("Access-Control-Expose-Headers") != "Etag, Location" {
		t.Errorf("actual request: %v", res.header)
	}
	// The app may send back the ETag it read: If-Match is allowed.
	res = s.do("OPTIONS", "/api/tasks/1", "", header("Origin", origin), header("Access-Control-Request-Method", "DELETE"),
		header("Access-Control-Request-Headers", "authorization,if-match")).want(t, http.StatusNoContent)
	if got := res.header.Get("Access-Control-Allow-Headers"); got != "authorization,if-match" {
		t.Errorf("preflight with If-Match: Access-Control-Allow-Headers %q", got)
	}
	res = s.do("GET", "/api/tasks", "", header("Origin", origin)).want(t, http.StatusUnauthorized)
	if res.header.Get("Access-Control-Allow-Origin") != origin {
		t.Errorf("the 401 is not readable by the app: %v", res.header)
	}
	s.do("POST", "/api/tasks", `{"title":"x"}`, bearer(aliceToken), header("Origin", "https://evil.example"), header("Sec-Fetch-Site", "cross-site")).want(t, http.StatusForbidden)

	// A CORS origin that would never match is refused at start-up.
	cfg = testConfig(t)
	cfg.CORSOrigin = "https://app.example/"
	if a, err := newApp(cfg); err == nil {
		a.Close()
		t.Error("newApp accepted -cors-origin with a path")
	}
}

func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	s := startAPI(t, testConfig(t))
	task := s.create(aliceToken, `{"title":"counter"}`)
	path := fmt.Sprintf("/api/tasks/%d", task.ID)

	// Many clients patching and creating at once: SQLite serialises the
	// writers (busy_timeout, immediate transactions) and none fails.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errc := make(chan error, 40)
	for i := range 40 {
		go func() {
			method, p, body := "PATCH", path, fmt.Sprintf(`{"description":"writer %d"}`, i)
			if i%2 == 0 {
				method, p, body = "POST", "/api/tasks", fmt.Sprintf(`{"title":"t%d"}`, i)
			}
			req, _ := http.NewRequestWithContext(ctx, method, s.srv.URL+p, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+aliceToken)
			req.Header.Set("Content-Type", "application/json")
			res, err := s.client.Do(req)
			if err == nil {
				res.Body.Close()
				if res.StatusCode >= 300 {
					err = fmt.Errorf("%s %s: %d", method, p, res.StatusCode)
				}
			}
			errc <- err
		}()
	}
	for range 40 {
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}
	list := decode[listResponse](t, s.do("GET", "/api/tasks?limit=100", "", bearer(aliceToken)).want(t, http.StatusOK))
	if len(list.Tasks) != 21 {
		t.Errorf("%d tasks, want 21", len(list.Tasks))
	}
}
