package ddl

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.sql
var files embed.FS

// Placeholder is replaced by the database name in every statement.
const Placeholder = "{{database}}"

// ErrBadDatabaseName is returned when a database name is not a plain
// ClickHouse identifier.
var ErrBadDatabaseName = errors.New("database name must match [A-Za-z_][A-Za-z0-9_]* and be at most 64 characters")

// Statement is one DDL statement of the schema.
type Statement struct {
	// Name is the file the statement comes from, such as "002_interactions.sql".
	Name string
	// SQL is the statement with the database name filled in.
	SQL string
	// Table and Columns are set for an ALTER TABLE statement, which only
	// adds columns: the table (without the database) and its ADD COLUMN
	// clauses. Such a statement is not idempotent by itself on 18.16; send
	// AddMissing's statement instead of SQL.
	Table   string
	Columns []Column
	// Dropped is set for a DROP TABLE IF EXISTS statement: the table (without
	// the database) it removes. Such a statement is idempotent as it is.
	Dropped string
	// Replace is set for the ALTER statement of a Distributed table in
	// cluster mode: when AddMissing reports columns to add, send these
	// statements instead (drop the Distributed table ON CLUSTER and
	// create it again over its local table, which then has the columns).
	// ClickHouse 18.16 refuses ALTER … ON CLUSTER of a table that is not
	// replicated on a cluster whose shards set internal_replication,
	// which replicated local tables need. A Distributed table stores no
	// rows of its own when inserts are synchronous (the store's are).
	Replace []string

	alterPrefix string // "ALTER TABLE db.table[ ON CLUSTER c]"
}

// Statements returns the schema for database, in the order to apply them.
// It fails with ErrBadDatabaseName when database is not a plain identifier
// (the name is spliced into SQL, so nothing else is accepted).
func Statements(database string) ([]Statement, error) {
	if err := CheckDatabaseName(database); err != nil {
		return nil, err
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("list ddl files: %w", err)
	}
	sort.Strings(names)
	out := make([]Statement, 0, len(names))
	for _, name := range names {
		b, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read ddl %s: %w", name, err)
		}
		st := Statement{Name: name, SQL: strings.ReplaceAll(string(b), Placeholder, database)}
		if _, err := parseAlter(&st); err != nil {
			return nil, err
		}
		if m := dropTableRE.FindStringSubmatch(st.SQL); m != nil {
			st.Dropped = m[2]
		}
		out = append(out, st)
	}
	return out, nil
}

// CheckDatabaseName returns nil when name is a plain ClickHouse identifier
// (letters, digits and underscores, not starting with a digit, 1 to 64
// characters), and an error wrapping ErrBadDatabaseName otherwise.
func CheckDatabaseName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("%q: %w", name, ErrBadDatabaseName)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return fmt.Errorf("%q: %w", name, ErrBadDatabaseName)
		}
	}
	return nil
}
