package main

// The service layer: the rules (what a valid session is, who may see what)
// between the route handlers and the database. It speaks typed API errors,
// as the guide's ApiError classes do, and knows nothing of HTTP requests.

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apiroutes/apiroutes/apierror"
)

// sessionTypes are the kinds of chat session, for ?type=.
var sessionTypes = map[string]bool{"chat": true, "agent": true}

const maxTitle = 200

// Service holds the rules.
type Service struct {
	store *Store
	now   func() time.Time
}

// NewSession is what a client sends to create a session.
type NewSession struct {
	Title string `json:"title"`
	Type  string `json:"type"`
}

func checkTitle(title string) (string, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return "", apierror.BadRequest("title is required")
	}
	if utf8.RuneCountInString(title) > maxTitle {
		return "", apierror.BadRequest("title is longer than 200 characters")
	}
	return title, nil
}

func checkType(typ string) error {
	if !sessionTypes[typ] {
		return apierror.BadRequest(`type must be "chat" or "agent"`)
	}
	return nil
}

func (s *Service) CreateSession(ctx context.Context, owner string, in NewSession) (Session, error) {
	title, err := checkTitle(in.Title)
	if err != nil {
		return Session{}, err
	}
	if in.Type == "" {
		in.Type = "chat"
	}
	if err := checkType(in.Type); err != nil {
		return Session{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	ss := Session{ID: newID(), Title: title, Type: in.Type, CreatedAt: now, UpdatedAt: now}
	return ss, s.store.CreateSession(ctx, owner, ss)
}

// ListSessions lists owner's sessions, of one type when typ is not "".
func (s *Service) ListSessions(ctx context.Context, owner, typ string) ([]Session, error) {
	if typ != "" {
		if err := checkType(typ); err != nil {
			return nil, err
		}
	}
	return s.store.ListSessions(ctx, owner, typ)
}

func (s *Service) RenameSession(ctx context.Context, owner, id, title string) (Session, error) {
	title, err := checkTitle(title)
	if err != nil {
		return Session{}, err
	}
	ss, err := s.store.RenameSession(ctx, owner, id, title, s.now().UTC())
	return ss, notFound(err, "session not found")
}

func (s *Service) DeleteSession(ctx context.Context, owner, id string) error {
	return notFound(s.store.DeleteSession(ctx, owner, id), "session not found")
}

// Upload stores a file in owner's session.
func (s *Service) Upload(ctx context.Context, owner, sessionID, name, contentType string, data []byte) (Artifact, error) {
	if sessionID == "" {
		return Artifact{}, apierror.BadRequest("sessionId is required")
	}
	if _, err := s.store.GetSession(ctx, owner, sessionID); err != nil {
		return Artifact{}, notFound(err, "session not found")
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 255 || strings.ContainsAny(name, "/\\\x00") {
		return Artifact{}, apierror.BadRequest("file name must be 1 to 255 characters, without / or \\")
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	a := Artifact{
		ID: newID(), SessionID: sessionID, Name: name, ContentType: contentType,
		Size: int64(len(data)), Data: data, CreatedAt: s.now().UTC().Truncate(time.Millisecond),
	}
	return a, s.store.CreateArtifact(ctx, owner, a)
}

func (s *Service) Artifact(ctx context.Context, owner, id string, withData bool) (Artifact, error) {
	a, err := s.store.GetArtifact(ctx, owner, id, withData)
	return a, notFound(err, "artifact not found")
}

func (s *Service) DeleteArtifact(ctx context.Context, owner, id string) error {
	return notFound(s.store.DeleteArtifact(ctx, owner, id), "artifact not found")
}

// notFound turns the store's errNotFound into a 404 with msg; other errors
// stay as they are (a 500 whose cause is logged, never sent).
func notFound(err error, msg string) error {
	if errors.Is(err, errNotFound) {
		return apierror.NotFound(msg)
	}
	return err
}

func newID() string { return randomString(12) }
