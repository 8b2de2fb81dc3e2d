package respond_test

import (
	"net/http"
	"sync"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/jsoncodec"
	"github.com/apiroutes/apiroutes/respond"
)

// A PATCH with If-Match: two clients read the task, both change it with
// the ETag they read; the first wins, the second is refused with 412
// instead of overwriting a change it has not seen.
//
// The current ETag is the one JSON would send for the current value. JSON
// always sends Next's ETag of the body it writes (replacing one set
// before, as Next does), so encode the value as the route's codec does
// (here encoding/json without HTML escaping: jsoncodec.Std) and take its
// ETag. Check and write in one step: here under a mutex; with a database,
// in one transaction, or with UPDATE … WHERE version = ? on the version
// the ETag was computed from.
func ExamplePreconditions_Check() {
	type Task struct {
		ID    int    `json:"id"`
		Title string `json:"title"`
	}
	var (
		mu   sync.Mutex
		task = Task{ID: 1, Title: "docs & tests"} // json.Marshal would escape the &
	)
	currentETag := func(t Task) (string, error) {
		body, err := jsoncodec.Std{}.Append(nil, t)
		return respond.ETag(body), err
	}
	h := apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodGet {
			return respond.JSON(w, r, http.StatusOK, task) // sends the ETag
		}
		etag, err := currentETag(task)
		if err != nil {
			return err
		}
		if err := (respond.Preconditions{ETag: etag}).Check(r); err != nil {
			return err // 412
		}
		task.Title = r.URL.Query().Get("title") // a body, in a real PATCH
		return respond.JSON(w, r, http.StatusOK, task)
	})

	show(h, "GET", "/api/tasks/1", nil, "Etag")
	read := map[string]string{"If-Match": `"oswo5nap7jv"`} // both clients read this ETag
	show(h, "PATCH", "/api/tasks/1?title=first", read, "Etag")
	show(h, "PATCH", "/api/tasks/1?title=second", read, "Etag")
	// Output:
	// 200
	// Etag: "oswo5nap7jv"
	// "{\"id\":1,\"title\":\"docs & tests\"}"
	// 200
	// Etag: "t2uy7xyxxzo"
	// "{\"id\":1,\"title\":\"first\"}"
	// 412
	// "{\"error\":\"Precondition Failed: If-Match does not match the current ETag\"}"
}
