package store

import "context"

// querier is what both backends offer, inside or outside a transaction.
// Statements use "?" placeholders; the PostgreSQL backend rewrites them.
type querier interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	query(ctx context.Context, q string, args ...any) (rows, error)
	// queryRow scans the first row into dest; errNoRows when there is none.
	queryRow(ctx context.Context, q string, dest []any, args ...any) error
}

// rows iterates a result set. Close must be called.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// backend is one database engine.
type backend interface {
	querier
	// tx runs fn in one transaction, committing if it returns nil.
	tx(ctx context.Context, fn func(q querier) error) error
	// lockMigrations serialises migrators inside a migration transaction.
	lockMigrations(ctx context.Context, q querier) error
	// lockCourse serialises, until the transaction ends, the transactions
	// that read a course's totals to decide a write (the materials quota),
	// across every process on the database.
	lockCourse(ctx context.Context, q querier, courseID string) error
	// classify maps an engine error to a kind.
	classify(err error) errKind
	name() string
	close() error
}

type errKind int

const (
	errOther errKind = iota
	errUnique
	errForeignKey
)

// scanAll drains rs, calling scan for each row.
func scanAll(rs rows, err error, scan func(rows) error) error {
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		if err := scan(rs); err != nil {
			return err
		}
	}
	return rs.Err()
}
