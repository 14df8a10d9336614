package roster

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/agentpulse/agentpulse/schemas"
)

// NameKind is what a display name names (besides people, whose names are
// part of their roster entry).
type NameKind string

// The kinds of display names. The values are the fields of Names and of
// the body of PUT /v1/names.
const (
	KindTeam    NameKind = "teams"
	KindInquiry NameKind = "inquiries"
	KindModel   NameKind = "models"
)

// NameKinds lists the kinds.
var NameKinds = []NameKind{KindTeam, KindInquiry, KindModel}

// DefaultMaxNames bounds the display names of one kind of one tenant.
const DefaultMaxNames = 10_000

// Label is the display name of one team, inquiry or model (channel) of a
// tenant, as kept on the topic.
type Label struct {
	Kind      NameKind  `json:"kind"`
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// checkID says why id is not an id of kind k, or "".
func (k NameKind) checkID(id string) string {
	switch k {
	case KindTeam:
		if !schemas.ValidID(id) {
			return "is not a team id: a team id is 1 to 128 of A-Z a-z 0-9 . _ @ -, starting with a letter or digit"
		}
	case KindInquiry:
		if !schemas.ValidInquiry(id) {
			return "is not an inquiry: an inquiry is 1 to 128 characters without control characters"
		}
	case KindModel:
		if !schemas.ValidModel(id) {
			return "is not a channel (model) id: 1 to 32 of a-z 0-9 _ -, starting with a letter"
		}
	default:
		return "unknown kind"
	}
	return ""
}

// checkName says why name is not a display name, or "". An empty name
// removes one.
func checkName(name string) string {
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxNameRunes {
		return fmt.Sprintf("a display name is at most %d characters", MaxNameRunes)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return "a display name is printable characters (no tabs or line breaks)"
		}
	}
	return ""
}

// Names are the display names of a tenant, by kind then id: the answer of
// GET /v1/names. People are the roster's names (by subject).
type Names struct {
	People    map[string]string `json:"people"`
	Teams     map[string]string `json:"teams"`
	Inquiries map[string]string `json:"inquiries"`
	Models    map[string]string `json:"models"`
}

// of returns the map of kind k.
func (n *Names) of(k NameKind) map[string]string {
	switch k {
	case KindTeam:
		return n.Teams
	case KindInquiry:
		return n.Inquiries
	default:
		return n.Models
	}
}

// NamesBody is the body of PUT /v1/names: names to set, by kind then id;
// an empty name removes the id's display name. Kinds and ids left out are
// unchanged.
type NamesBody struct {
	Teams     map[string]string `json:"teams"`
	Inquiries map[string]string `json:"inquiries"`
	Models    map[string]string `json:"models"`
}

// MaxNamesPerPut bounds the names one PUT /v1/names sets.
const MaxNamesPerPut = 1000

// DecodeNames reads a strict NamesBody from b and returns its changes as
// labels (name trimmed; "" removes), or the field and message of the
// first problem (the field names the kind and the id: teams["team-01"]).
func DecodeNames(b []byte) ([]Label, string, string) {
	var in NamesBody
	if err := strictDecode(b, &in); err != nil {
		return nil, "body", "the body is not the expected JSON object ({\"teams\":{id:name},\"inquiries\":{…},\"models\":{…}}): " + err.Error()
	}
	if n := len(in.Teams) + len(in.Inquiries) + len(in.Models); n > MaxNamesPerPut {
		return nil, "body", fmt.Sprintf("at most %d names per request (got %d); send them in parts", MaxNamesPerPut, n)
	}
	var out []Label
	for _, kv := range []struct {
		k NameKind
		m map[string]string
	}{{KindTeam, in.Teams}, {KindInquiry, in.Inquiries}, {KindModel, in.Models}} {
		for _, id := range sortedKeys(kv.m) {
			field := fmt.Sprintf("%s[%q]", kv.k, clip(id))
			if msg := kv.k.checkID(id); msg != "" {
				return nil, field, fmt.Sprintf("%s: %q %s", field, clip(id), msg)
			}
			name := strings.TrimSpace(kv.m[id])
			if msg := checkName(name); msg != "" {
				return nil, field, field + ": " + msg
			}
			out = append(out, Label{Kind: kv.k, ID: id, Name: name})
		}
	}
	return out, "", ""
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// labelKey identifies a label within a tenant.
type labelKey struct {
	kind NameKind
	id   string
}

type labelEntry struct {
	l       Label
	removed bool
	version int64
}

// applyLabel keeps rec (kind name) unless a newer state of its key is
// held, and returns the change of the shown name (nil when it is the
// same): {kind: {id: name}}, "" for a removed one. Called with r.mu held.
func (st *tenantState) applyLabel(rec record) *Names {
	k := labelKey{rec.Label.Kind, rec.Label.ID}
	if st.labels == nil {
		st.labels = map[labelKey]labelEntry{}
	}
	old, ok := st.labels[k]
	if ok && rec.Version <= old.version {
		return nil
	}
	e := labelEntry{l: *rec.Label, removed: rec.Removed, version: rec.Version}
	st.labels[k] = e
	if old.shown() == e.shown() {
		return nil
	}
	n := &Names{}
	switch k.kind {
	case KindTeam:
		n.Teams = map[string]string{k.id: e.shown()}
	case KindInquiry:
		n.Inquiries = map[string]string{k.id: e.shown()}
	default:
		n.Models = map[string]string{k.id: e.shown()}
	}
	return n
}

// shown is the label's name while set, else "".
func (e labelEntry) shown() string {
	if e.removed {
		return ""
	}
	return e.l.Name
}

// OnNames registers f, called (outside the roster's lock, from the
// goroutine that applied the change: the log's reader, also while it
// replays the topic at start) after a display name shown changed: a
// person's roster name, or a team's, inquiry's or model's. changed holds
// that one name ({kind: {id: name}}, the other kinds nil; "" when it was
// removed), as GET /v1/names would show it now. f must not block.
func (r *Roster) OnNames(f func(tenant string, changed Names)) {
	r.mu.Lock()
	r.onNames = append(r.onNames, f)
	r.mu.Unlock()
}

// Label returns the tenant's display name of id of kind k, when set.
func (r *Roster) Label(tenant string, k NameKind, id string) (Label, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if st := r.tenants[tenant]; st != nil {
		if e, ok := st.labels[labelKey{k, id}]; ok && !e.removed {
			return e.l, true
		}
	}
	return Label{}, false
}

func (r *Roster) labelVersion(tenant string, k NameKind, id string) int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if st := r.tenants[tenant]; st != nil {
		return st.labels[labelKey{k, id}].version
	}
	return 0
}

// countLabels is the number of display names of kind k the tenant has.
func (r *Roster) countLabels(tenant string, k NameKind) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n := 0
	if st := r.tenants[tenant]; st != nil {
		for key, e := range st.labels {
			if key.kind == k && !e.removed {
				n++
			}
		}
	}
	return n
}

// AllNames returns every display name of the tenant: people (Names),
// teams, inquiries and models. The maps are never nil.
func (r *Roster) AllNames(tenant string) Names {
	out := Names{People: r.Names(tenant), Teams: map[string]string{}, Inquiries: map[string]string{}, Models: map[string]string{}}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if st := r.tenants[tenant]; st != nil {
		for k, e := range st.labels {
			if !e.removed {
				out.of(k.kind)[k.id] = e.l.Name
			}
		}
	}
	return out
}

// NameChange is one display name a SetNames changed: From "" is a new
// name, To "" a removed one.
type NameChange struct {
	Kind     NameKind
	ID       string
	From, To string
}

// ErrTooManyNames refuses a change that would give a tenant more than
// Config.MaxNames display names of one kind.
var ErrTooManyNames = fmt.Errorf("the tenant has the most display names of this kind allowed")

// SetNames sets (or, with an empty name, removes) the tenant's display
// names on behalf of actor and returns what changed (a label already
// holding its name is not written again). Each label is one record: when
// the broker fails midway the ones before are kept (a retry of the same
// request finishes the job).
func (l *Log) SetNames(ctx context.Context, tenant string, labels []Label, actor string) ([]NameChange, error) {
	if err := l.Ready(ctx); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	ro := l.roster
	added := map[NameKind]int{}
	var todo []NameChange
	for _, lb := range labels {
		if msg := lb.Kind.checkID(lb.ID); msg != "" {
			return nil, fmt.Errorf("%s[%q]: %s", lb.Kind, clip(lb.ID), msg)
		}
		if msg := checkName(lb.Name); msg != "" {
			return nil, fmt.Errorf("%s[%q]: %s", lb.Kind, clip(lb.ID), msg)
		}
		old, ok := ro.Label(tenant, lb.Kind, lb.ID)
		if old.Name == lb.Name {
			continue
		}
		if !ok {
			added[lb.Kind]++
		} else if lb.Name == "" {
			added[lb.Kind]--
		}
		todo = append(todo, NameChange{Kind: lb.Kind, ID: lb.ID, From: old.Name, To: lb.Name})
	}
	for k, n := range added {
		if n > 0 && ro.countLabels(tenant, k)+n > l.cfg.MaxNames {
			return nil, fmt.Errorf("%w (%d %s)", ErrTooManyNames, l.cfg.MaxNames, k)
		}
	}
	done := make([]NameChange, 0, len(todo))
	for _, c := range todo {
		now := l.cfg.Now().UTC()
		lb := Label{Kind: c.Kind, ID: c.ID, Name: c.To, UpdatedAt: now, UpdatedBy: actor}
		rec := record{Kind: kindName, Tenant: tenant, Label: &lb, Removed: c.To == "",
			Version: max(ro.labelVersion(tenant, c.Kind, c.ID)+1, now.UnixNano())}
		if err := l.write(ctx, rec); err != nil {
			return done, err
		}
		done = append(done, c)
	}
	return done, nil
}
