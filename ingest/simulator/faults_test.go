package simulator

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// faultLine is the part of a record the fault tests look at.
type faultLine struct {
	TenantID      string    `json:"tenant_id"`
	InteractionID string    `json:"interaction_id"`
	Revision      int64     `json:"revision"`
	Inquiry       string    `json:"inquiry"`
	EndedAt       time.Time `json:"ended_at"`
	HandleTimeS   float64   `json:"handle_time_s"`
}

func TestFaultRatesAndShapes(t *testing.T) {
	cfg := testConfig(60, 14)
	cfg.DuplicateRate, cfg.RevisionRate, cfg.LateRate = 0.04, 0.03, 0.05
	g := mustNew(t, cfg, 0)
	out := ndjson(t, g)
	lines := bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n"))

	firstLine := map[string][]byte{} // tenant/id/revision -> its first line
	rev1 := map[string]faultLine{}   // tenant/id -> revision 1
	var dups, revs, late, originals int
	var newest time.Time // the newest ended_at seen so far: the feed's clock
	for i, line := range lines {
		var r faultLine
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		id := r.TenantID + "/" + r.InteractionID
		key := id + "/" + string(rune('0'+r.Revision))
		if prev, ok := firstLine[key]; ok {
			if !bytes.Equal(prev, line) {
				t.Fatalf("line %d repeats %s revision %d with different content:\n%s\n%s", i+1, id, r.Revision, prev, line)
			}
			dups++
			continue
		}
		firstLine[key] = line
		switch r.Revision {
		case 1:
			originals++
			rev1[id] = r
			if newest.Sub(r.EndedAt) >= time.Hour {
				late++
			}
		case 2:
			revs++
			orig, ok := rev1[id]
			if !ok {
				t.Fatalf("line %d: revision 2 of %s before its revision 1", i+1, id)
			}
			if orig.EndedAt != r.EndedAt || (orig.Inquiry == r.Inquiry) == (orig.HandleTimeS == r.HandleTimeS) {
				t.Errorf("line %d: revision 2 of %s should change exactly one of inquiry or handle time: %+v -> %+v", i+1, id, orig, r)
			}
		default:
			t.Fatalf("line %d: revision %d", i+1, r.Revision)
		}
		if r.EndedAt.After(newest) {
			newest = r.EndedAt
		}
	}
	check := func(name string, got int, rate float64) {
		t.Helper()
		want := rate * float64(originals)
		if math.Abs(float64(got)-want) > 0.15*want+10 {
			t.Errorf("%s: %d of %d interactions, want about %.0f (rate %v)", name, got, originals, want, rate)
		}
	}
	check("duplicates", dups, cfg.DuplicateRate)
	check("revisions", revs, cfg.RevisionRate)
	// A late record lands at least an hour behind the feed; a few of the
	// drawn delays are shorter than the gap to the next record, so allow
	// for those.
	check("late", late, cfg.LateRate)

	_, stats := collect(t, g)
	if stats.Interactions != int64(originals) || stats.Duplicates != int64(dups) || stats.Revisions != int64(revs) {
		t.Errorf("stats %+v, counted %d originals, %d duplicates, %d revisions", stats, originals, dups, revs)
	}
	if stats.Records != int64(len(lines)) {
		t.Errorf("stats.Records = %d, %d lines", stats.Records, len(lines))
	}
}

func TestNoFaultsByDefault(t *testing.T) {
	_, stats := collect(t, mustNew(t, testConfig(30, 3), 0))
	if stats.Duplicates+stats.Revisions+stats.Late != 0 || stats.Records != stats.Interactions {
		t.Errorf("stats = %+v, want no faults", stats)
	}
}

func TestEveryRecordFaultedStillFlushes(t *testing.T) {
	cfg := testConfig(5, 2)
	cfg.DuplicateRate, cfg.RevisionRate, cfg.LateRate = 1, 1, 1
	_, stats := collect(t, mustNew(t, cfg, 0))
	n := stats.Interactions
	if n == 0 || stats.Late != n || stats.Duplicates != n || stats.Revisions != n || stats.Records != 3*n {
		t.Errorf("stats = %+v, want every interaction late, duplicated and revised", stats)
	}
}
