package outcomes

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// streamSnap is a Stream's checkpoint: slices only, in a fixed order, so
// that the same state encodes to the same bytes (encoding/json writes
// float64 in the shortest form that reads back exactly).
type streamSnap struct {
	Version  int          `json:"version"`
	Config   Config       `json:"config"`
	Lateness int64        `json:"lateness_ns"`
	Low      time.Time    `json:"low_watermark"`
	Tenants  []tenantSnap `json:"tenants"`
}

type tenantSnap struct {
	Tenant    string         `json:"tenant"`
	W         time.Time      `json:"watermark"`
	Sealed    int64          `json:"sealed"`
	Contacts  []contactSnap  `json:"contacts"`
	Customers []customerSnap `json:"customers"`
	Orphans   []Outcome      `json:"orphans"`
	Learners  []learnerSnap  `json:"learners"`
	Due       []dueSnap      `json:"due"`
	Dirty     []string       `json:"dirty"`
	Evicted   int64          `json:"evicted"`
}

type dueSnap struct {
	Day int64    `json:"day"`
	IDs []string `json:"ids"`
}

type contactSnap struct {
	C         Contact                `json:"c"`
	Outs      []Outcome              `json:"outs"`
	Predicted bool                   `json:"predicted"`
	Pred      [numTargets]Prediction `json:"pred"`
	Trained   [numTargets]bool       `json:"trained"`
	Hist      History                `json:"hist"`
	Emitted   bool                   `json:"emitted"`
	Last      Scored                 `json:"last"`
}

// customerSnap lists a customer's kept contacts: live ones by id, the
// others (history only) in full.
type customerSnap struct {
	Key  string    `json:"key"`
	Live []string  `json:"live"` // ids of live contacts, "" where Gone has the entry
	Gone []Contact `json:"gone"`
}

type learnerSnap struct {
	Model string `json:"model"`
	State []byte `json:"state"`
}

const streamSnapVersion = 1

// MarshalBinary checkpoints the stream: the same state gives the same
// bytes. A processor stores it with the offsets it has consumed, so that
// after a kill -9 it resumes from both and emits exactly what an
// uninterrupted run would.
func (s *Stream) MarshalBinary() ([]byte, error) {
	snap := streamSnap{Version: streamSnapVersion, Config: s.cfg, Lateness: int64(s.lateness), Low: s.low, Tenants: []tenantSnap{}}
	for _, t := range s.tenantNames() {
		ts := s.tenants[t]
		tn := tenantSnap{Tenant: t, W: ts.w, Sealed: ts.sealed, Contacts: []contactSnap{}, Customers: []customerSnap{},
			Orphans: []Outcome{}, Learners: []learnerSnap{}, Due: []dueSnap{}, Dirty: sortedKeys(ts.dirty), Evicted: ts.evicted}
		days := make([]int64, 0, len(ts.due))
		for d := range ts.due {
			days = append(days, d)
		}
		slices.Sort(days)
		for _, d := range days {
			tn.Due = append(tn.Due, dueSnap{Day: d, IDs: sortedKeys(ts.due[d])})
		}
		ids := sortedKeys(ts.contacts)
		for _, id := range ids {
			sc := ts.contacts[id]
			tn.Contacts = append(tn.Contacts, contactSnap{C: sc.c, Outs: sortedOutcomes(sc.outs), Predicted: sc.predicted,
				Pred: sc.pred, Trained: sc.trained, Hist: sc.hist, Emitted: sc.emitted, Last: sc.last})
		}
		for _, k := range sortedKeys(ts.customers) {
			cs := customerSnap{Key: k, Live: []string{}, Gone: []Contact{}}
			for _, c := range ts.customers[k] {
				if sc := ts.contacts[c.ID]; sc != nil && &sc.c == c {
					cs.Live = append(cs.Live, c.ID)
				} else {
					cs.Live = append(cs.Live, "")
					cs.Gone = append(cs.Gone, *c)
				}
			}
			tn.Customers = append(tn.Customers, cs)
		}
		for _, id := range sortedKeys(ts.orphans) {
			tn.Orphans = append(tn.Orphans, sortedOutcomes(ts.orphans[id])...)
		}
		for _, m := range sortedKeys(ts.learners) {
			b, err := ts.learners[m].MarshalBinary()
			if err != nil {
				return nil, err
			}
			tn.Learners = append(tn.Learners, learnerSnap{Model: m, State: b})
		}
		snap.Tenants = append(snap.Tenants, tn)
	}
	return json.Marshal(snap)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// sortedOutcomes orders a contact's outcomes by outcome_id: the order of
// arrival must not show in the checkpoint.
func sortedOutcomes(in []Outcome) []Outcome {
	out := slices.Clone(in)
	slices.SortFunc(out, func(a, b Outcome) int { return cmp.Compare(a.ID, b.ID) })
	if out == nil {
		out = []Outcome{}
	}
	return out
}

// UnmarshalBinary restores a checkpoint written by MarshalBinary. It
// returns an error wrapping ErrBadState for anything else.
func (s *Stream) UnmarshalBinary(data []byte) error {
	var snap streamSnap
	if err := json.Unmarshal(data, &snap); err != nil {
		return fmt.Errorf("%w: stream checkpoint: %w", ErrBadState, err)
	}
	if snap.Version != streamSnapVersion {
		return fmt.Errorf("%w: stream checkpoint version %d, want %d", ErrBadState, snap.Version, streamSnapVersion)
	}
	if err := snap.Config.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrBadState, err)
	}
	n := NewStream(snap.Config, time.Duration(snap.Lateness))
	n.low = snap.Low
	for _, tn := range snap.Tenants {
		ts := n.tenant(tn.Tenant)
		ts.w, ts.sealed, ts.evicted = tn.W, tn.Sealed, tn.Evicted
		for _, d := range tn.Due {
			m := make(map[string]bool, len(d.IDs))
			for _, id := range d.IDs {
				m[id] = true
			}
			ts.due[d.Day] = m
		}
		for _, id := range tn.Dirty {
			ts.dirty[id] = true
		}
		for _, c := range tn.Contacts {
			sc := &sContact{c: c.C, outs: c.Outs, predicted: c.Predicted, pred: c.Pred, trained: c.Trained,
				hist: c.Hist, emitted: c.Emitted, last: c.Last}
			if len(sc.outs) == 0 {
				sc.outs = nil
			}
			if sc.predicted {
				sc.feats = Extract(&sc.c, sc.hist, n.cfg.TableBits)
			}
			ts.contacts[c.C.ID] = sc
			d := day(c.C.Ended.Add(n.horizon()))
			ts.evictAt[d] = append(ts.evictAt[d], c.C.ID)
		}
		for _, cs := range tn.Customers {
			list := make([]*Contact, 0, len(cs.Live))
			gone := 0
			for _, id := range cs.Live {
				if id == "" {
					if gone >= len(cs.Gone) {
						return fmt.Errorf("%w: customer %q history truncated", ErrBadState, cs.Key)
					}
					c := cs.Gone[gone]
					list = append(list, &c)
					gone++
					continue
				}
				sc := ts.contacts[id]
				if sc == nil {
					return fmt.Errorf("%w: customer %q names unknown contact %q", ErrBadState, cs.Key, id)
				}
				list = append(list, &sc.c)
			}
			ts.customers[cs.Key] = list
		}
		for _, o := range tn.Orphans {
			ts.orphans[o.InteractionID] = append(ts.orphans[o.InteractionID], o)
		}
		for _, ls := range tn.Learners {
			l := new(Learner)
			if err := l.UnmarshalBinary(ls.State); err != nil {
				return err
			}
			ts.learners[ls.Model] = l
		}
	}
	*s = *n
	return nil
}
