package embedded

import (
	"encoding/binary"

	"github.com/agentpulse/agentpulse/processor/store"
)

// rec is a stored revision. Its source_refs are kept as one string of
// length-prefixed keys and values instead of a map: a Go map of one entry
// costs about 300 bytes, more than the rest of a record, and almost every
// record has one. full gives the record back as it was applied.
type rec struct {
	store.Record // SourceRefs nil; see refs
	refs         string
	older        *rec // the interaction's next older stored revision
}

func newRec(r store.Record) *rec {
	x := &rec{Record: r}
	if len(r.SourceRefs) > 0 {
		var b []byte
		for k, v := range r.SourceRefs {
			b = binary.AppendUvarint(b, uint64(len(k)))
			b = append(b, k...)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		}
		x.refs = string(b)
	}
	x.SourceRefs = nil
	return x
}

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
