package simulator

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// Generator produces a simulated contact center's records. Build one with
// New; Run streams the records. A Generator holds no state between runs:
// each Run starts the stream from the beginning and produces the same
// records. Methods are safe for concurrent use; concurrent Runs are
// independent.
type Generator struct {
	cfg        Config
	start, end int64 // the period, UTC Unix seconds, [start, end)
	tenants    []Tenant
	agents     []agentRef // every agent of every tenant, tenants in order
	workers    int
}

// agentRef locates one agent.
type agentRef struct{ tenant, agent int }

// agentsPerJob is how many agents one unit of parallel work simulates.
const agentsPerJob = 32

// New validates cfg and builds the simulated roster. workers is the
// number of goroutines Run uses; 0 means GOMAXPROCS. The output does not
// depend on it.
func New(cfg Config, workers int) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	cfg.End = cfg.End.Truncate(time.Second)
	g := &Generator{
		cfg:     cfg,
		end:     cfg.End.Unix(),
		start:   cfg.End.Unix() - int64(cfg.Days)*86400,
		tenants: buildTenants(cfg),
		workers: workers,
	}
	for t := range g.tenants {
		for a := range g.tenants[t].Agents {
			g.agents = append(g.agents, agentRef{t, a})
		}
	}
	return g, nil
}

// Config returns the configuration, End truncated to the second.
func (g *Generator) Config() Config { return g.cfg }

// Period returns the simulated period [from, to): every record's ended_at
// lies in it.
func (g *Generator) Period() (from, to time.Time) {
	return time.Unix(g.start, 0).UTC(), time.Unix(g.end, 0).UTC()
}

// Tenants returns the simulated tenants with their agents. The result is
// shared: callers must not modify it.
func (g *Generator) Tenants() []Tenant { return g.tenants }

// Batch is one step of the stream, about one simulated day.
type Batch struct {
	// Until is the stream position after this batch: every regular record
	// with ended_at before Until has been emitted (late ones excepted).
	// The final batch, which flushes held-back fault records, has Until
	// equal to the period's end.
	Until time.Time
	// Records are in stream order: by ended_at, fault records where they
	// are released. The caller owns them and may keep them.
	Records []schemas.Interaction
	// Outcomes are the survey answers of the batch's original records
	// (about one in ten), in the order of their interactions; each is
	// observed minutes to hours after its interaction ended. The caller
	// owns them.
	Outcomes []schemas.Outcome
}

// Run generates the stream and calls fn with each non-empty batch, in
// order, from the calling goroutine. It stops at the first error of fn or
// when ctx is done, returning that error (wrapped). Records are generated
// on the Generator's workers; the result is identical for any number.
func (g *Generator) Run(ctx context.Context, fn func(Batch) error) (Stats, error) {
	return g.run(ctx, fn, nil)
}

// RunTruth is Run that also returns the ground truth of the run: the
// simulated center's true figures per agent and inquiry (see Truth).
func (g *Generator) RunTruth(ctx context.Context, fn func(Batch) error) (Stats, *Truth, error) {
	tr := newTruth(g)
	stats, err := g.run(ctx, fn, tr)
	return stats, tr, err
}

func (g *Generator) run(ctx context.Context, fn func(Batch) error, tr *Truth) (Stats, error) {
	f := newFaults(g.cfg)
	cust := newCustomers(len(g.tenants))
	var carry, ready, out []rec
	for k := -1; k < g.cfg.Days; k++ {
		if err := ctx.Err(); err != nil {
			return f.stats, fmt.Errorf("simulate: %w", err)
		}
		winLo := g.start + int64(k)*86400
		winHi := winLo + 86400
		pool := g.generate(winLo, winHi, carry)
		slices.SortFunc(pool, cmpRec)
		cut, _ := slices.BinarySearchFunc(pool, winHi, func(r rec, t int64) int {
			switch {
			case r.end < t:
				return -1
			case r.end > t:
				return 1
			}
			return 0
		})
		ready = append(ready[:0], pool[:cut]...)
		carry = append(carry[:0], pool[cut:]...)
		cust.assign(ready)
		if tr != nil {
			tr.add(ready)
		}
		out = f.process(ready, winHi, out[:0])
		if k == g.cfg.Days-1 {
			out = f.flush(out)
		}
		if len(out) == 0 {
			continue
		}
		f.stats.Records += int64(len(out))
		batch := Batch{Until: time.Unix(winHi, 0).UTC()}
		batch.Records, batch.Outcomes = g.materializeAll(out)
		if err := fn(batch); err != nil {
			return f.stats, fmt.Errorf("simulate: %w", err)
		}
	}
	return f.stats, nil
}

// Each calls fn with every record, in stream order. See Run.
func (g *Generator) Each(ctx context.Context, fn func(*schemas.Interaction) error) (Stats, error) {
	return g.Run(ctx, func(b Batch) error {
		for i := range b.Records {
			if err := fn(&b.Records[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// All returns every record, in stream order: the whole simulated period
// in memory, for tests and small worlds. See Run.
func (g *Generator) All(ctx context.Context) ([]schemas.Interaction, error) {
	var out []schemas.Interaction
	_, err := g.Run(ctx, func(b Batch) error {
		out = append(out, b.Records...)
		return nil
	})
	return out, err
}

// generate simulates every shift that starts in [winLo, winHi) on the
// workers and returns those records appended to carry (unsorted).
func (g *Generator) generate(winLo, winHi int64, carry []rec) []rec {
	jobs := (len(g.agents) + agentsPerJob - 1) / agentsPerJob
	outs := make([][]rec, jobs)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(g.workers, jobs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r rng
			for {
				j := int(next.Add(1)) - 1
				if j >= jobs {
					return
				}
				var out []rec
				for _, ref := range g.agents[j*agentsPerJob : min(len(g.agents), (j+1)*agentsPerJob)] {
					off := int64(g.tenants[ref.tenant].UTCOffsetHours) * 3600
					a := &g.tenants[ref.tenant].Agents[ref.agent]
					first := floorDiv(winLo+off, 86400) - 1
					for day := first; day <= first+3; day++ {
						out = g.simulateShift(&r, ref.tenant, a, day, winLo, winHi, out)
					}
				}
				outs[j] = out
			}
		}()
	}
	wg.Wait()
	n := len(carry)
	for _, o := range outs {
		n += len(o)
	}
	pool := make([]rec, 0, n)
	pool = append(pool, carry...)
	for _, o := range outs {
		pool = append(pool, o...)
	}
	return pool
}

// materializeAll turns records into canonical interactions on the
// workers, and returns the survey outcomes of the original ones.
func (g *Generator) materializeAll(rs []rec) ([]schemas.Interaction, []schemas.Outcome) {
	its := make([]schemas.Interaction, len(rs))
	preds := make([]float64, 4*len(rs))
	transfers := make([]int64, len(rs))
	chunk := max(1, (len(rs)+g.workers-1)/g.workers)
	var wg sync.WaitGroup
	for lo := 0; lo < len(rs); lo += chunk {
		hi := min(len(rs), lo+chunk)
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, 64)
			for i := lo; i < hi; i++ {
				buf = g.materialize(&rs[i], &its[i], preds[4*i:4*i+4:4*i+4], &transfers[i], buf)
			}
		}()
	}
	wg.Wait()
	var outs []schemas.Outcome
	for i := range rs {
		if o, ok := surveyOf(&rs[i], &its[i]); ok {
			outs = append(outs, o)
		}
	}
	return its, outs
}
