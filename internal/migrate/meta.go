package migrate

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	_ "github.com/trent-kms/trent/internal/store/sqlite" // registers the "sqlite" driver (modernc.org/sqlite)
)

// Meta reads and replaces the store's meta values. The Store contract only
// lets a meta value be initialised (InitMeta: the first node fixes it), so
// the migration, which must re-seal the service secrets kept there and
// record the new root key, reaches the meta table of the backend directly:
// table meta (name TEXT PRIMARY KEY, value BLOB/BYTEA), the same in both
// backends' schemas.
type Meta interface {
	// Get returns the value stored under name, or ok false.
	Get(ctx context.Context, name string) (value []byte, ok bool, err error)
	// Swap stores value under name if the value stored is old (old nil:
	// no value), atomically; ErrMetaChanged otherwise.
	Swap(ctx context.Context, name string, old, value []byte) error
	// Scrub makes the database drop what it keeps of replaced rows, so
	// that values sealed under the old root key do not linger in its
	// files: VACUUM and a truncating WAL checkpoint for SQLite (run it
	// with the store closed), VACUUM FULL of the tables with sealed values
	// for PostgreSQL (its WAL archive and backups still hold them).
	Scrub(ctx context.Context) error
	Close() error
}

// ErrMetaChanged is Swap's answer when the stored value is not the old one.
var ErrMetaChanged = errors.New("migrate: the meta value changed meanwhile (is a server running on this data?)")

// sqlMeta is Meta on a database/sql connection.
type sqlMeta struct {
	db *sql.DB
	// ph returns the n-th placeholder.
	ph func(n int) string
}

// OpenSQLiteMeta opens the meta table of the embedded store's database
// file, which must exist.
func OpenSQLiteMeta(path string) (Meta, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: url.Values{
		"_txlock": {"immediate"},
		"_pragma": {"busy_timeout(10000)", "synchronous(FULL)"},
	}.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("migrate: open %s: %w", abs, err)
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: open %s: %w", abs, err)
	}
	return &sqlMeta{db: db, ph: func(int) string { return "?" }}, nil
}

func (m *sqlMeta) Get(ctx context.Context, name string) ([]byte, bool, error) {
	var v []byte
	err := m.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = `+m.ph(1), name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("migrate: read meta %s: %w", name, err)
	}
	return v, true, nil
}

func (m *sqlMeta) Swap(ctx context.Context, name string, old, value []byte) error {
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: meta %s: %w", name, err)
	}
	defer tx.Rollback()
	var cur []byte
	err = tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = `+m.ph(1), name).Scan(&cur)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if old != nil {
			return ErrMetaChanged
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES (`+m.ph(1)+`, `+m.ph(2)+`)`, name, value)
	case err != nil:
	case old == nil || !bytes.Equal(cur, old):
		return ErrMetaChanged
	default:
		_, err = tx.ExecContext(ctx, `UPDATE meta SET value = `+m.ph(1)+` WHERE name = `+m.ph(2), value, name)
	}
	if err != nil {
		return fmt.Errorf("migrate: write meta %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: write meta %s: %w", name, err)
	}
	return nil
}

func (m *sqlMeta) Scrub(ctx context.Context) error {
	if _, err := m.db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("migrate: VACUUM: %w", err)
	}
	var busy, logged, checkpointed int
	if err := m.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &checkpointed); err != nil {
		return fmt.Errorf("migrate: WAL checkpoint: %w", err)
	}
	if busy != 0 {
		return errors.New("migrate: the WAL checkpoint could not complete: another connection is reading the database (is a server running on it?)")
	}
	return nil
}

func (m *sqlMeta) Close() error { return m.db.Close() }

// pgMeta is Meta on PostgreSQL.
type pgMeta struct {
	conn *pgx.Conn
}

// OpenPostgresMeta connects to the database of dsn (the store's
// --database-url) for its meta table.
func OpenPostgresMeta(ctx context.Context, dsn string) (Meta, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("migrate: connect to PostgreSQL: %w", err)
	}
	return &pgMeta{conn: conn}, nil
}

func (m *pgMeta) Get(ctx context.Context, name string) ([]byte, bool, error) {
	var v []byte
	err := m.conn.QueryRow(ctx, `SELECT value FROM meta WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("migrate: read meta %s: %w", name, err)
	}
	return v, true, nil
}

func (m *pgMeta) Swap(ctx context.Context, name string, old, value []byte) error {
	tx, err := m.conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: meta %s: %w", name, err)
	}
	defer tx.Rollback(ctx)
	if old == nil {
		tag, err := tx.Exec(ctx, `INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, value)
		if err != nil {
			return fmt.Errorf("migrate: write meta %s: %w", name, err)
		}
		if tag.RowsAffected() != 1 {
			return ErrMetaChanged
		}
	} else {
		var cur []byte
		err := tx.QueryRow(ctx, `SELECT value FROM meta WHERE name = $1 FOR UPDATE`, name).Scan(&cur)
		if errors.Is(err, pgx.ErrNoRows) || err == nil && !bytes.Equal(cur, old) {
			return ErrMetaChanged
		}
		if err != nil {
			return fmt.Errorf("migrate: read meta %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE meta SET value = $1 WHERE name = $2`, value, name); err != nil {
			return fmt.Errorf("migrate: write meta %s: %w", name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: write meta %s: %w", name, err)
	}
	return nil
}

func (m *pgMeta) Scrub(ctx context.Context) error {
	if _, err := m.conn.Exec(ctx, `VACUUM (FULL) keys, credentials, meta`); err != nil {
		return fmt.Errorf("migrate: VACUUM FULL: %w", err)
	}
	return nil
}

func (m *pgMeta) Close() error { return m.conn.Close(context.Background()) }
