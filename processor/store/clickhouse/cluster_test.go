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

// direct turns a cluster statement into one each server runs itself: no
// ON CLUSTER, a plain ReplacingMergeTree. The rest (the Distributed
// engine, its sharding key) is the generated text.
func direct(sql string) string {
	return replicatedRE.ReplaceAllString(onClusterRE.ReplaceAllString(sql, ""), "ReplacingMergeTree($1)")
}

// TestClusterTwoShards runs the store's conformance suite in cluster mode
// on a real cluster of three 18.16 servers sharing one throwaway
// ZooKeeper: cluster ap_two_shards is two shards of one server each;
// cluster ap_replicas is the same two shards with a third server as the
// second replica of shard 01. The schema is created by Migrate's ON
// CLUSTER statements through the distributed DDL queue
// (ReplicatedReplacingMergeTree *_local tables, Distributed tables over
// them), and retention and erasure send their ALTERs ON CLUSTER. The store
// talks to the first server only, through the Distributed tables, with the
// cluster settings; corrections that move an interaction to an agent on
// the other shard are in the suite.
func TestClusterTwoShards(t *testing.T) {
	needServer(t) // skips or fails like the other tests when there is no binary
	if testing.Short() {
		t.Skip("starts three servers and ZooKeeper")
	}
	zk := chtest.StartZooKeeper(t)
	ports := [3]int{}
	for i := range ports {
		p, err := chtest.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = p
	}
	const cluster, replicas = "ap_two_shards", "ap_replicas"
	// Replicated tables need internal_replication (ON CLUSTER refuses
	// their ALTERs without it, code 371), even with one replica a shard.
	remote := fmt.Sprintf(`<remote_servers><%[1]s>
  <shard><internal_replication>true</internal_replication><replica><host>127.0.0.1</host><port>%[3]d</port></replica></shard>
  <shard><internal_replication>true</internal_replication><replica><host>127.0.0.1</host><port>%[4]d</port></replica></shard>
</%[1]s><%[2]s>
  <shard><internal_replication>true</internal_replication>
    <replica><host>127.0.0.1</host><port>%[3]d</port></replica>
    <replica><host>127.0.0.1</host><port>%[5]d</port></replica></shard>
  <shard><internal_replication>true</internal_replication>
    <replica><host>127.0.0.1</host><port>%[4]d</port></replica></shard>
</%[2]s></remote_servers>`, cluster, replicas, ports[0], ports[1], ports[2])
	users := chtest.UsersXML("<distributed_product_mode>local</distributed_product_mode>")
	var addrs [3]string
	var wg sync.WaitGroup
	errs := make([]error, len(ports))
	macros := [3]string{"<shard>01</shard><replica>r1</replica>", "<shard>02</shard><replica>r1</replica>", "<shard>01</shard><replica>r2</replica>"}
	for i := range ports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Replicas fetch parts from each other over the interserver port.
			inter, err := chtest.FreePort()
			if err != nil {
				errs[i] = err
				return
			}
			extra := remote + zk.ClickHouseXML() + "<macros>" + macros[i] + "</macros>" +
				fmt.Sprintf("<interserver_http_port>%d</interserver_http_port><interserver_http_host>127.0.0.1</interserver_http_host>", inter)
			srv, err := chtest.StartServerWith(t.TempDir(), chtest.Options{TCPPort: ports[i], Extra: extra, Users: users})
			if err != nil {
				errs[i] = err
				return
			}
			t.Cleanup(func() {
				_ = srv.Close()
				if t.Failed() {
					t.Logf("server %d (%s) log:\n%s", i+1, srv.Addr, srv.Log())
				}
			})
			addrs[i] = srv.Addr
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("start server: %v", err)
		}
	}
	conns := make([]ch.Conn, len(addrs))
	for i, a := range addrs {
		c, err := ch.Open(&ch.Options{Addr: []string{a}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[i] = c
	}
	config := func(t *testing.T, db, cluster string) Config {
		cfg := testConfig(t, db)
		cfg.Addr, cfg.Cluster = []string{addrs[0]}, cluster
		return cfg
	}
	open := func(t *testing.T, db, cluster string) *Store {
		s, err := Open(context.Background(), config(t, db, cluster))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}

	// Migrate sends every generated statement ON CLUSTER to the first
	// server; the DDL queue runs each on all three servers (both shards,
	// shard 01's two replicas). RetentionAndErasure uses that database.
	migratedDB := ""
	t.Run("Migrate", func(t *testing.T) {
		db := newDatabase(t)
		cfg := config(t, db, replicas)
		if _, err := Open(context.Background(), cfg); !errors.Is(err, ErrSchemaMissing) {
			t.Fatalf("Open before migrate: %v, want ErrSchemaMissing", err)
		}
		start := time.Now()
		if err := Migrate(context.Background(), cfg); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		t.Logf("migrate ON CLUSTER: %s", time.Since(start))
		tables, err := ddl.Tables()
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range conns {
			for _, tb := range tables {
				var engine string
				err := c.QueryRow(context.Background(), `SELECT engine FROM system.tables WHERE database = ? AND name = ?`, db, tb+ddl.LocalSuffix).Scan(&engine)
				if err != nil || engine != "ReplicatedReplacingMergeTree" {
					t.Errorf("server %d: %s%s engine %q, %v", i+1, tb, ddl.LocalSuffix, engine, err)
				}
			}
		}
		// Idempotent: a second run changes nothing and fails nothing.
		if err := Migrate(context.Background(), cfg); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		open(t, db, replicas)
		if !t.Failed() {
			migratedDB = db
		}
	})

	// The conformance suite opens a database per case (dozens): each is
	// created by sending the generated statements to both shards directly
	// (plain ReplacingMergeTree local tables), which takes a fraction of a
	// second where the DDL queue takes seconds. What the suite checks is
	// the queries over the Distributed tables; the ON CLUSTER path and
	// replication are the subtests Migrate and RetentionAndErasure.
	create := func(t *testing.T, db string) {
		stmts, err := ddl.ClusterStatements(db, cluster)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range conns[:2] {
			for _, s := range stmts {
				sqls := []string{s.SQL}
				if s.Replace != nil {
					sqls = s.Replace
				}
				for _, q := range sqls {
					if err := c.Exec(context.Background(), direct(q)); err != nil {
						t.Fatalf("%s: %v\n%s", s.Name, err, direct(q))
					}
				}
			}
		}
	}
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
		return open(t, db, cluster)
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
		for i, c := range conns[:2] {
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

	// Retention and erasure: ALTERs go ON CLUSTER to the local tables,
	// run by the DDL queue once per shard (a replicated table's ALTER runs
	// on one replica); the replication log carries the drops and
	// mutations to shard 01's second replica.
	t.Run("RetentionAndErasure", func(t *testing.T) {
		if migratedDB == "" {
			t.Fatal("no database: the Migrate subtest failed or did not run")
		}
		clusterRetention(t, open(t, migratedDB, replicas), conns[:2], conns[2])
	})
}

// clusterRetention: Retain drops August's partitions on both shards and
// mutates September's rows before the cutoff away on both; EraseCustomer
// blanks the key on both; EraseAgent leaves no row of the agent on either
// shard and its pseudonym's rows where the sharding key puts them.
func clusterRetention(t *testing.T, s *Store, conns []ch.Conn, replica ch.Conn) {
	ctx := context.Background()
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
	// The second replica of shard 01 (when there is one) holds what the
	// first holds once it has replayed the replication log: the inserts,
	// the partition drops and the mutations the store sent ON CLUSTER.
	// How far behind it was when the store's call returned is logged (the
	// store waits for one replica of each shard).
	checkReplica := func(stage string) {
		t.Helper()
		if replica == nil {
			return
		}
		for _, table := range []string{"interactions", "bucket_hours", "buckets", "roster"} {
			// FINAL: a replica may have merged (collapsed the versions of)
			// parts the other has not merged yet; the rows they stand for
			// are the same.
			q := `SELECT count() FROM ` + db + `.` + table + `_local FINAL`
			var first, second uint64
			if err := conns[0].QueryRow(ctx, q).Scan(&first); err != nil {
				t.Fatal(err)
			}
			if err := replica.QueryRow(ctx, q).Scan(&second); err != nil {
				t.Fatal(err)
			}
			if err := replica.Exec(ctx, `SYSTEM SYNC REPLICA `+db+`.`+table+`_local`); err != nil {
				t.Fatalf("sync replica: %v", err)
			}
			var synced uint64
			if err := replica.QueryRow(ctx, q).Scan(&synced); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %s_local: replica 1 %d rows, replica 2 %d when the call returned, %d after SYSTEM SYNC REPLICA", stage, table, first, second, synced)
			if synced != first {
				t.Errorf("%s: %s_local: replica 2 holds %d rows after sync, replica 1 %d", stage, table, synced, first)
			}
		}
	}
	checkReplica("fill")
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
	checkReplica("retain")
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
	checkReplica("erase")
	if replica != nil {
		for _, table := range []string{"interactions", "bucket_hours", "buckets", "roster"} {
			var n uint64
			if err := replica.QueryRow(ctx, `SELECT count() FROM `+db+`.`+table+`_local WHERE agent_id = 'a3'`).Scan(&n); err != nil || n != 0 {
				t.Errorf("replica 2: %s: %d rows of a3 left, %v", table, n, err)
			}
		}
		var n uint64
		if err := replica.QueryRow(ctx, `SELECT count() FROM `+db+`.interactions_local WHERE customer_key = 'cust-2' OR ended_at_ns < ?`, cut.UnixNano()).Scan(&n); err != nil || n != 0 {
			t.Errorf("replica 2: %d rows of cust-2 or before the cutoff left, %v", n, err)
		}
	}
	got, err := s.Recent(ctx, "t1", "voice", "erased-0000000000000003", "billing", 100)
	if err != nil || len(got) != 47 {
		t.Errorf("Recent of the pseudonym: %d, %v; want 47", len(got), err)
	}
}
