package main

// The database layer: chat sessions and the artifacts uploaded into them,
// in SQLite through modernc.org/sqlite (pure Go), as in examples/tasks.
// Every query is parameterised and scoped to an owner: another user's row
// is indistinguishable from a row that does not exist.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var errNotFound = errors.New("not found")

var schema = []string{
	`CREATE TABLE IF NOT EXISTS sessions (
		id         TEXT    PRIMARY KEY,
		owner      TEXT    NOT NULL,
		title      TEXT    NOT NULL,
		type       TEXT    NOT NULL,
		created_at INTEGER NOT NULL,
		updated_at INTEGER NOT NULL
	) STRICT`,
	`CREATE INDEX IF NOT EXISTS sessions_by_owner ON sessions (owner, type, created_at)`,
	`CREATE TABLE IF NOT EXISTS artifacts (
		id           TEXT    PRIMARY KEY,
		owner        TEXT    NOT NULL,
		session_id   TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
		name         TEXT    NOT NULL,
		content_type TEXT    NOT NULL,
		size         INTEGER NOT NULL,
		data         BLOB    NOT NULL,
		created_at   INTEGER NOT NULL
	) STRICT`,
	`CREATE INDEX IF NOT EXISTS artifacts_by_session ON artifacts (session_id)`,
}

// Store is the database.
type Store struct{ db *sql.DB }

// OpenStore opens the SQLite database at path (":memory:" for one that
// lives as long as the process) and creates its tables.
func OpenStore(ctx context.Context, path string) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	if path == ":memory:" {
		// One connection: each in-memory connection would be its own database.
		dsn = "file::memory:?" + q.Encode()
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	if path == ":memory:" {
		db.SetMaxOpenConns(1)
	}
	for _, stmt := range schema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			db.Close()
			return nil, fmt.Errorf("schema: %w", err)
		}
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Session is a chat session.
type Session struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Artifact is a file uploaded into a session; Data is not sent as JSON.
type Artifact struct {
	ID          string    `json:"id"`
	SessionID   string    `json:"sessionId"`
	Name        string    `json:"name"`
	ContentType string    `json:"contentType"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"createdAt"`
	Data        []byte    `json:"-"`
}

func (s *Store) CreateSession(ctx context.Context, owner string, ss Session) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO sessions (id, owner, title, type, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		ss.ID, owner, ss.Title, ss.Type, ss.CreatedAt.UnixMilli(), ss.UpdatedAt.UnixMilli())
	return err
}

// ListSessions returns owner's sessions, newest first, of one type when
// typ is not "".
func (s *Store) ListSessions(ctx context.Context, owner, typ string) ([]Session, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT id, title, type, created_at, updated_at FROM sessions
		 WHERE owner = ? AND (? = '' OR type = ?) ORDER BY created_at DESC, id`, owner, typ, typ)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, rows.Err()
}

func (s *Store) GetSession(ctx context.Context, owner, id string) (Session, error) {
	ss, err := scanSession(s.db.QueryRowContext(ctx,
		`SELECT id, title, type, created_at, updated_at FROM sessions WHERE owner = ? AND id = ?`, owner, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, errNotFound
	}
	return ss, err
}

// RenameSession sets the title of owner's session id and returns it.
func (s *Store) RenameSession(ctx context.Context, owner, id, title string, now time.Time) (Session, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE sessions SET title = ?, updated_at = ? WHERE owner = ? AND id = ?`,
		title, now.UnixMilli(), owner, id)
	if err != nil {
		return Session{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Session{}, errNotFound
	}
	return s.GetSession(ctx, owner, id)
}

// DeleteSession deletes owner's session id and its artifacts.
func (s *Store) DeleteSession(ctx context.Context, owner, id string) error {
	return deleted(s.db.ExecContext(ctx, `DELETE FROM sessions WHERE owner = ? AND id = ?`, owner, id))
}

type scanner interface{ Scan(dest ...any) error }

func scanSession(row scanner) (Session, error) {
	var ss Session
	var created, updated int64
	if err := row.Scan(&ss.ID, &ss.Title, &ss.Type, &created, &updated); err != nil {
		return Session{}, err
	}
	ss.CreatedAt, ss.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return ss, nil
}

func (s *Store) CreateArtifact(ctx context.Context, owner string, a Artifact) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO artifacts (id, owner, session_id, name, content_type, size, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, owner, a.SessionID, a.Name, a.ContentType, a.Size, a.Data, a.CreatedAt.UnixMilli())
	return err
}

// GetArtifact returns owner's artifact id, with its data when withData.
func (s *Store) GetArtifact(ctx context.Context, owner, id string, withData bool) (Artifact, error) {
	var a Artifact
	var created int64
	data := "x''"
	if withData {
		data = "data"
	}
	err := s.db.QueryRowContext(ctx,
		`SELECT id, session_id, name, content_type, size, created_at, `+data+` FROM artifacts WHERE owner = ? AND id = ?`, owner, id).
		Scan(&a.ID, &a.SessionID, &a.Name, &a.ContentType, &a.Size, &created, &a.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return Artifact{}, errNotFound
	}
	a.CreatedAt = time.UnixMilli(created).UTC()
	return a, err
}

func (s *Store) DeleteArtifact(ctx context.Context, owner, id string) error {
	return deleted(s.db.ExecContext(ctx, `DELETE FROM artifacts WHERE owner = ? AND id = ?`, owner, id))
}

func deleted(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNotFound
	}
	return nil
}
