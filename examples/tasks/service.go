package main

// The service layer: what a task may look like and who may touch it. It
// knows nothing of HTTP; the handlers translate its errors (ErrNotFound,
// *ValidationError) into statuses.

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Status is where a task stands.
type Status string

// The statuses a task can have.
const (
	StatusTodo  Status = "todo"
	StatusDoing Status = "doing"
	StatusDone  Status = "done"
)

func (s Status) valid() bool {
	return s == StatusTodo || s == StatusDoing || s == StatusDone
}

// Task is one user's task, as the API sends it. Its owner is the caller, so
// it is not part of the representation.
type Task struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Status      Status    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Limits of the representation and of list pages.
const (
	maxTitleLen       = 200  // characters
	maxDescriptionLen = 2000 // characters
	defaultPageSize   = 20
	maxPageSize       = 100
)

// ErrNotFound is returned for a task that does not exist or that belongs to
// another user: the API does not reveal which.
var ErrNotFound = errNotFound

// ValidationError says which input is wrong and why.
type ValidationError struct {
	Field   string // "title", "limit"...
	Problem string // "must be at most 200 characters"
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Problem }

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// TaskInput is a whole task as a client writes it (create and replace).
type TaskInput struct {
	Title       string
	Description string
	Status      *Status // nil: todo
}

// TaskPatch changes only the fields that are not nil.
type TaskPatch struct {
	Title       *string
	Description *string
	Status      *Status
}

// ListQuery selects a page of tasks. Its fields are the query parameters as
// received, so that every rule about them lives here.
type ListQuery struct {
	Status string // "": every status
	Limit  string // "": defaultPageSize
	Cursor string // "": the first page; else a Page.NextCursor
}

// Precondition is a condition on a task as stored that a write requires:
// the HTTP layer's If-Match. The store calls it inside the write's
// transaction, so that no other write comes between the check and the
// change, and an error from it aborts the write and is returned as it is.
// Nil is no condition.
type Precondition func(current Task) error

func (p Precondition) check(t Task) error {
	if p == nil {
		return nil
	}
	return p(t)
}

// Page is one page of a list, newest task first.
type Page struct {
	Tasks      []Task
	NextCursor string // "" on the last page
}

// Service enforces the rules on tasks: valid fields, and every operation
// scoped to the task's owner.
type Service struct {
	store *Store
	now   func() time.Time
}

// NewService returns a Service over store.
func NewService(store *Store) *Service {
	return &Service{store: store, now: time.Now}
}

// clock returns the current time at the precision the store keeps, so that
// what Create and Update return is what a later Get returns.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

var errNoOwner = errors.New("service: no owner: the handler ran without authentication")

// Create stores a new task for owner.
func (s *Service) Create(ctx context.Context, owner string, in TaskInput) (Task, error) {
	if owner == "" {
		return Task{}, errNoOwner
	}
	t, err := checkInput(in)
	if err != nil {
		return Task{}, err
	}
	t.CreatedAt = s.clock()
	t.UpdatedAt = t.CreatedAt
	return s.store.Create(ctx, owner, t)
}

// Get returns owner's task id.
func (s *Service) Get(ctx context.Context, owner string, id int64) (Task, error) {
	if owner == "" {
		return Task{}, errNoOwner
	}
	return s.store.Get(ctx, owner, id)
}

// Replace overwrites every field of owner's task id with in, if pre holds.
func (s *Service) Replace(ctx context.Context, owner string, id int64, in TaskInput, pre Precondition) (Task, error) {
	if owner == "" {
		return Task{}, errNoOwner
	}
	next, err := checkInput(in)
	if err != nil {
		return Task{}, err
	}
	return s.store.Update(ctx, owner, id, func(t *Task) error {
		if err := pre.check(*t); err != nil {
			return err
		}
		t.Title, t.Description, t.Status = next.Title, next.Description, next.Status
		t.UpdatedAt = s.clock()
		return nil
	})
}

// Patch changes the fields of owner's task id that p sets, if pre holds. An
// empty patch returns the task unchanged, still checked against pre.
func (s *Service) Patch(ctx context.Context, owner string, id int64, p TaskPatch, pre Precondition) (Task, error) {
	if owner == "" {
		return Task{}, errNoOwner
	}
	var title, description string
	if p.Title != nil {
		var err error
		if title, err = checkTitle(*p.Title); err != nil {
			return Task{}, err
		}
	}
	if p.Description != nil {
		var err error
		if description, err = checkDescription(*p.Description); err != nil {
			return Task{}, err
		}
	}
	if p.Status != nil && !p.Status.valid() {
		return Task{}, invalidStatus()
	}
	if p == (TaskPatch{}) {
		t, err := s.store.Get(ctx, owner, id)
		if err == nil {
			err = pre.check(t)
		}
		if err != nil {
			return Task{}, err
		}
		return t, nil
	}
	return s.store.Update(ctx, owner, id, func(t *Task) error {
		if err := pre.check(*t); err != nil {
			return err
		}
		if p.Title != nil {
			t.Title = title
		}
		if p.Description != nil {
			t.Description = description
		}
		if p.Status != nil {
			t.Status = *p.Status
		}
		t.UpdatedAt = s.clock()
		return nil
	})
}

// Delete removes owner's task id, if pre holds.
func (s *Service) Delete(ctx context.Context, owner string, id int64, pre Precondition) error {
	if owner == "" {
		return errNoOwner
	}
	return s.store.Delete(ctx, owner, id, pre)
}

// List returns a page of owner's tasks.
func (s *Service) List(ctx context.Context, owner string, q ListQuery) (Page, error) {
	if owner == "" {
		return Page{}, errNoOwner
	}
	status := Status(q.Status)
	if status != "" && !status.valid() {
		return Page{}, invalidStatus()
	}
	limit := defaultPageSize
	if q.Limit != "" {
		n, err := strconv.Atoi(q.Limit)
		if err != nil || n < 1 || n > maxPageSize {
			return Page{}, invalid("limit", "must be an integer from 1 to %d", maxPageSize)
		}
		limit = n
	}
	var before int64
	if q.Cursor != "" {
		var ok bool
		if before, ok = decodeCursor(q.Cursor); !ok {
			return Page{}, invalid("cursor", "is not a cursor this API returned")
		}
	}
	// One more than asked for tells whether there is a next page.
	tasks, err := s.store.List(ctx, owner, status, before, limit+1)
	if err != nil {
		return Page{}, err
	}
	p := Page{Tasks: tasks}
	if len(tasks) > limit {
		p.Tasks = tasks[:limit]
		p.NextCursor = encodeCursor(p.Tasks[limit-1].ID)
	}
	return p, nil
}

// checkInput validates a whole task and returns it normalised.
func checkInput(in TaskInput) (Task, error) {
	title, err := checkTitle(in.Title)
	if err != nil {
		return Task{}, err
	}
	description, err := checkDescription(in.Description)
	if err != nil {
		return Task{}, err
	}
	status := StatusTodo
	if in.Status != nil {
		if !in.Status.valid() {
			return Task{}, invalidStatus()
		}
		status = *in.Status
	}
	return Task{Title: title, Description: description, Status: status}, nil
}

// checkTitle trims title and checks that it has 1 to maxTitleLen characters
// and fits on one line.
func checkTitle(title string) (string, error) {
	title = strings.TrimSpace(title)
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		return "", invalid("title", "is required")
	case n > maxTitleLen:
		return "", invalid("title", "must be at most %d characters, got %d", maxTitleLen, n)
	}
	if strings.IndexFunc(title, unicode.IsControl) >= 0 {
		return "", invalid("title", "must not contain control characters (line breaks, tabs...)")
	}
	return title, nil
}

// checkDescription checks that description has at most maxDescriptionLen
// characters and no control characters other than line breaks and tabs.
func checkDescription(description string) (string, error) {
	if n := utf8.RuneCountInString(description); n > maxDescriptionLen {
		return "", invalid("description", "must be at most %d characters, got %d", maxDescriptionLen, n)
	}
	if strings.IndexFunc(description, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
	}) >= 0 {
		return "", invalid("description", "must not contain control characters other than line breaks and tabs")
	}
	return description, nil
}

func invalidStatus() *ValidationError {
	return invalid("status", "must be one of %q, %q, %q", StatusTodo, StatusDoing, StatusDone)
}

// A cursor is the ID of the last task of a page, base64url-encoded so that
// clients treat it as opaque and the format can change.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	id, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || id < 1 || strconv.FormatInt(id, 10) != string(b) {
		return 0, false
	}
	return id, true
}
