package outcomes

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Stream is Run for a log read record by record, with bounded state: what
// a processor keeps. Records may arrive in any order; a UTC day of a
// tenant is sealed once the tenant's watermark (newest ended_at) reaches
// the day's end plus Lateness, and sealing runs the learner for the day
// exactly as Run does: predict the contacts that ended in it (features
// from their customers' earlier contacts), then learn the labels maturing
// in it in (maturity, interaction_id) order. So for a log in which no
// record arrives after its day is sealed, the Scored of every contact —
// predictions and labels — equal Run's over the same records, and the
// learners serialize to the same bytes (TestStreamEqualsRun).
//
// A record later than that is still used, not exactly: a contact of a
// sealed day is predicted when it arrives, with the current model; a label
// maturing in a sealed day is learnt at the next seal. A correction of a
// contact after its day is sealed keeps its prediction.
//
// State is bounded by the present: a contact is dropped OutcomeDays and
// RepeatDays after it ended (plus Lateness), a customer's contact history
// after 31 days. Not safe for concurrent use.
type Stream struct {
	cfg      Config
	lateness time.Duration
	low      time.Time // SetLowWatermark; zero: none
	tenants  map[string]*tenantStream
	// names interns the few distinct tenants, models, inquiries and
	// initiations, so that a contact kept does not hold its own copies
	// (a decoded record has them); at most maxNames.
	names map[string]string
}

// maxNames bounds Stream.names: a feed with a distinct inquiry per record
// keeps its strings, but they do not pile up here.
const maxNames = 4096

func (s *Stream) intern(v string) string {
	if x, ok := s.names[v]; ok {
		return x
	}
	if len(s.names) < maxNames {
		v = strings.Clone(v)
		s.names[v] = v
	}
	return v
}

type tenantStream struct {
	w         time.Time
	sealed    int64 // last sealed day
	contacts  map[string]*sContact
	customers map[string][]*Contact // by customer_key, sorted by (ended, id)
	orphans   map[string][]Outcome  // outcomes of interactions not seen yet, by interaction_id
	learners  map[string]*Learner   // by model
	// due lists, per day, the contacts to look at when the day is sealed:
	// those ending in it (to predict) and those whose label may mature in
	// it. Entries may be stale (checked, then ignored).
	due map[int64]map[string]bool
	// dirty are the contacts whose Scored may have changed since Drain.
	dirty map[string]bool
	// evicted is the watermark's day when eviction last ran.
	evicted int64
	// evictAt lists contacts by the day they pass the horizon (derived
	// from contacts: rebuilt on restore, not checkpointed).
	evictAt map[int64][]string
}

// sContact is one live contact.
type sContact struct {
	c         Contact
	outs      []Outcome // its outcomes, one per outcome_id (highest revision)
	predicted bool
	pred      [numTargets]Prediction
	trained   [numTargets]bool
	hist      History // the customer's history when predicted
	emitted   bool    // last was drained
	// last are the labels Drain last returned for it (with pred, which
	// does not change once predicted).
	last [numTargets]Label
}

// Emitted is one contact's current predictions and labels.
type Emitted struct {
	Tenant, Model, ID string
	Scored
}

// NewStream returns an empty stream; cfg is completed with defaults.
// lateness is how long after a day's end (in event time) its records may
// still arrive and be used exactly.
func NewStream(cfg Config, lateness time.Duration) *Stream {
	return &Stream{cfg: cfg.WithDefaults(), lateness: lateness, tenants: make(map[string]*tenantStream), names: map[string]string{}}
}

// Lateness returns the lateness the stream seals with (a restored
// stream's is its checkpoint's).
func (s *Stream) Lateness() time.Duration { return s.lateness }

func (s *Stream) tenant(t string) *tenantStream {
	ts := s.tenants[t]
	if ts == nil {
		ts = &tenantStream{sealed: noDay, evicted: noDay, contacts: make(map[string]*sContact),
			customers: make(map[string][]*Contact), orphans: make(map[string][]Outcome), learners: make(map[string]*Learner),
			due: make(map[int64]map[string]bool), dirty: make(map[string]bool), evictAt: make(map[int64][]string)}
		s.tenants[t] = ts
	}
	return ts
}

// AddContact adds an interaction (its newest revision replaces an earlier
// one: the caller deduplicates revisions) and seals what the watermark
// allows.
func (s *Stream) AddContact(c Contact) {
	c.Started, c.Ended = c.Started.UTC(), c.Ended.UTC()
	c.Tenant, c.Model, c.Inquiry, c.Initiation = s.intern(c.Tenant), s.intern(c.Model), s.intern(c.Inquiry), s.intern(c.Initiation)
	customer := &c.Customer // copied below unless shared
	if known := s.tenants[c.Tenant]; known != nil && c.Customer != "" {
		if same := known.customers[c.Customer]; len(same) > 0 {
			c.Customer = same[0].Customer // one copy of the key per customer
			customer = nil
		}
	}
	ts := s.tenant(c.Tenant)
	if old := ts.contacts[c.ID]; old != nil {
		if c.Revision <= old.c.Revision {
			return // a redelivery or an older revision changes nothing
		}
		c.ID = old.c.ID
		ownStrings(customer, &c.Chain)
		s.removeCustomer(ts, &old.c)
		old.c = c
	} else {
		ownStrings(&c.ID, customer, &c.Chain)
		sc := &sContact{c: c}
		ts.contacts[c.ID] = sc
		ts.evictAt[day(c.Ended.Add(s.horizon()))] = append(ts.evictAt[day(c.Ended.Add(s.horizon()))], c.ID)
		if os := ts.orphans[c.ID]; os != nil {
			sc.outs = os
			delete(ts.orphans, c.ID)
		}
	}
	sc := ts.contacts[c.ID]
	ts.dirty[c.ID] = true
	ts.schedule(day(c.Ended), c.ID)
	for i := range sc.outs {
		if at, ok := outcomeAt(&s.cfg, &sc.outs[i], c.Ended); ok {
			ts.schedule(day(at), c.ID)
		}
	}
	if c.Customer != "" {
		list := ts.customers[c.Customer]
		i, _ := slices.BinarySearchFunc(list, &sc.c, compareEnd)
		list = slices.Insert(list, i, &sc.c)
		ts.customers[c.Customer] = list
		repeat := time.Duration(s.cfg.RepeatDays) * 24 * time.Hour
		ts.schedule(day(c.Ended.Add(repeat)), c.ID) // its label matures when its window closes
		// c may be a repeat of the customer's earlier contacts: a late one
		// changes a label already known (their windows' seals are
		// scheduled already).
		for j := i - 1; j >= 0 && c.Ended.Sub(list[j].Ended) <= repeat; j-- {
			if _, live := ts.contacts[list[j].ID]; live {
				ts.dirty[list[j].ID] = true
			}
		}
	}
	if day(c.Ended) <= ts.sealed && !sc.predicted { // late: predict now
		s.predict(ts, sc)
	}
	if c.Ended.After(ts.w) {
		ts.w = c.Ended
	}
	s.seal(c.Tenant, ts)
}

// SetLowWatermark bounds sealing by t: a day is sealed only once both the
// tenant's watermark and t have passed its end plus the lateness. A
// consumer of several partitions passes the oldest of the partitions'
// newest ended_at, so that a partition read ahead of the others does not
// make the others' records late. The zero time removes the bound.
func (s *Stream) SetLowWatermark(t time.Time) {
	s.low = t.UTC()
	for _, name := range s.tenantNames() {
		s.seal(name, s.tenants[name])
	}
}

// schedule asks for contact id to be looked at when day d is sealed (at
// the next seal when d is sealed already: a late record).
func (ts *tenantStream) schedule(d int64, id string) {
	if d <= ts.sealed {
		d = ts.sealed + 1
	}
	m := ts.due[d]
	if m == nil {
		m = make(map[string]bool)
		ts.due[d] = m
	}
	m[id] = true
}

// compareEnd orders a customer's contacts by (ended_at, interaction_id).
func compareEnd(a, b *Contact) int {
	return cmp.Or(a.Ended.Compare(b.Ended), cmp.Compare(a.ID, b.ID))
}

func (s *Stream) removeCustomer(ts *tenantStream, c *Contact) {
	if c.Customer == "" {
		return
	}
	list := ts.customers[c.Customer]
	if i, ok := slices.BinarySearchFunc(list, c, compareEnd); ok {
		ts.customers[c.Customer] = slices.Delete(list, i, i+1)
	}
}

// AddOutcome adds an outcome record (a higher revision of an outcome_id
// replaces the earlier one; an equal or lower one changes nothing).
func (s *Stream) AddOutcome(o Outcome) {
	o.ObservedAt = o.ObservedAt.UTC()
	ts := s.tenant(o.Tenant)
	sc := ts.contacts[o.InteractionID]
	var list []Outcome
	if sc != nil {
		list = sc.outs
	} else {
		list = ts.orphans[o.InteractionID]
	}
	replaced := false
	for i := range list {
		if list[i].ID == o.ID {
			if o.Revision > list[i].Revision || (o.Revision == list[i].Revision && compareOutcome(o, list[i]) < 0) {
				list[i] = o
			}
			replaced = true
			break
		}
	}
	if !replaced {
		list = append(list, o)
	}
	if sc == nil {
		ts.orphans[o.InteractionID] = list
		return
	}
	sc.outs = list
	ts.dirty[sc.c.ID] = true
	if at, ok := outcomeAt(&s.cfg, &o, sc.c.Ended); ok {
		ts.schedule(day(at), sc.c.ID)
	}
}

// labels computes a live contact's labels as of the tenant's watermark,
// exactly as Run does over the same records.
func (s *Stream) labels(ts *tenantStream, sc *sContact) [numTargets]Label {
	var computed found
	if sc.c.Customer != "" {
		list := ts.customers[sc.c.Customer]
		if i, ok := slices.BinarySearchFunc(list, &sc.c, compareEnd); ok {
			computed = computedResolution(&s.cfg, list, i, ts.w)
		}
	}
	var surveys, overrides pick
	for i := range sc.outs {
		o := &sc.outs[i]
		at, ok := outcomeAt(&s.cfg, o, sc.c.Ended)
		if !ok {
			continue
		}
		switch o.Kind {
		case KindSurvey:
			surveys.add(found{has: true, value: s.cfg.Satisfied(o.Score, o.ScaleMax), at: at, id: o.ID}, o.ObservedAt)
		case KindResolution:
			overrides.add(found{has: true, value: o.Resolved, at: at, id: o.ID}, o.ObservedAt)
		}
	}
	return [numTargets]Label{surveyLabel(surveys), combineResolution(computed, overrides)}
}

func (s *Stream) learner(ts *tenantStream, model string) *Learner {
	l := ts.learners[model]
	if l == nil {
		l = NewLearner(s.cfg)
		ts.learners[model] = l
	}
	return l
}

// predict predicts one contact with its model's learner as it is.
func (s *Stream) predict(ts *tenantStream, sc *sContact) {
	sc.hist = s.history(ts, &sc.c)
	f := Extract(&sc.c, sc.hist, s.cfg.TableBits)
	l := s.learner(ts, sc.c.Model)
	if d := day(sc.c.Ended); d > l.day {
		_ = l.BeginDay(d)
	}
	sc.pred = l.Predict(&f)
	sc.predicted = true
}

// history is the customer's history before c, from the contacts kept.
func (s *Stream) history(ts *tenantStream, c *Contact) History {
	h := HistoryOf(nil, c.Ended, false)
	if c.Customer != "" {
		list := ts.customers[c.Customer]
		i, _ := slices.BinarySearchFunc(list, c, compareEnd)
		ends := make([]time.Time, i)
		for j := range i {
			ends[j] = list[j].Ended
		}
		h = HistoryOf(ends, c.Ended, true)
	}
	return h
}

// seal seals every day of the tenant whose end plus Lateness the
// watermark has reached, then drops what no later record can need.
func (s *Stream) seal(_ string, ts *tenantStream) {
	w := ts.w
	if !s.low.IsZero() && s.low.Before(w) {
		w = s.low
	}
	s.sealThrough(ts, day(w.Add(-s.lateness))-1) // the last whole day ≤ w − lateness
}

// Flush seals every day of every tenant, as at the end of the log: what
// Run does with the records given so far. Records that arrive afterwards
// are late.
func (s *Stream) Flush() {
	for _, t := range s.tenantNames() {
		s.sealThrough(s.tenants[t], 1<<40)
	}
}

func (s *Stream) tenantNames() []string {
	names := make([]string, 0, len(s.tenants))
	for t := range s.tenants {
		names = append(names, t)
	}
	slices.Sort(names)
	return names
}

func (s *Stream) sealThrough(ts *tenantStream, target int64) {
	if target <= ts.sealed {
		return
	}
	var days []int64
	for d := range ts.due {
		if d <= target {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	for _, d := range days {
		s.sealDay(ts, d)
	}
	ts.sealed = target
}

// sealDay does Run's work for day d over the contacts due in it: per
// model, predict those that ended in d (or arrived late), then learn the
// labels maturing by d in (maturity, interaction_id) order.
func (s *Stream) sealDay(ts *tenantStream, d int64) {
	type ev struct {
		at time.Time
		sc *sContact
		tg Target
		y  bool
	}
	ids := sortedKeys(ts.due[d])
	delete(ts.due, d)
	byModel := map[string][]*sContact{}
	for _, id := range ids {
		if sc := ts.contacts[id]; sc != nil {
			byModel[sc.c.Model] = append(byModel[sc.c.Model], sc)
			ts.dirty[id] = true
		}
	}
	for _, m := range sortedKeys(byModel) {
		scs := byModel[m] // by interaction_id
		var todo []*sContact
		for _, sc := range scs {
			if !sc.predicted && day(sc.c.Ended) <= d {
				todo = append(todo, sc)
			}
		}
		var evs []ev
		for _, sc := range scs {
			lb := s.labels(ts, sc)
			for tg := range numTargets {
				if x := lb[tg]; x.Has && !sc.trained[tg] && day(x.Matured) <= d {
					evs = append(evs, ev{x.Matured, sc, Target(tg), x.Train})
				}
			}
		}
		if len(todo) == 0 && len(evs) == 0 {
			continue // nothing for this model today: no BeginDay, as in Run
		}
		l := s.learner(ts, m)
		if d > l.day {
			_ = l.BeginDay(d)
		}
		for _, sc := range todo {
			s.predict(ts, sc)
		}
		slices.SortFunc(evs, func(a, b ev) int {
			return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.sc.c.ID, b.sc.c.ID), cmp.Compare(a.tg, b.tg))
		})
		for _, e := range evs {
			if !e.sc.predicted {
				s.predict(ts, e.sc)
			}
			// The features of the contact's current revision with the
			// history it was predicted with: Extract again, not kept (a
			// contact is learnt from at most twice).
			f := Extract(&e.sc.c, e.sc.hist, s.cfg.TableBits)
			l.Learn(e.tg, &f, e.y, e.sc.pred[e.tg])
			e.sc.trained[e.tg] = true
		}
	}
}

// horizon is how long after a contact ended the stream keeps it: no
// outcome (OutcomeDays), repeat (RepeatDays) or later contact's history
// (31 days) can need it after that, plus the lateness and a day.
func (s *Stream) horizon() time.Duration {
	return time.Duration(max(s.cfg.OutcomeDays, s.cfg.RepeatDays, 31))*24*time.Hour + s.lateness + 24*time.Hour
}

// evict drops the contacts past the horizon (indexed by the day they
// reach it, so the cost is what is dropped) and, with each, the
// customer's history entries that are as old.
func (s *Stream) evict(ts *tenantStream) {
	h := s.horizon()
	limit := day(ts.w) // a contact passes the horizon on day(ended + h)
	var days []int64
	for d := range ts.evictAt {
		if d <= limit {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	for _, d := range days {
		ids := ts.evictAt[d]
		delete(ts.evictAt, d)
		for _, id := range ids {
			sc := ts.contacts[id]
			if sc == nil {
				continue
			}
			if !sc.predicted || !sc.emitted || ts.w.Sub(sc.c.Ended) <= h {
				ts.evictAt[limit+1] = append(ts.evictAt[limit+1], id) // not yet: look again
				continue
			}
			delete(ts.contacts, id)
			if list := ts.customers[sc.c.Customer]; sc.c.Customer != "" {
				i := 0
				for i < len(list) && ts.w.Sub(list[i].Ended) > h && ts.contacts[list[i].ID] == nil {
					i++
				}
				if i == len(list) {
					delete(ts.customers, sc.c.Customer)
				} else if i > 0 {
					ts.customers[sc.c.Customer] = slices.Clone(list[i:])
				}
			}
		}
	}
	for id, os := range ts.orphans {
		if len(os) > 0 && ts.w.Sub(os[0].ObservedAt) > h {
			delete(ts.orphans, id)
		}
	}
}

// Drain returns the predictions and labels of every predicted contact
// that changed since the last Drain (new predictions, labels known or
// changed, the watermark passing a resolution horizon), sorted by
// (tenant, model, interaction_id): what a processor writes, a contact's
// cells replaced as a whole. Then, once per day of the watermark, it drops
// the contacts and history no later record can need.
func (s *Stream) Drain() []Emitted {
	var out []Emitted
	for _, t := range s.tenantNames() {
		ts := s.tenants[t]
		for _, id := range sortedKeys(ts.dirty) {
			sc := ts.contacts[id]
			if sc == nil || !sc.predicted {
				continue
			}
			cur := Scored{Pred: sc.pred, Label: s.labels(ts, sc)}
			if sc.emitted && cur.Label == sc.last {
				continue
			}
			sc.last, sc.emitted = cur.Label, true
			out = append(out, Emitted{Tenant: t, Model: sc.c.Model, ID: sc.c.ID, Scored: cur})
		}
		clear(ts.dirty)
		if d := day(ts.w); d > ts.evicted {
			s.evict(ts)
			ts.evicted = d
		}
	}
	slices.SortFunc(out, func(a, b Emitted) int {
		return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Model, b.Model), cmp.Compare(a.ID, b.ID))
	})
	return out
}
