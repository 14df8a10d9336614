package ddl

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current DDL")

// TestGolden pins the rendered DDL: a change to what a table looks like must
// show up in review as a change to testdata/*.golden (go test -update).
func TestGolden(t *testing.T) {
	stmts, err := Statements("agentpulse")
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) == 0 {
		t.Fatal("no statements embedded")
	}
	seen := map[string]bool{}
	for _, s := range stmts {
		golden := filepath.Join("testdata", strings.TrimSuffix(s.Name, ".sql")+".golden")
		seen[filepath.Base(golden)] = true
		if *update {
			if err := os.WriteFile(golden, []byte(s.SQL), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%s: %v (run go test -update to create it)", s.Name, err)
		}
		if string(want) != s.SQL {
			t.Errorf("%s differs from %s (run go test -update if the change is intended):\n--- got\n%s\n--- want\n%s", s.Name, golden, s.SQL, want)
		}
	}
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".golden") && !seen[e.Name()] {
			t.Errorf("testdata/%s has no matching .sql file", e.Name())
		}
	}
}

func TestStatementsOrderAndTemplate(t *testing.T) {
	stmts, err := Statements("db_1")
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"001_database.sql", "002_interactions.sql", "003_interaction_revisions.sql", "005_buckets.sql", "006_checkpoints.sql", "007_plans.sql", "008_assistance_catalogs.sql", "009_interaction_inputs.sql", "010_snapshots.sql", "011_bucket_hours.sql", "012_bucket_touches.sql", "013_rollups.sql", "014_rollup_state.sql", "015_roster.sql", "016_tenant_models.sql", "017_buckets_learned.sql", "018_bucket_hours_learned.sql", "019_rollups_learned.sql", "020_model_latest.sql", "021_drop_interaction_timeline.sql", "022_key_filters.sql"}
	if len(stmts) != len(wantNames) {
		t.Fatalf("got %d statements, want %d", len(stmts), len(wantNames))
	}
	for i, s := range stmts {
		if s.Name != wantNames[i] {
			t.Errorf("statement %d is %s, want %s", i, s.Name, wantNames[i])
		}
		if strings.Contains(s.SQL, "{{") {
			t.Errorf("%s: placeholder left: %s", s.Name, s.SQL)
		}
		if s.Dropped != "" && !strings.Contains(s.SQL, "DROP TABLE IF EXISTS db_1."+s.Dropped) {
			t.Errorf("%s: not an idempotent DROP in db_1", s.Name)
		}
		if len(s.Columns) == 0 && s.Dropped == "" && !strings.Contains(s.SQL, "IF NOT EXISTS db_1") {
			t.Errorf("%s: not an idempotent CREATE in db_1", s.Name)
		}
		if len(s.Columns) > 0 && !strings.Contains(s.SQL, "ALTER TABLE db_1.") {
			t.Errorf("%s: not an ALTER TABLE in db_1", s.Name)
		}
		code := withoutComments(s.SQL)
		for _, banned := range []string{"DateTime64", "LowCardinality", " OVER ", "JSON"} {
			if strings.Contains(code, banned) {
				t.Errorf("%s uses %s, which ClickHouse 18.16 lacks", s.Name, banned)
			}
		}
	}
}

func TestCheckDatabaseName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"agentpulse", true},
		{"_x", true},
		{"A1_b2", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"", false},
		{"1abc", false},
		{"a-b", false},
		{"a.b", false},
		{"a b", false},
		{"a`b", false},
		{"db;DROP", false},
		{"é", false},
	} {
		err := CheckDatabaseName(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("CheckDatabaseName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrBadDatabaseName) {
			t.Errorf("CheckDatabaseName(%q) = %v, not ErrBadDatabaseName", tc.name, err)
		}
		if _, err := Statements(tc.name); (err == nil) != tc.ok {
			t.Errorf("Statements(%q) error = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

// FuzzCheckDatabaseName checks that every accepted name is safe to splice
// into SQL unquoted.
func FuzzCheckDatabaseName(f *testing.F) {
	for _, s := range []string{"agentpulse", "", "1a", "a`b", "x y", "_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if CheckDatabaseName(name) != nil {
			return
		}
		if strings.ContainsAny(name, "`'\" ;.-/\\\n\t") || len(name) == 0 || len(name) > 64 || name[0] >= '0' && name[0] <= '9' {
			t.Fatalf("accepted unsafe name %q", name)
		}
	})
}

// withoutComments drops -- comment lines.
func withoutComments(sql string) string {
	var b strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// TestAlterAddMissing checks that an ALTER statement sends only the
// columns the table lacks, and nothing once it has them all.
func TestAlterAddMissing(t *testing.T) {
	stmts, err := Statements("db_1")
	if err != nil {
		t.Fatal(err)
	}
	var st Statement
	for _, s := range stmts {
		if s.Name == "009_interaction_inputs.sql" {
			st = s
		}
	}
	if st.Table != "interactions" || len(st.Columns) != 6 {
		t.Fatalf("009: table %q, columns %v", st.Table, st.Columns)
	}
	have := map[string]bool{"hold_s": true, "customer_key": true}
	sql, ok := st.AddMissing(func(c string) bool { return have[c] })
	want := "ALTER TABLE db_1.interactions\n    ADD COLUMN queue_wait_s Nullable(Float64),\n    ADD COLUMN transfers Nullable(Int64),\n" +
		"    ADD COLUMN chain_id String,\n    ADD COLUMN initiation String\n"
	if !ok || sql != want {
		t.Errorf("AddMissing = %v %q, want %q", ok, sql, want)
	}
	if sql, ok := st.AddMissing(func(string) bool { return true }); ok || sql != "" {
		t.Errorf("AddMissing with every column = %v %q", ok, sql)
	}
	if _, ok := stmts[1].AddMissing(func(string) bool { return false }); ok {
		t.Error("a CREATE statement has columns to add")
	}
	bad := Statement{Name: "x.sql", SQL: "ALTER TABLE db.t\n    DROP COLUMN x\n"}
	if _, err := parseAlter(&bad); err == nil {
		t.Error("DROP COLUMN accepted")
	}
}
