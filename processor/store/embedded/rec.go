package embedded

import (
	"encoding/binary"
	"strings"

	"github.com/agentpulse/agentpulse/processor/store"
)

// rec is a stored revision. Its source_refs are kept as one string of
// length-prefixed keys and values instead of a map: a Go map of one entry
// costs about 300 bytes, more than the rest of a record, and almost every
// record has one. full gives the record back as it was applied.
//
// A rec holds no string of the record it was made from: the decoder puts
// all of a record's strings in one allocation, which a kept substring
// would pin whole. The strings many records share (tenant, model, agent,
// team, inquiry, source, initiation) are interned (Store.strs); the
// interaction's own (id, customer key, chain id, source refs) are copied
// into one allocation.
type rec struct {
	store.Record // SourceRefs nil; see refs
	refs         string
	older        *rec // the interaction's next older stored revision
}

// newRec makes the rec of r; the caller holds s.mu.
func (s *Store) newRec(r store.Record) *rec {
	x := &rec{Record: r}
	var refs []byte
	if len(r.SourceRefs) > 0 {
		for k, v := range r.SourceRefs {
			refs = binary.AppendUvarint(refs, uint64(len(k)))
			refs = append(refs, k...)
			refs = binary.AppendUvarint(refs, uint64(len(v)))
			refs = append(refs, v...)
		}
	}
	x.SourceRefs = nil
	it := &x.Interaction
	for _, p := range []*string{&it.TenantID, &it.Model, &it.AgentID, &it.TeamID, &it.Inquiry, &it.Source, &it.Initiation} {
		*p = s.intern(*p)
	}
	var b strings.Builder
	b.Grow(len(it.InteractionID) + len(it.CustomerKey) + len(it.ChainID) + len(refs))
	b.WriteString(it.InteractionID)
	b.WriteString(it.CustomerKey)
	b.WriteString(it.ChainID)
	b.Write(refs)
	own := b.String()
	n1 := len(it.InteractionID)
	n2 := n1 + len(it.CustomerKey)
	n3 := n2 + len(it.ChainID)
	it.InteractionID, it.CustomerKey, it.ChainID, x.refs = own[:n1], own[n1:n2], own[n2:n3], own[n3:]
	if len(it.Attributes) > 0 {
		attrs := make(map[string]any, len(it.Attributes))
		for k, v := range it.Attributes {
			if str, ok := v.(string); ok {
				v = strings.Clone(str)
			}
			attrs[strings.Clone(k)] = v
		}
		it.Attributes = attrs
	}
	return x
}

// intern returns the store's copy of v (its string table's), adding one;
// the caller holds s.mu for writing. The values interned (tenants, models,
// agents, teams, inquiries, sources, initiations) are few.
func (s *Store) intern(v string) string { return s.strs[s.id(v)] }

// full returns the record with its source_refs.
func (x *rec) full() store.Record {
	r := x.Record
	if x.refs == "" {
		return r
	}
	r.SourceRefs = map[string]string{}
	b := []byte(x.refs)
	next := func() string {
		n, w := binary.Uvarint(b)
		s := string(b[w : w+int(n)])
		b = b[w+int(n):]
		return s
	}
	for len(b) > 0 {
		k := next()
		r.SourceRefs[k] = next()
	}
	return r
}
