package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// maxAttempts bounds how often a transaction or statement is run.
const maxAttempts = 5

// stopError marks an error that ends a transaction or statement at once,
// without retry; retry returns the error it wraps.
type stopError struct{ err error }

func (e stopError) Error() string { return e.err.Error() }

// stop wraps err so that retry does not retry it.
func stop(err error) error { return stopError{err} }

// read runs a read-only query, retrying it when its connection failed:
// reads can be repeated safely.
func (s *Store) read(ctx context.Context, query func() error) error {
	return retry(ctx, query, connectionLost)
}

// exec runs one statement in its own implicit transaction. It retries when
// PostgreSQL rolled the statement back (serialization failure, deadlock)
// or when nothing reached the server.
func (s *Store) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := retry(ctx, func() error {
		var err error
		tag, err = s.pool.Exec(ctx, sql, args...)
		return err
	}, func(err error) bool {
		return rolledBack(err) || pgconn.SafeToRetry(err)
	})
	return tag, err
}

// inTx runs fn in a transaction and commits it. The transaction is run
// again when it was rolled back by a serialization failure or a deadlock
// (at any point, COMMIT included), or when its connection failed before
// COMMIT was sent, which makes the server roll it back. fn may run more
// than once. Errors are returned as they are.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	var committing bool
	return retry(ctx, func() error {
		committing = false
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		// A no-op after Commit. With a cancelled ctx, pgx closes the
		// connection instead, which rolls back as well.
		defer tx.Rollback(ctx)
		if err := fn(tx); err != nil {
			return err
		}
		committing = true
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	}, func(err error) bool {
		return rolledBack(err) || (!committing && connectionLost(err))
	})
}

// retry runs op up to maxAttempts times while it fails with an error
// transient reports, sleeping a randomised, growing delay in between.
func retry(ctx context.Context, op func() error, transient func(error) bool) error {
	for attempt := 1; ; attempt++ {
		err := op()
		var se stopError
		if errors.As(err, &se) {
			return se.err
		}
		if err == nil || attempt == maxAttempts || ctx.Err() != nil || !transient(err) {
			return err
		}
		// 5-10 ms, 10-20 ms, 20-40 ms, 40-80 ms.
		d := time.Duration(5<<(attempt-1)) * time.Millisecond
		d += rand.N(d)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}
