package processor

import (
	"encoding/binary"
)

// appendRosters appends the roster part of every agent with one to a
// snapshot:
//
//	uvarint agents, each: bytes tenant, model, agent; varint count;
//	  varint version; uvarint entries, each: varint ended_at (unix ns),
//	  bytes interaction id, bytes team
//
// Agents whose buckets all left memory keep their part here: their
// newest interaction may be one that left.
func (f *fold) appendRosters(buf []byte) []byte {
	n := 0
	for _, a := range f.agents {
		if a.roster.count > 0 || a.roster.version > 0 {
			n++
		}
	}
	buf = binary.AppendUvarint(buf, uint64(n))
	for _, a := range f.agents {
		if a.roster.count == 0 && a.roster.version == 0 {
			continue
		}
		for _, s := range []string{a.tenant, a.model, a.agent} {
			buf = appendSnapString(buf, s)
		}
		buf = binary.AppendVarint(buf, int64(a.roster.count))
		buf = binary.AppendVarint(buf, a.roster.version)
		buf = binary.AppendUvarint(buf, uint64(len(a.roster.top)))
		for _, e := range a.roster.top {
			buf = binary.AppendVarint(buf, e.ended)
			buf = appendSnapString(buf, e.id)
			buf = appendSnapString(buf, e.team)
		}
	}
	return buf
}

func appendSnapString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// readRosters restores appendRosters' section; errors stick in r.
func (f *fold) readRosters(r *snapReader) {
	na := r.count(6)
	for range na {
		tenant, model, agent := string(r.bytes()), string(r.bytes()), string(r.bytes())
		count, version := r.varint(), r.varint()
		ne := r.count(3)
		if r.err != nil {
			return
		}
		if ne > rosterTop || count < int64(ne) || count > 1<<40 {
			r.fail("roster part out of range")
			return
		}
		a := f.agent(tenant, model, agent)
		if a.roster.version != 0 || a.roster.count != 0 {
			r.fail("roster part twice")
			return
		}
		a.roster.count, a.roster.version = int(count), version
		for range ne {
			e := rosterEntry{ended: r.varint(), id: string(r.bytes()), team: f.intern(string(r.bytes()))}
			if n := len(a.roster.top); n > 0 && !a.roster.top[n-1].newer(&e) {
				r.fail("roster entries out of order")
				return
			}
			a.roster.top = append(a.roster.top, e)
		}
	}
}
