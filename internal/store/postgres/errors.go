package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/trent-kms/trent/internal/store"
)

// SQLSTATE codes the store interprets.
const (
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeUndefinedFunction    = "42883"
	codeFeatureNotSupported  = "0A000"
	codeUniqueViolation      = "23505"
	codeDuplicateTable       = "42P07"
	codeDuplicateObject      = "42710"
)

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// rolledBack reports whether err means that the server rolled the
// transaction back and running it again may succeed.
func rolledBack(err error) bool {
	switch sqlState(err) {
	case codeSerializationFailure, codeDeadlockDetected:
		return true
	}
	return false
}

// connectionLost reports whether err is the failure of a connection (or of
// making one) rather than a refusal by the server or a cancelled context.
func connectionLost(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// connection_exception, admin_shutdown, crash_shutdown,
		// cannot_connect_now.
		return strings.HasPrefix(pgErr.Code, "08") ||
			pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return pgconn.SafeToRetry(err) || errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

// inserted interprets the tag of INSERT ... ON CONFLICT DO NOTHING:
// ErrExists if no row was inserted.
func inserted(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrExists
	}
	return nil
}

// affected interprets the tag of an UPDATE or DELETE of one row by its
// primary key: ErrNotFound if there was no such row.
func affected(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// noRows maps pgx.ErrNoRows to ErrNotFound.
func noRows(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// nonNil returns b, or an empty slice for nil: pgx sends a nil []byte as
// NULL, and the BYTEA columns are NOT NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
