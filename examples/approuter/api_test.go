package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

type server struct {
	t    *testing.T
	url  string
	auth *auth
	c    *http.Client
}

// start serves the app on a loopback listener, with its address as the
// public origin, as a local run does.
func start(t *testing.T) *server { return startWith(t, "") }

// startWith serves the app with origin as its public origin ("" for the
// listener's).
func startWith(t *testing.T, origin string) *server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	if origin == "" {
		origin = localOrigin(srv.Listener.Addr())
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, a, closeDB, err := newApp(context.Background(), ":memory:", origin, map[string]string{"alice-token": "alice", "bob-token": "bob"}, logger)
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(func() { srv.Close(); closeDB() })
	c := srv.Client()
	c.Timeout = 10 * time.Second
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &server{t: t, url: srv.URL, auth: a, c: c}
}

type answer struct {
	status int
	header http.Header
	body   string
}

// do sends a request; header holds name, value pairs (Host sets the Host
// header).
func (s *server) do(method, path string, body io.Reader, header ...string) answer {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	res, err := s.c.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, string(b)}
}

func (a answer) want(t *testing.T, what string, status int) answer {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s: %d %s; want %d", what, a.status, a.body, status)
	}
	return a
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(a.body), v); err != nil {
		t.Fatalf("%q: %v", a.body, err)
	}
}

const alice, bob = "Bearer alice-token", "Bearer bob-token"

func TestChatSessions(t *testing.T) {
	s := start(t)
	// request.json(): fetch('/api/chat/sessions', { method: 'POST', body: JSON.stringify(…) })
	// sends text/plain;charset=UTF-8, and the body is still JSON.
	created := s.do("POST", "/api/chat/sessions", strings.NewReader(`{"title":" Plan the launch ","type":"agent"}`),
		"Authorization", alice, "Content-Type", "text/plain;charset=UTF-8").want(t, "create", 201)
	if ct := created.header.Get("Content-Type"); ct != "application/json" || created.header.Get("Etag") != "" {
		t.Errorf("NextResponse.json: Content-Type %q, ETag %q; want application/json and none", ct, created.header.Get("Etag"))
	}
	var agent Session
	created.decode(t, &agent)
	if agent.Title != "Plan the launch" || agent.Type != "agent" || agent.ID == "" {
		t.Errorf("created %+v", agent)
	}
	s.do("POST", "/api/chat/sessions", strings.NewReader(`{"title":"Chat"}`), "Authorization", alice).want(t, "create a chat", 201)

	var list struct{ Sessions []Session }
	s.do("GET", "/api/chat/sessions", nil, "Authorization", alice).want(t, "list", 200).decode(t, &list)
	if len(list.Sessions) != 2 {
		t.Errorf("list: %+v", list)
	}
	s.do("GET", "/api/chat/sessions?type=agent", nil, "Authorization", alice).want(t, "list agents", 200).decode(t, &list)
	if len(list.Sessions) != 1 || list.Sessions[0].ID != agent.ID {
		t.Errorf("?type=agent: %+v", list)
	}
	s.do("GET", "/api/chat/sessions?type=agent&type=chat", nil, "Authorization", alice).want(t, "searchParams.get takes the first", 200).decode(t, &list)
	if len(list.Sessions) != 1 {
		t.Errorf("?type=agent&type=chat: %+v", list)
	}
	if a := s.do("GET", "/api/chat/sessions?type=poem", nil, "Authorization", alice).want(t, "bad type", 400); a.body != `{"error":"type must be \"chat\" or \"agent\""}` {
		t.Errorf("bad type: %s", a.body)
	}
	s.do("GET", "/api/chat/sessions", nil, "Authorization", bob).want(t, "bob's list", 200).decode(t, &list)
	if len(list.Sessions) != 0 {
		t.Errorf("bob sees alice's sessions: %+v", list)
	}

	var renamed Session
	s.do("PATCH", "/api/chat/sessions?id="+agent.ID, strings.NewReader(`{"title":"Launch"}`), "Authorization", alice).
		want(t, "rename", 200).decode(t, &renamed)
	if renamed.Title != "Launch" || renamed.ID != agent.ID {
		t.Errorf("renamed %+v", renamed)
	}
	s.do("PATCH", "/api/chat/sessions?id="+agent.ID, strings.NewReader(`{"title":"x"}`), "Authorization", bob).want(t, "bob renames alice's", 404)
	s.do("PATCH", "/api/chat/sessions", strings.NewReader(`{"title":"x"}`), "Authorization", alice).want(t, "rename without id", 400)
	s.do("PATCH", "/api/chat/sessions?id="+agent.ID, strings.NewReader(`{"title":`), "Authorization", alice).want(t, "invalid JSON", 400)
	s.do("POST", "/api/chat/sessions", strings.NewReader(`{"title":""}`), "Authorization", alice).want(t, "empty title", 400)

	s.do("DELETE", "/api/chat/sessions?id="+agent.ID, nil, "Authorization", bob).want(t, "bob deletes alice's", 404)
	s.do("DELETE", "/api/chat/sessions?id="+agent.ID, nil, "Authorization", alice).want(t, "delete", 204)
	s.do("DELETE", "/api/chat/sessions?id="+agent.ID, nil, "Authorization", alice).want(t, "delete again", 404)

	if a := s.do("PUT", "/api/chat/sessions", nil, "Authorization", alice).want(t, "PUT", 405); a.header.Get("Allow") != "DELETE, GET, HEAD, OPTIONS, PATCH, POST" {
		t.Errorf("Allow %q", a.header.Get("Allow"))
	}
}

func TestUnauthenticatedRequestsAreRefusedBeforeTheirBodyIsRead(t *testing.T) {
	s := start(t)
	a := s.do("GET", "/api/chat/sessions", nil).want(t, "no credentials", 401)
	if a.body != `{"error":"Unauthorized"}` || a.header.Get("WWW-Authenticate") == "" {
		t.Errorf("401: %s %v", a.body, a.header)
	}
	s.do("GET", "/api/chat/sessions", nil, "Authorization", "Bearer nope").want(t, "bad token", 401)
	// A 5 MiB upload without credentials: refused by the authenticate layer,
	// which runs before the body parser (compose's BeforeBody).
	body, ct := form(t, "file", "big.bin", bytes.Repeat([]byte("x"), 5<<20), "sessionId", "x")
	s.do("POST", "/api/artifacts", body, "Content-Type", ct).want(t, "anonymous upload", 401)
}

// form builds a multipart body: a file part, then name/value fields.
func form(t *testing.T, field, filename string, data []byte, kv ...string) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i+1 < len(kv); i += 2 {
		_ = mw.WriteField(kv[i], kv[i+1])
	}
	if field != "" {
		fw, err := mw.CreateFormFile(field, filename)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	return &b, mw.FormDataContentType()
}

func TestArtifacts(t *testing.T) {
	s := start(t)
	var ss Session
	s.do("POST", "/api/chat/sessions", strings.NewReader(`{"title":"Files"}`), "Authorization", alice).want(t, "session", 201).decode(t, &ss)

	data := bytes.Repeat([]byte("0123456789"), 60_000) // 600 KB: past MaxMemory, so through a temporary file
	body, ct := form(t, "file", "notes.txt", data, "sessionId", ss.ID)
	up := s.do("POST", "/api/artifacts", body, "Authorization", alice, "Content-Type", ct).want(t, "upload", 201)
	var a Artifact
	up.decode(t, &a)
	if a.Name != "notes.txt" || a.Size != int64(len(data)) || a.SessionID != ss.ID || up.header.Get("Location") != "/api/artifacts/"+a.ID {
		t.Errorf("uploaded %+v, Location %q", a, up.header.Get("Location"))
	}

	var meta Artifact
	s.do("GET", "/api/artifacts/"+a.ID, nil, "Authorization", alice).want(t, "metadata", 200).decode(t, &meta)
	if meta.ID != a.ID || meta.Size != a.Size {
		t.Errorf("metadata %+v", meta)
	}
	dl := s.do("GET", "/api/artifacts/"+a.ID+"?download=1", nil, "Authorization", alice).want(t, "download", 200)
	if dl.body != string(data) || dl.header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d bytes, headers %v", len(dl.body), dl.header)
	}
	s.do("GET", "/api/artifacts/"+a.ID, nil, "Authorization", bob).want(t, "bob reads alice's", 404)

	body, ct = form(t, "file", "x.txt", []byte("x"), "sessionId", "nope")
	s.do("POST", "/api/artifacts", body, "Authorization", alice, "Content-Type", ct).want(t, "unknown session", 404)
	body, ct = form(t, "", "", nil, "sessionId", ss.ID)
	s.do("POST", "/api/artifacts", body, "Authorization", alice, "Content-Type", ct).want(t, "no file", 400)
	body, ct = form(t, "file", "big.bin", bytes.Repeat([]byte("x"), 5<<20+1), "sessionId", ss.ID)
	s.do("POST", "/api/artifacts", body, "Authorization", alice, "Content-Type", ct).want(t, "a file over 5mb", 413)
	s.do("POST", "/api/artifacts", strings.NewReader(`{"file":"x"}`), "Authorization", alice, "Content-Type", "application/json").
		want(t, "not multipart", 415)

	s.do("DELETE", "/api/artifacts/"+a.ID, nil, "Authorization", alice).want(t, "delete", 204)
	s.do("GET", "/api/artifacts/"+a.ID, nil, "Authorization", alice).want(t, "deleted", 404)

	// Deleting a session deletes what was uploaded into it.
	body, ct = form(t, "file", "y.txt", []byte("y"), "sessionId", ss.ID)
	s.do("POST", "/api/artifacts", body, "Authorization", alice, "Content-Type", ct).want(t, "upload", 201).decode(t, &a)
	s.do("DELETE", "/api/chat/sessions?id="+ss.ID, nil, "Authorization", alice).want(t, "delete session", 204)
	s.do("GET", "/api/artifacts/"+a.ID, nil, "Authorization", alice).want(t, "artifact of a deleted session", 404)
}

func TestLoginCallbackRedirectsAndLogoutEndsTheSession(t *testing.T) {
	s := start(t)
	code := s.auth.IssueCode("alice")
	a := s.do("POST", "/api/auth/callback", strings.NewReader(url.Values{"code": {code}}.Encode()),
		"Content-Type", "application/x-www-form-urlencoded").want(t, "callback", 303)
	if loc := a.header.Get("Location"); loc != s.url+"/" {
		t.Errorf("Location %q; want %s/ (new URL('/', request.url))", loc, s.url)
	}
	var session *http.Cookie
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if c.Name == "__Host-session" {
			session = c
		}
	}
	if session == nil || !session.Secure || !session.HttpOnly || session.Path != "/" || session.Domain != "" {
		t.Fatalf("session cookie %+v", session)
	}
	cookie := "__Host-session=" + session.Value
	s.do("GET", "/api/chat/sessions", nil, "Cookie", cookie).want(t, "with the session cookie", 200)

	// A code works once.
	again := s.do("POST", "/api/auth/callback", strings.NewReader("code="+code), "Content-Type", "application/x-www-form-urlencoded").
		want(t, "the same code again", 303)
	if loc := again.header.Get("Location"); loc != s.url+"/login?error=auth_failed" {
		t.Errorf("Location %q; want the login page with ?error=auth_failed", loc)
	}
	s.do("POST", "/api/auth/callback", nil).want(t, "no code", 303)

	s.do("POST", "/api/auth/logout", nil, "Cookie", cookie).want(t, "logout", 204)
	s.do("GET", "/api/chat/sessions", nil, "Cookie", cookie).want(t, "a copied cookie after logout", 401)
}

// A client that sends Host: evil.example must not get a redirect to it:
// the callback resolves new URL(path, request.url) against the configured
// origin.
func TestLoginCallbackRedirectsToThePublicOriginWhateverHostTheClientSends(t *testing.T) {
	const origin = "https://app.example"
	s := startWith(t, origin)
	form := "application/x-www-form-urlencoded"
	code := s.auth.IssueCode("alice")
	ok := s.do("POST", "/api/auth/callback", strings.NewReader("code="+code), "Content-Type", form, "Host", "evil.example").
		want(t, "callback with a code", 303)
	if loc := ok.header.Get("Location"); loc != origin+"/" {
		t.Errorf("Location %q; want %s/", loc, origin)
	}
	for _, host := range []string{"evil.example", "evil.example:443", s.url[len("http://"):]} {
		failed := s.do("POST", "/api/auth/callback", strings.NewReader("code=spent"), "Content-Type", form, "Host", host).
			want(t, "callback with a bad code", 303)
		if loc := failed.header.Get("Location"); loc != origin+"/login?error=auth_failed" {
			t.Errorf("Host %s: Location %q; want %s/login?error=auth_failed", host, loc, origin)
		}
	}
}
