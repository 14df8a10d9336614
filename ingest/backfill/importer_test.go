package backfill

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/schemas"
)

// startBroker starts an in-memory embedded broker with agentpulse's topics
// and returns a producer connected to it.
func startBroker(t testing.TB) (string, *ingest.Producer) {
	t.Helper()
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if err := broker.EnsureTopics(context.Background(), []string{b.Addr()}, broker.Topics{InteractionsPartitions: 4}); err != nil {
		t.Fatal(err)
	}
	p, err := ingest.NewProducer(ingest.ProducerConfig{Brokers: []string{b.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return b.Addr(), p
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// topicRecords returns every record of a topic, checking against the
// topic's end offsets that there are no more than that.
func topicRecords(t testing.TB, addr, topic string) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
	var out []*kgo.Record
	for int64(len(out)) < total {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d records of %s: %v", len(out), total, topic, err)
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	return out
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// writeFile writes data to a new file in a temporary directory.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// expected reads a file the way the importer does and returns the
// interactions it must accept and the reasons it must dead-letter.
func expected(t testing.TB, f Format, data []byte) (valid map[string]int, reasons []string) {
	valid = map[string]int{}
	for _, it := range readAll(t, f, data, Position{}) {
		if it.Err != nil {
			reasons = append(reasons, it.Err.Error())
			continue
		}
		valid[string(it.Interaction.AppendJSON(nil))]++
	}
	return valid, reasons
}

// checkTopics verifies that the broker holds exactly the valid records,
// each once, on the interactions topic keyed by tenant/agent, and exactly
// the refused ones, with their reason, on the dead-letter topic.
func checkTopics(t *testing.T, addr string, valid map[string]int, reasons []string) {
	t.Helper()
	got := map[string]int{}
	n := 0
	for _, r := range topicRecords(t, addr, "interactions") {
		it, err := schemas.DecodeInteraction(r.Value)
		if err != nil {
			t.Fatalf("invalid record on the interactions topic: %v", err)
		}
		if want := ingest.Key(&it); string(r.Key) != string(want) {
			t.Errorf("key %q, want %q (ingest.Key)", r.Key, want)
		}
		got[string(r.Value)]++
		n++
	}
	wantN := 0
	for v, c := range valid {
		wantN += c
		if got[v] != c {
			t.Errorf("record %s on the topic %d times, want %d", v, got[v], c)
		}
	}
	if n != wantN {
		t.Errorf("%d records on the interactions topic, want %d", n, wantN)
	}
	dlq := topicRecords(t, addr, "interactions.dlq")
	var gotReasons []string
	for _, r := range dlq {
		if header(r, "stage") != Stage || !strings.HasPrefix(header(r, "reason"), "line ") {
			t.Errorf("dead letter without stage or line: %v", r.Headers)
		}
		gotReasons = append(gotReasons, header(r, "reason"))
	}
	// Batches in flight together may interleave: compare as sets.
	slices.Sort(gotReasons)
	reasons = slices.Sorted(slices.Values(reasons))
	if strings.Join(gotReasons, "\n") != strings.Join(reasons, "\n") {
		t.Errorf("dead-letter reasons:\n%s\nwant:\n%s", strings.Join(gotReasons, "\n"), strings.Join(reasons, "\n"))
	}
}

func TestImportLandsOnTheRightTopics(t *testing.T) {
	for _, f := range []Format{FormatNDJSON, FormatCSV} {
		t.Run(string(f), func(t *testing.T) {
			addr, prod := startBroker(t)
			data, invalid := mixedFile(t, rand.New(rand.NewPCG(7, 7)), f, 250)
			path := writeFile(t, "backfill."+string(f), data)
			im, err := New(Config{Path: path, BatchSize: 40, Logger: quiet()}, prod)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := im.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			valid, reasons := expected(t, f, data)
			if !sum.Done || sum.Format != f || sum.Read != 250 || sum.Rejected != int64(len(reasons)) ||
				sum.Accepted != 250-sum.Rejected || sum.Bytes != int64(len(data)) || len(reasons) < invalid {
				t.Errorf("summary %+v; want 250 read, %d rejected (≥ %d planted), %d bytes", sum, len(reasons), invalid, len(data))
			}
			if _, err := os.Stat(path + StateSuffix); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("state file left after a finished import: %v", err)
			}
			checkTopics(t, addr, valid, reasons)
		})
	}
}

// interrupting cancels the import's context once a number of batches
// have been acknowledged, as a SIGTERM would.
type interrupting struct {
	Sink
	after  int32
	cancel context.CancelFunc
	calls  atomic.Int32
}

func (s *interrupting) Produce(ctx context.Context, its []schemas.Interaction) error {
	err := s.Sink.Produce(ctx, its)
	if s.calls.Add(1) == s.after {
		s.cancel()
	}
	return err
}

func TestImportResumesAfterInterruption(t *testing.T) {
	for _, f := range []Format{FormatNDJSON, FormatCSV} {
		t.Run(string(f), func(t *testing.T) {
			addr, prod := startBroker(t)
			data, _ := mixedFile(t, rand.New(rand.NewPCG(3, 1)), f, 200)
			path := writeFile(t, "x."+string(f), data)
			state := filepath.Join(t.TempDir(), "custom.progress")
			cfg := Config{Path: path, BatchSize: 30, StatePath: state, Logger: quiet(), InFlight: 2}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			im, _ := New(cfg, &interrupting{Sink: prod, after: 2, cancel: cancel})
			first, err := im.Run(ctx)
			// Two batches were acknowledged when the context ended; a third
			// may have been in flight and acknowledged too.
			if !errors.Is(err, context.Canceled) || first.Done || (first.Read != 60 && first.Read != 90) {
				t.Fatalf("first run: %+v, %v; want 60 or 90 records then context.Canceled", first, err)
			}
			st, err := loadState(state)
			if err != nil || st == nil || st.Records != first.Read || st.Offset != first.Reached.Offset {
				t.Fatalf("state after the interruption: %+v, %v; want %d records at %d", st, err, first.Read, first.Reached.Offset)
			}

			im, _ = New(cfg, prod)
			second, err := im.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !second.Done || second.ResumedFrom != st.Position || second.Read != 200-first.Read {
				t.Errorf("second run: %+v; want %d records resumed from %+v", second, 200-first.Read, st.Position)
			}
			if _, err := os.Stat(state); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("state file left after the import finished: %v", err)
			}
			// Records before the checkpoint are on the topics exactly once;
			// after it at least once, at most twice (one batch may have
			// been in flight when the first run stopped).
			before, _ := expected(t, f, data[:st.Offset])
			all, reasons := expected(t, f, data)
			got := map[string]int{}
			for _, r := range topicRecords(t, addr, "interactions") {
				got[string(r.Value)]++
			}
			extra := 0
			for v, c := range all {
				switch g := got[v]; {
				case before[v] > 0 && g != c:
					t.Errorf("record before the checkpoint on the topic %d times, want %d: %s", g, c, v)
				case g < c || g > 2*c:
					t.Errorf("record after the checkpoint on the topic %d times, want %d to %d: %s", g, c, 2*c, v)
				default:
					extra += g - c
				}
			}
			if extra > cfg.BatchSize {
				t.Errorf("%d records sent twice, want at most one batch (%d)", extra, cfg.BatchSize)
			}
			if n := len(topicRecords(t, addr, "interactions.dlq")); n < len(reasons) || n > len(reasons)+cfg.BatchSize {
				t.Errorf("%d dead letters, want %d (plus at most one batch again)", n, len(reasons))
			}
		})
	}
}

func TestImportRefusesAnotherFilesState(t *testing.T) {
	_, prod := startBroker(t)
	its := simulated(t, 50)
	path := writeFile(t, "x.ndjson", ndjsonOf(its))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	im, _ := New(Config{Path: path, BatchSize: 10, Logger: quiet()}, &interrupting{Sink: prod, after: 1, cancel: cancel})
	if _, err := im.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("first run: %v", err)
	}
	// Another export lands under the same name.
	if err := os.WriteFile(path, ndjsonOf(its[1:]), 0o644); err != nil {
		t.Fatal(err)
	}
	im, _ = New(Config{Path: path, Logger: quiet()}, prod)
	if _, err := im.Run(context.Background()); !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("err = %v, want ErrStateMismatch", err)
	}
}

func TestImportEdgeFiles(t *testing.T) {
	addr, prod := startBroker(t)
	for name, c := range map[string]struct {
		data    string
		wantErr error
	}{
		"empty.ndjson":      {"", nil},
		"blank.ndjson":      {"\n\n  \n", nil},
		"empty.csv":         {"", nil},
		"header-only.csv":   {csvHeaderLine, nil},
		"bad-header.csv":    {"tenant,agent\nacme,a1\n", ErrBadHeader},
		"unknown-format.gz": {"\x1f\x8b", nil}, // sniffed as CSV: a bad header
	} {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, name, []byte(c.data))
			im, _ := New(Config{Path: path, Logger: quiet()}, prod)
			sum, err := im.Run(context.Background())
			if name == "unknown-format.gz" {
				c.wantErr = ErrBadHeader
			}
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err = %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil || !sum.Done || sum.Read != 0 {
				t.Fatalf("summary %+v, err %v; want done with nothing read", sum, err)
			}
		})
	}
	if n := len(topicRecords(t, addr, "interactions")); n != 0 {
		t.Errorf("%d records produced from empty files", n)
	}
}

// TestImportProgressLogs checks that without a terminal progress goes to
// the log, and with one a bar is drawn.
func TestImportProgressOutput(t *testing.T) {
	_, prod := startBroker(t)
	path := writeFile(t, "x.ndjson", ndjsonOf(simulated(t, 20)))
	var bar bytes.Buffer
	im, _ := New(Config{Path: path, Logger: quiet(), Terminal: &bar}, prod)
	if _, err := im.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(bar.String(), "100.0%  20 records") || !strings.HasSuffix(bar.String(), "\n") {
		t.Errorf("terminal output %q, want a final bar at 100%% ending the line", bar.String())
	}
}
