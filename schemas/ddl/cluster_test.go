package ddl

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestClusterGolden pins the cluster DDL like TestGolden pins the
// single-node DDL: testdata/cluster/<file>.golden holds the statements
// generated from <file>.sql for database agentpulse on cluster
// agentpulse_cluster, separated by ";\n\n".
func TestClusterGolden(t *testing.T) {
	stmts, err := ClusterStatements("agentpulse", "agentpulse_cluster")
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string][]string{}
	var order []string
	for _, s := range stmts {
		base := strings.TrimSuffix(strings.TrimSuffix(s.Name, ".sql"), "_distributed")
		if _, ok := byFile[base]; !ok {
			order = append(order, base)
		}
		byFile[base] = append(byFile[base], s.SQL)
	}
	seen := map[string]bool{}
	for _, base := range order {
		got := strings.Join(byFile[base], ";\n\n")
		golden := filepath.Join("testdata", "cluster", base+".golden")
		seen[filepath.Base(golden)] = true
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%s: %v (run go test -update to create it)", base, err)
		}
		if string(want) != got {
			t.Errorf("%s differs from %s (run go test -update if the change is intended):\n--- got\n%s\n--- want\n%s", base, golden, got, want)
		}
	}
	entries, err := os.ReadDir(filepath.Join("testdata", "cluster"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !seen[e.Name()] {
			t.Errorf("testdata/cluster/%s has no matching .sql file", e.Name())
		}
	}
}

// TestClusterEveryTable checks that every table of the single-node schema
// becomes a replicated local table plus a Distributed table of the same
// name over it, with the sharding key, all ON CLUSTER and idempotent.
func TestClusterEveryTable(t *testing.T) {
	tables, err := Tables()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"interactions", "interaction_revisions", "buckets", "checkpoints", "plans", "assistance_catalogs", "snapshots", "bucket_hours", "bucket_touches", "rollups", "rollup_state", "roster", "tenant_models", "model_latest", "key_filters"}
	if strings.Join(tables, ",") != strings.Join(want, ",") {
		t.Fatalf("Tables() = %v, want %v", tables, want)
	}
	stmts, err := ClusterStatements("db_1", "c_1")
	if err != nil {
		t.Fatal(err)
	}
	single, _ := Statements("db_1")
	// ALTER statements are checked by TestClusterAlter.
	var alters []Statement
	for _, s := range single {
		if len(s.Columns) > 0 {
			alters = append(alters, s)
		}
	}
	// DROP statements: the Distributed table, then its local table.
	var drops []string
	for _, s := range stmts {
		if s.Dropped != "" {
			drops = append(drops, s.SQL)
		}
	}
	wantDrops := []string{"DROP TABLE IF EXISTS db_1.interaction_timeline ON CLUSTER c_1", "DROP TABLE IF EXISTS db_1.interaction_timeline_local ON CLUSTER c_1"}
	if !slices.Equal(drops, wantDrops) {
		t.Errorf("drop statements %q, want %q", drops, wantDrops)
	}
	single = slices.DeleteFunc(single, func(s Statement) bool { return len(s.Columns) > 0 || s.Dropped != "" })
	stmts = slices.DeleteFunc(stmts, func(s Statement) bool { return len(s.Columns) > 0 || s.Dropped != "" })
	if len(stmts) != 1+2*len(tables) {
		t.Fatalf("%d statements, want %d", len(stmts), 1+2*len(tables))
	}
	if !strings.Contains(stmts[0].SQL, "CREATE DATABASE IF NOT EXISTS db_1 ON CLUSTER c_1") {
		t.Errorf("database statement: %s", stmts[0].SQL)
	}
	if len(alters) == 0 {
		t.Error("no ALTER statement left to check")
	}
	for i, table := range tables {
		key, ok := ShardingKey(table)
		if !ok {
			t.Fatalf("table %s has no sharding key", table)
		}
		local, dist := stmts[1+2*i].SQL, stmts[2+2*i].SQL
		if !strings.Contains(local, "CREATE TABLE IF NOT EXISTS db_1."+table+"_local ON CLUSTER c_1\n") {
			t.Errorf("%s: local table not created on the cluster:\n%s", table, local)
		}
		if !strings.Contains(local, "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db_1/"+table+"', '{replica}'") {
			t.Errorf("%s: local table not replicated:\n%s", table, local)
		}
		if strings.Contains(local, "ENGINE = ReplacingMergeTree") {
			t.Errorf("%s: a plain ReplacingMergeTree is left:\n%s", table, local)
		}
		// Everything but the CREATE and ENGINE lines is the single-node
		// statement's: columns, partitions, sorting key, settings.
		if strip(local) != strip(single[1+i].SQL) {
			t.Errorf("%s: local table differs from the single-node one beyond CREATE and ENGINE:\n%s\n---\n%s", table, local, single[1+i].SQL)
		}
		wantDist := "CREATE TABLE IF NOT EXISTS db_1." + table + " ON CLUSTER c_1 AS db_1." + table + "_local\nENGINE = Distributed(c_1, db_1, " + table + "_local, " + key + ")\n"
		if !strings.HasSuffix(dist, wantDist) {
			t.Errorf("%s: distributed table:\n%s\nwant suffix:\n%s", table, dist, wantDist)
		}
		for _, s := range []string{local, dist} {
			code := withoutComments(s)
			for _, banned := range []string{"DateTime64", "LowCardinality", " OVER ", "JSON", "{{"} {
				if strings.Contains(code, banned) {
					t.Errorf("%s uses %s", table, banned)
				}
			}
		}
	}
	// The version column of ReplacingMergeTree(version) is carried over.
	for _, s := range stmts {
		if strings.Contains(s.SQL, "buckets_local ON") && !strings.Contains(s.SQL, "'{replica}', version)") {
			t.Errorf("buckets lost its version column:\n%s", s.SQL)
		}
	}
}

// strip drops comments and the CREATE and ENGINE lines.
func strip(sql string) string {
	var b strings.Builder
	for _, line := range strings.Split(withoutComments(sql), "\n") {
		if strings.HasPrefix(line, "CREATE ") || strings.HasPrefix(line, "ENGINE ") {
			continue
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func TestClusterBadNames(t *testing.T) {
	for _, c := range []string{"", "a-b", "c;DROP", "1x", "a b", strings.Repeat("c", 65)} {
		if _, err := ClusterStatements("agentpulse", c); !errors.Is(err, ErrBadClusterName) {
			t.Errorf("cluster %q: err = %v, want ErrBadClusterName", c, err)
		}
	}
	if _, err := ClusterStatements("a.b", "c"); !errors.Is(err, ErrBadDatabaseName) {
		t.Errorf("database a.b: err = %v, want ErrBadDatabaseName", err)
	}
}

// TestClusterAlter checks that an ALTER statement becomes the same clauses
// ON CLUSTER for the local table and then for the Distributed one.
func TestClusterAlter(t *testing.T) {
	stmts, err := ClusterStatements("db_1", "c_1")
	if err != nil {
		t.Fatal(err)
	}
	var got []Statement
	for _, s := range stmts {
		if len(s.Columns) > 0 {
			got = append(got, s)
		}
	}
	// 009 on interactions, then 017–019 (learned cells) on the bucket tables.
	if len(got) != 8 || got[0].Table != "interactions_local" || got[1].Table != "interactions" ||
		got[2].Table != "buckets_local" || got[7].Table != "rollups" {
		t.Fatalf("cluster ALTER statements: %+v", got)
	}
	sql, ok := got[0].AddMissing(func(c string) bool { return c != "chain_id" })
	if want := "ALTER TABLE db_1.interactions_local ON CLUSTER c_1\n    ADD COLUMN chain_id String\n"; !ok || sql != want {
		t.Errorf("local AddMissing = %q, want %q", sql, want)
	}
	if _, missing := got[1].AddMissing(func(c string) bool { return c != "transfers" }); !missing {
		t.Errorf("distributed AddMissing finds nothing missing")
	}
	want := []string{"DROP TABLE IF EXISTS db_1.interactions ON CLUSTER c_1",
		"CREATE TABLE IF NOT EXISTS db_1.interactions ON CLUSTER c_1 AS db_1.interactions_local\nENGINE = Distributed(c_1, db_1, interactions_local, cityHash64(tenant_id, interaction_id))\n"}
	if !reflect.DeepEqual(got[1].Replace, want) {
		t.Errorf("distributed Replace = %q, want %q", got[1].Replace, want)
	}
	if got[0].Replace != nil {
		t.Errorf("local table's statement has Replace %q", got[0].Replace)
	}
}
