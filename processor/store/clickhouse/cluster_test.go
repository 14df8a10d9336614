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
	"github.com/agentpulse/agentpulse/schemas"
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

	// Retention and erasure: ALTERs go ON CLUSTER to the local tables.
	// Without ZooKeeper the servers cannot run ON CLUSTER, so the test
	// runs each statement without it on both servers (as create does the
	// DDL), and checks that the verbatim statements parse on 18.16.
	t.Run("RetentionAndErasure", func(t *testing.T) {
		clusterRetention(t, opener(t), conns[:])
	})
}

// clusterRetention: Retain drops August's partitions on both shards and
// mutates September's rows before the cutoff away on both; EraseCustomer
// blanks the key on both; EraseAgent leaves no row of the agent on either
// shard and its pseudonym's rows where the sharding key puts them.
func clusterRetention(t *testing.T, s *Store, conns []ch.Conn) {
	ctx := context.Background()
	var mu sync.Mutex
	type stmt struct {
		q    string
		args []any
	}
	var sent []stmt
	s.alterExec = func(ctx context.Context, q string, args ...any) error {
		mu.Lock()
		sent = append(sent, stmt{q, args})
		mu.Unlock()
		for _, c := range conns {
			if err := c.Exec(ctx, onClusterRE.ReplaceAllString(q, ""), args...); err != nil {
				return err
			}
		}
		return nil
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	var its []schemas.Interaction
	for d := day(8, 1); d.Before(day(11, 1)); d = d.Add(24 * time.Hour) {
		for a := range 6 {
			end := d.Add(time.Duration(9+a) * time.Hour)
			its = append(its, schemas.Interaction{TenantID: "t1", InteractionID: fmt.Sprintf("a%d-%s", a, d.Format("0102")), Revision: 1,
				Model: "voice", AgentID: fmt.Sprintf("a%d", a), TeamID: "t", Inquiry: "billing", StartedAt: end.Add(-time.Minute), EndedAt: end,
				HandleTimeS: 60, Source: "api", CustomerKey: fmt.Sprintf("cust-%d", int(d.Unix()/86400)%5)})
		}
	}
	storetest.Fill(t, s, its, 2, 60)
	db := s.cfg.Database
	perShard := func(q string, args ...any) []uint64 {
		t.Helper()
		out := make([]uint64, len(conns))
		for i, c := range conns {
			if err := c.QueryRow(ctx, q, args...).Scan(&out[i]); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		return out
	}
	if n := perShard(`SELECT count() FROM ` + db + `.interactions_local`); n[0] == 0 || n[1] == 0 {
		t.Fatalf("interactions per shard before: %v, want both", n)
	}
	cut := day(9, 15)
	stats, err := s.Retain(ctx, map[string]time.Time{"t1": cut})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64((31 + 14) * 6); stats["t1"].Interactions != want {
		t.Errorf("Retain removed %+v, want %d interactions", stats["t1"], want)
	}
	for _, table := range []string{"interactions", "bucket_hours"} {
		if n := perShard(`SELECT count() FROM system.parts WHERE database = ? AND table = ? AND active AND partition = '202608'`, db, table+"_local"); n[0]+n[1] != 0 {
			t.Errorf("%s: August's parts left per shard: %v", table, n)
		}
	}
	if n := perShard(`SELECT count() FROM `+db+`.interactions_local WHERE ended_at_ns < ?`, cut.UnixNano()); n[0]+n[1] != 0 {
		t.Errorf("interactions before the cutoff left per shard: %v", n)
	}
	if n := perShard(`SELECT count() FROM `+db+`.bucket_hours_local WHERE hour < toDateTime(?)`, cut.Unix()); n[0]+n[1] != 0 {
		t.Errorf("bucket hours before the cutoff left per shard: %v", n)
	}
	left := perShard(`SELECT count() FROM ` + db + `.interactions_local`)
	if got, want := left[0]+left[1], uint64((16+31)*6); got != want {
		t.Errorf("interactions left: %d, want %d", got, want)
	}
	if again, err := s.Retain(ctx, map[string]time.Time{"t1": cut}); err != nil || again["t1"] != (store.RetainStats{}) {
		t.Errorf("second pass: %+v, %v; want nothing", again["t1"], err)
	}

	key := []byte("0123456789abcdef0123456789abcdef")
	n, err := s.EraseCustomer(ctx, "t1", store.SubjectMatch{Key: key, Hash: store.SubjectHash(key, "cust-2")})
	if err != nil || n == 0 {
		t.Fatalf("EraseCustomer: %d, %v", n, err)
	}
	if k := perShard(`SELECT count() FROM ` + db + `.interactions_local WHERE customer_key = 'cust-2'`); k[0]+k[1] != 0 {
		t.Errorf("cust-2 left per shard: %v", k)
	}

	erased, err := s.EraseAgent(ctx, "t1", "a3", "erased-0000000000000003")
	if err != nil || erased.Revisions != 47 {
		t.Fatalf("EraseAgent: %+v, %v; want 47 revisions", erased, err)
	}
	for _, table := range []string{"interactions", "bucket_hours", "buckets", "roster"} {
		if n := perShard(`SELECT count() FROM ` + db + `.` + table + `_local WHERE agent_id = 'a3'`); n[0]+n[1] != 0 {
			t.Errorf("%s: rows of a3 left per shard: %v", table, n)
		}
	}
	got, err := s.Recent(ctx, "t1", "voice", "erased-0000000000000003", "billing", 100)
	if err != nil || len(got) != 47 {
		t.Errorf("Recent of the pseudonym: %d, %v; want 47", len(got), err)
	}

	// Every statement sent, verbatim with ON CLUSTER, parses on 18.16: the
	// server refuses it for want of ZooKeeper, never with a syntax error.
	if len(sent) == 0 {
		t.Fatal("no ALTER sent")
	}
	for _, st := range sent {
		if !strings.Contains(st.q, ddl.LocalSuffix+" ON CLUSTER ") {
			t.Errorf("not an ON CLUSTER statement of a local table: %s", st.q)
		}
		err := conns[0].Exec(ctx, st.q, st.args...)
		var ex *ch.Exception
		if errors.As(err, &ex) && ex.Code == 62 {
			t.Errorf("syntax error: %v\n%s", err, st.q)
		}
		t.Logf("%s: %v", st.q, err)
	}
}
