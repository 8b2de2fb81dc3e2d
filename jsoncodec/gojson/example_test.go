package gojson_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/jsoncodec/gojson"
	"github.com/apiroutes/apiroutes/respond"
)

// The codec of the outermost apierror layer (compose.Config's Errors in a
// compose chain) is the route's: bodyparser decodes and respond encodes
// with it, and the 400 messages are encoding/json's.
func Example() {
	type task struct {
		Title string `json:"title"`
	}
	create := apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		t, err := bodyparser.Decode[task](r)
		if err != nil {
			return err
		}
		return respond.JSON(w, r, http.StatusCreated, t)
	})
	h := apierror.Config{Codec: gojson.Codec{}}.Recover(bodyparser.New(bodyparser.Config{})(create))

	for _, body := range []string{`{"title":"<b>write</b>"}`, `{"title":1}`} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/api/tasks", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body)
	}
	// Output:
	// 201 {"title":"<b>write</b>"}
	// 400 {"error":"Invalid JSON: field \"title\" must be a string, got number"}
}
