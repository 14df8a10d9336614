package storeview_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
)

// The scaling curve of the performance page: the same data (loadBench's)
// at several agent counts. Sizes, in agents:
//
//   - default: 1,000 and 10,000 (DESIGN.md §4's size);
//   - AGENTPULSE_BENCH_SCALE=full adds 50,000 (36 million bucket parts
//     standing for 144 million interactions; minutes to load and build);
//   - AGENTPULSE_BENCH_AGENTS=n[,n...] replaces the list.
//
// The ClickHouse sizes are loaded by benchBulkLoad (INSERT … SELECT FROM
// numbers() in the server, the same rows loadBench writes through
// store.Apply, which takes minutes at 10,000 agents), plus the last
// hour's index rows that LatestData reads (benchLatestLoad);
// AGENTPULSE_BENCH_LOAD=apply loads the buckets through store.Apply
// instead, to time the writer's path.
func benchSizes(tb testing.TB, defaults, full []int) []int {
	tb.Helper()
	if s := os.Getenv("AGENTPULSE_BENCH_AGENTS"); s != "" {
		var out []int
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 10 || n > 99_999 {
				tb.Fatalf("AGENTPULSE_BENCH_AGENTS=%q: want numbers in 10..99999, comma-separated", s)
			}
			out = append(out, n)
		}
		return out
	}
	if os.Getenv("AGENTPULSE_BENCH_SCALE") == "full" {
		return full
	}
	return defaults
}

// benchFirstHour is the first loaded day's midnight.
var benchFirst = benchEnd.AddDate(0, 0, -benchDays)

// benchBulkLoad writes loadBench's rows for agents into database db of
// the server at addr with INSERT … SELECT over numbers() (two at once), row n being
// agent n/720, day n%720/8, hour 8+n%8; versions are n+1. Then the newest
// interaction goes through w (store.Apply), as in loadBench.
func benchBulkLoad(tb testing.TB, addr, db string, w store.Writer, agents int) {
	tb.Helper()
	ctx := context.Background()
	conn, err := ch.Open(&ch.Options{Addr: []string{addr}, DialTimeout: 10 * time.Second, ReadTimeout: time.Hour, MaxOpenConns: 4})
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	perAgent := benchDays * 8
	// Two inserts of half the agents each at once: one insert is one
	// thread of the server's.
	const parts = 2
	var wg sync.WaitGroup
	errs := make([]error, parts)
	for i := range parts {
		lo, hi := agents*i/parts*perAgent, agents*(i+1)/parts*perAgent
		query := fmt.Sprintf(`INSERT INTO %s.buckets (tenant_id, model, agent_id, inquiry, team_id, hour, log_partition,
	volume, handle_sum, psat_n, psat_sum, pres_n, pres_sum, version)
SELECT '%s', '%s',
	concat('agent-', substring(toString(100000 + a), 2)),
	concat('inq-', toString((a + d + h) %% %d)),
	concat('team-', substring(toString(10000 + intDiv(a, 10)), 2)),
	toDateTime(%d + d * 86400 + h * 3600, 'UTC'),
	toInt32(a %% %d),
	toInt64(4), toFloat64(4 * (200 + x %% 300)),
	toInt64(4), 4 * (0.5 + (x %% 40) / 100),
	toInt64(4), 4 * (0.6 + (x %% 33) / 100),
	toUInt64(n + 1)
FROM (SELECT number + %d AS n, intDiv(n, %d) AS a, intDiv(n %% %d, 8) AS d, 8 + n %% 8 AS h, a * 7 + d * 13 + h * 31 AS x
	FROM numbers(%d))`,
			db, benchTenant, benchModel, benchInquiry, benchFirst.Unix(), benchPartitns, lo, perAgent, perAgent, hi-lo)
		wg.Go(func() { errs[i] = conn.Exec(ctx, query) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		tb.Fatalf("bulk load: %v", err)
	}
	// benchRosterPart's rows.
	rosterQuery := fmt.Sprintf(`INSERT INTO %s.roster (tenant_id, agent_id, model, log_partition, team_id, interaction_id, ended_at_ns, version)
SELECT '%s', concat('agent-', substring(toString(100000 + number), 2)), '%s', toInt32(number %% %d),
	concat('team-', substring(toString(10000 + intDiv(number, 10)), 2)), concat('b-', substring(toString(100000 + number), 2)),
	toInt64(%d), toUInt64(number + 1)
FROM numbers(%d)`, db, benchTenant, benchModel, benchPartitns, benchEnd.Add(-8*time.Hour-30*time.Minute).UnixNano(), agents)
	if err := conn.Exec(ctx, rosterQuery); err != nil {
		tb.Fatalf("bulk load roster: %v", err)
	}
	if err := conn.Exec(ctx, fmt.Sprintf("INSERT INTO %s.tenant_models (tenant_id, model) SELECT '%s', '%s'", db, benchTenant, benchModel)); err != nil {
		tb.Fatalf("bulk load tenant models: %v", err)
	}
	// Migrate fills bucket_hours and bucket_touches from buckets, as for a
	// database written before they existed (Apply writes all three).
	if err := clickhouse.Migrate(ctx, clickhouse.Config{Addr: []string{addr}, Database: db, ReadTimeout: time.Hour,
		Logger: slog.New(slog.DiscardHandler)}); err != nil {
		tb.Fatalf("bulk load: migrate: %v", err)
	}
	applyNewest(tb, w, int64(agents*perAgent+1))
}

// benchLastHour is how many interactions per agent benchLatestLoad puts
// in the last hour.
const benchLastHour = 4

// benchLatestLoad writes what LatestData reads for benchLastHour
// interactions per agent ended in the last hour,
// 2026-11-30T23:00..24:00Z, the j-th of each agent on partition j (an
// agent's interactions spread over every partition): their rows in
// interactions and interaction_revisions, and each partition's
// model_latest part naming its newest, which every request of the page
// reads once. (Their buckets and roster parts are not loaded: no figure of
// the page reads them.)
func benchLatestLoad(tb testing.TB, addr, db string, agents int) {
	tb.Helper()
	conn, err := ch.Open(&ch.Options{Addr: []string{addr}, ReadTimeout: time.Hour})
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	const sel = `FROM (SELECT number AS n, intDiv(n, %d) AS a, n %% %d AS j,
	concat('last-', toString(a), '-', toString(j)) AS id, concat('last-agent-', toString(a)) AS agent,
	(%d + j * 900 + (a * 7) %% 900) * 1000000000 AS ended FROM numbers(%d))`
	from := fmt.Sprintf(sel, benchLastHour, benchLastHour, benchEnd.Unix()-3600, agents*benchLastHour)
	for _, q := range []string{
		`INSERT INTO ` + db + `.interactions (tenant_id, agent_id, model, inquiry, ended_at_ns, interaction_id, revision,
	log_partition, log_offset, team_id, started_at_ns, started_at_offset, ended_at_offset, handle_time_s,
	predicted_satisfaction, predicted_resolution, source, source_refs, attributes)
	SELECT '` + benchTenant + `', agent, '` + benchModel + `', 'billing', toInt64(ended), id, toInt64(1), toInt32(j), toInt64(n + 1),
	'team', toInt64(ended) - 300000000000, toInt32(0), toInt32(0), toFloat64(300), NULL, NULL, 'bench', '', '' ` + from,
		`INSERT INTO ` + db + `.interaction_revisions (tenant_id, interaction_id, revision, log_partition, log_offset, ended_at_ns)
	SELECT '` + benchTenant + `', id, toInt64(1), toInt32(j), toInt64(n + 1), toInt64(ended) ` + from,
		`INSERT INTO ` + db + `.model_latest (tenant_id, model, log_partition, agent_id, interaction_id, ended_at_ns, version)
	SELECT '` + benchTenant + `', '` + benchModel + `', toInt32(j), agent, id, toInt64(ended), toUInt64(n + 1) ` + from + `
	ORDER BY ended DESC, id DESC LIMIT 1 BY j`,
	} {
		if err := conn.Exec(context.Background(), q); err != nil {
			tb.Fatalf("load last hour: %v", err)
		}
	}
}

// benchClickHouse returns a ClickHouse store on the server at addr loaded
// with agents' buckets, and how long the load took (0 when an earlier run
// loaded it: AGENTPULSE_BENCH_CLICKHOUSE_DB=prefix keeps database
// prefix_<agents> and reuses it when it holds the expected rows), and the
// database's name.
func benchClickHouse(b *testing.B, addr string, agents int) (store.Store, time.Duration, string) {
	b.Helper()
	prefix, keep := os.LookupEnv("AGENTPULSE_BENCH_CLICKHOUSE_DB")
	if !keep {
		prefix = fmt.Sprintf("bench_%d_%d", os.Getpid(), time.Now().UnixNano())
	}
	db := fmt.Sprintf("%s_%d", prefix, agents)
	// A build's scan of 50,000 agents on a busy machine outlasts the
	// default ReadTimeout (5 min), the server sending nothing meanwhile.
	st, err := clickhouse.Open(context.Background(), clickhouse.Config{Addr: []string{addr}, Database: db,
		ReadTimeout: time.Hour, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if !keep {
			dropDatabase(b, addr, db)
		}
		_ = st.Close()
	})
	want := uint64(agents*benchDays*8 + 1)
	// The live feed (live_bench_test.go) adds parts in the last hour only.
	loaded := fmt.Sprintf("%s.buckets WHERE hour < toDateTime(%d, 'UTC')", db, benchEnd.Add(-time.Hour).Unix())
	if keep && countRows(b, addr, loaded) == want-1 {
		b.Logf("reusing database %s (%d bucket parts)", db, want)
		if countRows(b, addr, db+".interaction_revisions") < uint64(agents*benchLastHour) {
			benchLatestLoad(b, addr, db, agents)
		}
		return st, 0, db
	}
	start := time.Now()
	if os.Getenv("AGENTPULSE_BENCH_LOAD") == "apply" {
		loadBench(b, st, agents)
	} else {
		benchBulkLoad(b, addr, db, st, agents)
	}
	benchLatestLoad(b, addr, db, agents)
	load := time.Since(start)
	b.Logf("loaded %s: %d agents × %d days, %d bucket parts in %v", db, agents, benchDays, want, load.Round(time.Millisecond))
	return st, load, db
}

func countRows(tb testing.TB, addr, table string) uint64 {
	conn, err := ch.Open(&ch.Options{Addr: []string{addr}})
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM "+table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func dropDatabase(tb testing.TB, addr, db string) {
	conn, err := ch.Open(&ch.Options{Addr: []string{addr}})
	if err != nil {
		tb.Logf("drop %s: %v", db, err)
		return
	}
	defer conn.Close()
	if err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db); err != nil {
		tb.Logf("drop %s: %v", db, err)
	}
}

// heapMB is the live heap after a collection, in MB.
func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// TestBenchBulkLoadMatchesApply checks that the benchmarks' bulk load
// writes the very rows loadBench writes through store.Apply (versions
// aside), so that the ClickHouse figures are of the documented data.
func TestBenchBulkLoadMatchesApply(t *testing.T) {
	addr := chtest.Start(t)
	const agents = 13 // odd: the two inserts split it unevenly
	hashes := map[string]string{}
	for _, how := range []string{"apply", "bulk"} {
		db := fmt.Sprintf("benchload_%s_%d_%d", how, os.Getpid(), time.Now().UnixNano())
		st, err := clickhouse.Open(context.Background(), clickhouse.Config{Addr: []string{addr}, Database: db,
			Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { dropDatabase(t, addr, db); _ = st.Close() })
		if how == "apply" {
			loadBench(t, st, agents)
		} else {
			benchBulkLoad(t, addr, db, st, agents)
		}
		conn, err := ch.Open(&ch.Options{Addr: []string{addr}})
		if err != nil {
			t.Fatal(err)
		}
		var n, h uint64
		err = conn.QueryRow(context.Background(), `SELECT count(), sum(cityHash64(tenant_id, model, agent_id, inquiry, team_id,
			hour, log_partition, volume, handle_sum, psat_n, psat_sum, pres_n, pres_sum)) FROM `+db+".buckets").Scan(&n, &h)
		_ = conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		if want := uint64(agents*benchDays*8 + 1); n != want {
			t.Fatalf("%s: %d rows, want %d", how, n, want)
		}
		hashes[how] = fmt.Sprint(n, h)
	}
	if hashes["apply"] != hashes["bulk"] {
		t.Fatalf("bulk load differs from store.Apply's: %v", hashes)
	}
}
