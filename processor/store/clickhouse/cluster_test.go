package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas/ddl"
)

// TestQueriesNameOnlyDistributedTables checks that every statement the
// store sends names only the schema's tables (the Distributed tables in
// cluster mode), never a *_local table, so cluster mode needs no query
// change. It reads the package's sources, since some statements are built
// inside the functions that send them.
func TestQueriesNameOnlyDistributedTables(t *testing.T) {
	tables, err := ddl.Tables()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, tb := range tables {
		known[tb] = true
	}
	// The prepared statements, by reflection: every one names a table.
	q := reflect.ValueOf(newQueries("DB"))
	ref := regexp.MustCompile(`(?i)\b(?:FROM|INTO)\s+DB\.(\w+)`)
	localRE := regexp.MustCompile(`DB\.\w+` + ddl.LocalSuffix + `\b`)
	for i := range q.NumField() {
		sql := q.Field(i).String()
		ms := ref.FindAllStringSubmatch(sql, -1)
		if len(ms) == 0 {
			t.Errorf("queries.%s names no table: %s", q.Type().Field(i).Name, sql)
		}
		for _, m := range ms {
			if !known[m[1]] {
				t.Errorf("queries.%s names %s, not a table of the schema", q.Type().Field(i).Name, m[1])
			}
		}
	}
	// Every source file: whatever way the database name is spliced in.
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	norm := strings.NewReplacer("{{db}}", "DB", "%s", "DB", "` + db + `", "DB", `" + s.cfg.Database + "`, "DB")
	found := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := norm.Replace(string(b))
		if m := localRE.FindString(src); m != "" {
			t.Errorf("%s names a local table: %s", f, m)
		}
		for _, m := range ref.FindAllStringSubmatch(src, -1) {
			if !known[m[1]] {
				t.Errorf("%s: statement names %s, not a table of the schema", f, m[1])
			}
			found[m[1]] = true
		}
	}
	for _, tb := range tables {
		if !found[tb] {
			t.Errorf("no statement names table %s: is it read through another spelling this test misses?", tb)
		}
	}
}

var (
	onClusterRE  = regexp.MustCompile(` ON CLUSTER \w+`)
	replicatedRE = regexp.MustCompile(`ReplicatedReplacingMergeTree\('[^']*', '\{replica\}'(?:, (\w+))?\)`)
)

// withoutZooKeeper turns a cluster statement into one a server without
// ZooKeeper runs: no ON CLUSTER, a plain ReplacingMergeTree. The rest (the
// Distributed engine, its sharding key) is the generated text.
func withoutZooKeeper(sql string) string {
	return replicatedRE.ReplaceAllString(onClusterRE.ReplaceAllString(sql, ""), "ReplacingMergeTree($1)")
}

// TestClusterTwoShards runs the store's conformance suite in cluster mode
// on a real two-shard cluster: two 18.16 servers, each holding one shard's
// *_local tables and the Distributed tables over both, built from the
// generated cluster DDL (without ON CLUSTER and replication, which need
// ZooKeeper; each statement is applied on both servers instead). The store
// talks to the first server only, through the Distributed tables, with the
// cluster settings; corrections that move an interaction to an agent on
// the other shard are in the suite.
func TestClusterTwoShards(t *testing.T) {
	needServer(t) // skips or fails like the other tests when there is no binary
	if testing.Short() {
		t.Skip("starts two servers")
	}
	ports := [2]int{}
	for i := range ports {
		p, err := chtest.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = p
	}
	const cluster = "ap_two_shards"
	remote := fmt.Sprintf(`<remote_servers><%s>
  <shard><replica><host>127.0.0.1</host><port>%d</port></replica></shard>
  <shard><replica><host>127.0.0.1</host><port>%d</port></replica></shard>
</%s></remote_servers>`, cluster, ports[0], ports[1], cluster)
	users := chtest.UsersXML("<distributed_product_mode>local</distributed_product_mode>")
	var addrs [2]string
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range ports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			macros := fmt.Sprintf("<macros><shard>%02d</shard><replica>r1</replica></macros>", i+1)
			srv, err := chtest.StartServerWith(t.TempDir(), chtest.Options{TCPPort: ports[i], Extra: remote + macros, Users: users})
			if err != nil {
				errs[i] = err
				return
			}
			t.Cleanup(func() { _ = srv.Close() })
			addrs[i] = srv.Addr
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("start shard: %v", err)
		}
	}
	conns := make([]ch.Conn, 2)
	for i, a := range addrs {
		c, err := ch.Open(&ch.Options{Addr: []string{a}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[i] = c
	}
	create := func(t *testing.T, db string) {
		stmts, err := ddl.ClusterStatements(db, cluster)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range conns {
			for _, s := range stmts {
				if err := c.Exec(context.Background(), withoutZooKeeper(s.SQL)); err != nil {
					t.Fatalf("%s: %v\n%s", s.Name, err, withoutZooKeeper(s.SQL))
				}
			}
		}
	}
	open := func(t *testing.T, db string) *Store {
		cfg := testConfig(t, db)
		cfg.Addr = []string{addrs[0]}
		cfg.Cluster = cluster
		s, err := Open(context.Background(), cfg)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}

	// Every generated statement, verbatim, reaches the server's engine
	// code past the parser: ON CLUSTER and replicated tables are refused
	// for want of ZooKeeper, never with a syntax error (62).
	t.Run("DDLParses", func(t *testing.T) {
		db := newDatabase(t)
		stmts, err := ddl.ClusterStatements(db, cluster)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := conns[0].Exec(ctx, "CREATE DATABASE "+db); err != nil {
			t.Fatal(err)
		}
		for _, s := range stmts {
			for _, sql := range []string{s.SQL, onClusterRE.ReplaceAllString(s.SQL, "")} {
				err := conns[0].Exec(ctx, sql)
				var ex *ch.Exception
				if errors.As(err, &ex) && ex.Code == 62 {
					t.Errorf("%s: syntax error: %v\n%s", s.Name, err, sql)
				}
				t.Logf("%s (ON CLUSTER %v): %v", s.Name, sql == s.SQL, err)
			}
			// The local table without replication, so the next
			// Distributed statement finds it.
			_ = conns[0].Exec(ctx, withoutZooKeeper(s.SQL))
		}
	})

	t.Run("OpenNeedsMigrate", func(t *testing.T) {
		cfg := testConfig(t, newDatabase(t))
		cfg.Addr, cfg.Cluster = []string{addrs[0]}, cluster
		if _, err := Open(context.Background(), cfg); !errors.Is(err, ErrSchemaMissing) {
			t.Fatalf("Open before migrate: %v, want ErrSchemaMissing", err)
		}
	})

	var mu sync.Mutex
	dbs := map[*testing.T]string{}
	opener := func(t *testing.T) *Store {
		mu.Lock()
		db, ok := dbs[t]
		if !ok {
			db = newDatabase(t)
			dbs[t] = db
			create(t, db)
		}
		mu.Unlock()
		return open(t, db)
	}
	t.Run("Conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store { return opener(t) }, storetest.Durable())
	})
	t.Run("Plans", func(t *testing.T) {
		storetest.RunPlans(t, func(t *testing.T) store.PlanStore { return opener(t) }, storetest.Durable())
	})

	// The review list's settled-hour check reads its per-hour counts
	// across the shards (interactions spread by id, buckets by agent).
	t.Run("WorstSettledHours", func(t *testing.T) { testWorstSettledHours(t, opener(t)) })

	// Rows land on both shards, by the sharding keys.
	t.Run("Spread", func(t *testing.T) {
		s := opener(t)
		ctx := context.Background()
		t0 := time.Date(2026, 3, 10, 14, 30, 0, 0, time.UTC)
		var b store.Batch
		for i := range 40 {
			it := sample(fmt.Sprintf("i%d", i), 1, fmt.Sprintf("agent%d", i%8), t0)
			b.Records = append(b.Records, store.Record{Interaction: it, Offset: int64(i)})
		}
		b.Next = 40
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
		for i, c := range conns {
			var n uint64
			if err := c.QueryRow(ctx, "SELECT count() FROM "+s.cfg.Database+".interactions_local").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 || n == 40 {
				t.Errorf("shard %d holds %d of 40 interactions, want some but not all", i+1, n)
			}
		}
		got, err := s.Recent(ctx, "t1", "voice", "agent3", "billing", 100)
		if err != nil || len(got) != 5 {
			t.Errorf("Recent(agent3) = %d interactions, %v; want 5", len(got), err)
		}
	})
}
