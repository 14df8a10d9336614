package clickhouse

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// Benchmark data: one tenant's 1,000,000 interactions over 90 days in log
// (ended_at) order, 2,000 agents in teams of 20, 3 models, 10 inquiries,
// source_refs on every record and attributes on one in ten, cut into
// batches of 50,000 with the buckets they touch, as the processor writes
// them during a replay.
const (
	benchRecords = 1_000_000
	benchBatch   = 50_000
	benchAgents  = 2000
)

// benchEnd is the end of the benchmark period: the current hour, as for a
// live deployment (LatestData's first window then holds the newest data).
var benchEnd = time.Now().UTC().Truncate(time.Hour)

var benchData = sync.OnceValue(func() []store.Batch {
	rng := rand.New(rand.NewPCG(42, 7))
	models := []string{"voice", "chat", "email"}
	inquiries := []string{"billing", "refund", "tech", "cancel", "upgrade", "address", "delivery", "password", "complaint", "other"}
	start := benchEnd.Add(-90 * 24 * time.Hour)
	step := 90 * 24 * time.Hour / benchRecords
	var out []store.Batch
	sums := map[store.BucketKey]*store.Bucket{}
	for first := 0; first < benchRecords; first += benchBatch {
		b := store.Batch{Partition: 0}
		touched := map[store.BucketKey]bool{}
		for i := first; i < min(first+benchBatch, benchRecords); i++ {
			agent := rng.IntN(benchAgents)
			model := models[agent%len(models)]
			ended := start.Add(time.Duration(i)*step + time.Duration(rng.IntN(1e9)))
			it := schemas.Interaction{
				TenantID: "acme", InteractionID: fmt.Sprintf("sim-%08d", i), Revision: 1, Model: model,
				AgentID: fmt.Sprintf("agent-%04d", agent), TeamID: fmt.Sprintf("team-%03d", agent/20),
				Inquiry: inquiries[rng.IntN(len(inquiries))], EndedAt: ended, StartedAt: ended.Add(-time.Duration(60+rng.IntN(900)) * time.Second),
				HandleTimeS: float64(60 + rng.IntN(900)), Source: "simulator",
				SourceRefs: mustRefs(map[string]string{"sim_id": fmt.Sprintf("%016x", rng.Uint64())}),
			}
			if model != "email" {
				it.PredictedSatisfaction, it.PredictedResolution = f64(rng.Float64()), f64(rng.Float64())
			}
			if i%10 == 0 {
				it.Attributes = mustAttrs(map[string]any{"queue": "priority", "callback": true})
			}
			b.Records = append(b.Records, store.Record{Interaction: it, Partition: 0, Offset: int64(i)})
			k := store.BucketKey{Tenant: it.TenantID, Model: it.Model, Team: it.TeamID, Agent: it.AgentID, Inquiry: it.Inquiry, Hour: ended.Truncate(time.Hour)}
			bk := sums[k]
			if bk == nil {
				bk = &store.Bucket{BucketKey: k}
				sums[k] = bk
			}
			bk.Sums.Add(&it)
			bk.Version = int64(i)
			touched[k] = true
		}
		for k := range touched {
			b.Buckets = append(b.Buckets, *sums[k])
		}
		b.Next = int64(first + len(b.Records))
		out = append(out, b)
	}
	return out
})

// BenchmarkApply stores 1,000,000 records and their buckets through Apply in
// batches of 50,000, each iteration into a fresh database.
func BenchmarkApply(b *testing.B) {
	data := benchData()
	buckets := 0
	for _, bt := range data {
		buckets += len(bt.Buckets)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var elapsed time.Duration
	for range b.N {
		b.StopTimer()
		s := openStore(b, newDatabase(b))
		b.StartTimer()
		began := time.Now()
		for _, bt := range data {
			if err := s.Apply(ctx, bt); err != nil {
				b.Fatal(err)
			}
		}
		elapsed += time.Since(began)
		b.StopTimer()
		_ = s.conn.Exec(ctx, "DROP DATABASE "+s.cfg.Database)
		b.StartTimer()
	}
	b.ReportMetric(float64(benchRecords*b.N)/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(buckets), "buckets/op")
}

// BenchmarkRawInsert inserts the same 1,000,000 rows into the interactions
// table alone with a bare PrepareBatch loop per 50,000 rows: "rows" appends
// row by row as most driver users do, "columns" appends the prepared
// columns as Apply does. It is the ceiling the pipeline is compared with.
func BenchmarkRawInsert(b *testing.B) {
	data := benchData()
	ctx := context.Background()
	for _, mode := range []string{"rows", "columns"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			var elapsed time.Duration
			for range b.N {
				b.StopTimer()
				s := openStore(b, newDatabase(b))
				b.StartTimer()
				began := time.Now()
				for _, bt := range data {
					if err := rawInsert(ctx, s, bt.Records, mode == "columns"); err != nil {
						b.Fatal(err)
					}
				}
				elapsed += time.Since(began)
				b.StopTimer()
				_ = s.conn.Exec(ctx, "DROP DATABASE "+s.cfg.Database)
				b.StartTimer()
			}
			b.ReportMetric(float64(benchRecords*b.N)/elapsed.Seconds(), "records/s")
		})
	}
}

func rawInsert(ctx context.Context, s *Store, recs []store.Record, columnar bool) error {
	batch, err := s.conn.PrepareBatch(ctx, s.q.insertInteractions)
	if err != nil {
		return err
	}
	defer batch.Close()
	if columnar {
		cols, err := newInteractionColumns(recs)
		if err != nil {
			return err
		}
		for i, c := range cols.interactionValues() {
			if err := batch.Column(i).Append(c); err != nil {
				return err
			}
		}
		return batch.Send()
	}
	for i := range recs {
		r := &recs[i]
		refs, attrs := r.SourceRefs.JSON(), r.Attributes.JSON()
		_, so := r.StartedAt.Zone()
		_, eo := r.EndedAt.Zone()
		if err := batch.Append(r.TenantID, r.AgentID, r.Model, r.Inquiry, r.EndedAt.UnixNano(), r.InteractionID, r.Revision,
			r.Partition, r.Offset, r.TeamID, r.StartedAt.UnixNano(), int32(so), int32(eo), r.HandleTimeS,
			r.PredictedSatisfaction, r.PredictedResolution, r.Source, refs, attrs); err != nil {
			return err
		}
	}
	return batch.Send()
}

// loadedStore is a store holding the benchmark data, loaded once per test
// binary for the read benchmarks.
var (
	loadedOnce sync.Once
	loaded     *Store
	loadedErr  error
)

func loadedStore(b *testing.B) *Store {
	needServer(b)
	loadedOnce.Do(func() {
		cfg := testConfig(b, newDatabase(b))
		ctx := context.Background()
		s, err := Open(ctx, cfg)
		if err != nil {
			loadedErr = err
			return
		}
		for _, bt := range benchData() {
			if loadedErr = s.Apply(ctx, bt); loadedErr != nil {
				return
			}
		}
		// Let the background merges of the load finish (up to two
		// minutes), so reads are measured in a steady state.
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
			var n uint64
			if err := s.conn.QueryRow(ctx, "SELECT count() FROM system.merges WHERE database = ?", cfg.Database).Scan(&n); err != nil || n == 0 {
				break
			}
		}
		loaded = s
	})
	if loadedErr != nil {
		b.Fatal(loadedErr)
	}
	return loaded
}

// BenchmarkBuckets reads a model's buckets over 90 days (a population
// query) and one agent's, with argMax per key as Buckets does and with
// FINAL instead, to compare the two on the server at hand.
func BenchmarkBuckets(b *testing.B) {
	s := loadedStore(b)
	ctx := context.Background()
	from, to := benchEnd.Add(-90*24*time.Hour), benchEnd
	finalQuery := `SELECT agent_id, inquiry, team_id, toUInt32(hour), volume, handle_sum, psat_n, psat_sum, pres_n, pres_sum, version
FROM ` + s.cfg.Database + `.buckets FINAL
WHERE tenant_id = ? AND model = ? AND hour >= toDateTime(?) AND hour < toDateTime(?) AND volume != 0`
	for _, scope := range []struct{ name, agent string }{{"model", ""}, {"agent", "agent-0003"}} {
		b.Run(scope.name+"/argMax", func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for range b.N {
				n = 0
				q := store.BucketQuery{Tenant: "acme", Model: "voice", From: from, To: to, Agent: scope.agent}
				if err := s.Buckets(ctx, q, func(store.Bucket) error { n++; return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "buckets")
		})
		b.Run(scope.name+"/final", func(b *testing.B) {
			b.ReportAllocs()
			query := finalQuery
			args := []any{"acme", "voice", uint32(from.Unix()), uint32(to.Unix())}
			if scope.agent != "" {
				query += " AND agent_id = ?"
				args = append(args, scope.agent)
			}
			n := 0
			for range b.N {
				n = 0
				rows, err := s.conn.Query(ctx, query, args...)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
					var bk store.Bucket
					var hour uint32
					var version uint64
					var sums views.Sums
					if err := rows.Scan(&bk.Agent, &bk.Inquiry, &bk.Team, &hour, &sums.Volume, &sums.HandleSum,
						&sums.PsatN, &sums.PsatSum, &sums.PresN, &sums.PresSum, &version); err != nil {
						b.Fatal(err)
					}
					n++
				}
				if err := rows.Err(); err != nil {
					b.Fatal(err)
				}
				rows.Close()
			}
			b.ReportMetric(float64(n), "buckets")
		})
	}
}

// BenchmarkReads times the other reads on the loaded data.
func BenchmarkReads(b *testing.B) {
	s := loadedStore(b)
	ctx := context.Background()
	b.Run("Recent20", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			agent := fmt.Sprintf("agent-%04d", 3*(i%600)) // voice agents
			if _, err := s.Recent(ctx, "acme", "voice", agent, "billing", 20); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LatestData", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := s.LatestData(ctx, "acme", "voice"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Checkpoint", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := s.Checkpoint(ctx, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LoadPartition", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for range b.N {
			n = 0
			if err := s.LoadPartition(ctx, 0, 1<<62, func(store.Record) error { n++; return nil }); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "records")
	})
}
