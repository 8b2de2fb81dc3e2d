package apierror_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/apiroutes/apiroutes/apierror"
)

var errNoRows = errors.New("sql: no rows in result set")

func findTask(id string) (string, error) {
	if id == "1" {
		return "write docs", nil
	}
	return "", errNoRows
}

// show prints a response the way curl -i would, without the Date header.
func show(h http.Handler, method, target string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(strings.TrimSpace(res.Status + " " + res.Header.Get("Content-Type")))
	fmt.Println(string(body))
}

func ExampleHandlerFunc() {
	getTask := func(w http.ResponseWriter, r *http.Request) error {
		title, err := findTask(r.URL.Query().Get("id"))
		if errors.Is(err, errNoRows) {
			return apierror.NotFound("task not found").WithCode("task_not_found")
		}
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, title)
		return err
	}
	h := apierror.HandlerFunc(getTask)
	show(h, "GET", "/api/tasks?id=1")
	show(h, "GET", "/api/tasks?id=2")
	// Output:
	// 200 OK text/plain; charset=utf-8
	// write docs
	// 404 Not Found application/json; charset=utf-8
	// {"error":"task not found","code":"task_not_found"}
}

func ExampleHandlerFunc_unknownError() {
	// The cause of a 500 goes to the log, never to the client.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	h := apierror.Config{Logger: logger}.Recover(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return errors.New("connect: connection refused")
	}))
	show(h, "POST", "/api/tasks")
	// Output:
	// level=ERROR msg="apierror: server error" method=POST path=/api/tasks status=500 error="connect: connection refused"
	// 500 Internal Server Error application/json; charset=utf-8
	// {"error":"Internal Server Error"}
}

func ExampleConfig_Recover() {
	// One Config at the top chooses problem+json for every error below it.
	mux := http.NewServeMux()
	mux.Handle("GET /api/tasks/{id}", apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return apierror.Errorf(http.StatusNotFound, "task %s not found", r.PathValue("id"))
	}))
	server := apierror.Config{Renderer: apierror.RenderProblem}.Recover(mux)
	show(server, "GET", "/api/tasks/7")
	// Output:
	// 404 Not Found application/problem+json
	// {"type":"about:blank","title":"Not Found","status":404,"detail":"task 7 not found"}
}

func ExampleRenderText() {
	// RenderText answers exactly like Next.js: the message as the body, no Content-Type.
	h := apierror.Config{Renderer: apierror.RenderText}.Recover(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return apierror.BadRequest("Invalid JSON")
	}))
	show(h, "POST", "/api/echo")
	// Output:
	// 400 Bad Request
	// Invalid JSON
}

func ExampleRenderEmpty() {
	// RenderEmpty answers like an App Router route handler: the status, no body.
	h := apierror.Config{Renderer: apierror.RenderEmpty}.Recover(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return apierror.NotFound("no such task")
	}))
	show(h, "GET", "/api/tasks/7")
	// Output:
	// 404 Not Found
}

func ExampleWrite() {
	// Write renders errors from anywhere, here http.MaxBytesReader's.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1024)
		if _, err := io.ReadAll(r.Body); err != nil {
			apierror.Write(w, r, err)
			return
		}
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/upload", strings.NewReader(strings.Repeat("x", 2000))))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 413 {"error":"Body exceeded 1kb limit"}
}

func ExampleJSONError() {
	var v struct {
		Age int `json:"age"`
	}
	err := apierror.JSONError(jsonDecode(`{"age":"ten"}`, &v))
	fmt.Println(err.Status, err.Message)
	// Output:
	// 400 Invalid JSON: field "age" must be an integer, got string
}
