package embedded

import "github.com/agentpulse/agentpulse/processor/store"

// rec is a stored revision. Its source_refs and attributes are the
// record's canonical JSON text (schemas.SourceRefs, schemas.Attributes),
// strings that share the decoded record's one allocation, so a rec costs
// no map.
type rec struct {
	store.Record
	older *rec // the interaction's next older stored revision
}

func newRec(r store.Record) *rec { return &rec{Record: r} }
