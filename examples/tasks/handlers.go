package main

// The HTTP layer: route handlers that read the request (the body through
// bodyparser, the query through route.Query, the user from the context that
// withAuth filled), call the service, and answer with respond. Errors are
// returned, not written: apierror renders them as {"error": "..."}.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/cookies"
	"github.com/apiroutes/apiroutes/jsoncodec"
	"github.com/apiroutes/apiroutes/respond"
	"github.com/apiroutes/apiroutes/route"
)

// handlers holds what the route handlers need.
type handlers struct {
	tasks *Service
	auth  *authenticator
	// requirePrecondition answers PUT, PATCH and DELETE without If-Match
	// (or If-None-Match) with 428 (-require-precondition).
	requirePrecondition bool
}

// optional is a JSON member that remembers whether it was present and
// whether it was null, which a pointer field cannot tell apart:
//
//	{}                  Set: false
//	{"title": null}     Set: true, Null: true
//	{"title": "x"}      Set: true, V: "x"
type optional[T any] struct {
	Set  bool
	Null bool
	V    T
}

// UnmarshalJSON is only called for members that are present. A value of the
// wrong type is a *json.UnmarshalTypeError, which encoding/json completes
// with the member's name, so the client reads
// `Invalid JSON: field "title" must be a string, got number`.
func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// taskBody is the JSON a client sends to create, replace or patch a task.
// Decoding refuses any other member (bodyparser.DisallowUnknownFields), so
// a typo such as "titel" is a 400 naming it instead of a silently ignored
// field.
type taskBody struct {
	Title       optional[string] `json:"title"`
	Description optional[string] `json:"description"`
	Status      optional[Status] `json:"status"`
}

// input is the body as a whole task (create, replace). A missing or null
// description is empty; a missing status is "todo", a null one is invalid.
func (b taskBody) input() (TaskInput, error) {
	in := TaskInput{Title: b.Title.V, Description: b.Description.V}
	if b.Status.Set {
		if b.Status.Null {
			return TaskInput{}, invalidStatus()
		}
		in.Status = &b.Status.V
	}
	return in, nil
}

// patch is the body as a partial update: absent members are left alone;
// null clears the description and is refused for the title and the status,
// which cannot be empty.
func (b taskBody) patch() (TaskPatch, error) {
	var p TaskPatch
	if b.Title.Set {
		if b.Title.Null {
			return TaskPatch{}, invalid("title", "cannot be null")
		}
		p.Title = &b.Title.V
	}
	if b.Description.Set {
		p.Description = &b.Description.V // null: ""
	}
	if b.Status.Set {
		if b.Status.Null {
			return TaskPatch{}, invalidStatus()
		}
		p.Status = &b.Status.V
	}
	return p, nil
}

// listResponse is a page of tasks. NextCursor, when present, is the cursor
// query parameter of the next page.
type listResponse struct {
	Tasks      []Task `json:"tasks"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// GET /api/tasks?status=&limit=&cursor=
func (h *handlers) listTasks(w http.ResponseWriter, r *http.Request) error {
	owner, err := currentUser(r)
	if err != nil {
		return err
	}
	// Next's req.query: a string, or a []string when repeated. Like unknown
	// body members, unknown parameters are refused rather than ignored:
	// ?page=2 or ?state=done would otherwise quietly answer something else.
	var lq ListQuery
	params := map[string]*string{"status": &lq.Status, "limit": &lq.Limit, "cursor": &lq.Cursor}
	for name, v := range route.Query(r) {
		dst, known := params[name]
		switch v := v.(type) {
		case string:
			if !known {
				return apierror.BadRequest(fmt.Sprintf("unknown query parameter %q: use status, limit and cursor", name))
			}
			*dst = v
		case []string:
			return apierror.BadRequest(fmt.Sprintf("invalid query parameter %q: given %d times, expected once", name, len(v)))
		}
	}
	page, err := h.tasks.List(r.Context(), owner, lq)
	if err != nil {
		return httpError(err, "query parameter")
	}
	return sendJSON(w, r, http.StatusOK, listResponse(page))
}

// POST /api/tasks
func (h *handlers) createTask(w http.ResponseWriter, r *http.Request) error {
	owner, err := currentUser(r)
	if err != nil {
		return err
	}
	body, err := bodyparser.Decode[taskBody](r, bodyparser.DisallowUnknownFields)
	if err != nil {
		return err // 400 naming the field or the byte, 415 for another content type
	}
	in, err := body.input()
	if err != nil {
		return httpError(err, "field")
	}
	t, err := h.tasks.Create(r.Context(), owner, in)
	if err != nil {
		return httpError(err, "field")
	}
	w.Header().Set("Location", taskPath(t.ID))
	return sendJSON(w, r, http.StatusCreated, t)
}

// GET /api/tasks/[id]
func (h *handlers) getTask(w http.ResponseWriter, r *http.Request) error {
	owner, id, err := ownerAndID(r)
	if err != nil {
		return err
	}
	t, err := h.tasks.Get(r.Context(), owner, id)
	if err != nil {
		return httpError(err, "field")
	}
	return sendJSON(w, r, http.StatusOK, t)
}

// PUT /api/tasks/[id]
func (h *handlers) replaceTask(w http.ResponseWriter, r *http.Request) error {
	owner, id, err := ownerAndID(r)
	if err != nil {
		return err
	}
	body, err := bodyparser.Decode[taskBody](r, bodyparser.DisallowUnknownFields)
	if err != nil {
		return err
	}
	in, err := body.input()
	if err != nil {
		return httpError(err, "field")
	}
	t, err := h.tasks.Replace(r.Context(), owner, id, in, h.precondition(r))
	if err != nil {
		return httpError(err, "field")
	}
	return sendJSON(w, r, http.StatusOK, t)
}

// PATCH /api/tasks/[id]
func (h *handlers) patchTask(w http.ResponseWriter, r *http.Request) error {
	owner, id, err := ownerAndID(r)
	if err != nil {
		return err
	}
	body, err := bodyparser.Decode[taskBody](r, bodyparser.DisallowUnknownFields)
	if err != nil {
		return err
	}
	p, err := body.patch()
	if err != nil {
		return httpError(err, "field")
	}
	t, err := h.tasks.Patch(r.Context(), owner, id, p, h.precondition(r))
	if err != nil {
		return httpError(err, "field")
	}
	return sendJSON(w, r, http.StatusOK, t)
}

// DELETE /api/tasks/[id]
func (h *handlers) deleteTask(w http.ResponseWriter, r *http.Request) error {
	owner, id, err := ownerAndID(r)
	if err != nil {
		return err
	}
	if err := h.tasks.Delete(r.Context(), owner, id, h.precondition(r)); err != nil {
		return httpError(err, "field")
	}
	return sendStatus(w, r, http.StatusNoContent)
}

// sessionResponse answers POST /api/session.
type sessionResponse struct {
	User      string    `json:"user"`
	ExpiresAt time.Time `json:"expires_at"`
}

// POST /api/session: trades the bearer token (and only a bearer token: a
// session cannot extend itself) for a new session and its signed cookie.
func (h *handlers) createSession(w http.ResponseWriter, r *http.Request) error {
	user, err := h.auth.bearerUser(r)
	if err != nil {
		return h.auth.challenge(w, err)
	}
	noteUser(r, user)
	expires, err := h.auth.startSession(w, r, user)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return sendJSON(w, r, http.StatusOK, sessionResponse{User: user, ExpiresAt: expires})
}

// DELETE /api/session: ends the session of the cookie sent, if any (no
// copy of the cookie works any more), and removes the cookie. It needs no
// other authentication, so that a client holding a broken or expired cookie
// can still get rid of it.
func (h *handlers) deleteSession(w http.ResponseWriter, r *http.Request) error {
	if err := h.auth.endSession(r); err != nil {
		return err
	}
	if err := cookies.Delete(w, r, sessionCookie, sessionCookieOptions); err != nil {
		return err
	}
	return sendStatus(w, r, http.StatusNoContent)
}

// # Conditional writes
//
// A GET of a task sends its ETag: respond's, Next's hash of the JSON body,
// which is strong (byte-for-byte) and changes whenever the task does
// (every write moves updated_at). A client that sends it back in If-Match
// with a PUT, PATCH or DELETE changes the task only if nobody has changed
// it since, else gets 412 and reads it again: no lost update. The check
// runs inside the store's write transaction (Store.Update, Store.Delete),
// on the task as it is then, so two writes with the same If-Match cannot
// both pass.
//
// If-Match is optional by default, as in the seeds, whose clients send
// none; -require-precondition makes it mandatory (428 without one).

// precondition is the check of r's If-Match, If-Unmodified-Since and
// If-None-Match against a task as stored. The task has no Last-Modified:
// updated_at moves by the millisecond and HTTP dates by the second, so two
// writes in one second would pass the same If-Unmodified-Since.
func (h *handlers) precondition(r *http.Request) Precondition {
	return func(current Task) error {
		etag, err := taskETag(current)
		if err != nil {
			return err
		}
		return respond.Preconditions{ETag: etag, Required: h.requirePrecondition}.Check(r)
	}
}

// taskETag is the ETag respond.JSON sends with t: Next's ETag of its JSON
// as the route's codec writes it, encoding/json without HTML escaping
// (jsoncodec.Std; the routes name no other codec).
func taskETag(t Task) (string, error) {
	body, err := jsoncodec.Std{}.Append(nil, t)
	if err != nil {
		return "", err
	}
	return respond.ETag(body), nil
}

// taskPath is the URL path of task id, the Location of a created task.
func taskPath(id int64) string { return "/api/tasks/" + strconv.FormatInt(id, 10) }

var errTaskNotFound = apierror.NotFound("task not found")

// ownerAndID returns the authenticated user and the [id] of the path. An id
// that is not a task ID in canonical form ("7", not "07" nor "x") names no
// task: 404, like a task that does not exist.
func ownerAndID(r *http.Request) (string, int64, error) {
	owner, err := currentUser(r)
	if err != nil {
		return "", 0, err
	}
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 || strconv.FormatInt(id, 10) != s {
		return "", 0, errTaskNotFound
	}
	return owner, id, nil
}

// currentUser returns the user withAuth put in the request's context.
func currentUser(r *http.Request) (string, error) {
	if u, ok := userFrom(r.Context()); ok {
		return u, nil
	}
	return "", errors.New("tasks: handler reached without withAuth in its chain")
}

// httpError maps the service's errors to API errors: a task of someone else
// is the same 404 as a missing one, and a validation error is a 400 naming
// the field or query parameter (kind says which). Anything else is left to
// apierror: a 500 whose cause is logged, never sent.
func httpError(err error, kind string) error {
	var ve *ValidationError
	switch {
	case errors.Is(err, ErrNotFound):
		return errTaskNotFound
	case errors.As(err, &ve):
		return apierror.BadRequest(fmt.Sprintf("invalid %s %q: %s", kind, ve.Field, ve.Problem))
	}
	return err
}

// sendJSON is respond.JSON (ETag, Content-Length, 304 for a matching
// If-None-Match) for answers that are private to the caller, and it tells the
// access log the status it sent (see accessLog).
func sendJSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	if w.Header().Get("Cache-Control") == "" {
		// The browser may keep it, revalidating with the ETag; shared
		// caches may not: it depends on who asks.
		w.Header().Set("Cache-Control", "private, no-cache")
	}
	if err := respond.JSON(w, r, status, v); err != nil {
		var ae *apierror.Error
		if !errors.As(err, &ae) {
			noteStatus(r, status) // sent, then the client went away
		}
		return err // an *apierror.Error has sent nothing: apierror answers it
	}
	if w.Header().Get("Content-Type") == "" {
		// respond answered 304 Not Modified: it drops the body's headers.
		status = http.StatusNotModified
	}
	noteStatus(r, status)
	return nil
}

// sendStatus is respond.Status for answers without a body (204), noted for
// the access log.
func sendStatus(w http.ResponseWriter, r *http.Request, status int) error {
	if err := respond.Status(w, status); err != nil {
		return err
	}
	noteStatus(r, status)
	return nil
}
