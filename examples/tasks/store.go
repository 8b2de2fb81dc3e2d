package main

// The store layer: SQLite through database/sql and modernc.org/sqlite (pure
// Go, no cgo). It knows rows and owners, not HTTP and not the business rules:
// every query is parameterised and scoped to an owner, so a task of another
// user is indistinguishable from a task that does not exist.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// errNoSession is what the store returns for a session that was never
// started, was ended, or was removed after it expired.
var errNoSession = errors.New("no such session")

// maxSessionsPerUser bounds the sessions a user keeps: starting one more
// ends the oldest, so that a client looping on
// POST /api/session cannot grow the table without bound.
const maxSessionsPerUser = 20

// errNotFound is what the store returns for a task that does not exist or
// belongs to someone else; the two are deliberately the same.
var errNotFound = errors.New("task not found")

// migrations bring a database from schema version i (PRAGMA user_version)
// to i+1. Append to the list; never edit an entry that has shipped.
var migrations = [][]string{
	{ // 1: tasks, listed per owner newest first, optionally by status.
		`CREATE TABLE IF NOT EXISTS tasks (
			id          INTEGER PRIMARY KEY AUTOINCREMENT,
			owner       TEXT    NOT NULL,
			title       TEXT    NOT NULL,
			description TEXT    NOT NULL DEFAULT '',
			status      TEXT    NOT NULL CHECK (status IN ('todo', 'doing', 'done')),
			created_at  INTEGER NOT NULL, -- Unix milliseconds
			updated_at  INTEGER NOT NULL  -- Unix milliseconds
		) STRICT`,
		`CREATE INDEX IF NOT EXISTS tasks_by_owner ON tasks (owner, id)`,
		`CREATE INDEX IF NOT EXISTS tasks_by_owner_status ON tasks (owner, status, id)`,
	},
	{ // 2: sessions, so that signing out ends a session for good.
		// The rowid grows with each session: the order they started in.
		`CREATE TABLE IF NOT EXISTS sessions (
			id_hash    BLOB    NOT NULL UNIQUE, -- SHA-256 of the id in the cookie
			user       TEXT    NOT NULL,
			expires_at INTEGER NOT NULL         -- Unix seconds
		) STRICT`,
		`CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at)`,
		`CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user)`,
	},
}

// schemaVersion is the version this program writes and expects.
var schemaVersion = len(migrations)

// Store keeps tasks in one SQLite file.
type Store struct {
	db   *sql.DB
	path string
}

// OpenStore opens (creating it and its folder if needed) the database at
// path and brings its schema up to date. It refuses a database written by a
// newer version of this program.
func OpenStore(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("database path %q: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("database folder: %w", err)
	}
	// Create the file ourselves, readable by its owner only: SQLite would
	// make it world-readable (0644), and gives its -wal and -shm files the
	// database file's permissions.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("database file: %w", err)
	}
	f.Close()
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", abs, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", abs, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", abs, err)
	}
	return &Store{db: db, path: abs}, nil
}

// dsn is the modernc.org/sqlite data source for the file at abs: a file:
// URI (so that any character of the path is escaped rather than read as the
// start of the options) with the options every connection of the pool gets:
//
//   - busy_timeout: wait up to 5s for another writer instead of failing
//     with SQLITE_BUSY;
//   - journal_mode WAL: readers do not block the writer nor the writer the
//     readers; synchronous NORMAL is safe with WAL and much faster;
//   - _txlock=immediate: transactions take the write lock when they begin,
//     so a read-modify-write (Update) never fails half-way on a lock upgrade.
func dsn(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive: file:///C:/...
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return (&url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}).String()
}

// migrate applies the migrations the database has not seen, in one
// transaction, and records the new version.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > schemaVersion {
		return fmt.Errorf("schema version %d is newer than this program's (%d): use a newer build or another -db", version, schemaVersion)
	}
	if version == schemaVersion {
		return nil
	}
	for v := version; v < schemaVersion; v++ {
		for _, stmt := range migrations[v] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
		}
	}
	// PRAGMA takes no bound parameters; the version is an int of ours.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion)); err != nil {
		return fmt.Errorf("record schema version: %w", err)
	}
	return tx.Commit()
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close optimises the query planner's statistics and closes the database,
// waiting for running queries. With the last connection closed, SQLite
// checkpoints the WAL into the database file and removes it.
func (s *Store) Close() error {
	_, optErr := s.db.Exec(`PRAGMA optimize`)
	return errors.Join(optErr, s.db.Close())
}

const taskColumns = `id, title, description, status, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanTask(row scanner) (Task, error) {
	var t Task
	var created, updated int64
	if err := row.Scan(&t.ID, &t.Title, &t.Description, &t.Status, &created, &updated); err != nil {
		return Task{}, err
	}
	t.CreatedAt = time.UnixMilli(created).UTC()
	t.UpdatedAt = time.UnixMilli(updated).UTC()
	return t, nil
}

// Create inserts t for owner and returns it with its ID.
func (s *Store) Create(ctx context.Context, owner string, t Task) (Task, error) {
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO tasks (owner, title, description, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		owner, t.Title, t.Description, t.Status, t.CreatedAt.UnixMilli(), t.UpdatedAt.UnixMilli())
	if err != nil {
		return Task{}, fmt.Errorf("insert task: %w", err)
	}
	if t.ID, err = res.LastInsertId(); err != nil {
		return Task{}, fmt.Errorf("insert task: %w", err)
	}
	return t, nil
}

// Get returns owner's task id, or errNotFound.
func (s *Store) Get(ctx context.Context, owner string, id int64) (Task, error) {
	return getTask(ctx, s.db, owner, id)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func getTask(ctx context.Context, q querier, owner string, id int64) (Task, error) {
	t, err := scanTask(q.QueryRowContext(ctx,
		`SELECT `+taskColumns+` FROM tasks WHERE id = ? AND owner = ?`, id, owner))
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, errNotFound
	}
	if err != nil {
		return Task{}, fmt.Errorf("get task %d: %w", id, err)
	}
	return t, nil
}

// List returns up to limit of owner's tasks, newest first, with an ID below
// before (0: from the newest), and only those with the given status unless
// it is empty.
func (s *Store) List(ctx context.Context, owner string, status Status, before int64, limit int) ([]Task, error) {
	var q strings.Builder
	q.WriteString(`SELECT ` + taskColumns + ` FROM tasks WHERE owner = ?`)
	args := []any{owner}
	if status != "" {
		q.WriteString(` AND status = ?`)
		args = append(args, status)
	}
	if before > 0 {
		q.WriteString(` AND id < ?`)
		args = append(args, before)
	}
	q.WriteString(` ORDER BY id DESC LIMIT ?`)
	args = append(args, limit)

	rows, err := s.db.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	defer rows.Close()
	tasks := make([]Task, 0, limit)
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, fmt.Errorf("list tasks: %w", err)
		}
		tasks = append(tasks, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	return tasks, nil
}

// Update reads owner's task id, lets change modify it, and writes it back,
// all in one transaction, so that two concurrent updates cannot lose each
// other's changes, and a condition that change checks on the task (the
// service's Precondition: If-Match) still holds when it is written: the
// transaction takes the write lock when it begins (_txlock=immediate), so
// no other write comes between the read and the UPDATE. An error from
// change aborts the update and is returned as it is.
func (s *Store) Update(ctx context.Context, owner string, id int64, change func(*Task) error) (Task, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Task{}, fmt.Errorf("update task %d: %w", id, err)
	}
	defer tx.Rollback()
	t, err := getTask(ctx, tx, owner, id)
	if err != nil {
		return Task{}, err
	}
	if err := change(&t); err != nil {
		return Task{}, err
	}
	if _, err := tx.ExecContext(ctx,
		`UPDATE tasks SET title = ?, description = ?, status = ?, updated_at = ? WHERE id = ? AND owner = ?`,
		t.Title, t.Description, t.Status, t.UpdatedAt.UnixMilli(), id, owner); err != nil {
		return Task{}, fmt.Errorf("update task %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return Task{}, fmt.Errorf("update task %d: %w", id, err)
	}
	return t, nil
}

// Delete removes owner's task id, or returns errNotFound. With a check, it
// reads the task and deletes it only if check returns nil, in one
// transaction (as Update), and returns check's error as it is otherwise.
func (s *Store) Delete(ctx context.Context, owner string, id int64, check func(Task) error) error {
	if check == nil {
		return deleteTask(ctx, s.db, owner, id)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete task %d: %w", id, err)
	}
	defer tx.Rollback()
	t, err := getTask(ctx, tx, owner, id)
	if err != nil {
		return err
	}
	if err := check(t); err != nil {
		return err
	}
	if err := deleteTask(ctx, tx, owner, id); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete task %d: %w", id, err)
	}
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func deleteTask(ctx context.Context, db execer, owner string, id int64) error {
	res, err := db.ExecContext(ctx, `DELETE FROM tasks WHERE id = ? AND owner = ?`, id, owner)
	if err != nil {
		return fmt.Errorf("delete task %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("delete task %d: %w", id, err)
	}
	if n == 0 {
		return errNotFound
	}
	return nil
}

// CreateSession records a session of user, and removes the sessions that
// have expired by now and the user's oldest beyond maxSessionsPerUser.
func (s *Store) CreateSession(ctx context.Context, idHash []byte, user string, expires, now time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	defer tx.Rollback()
	for _, stmt := range []struct {
		query string
		args  []any
	}{
		{`DELETE FROM sessions WHERE expires_at <= ?`, []any{now.Unix()}},
		{`INSERT INTO sessions (id_hash, user, expires_at) VALUES (?, ?, ?)`, []any{idHash, user, expires.Unix()}},
		{`DELETE FROM sessions WHERE user = ? AND rowid NOT IN
			(SELECT rowid FROM sessions WHERE user = ? ORDER BY rowid DESC LIMIT ?)`, []any{user, user, maxSessionsPerUser}},
	} {
		if _, err := tx.ExecContext(ctx, stmt.query, stmt.args...); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionUser returns the user of the session idHash, or errNoSession.
func (s *Store) SessionUser(ctx context.Context, idHash []byte) (string, error) {
	var user string
	err := s.db.QueryRowContext(ctx, `SELECT user FROM sessions WHERE id_hash = ?`, idHash).Scan(&user)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoSession
	}
	if err != nil {
		return "", fmt.Errorf("read session: %w", err)
	}
	return user, nil
}

// DeleteSession removes the session idHash; removing one that does not
// exist is not an error.
func (s *Store) DeleteSession(ctx context.Context, idHash []byte) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}
