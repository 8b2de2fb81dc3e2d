package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestQuickstartAnswersLikeItsDocComment(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	srv := httptest.NewServer(newServer(slog.New(slog.NewTextHandler(&logs, nil))))
	defer srv.Close()

	cases := []struct {
		method, path, body string
		status             int
		want               string
		contentType        string
	}{
		{"GET", "/api/notes/1", "", 200, `{"id":1,"text":"hello from apiroutes"}`, ""},
		{"GET", "/api/notes/9", "", 404, `{"error":"note 9 not found"}`, ""},
		{"GET", "/api/notes/x", "", 400, `{"error":"id must be a number"}`, ""},
		{"POST", "/api/notes", `{"text":""}`, 400, `{"error":"text is required","code":"missing_text"}`, ""},
		{"POST", "/api/notes", `{"text":`, 400, `{"error":"Invalid JSON"}`, ""},
		{"POST", "/api/notes", `{"text":1}`, 400, `{"error":"Invalid JSON: field \"text\" must be a string, got number"}`, ""},
		{"POST", "/api/notes", `{"txt":"a"}`, 400, `{"error":"Invalid JSON: unknown field \"txt\""}`, ""},
		{"POST", "/api/notes", `{"text":"` + strings.Repeat("a", 1<<20) + `"}`, 413, `{"error":"Body exceeded 1mb limit"}`, ""},
		{"POST", "/api/notes", `{"text":"buy milk"}`, 201, `{"id":2,"text":"buy milk"}`, ""},
		{"GET", "/api/panic", "", 500, `{"error":"Internal Server Error"}`, ""},
		{"POST", "/api/notes", `{"text":"x"}`, 415, `{"error":"Content-Type must be application/json or application/*+json"}`, "application/x-www-form-urlencoded"},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
		if tc.method == "POST" {
			req.Header.Set("Content-Type", "application/json")
		}
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || string(body) != tc.want {
			t.Errorf("%s %s: got %d %s, want %d %s", tc.method, tc.path, res.StatusCode, body, tc.status, tc.want)
		}
	}
	if !strings.Contains(logs.String(), "something went badly wrong") {
		t.Errorf("the panic was not logged: %s", logs.String())
	}
}
