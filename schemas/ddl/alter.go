package ddl

import (
	"fmt"
	"regexp"
	"strings"
)

// Column is one ADD COLUMN clause of an ALTER TABLE statement.
type Column struct {
	// Name is the column's name.
	Name string
	// Clause is the clause as written, such as "ADD COLUMN hold_s Nullable(Float64)".
	Clause string
}

var (
	alterTableRE = regexp.MustCompile(`(?m)^ALTER TABLE (\w+)\.(\w+)$`)
	addColumnRE  = regexp.MustCompile(`^ADD COLUMN (\w+) [^,]+$`)
)

// parseAlter fills st.Table and st.Columns when st.SQL is an ALTER TABLE
// statement: the line "ALTER TABLE db.table" followed by one
// "ADD COLUMN name type" clause per line, separated by commas. It reports
// whether st is an ALTER statement, and an error for one of another shape.
func parseAlter(st *Statement) (bool, error) {
	m := alterTableRE.FindStringSubmatchIndex(st.SQL)
	if m == nil {
		return false, nil
	}
	st.Table = st.SQL[m[4]:m[5]]
	st.alterPrefix = st.SQL[m[0]:m[1]]
	for _, line := range strings.Split(st.SQL[m[1]:], "\n") {
		line = strings.TrimSuffix(strings.TrimSpace(line), ",")
		if line == "" {
			continue
		}
		cm := addColumnRE.FindStringSubmatch(line)
		if cm == nil {
			return true, fmt.Errorf("ddl %s: %q is not an ADD COLUMN clause of its own line", st.Name, line)
		}
		st.Columns = append(st.Columns, Column{Name: cm[1], Clause: line})
	}
	if len(st.Columns) == 0 {
		return true, fmt.Errorf("ddl %s: ALTER TABLE without ADD COLUMN clauses", st.Name)
	}
	return true, nil
}

// AddMissing returns the statement that adds those of st.Columns that have
// is false for, and false when there is nothing to add (or st is not an
// ALTER statement). ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS, so
// this is how an ALTER statement stays idempotent: the caller reads the
// table's columns (system.columns) and sends what is missing.
func (st Statement) AddMissing(has func(column string) bool) (string, bool) {
	var clauses []string
	for _, c := range st.Columns {
		if !has(c.Name) {
			clauses = append(clauses, c.Clause)
		}
	}
	if len(clauses) == 0 {
		return "", false
	}
	return st.alterPrefix + "\n    " + strings.Join(clauses, ",\n    ") + "\n", true
}

// clusterAlter turns the single-node ALTER statement st into two
// statements run ON CLUSTER: the ALTER of the shard-local table, and for
// the Distributed table over it, whose columns must match, an ALTER whose
// Replace (drop and create again) is what is sent (see Statement.Replace).
func clusterAlter(st Statement, database, cluster string) []Statement {
	mk := func(name, table string) Statement {
		prefix := fmt.Sprintf("ALTER TABLE %s.%s ON CLUSTER %s", database, table, cluster)
		out := Statement{Name: name, Table: table, Columns: st.Columns, alterPrefix: prefix}
		out.SQL, _ = out.AddMissing(func(string) bool { return false })
		if comments := st.SQL[:strings.Index(st.SQL, st.alterPrefix)]; comments != "" {
			out.SQL = comments + out.SQL
		}
		return out
	}
	dist := mk(strings.TrimSuffix(st.Name, ".sql")+"_distributed.sql", st.Table)
	dist.Replace = []string{
		fmt.Sprintf("DROP TABLE IF EXISTS %s.%s ON CLUSTER %s", database, st.Table, cluster),
		distributed(database, st.Table, cluster, shardingKeys[st.Table]),
	}
	dist.SQL = "-- The Distributed table " + st.Table + " takes the new columns of its local table by\n" +
		"-- being created again (18.16 refuses its ALTER ON CLUSTER, see Statement.Replace).\n" +
		strings.Join(dist.Replace, ";\n") + "\n"
	return []Statement{mk(st.Name, st.Table+LocalSuffix), dist}
}
