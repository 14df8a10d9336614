package clickhouse

import (
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
)

// rowScanner is one result row of a recordColumns select.
type rowScanner struct {
	startedNS, endedNS   int64
	startedOff, endedOff int32
	refs, attrs          string
	rec                  store.Record
}

// scan decodes the current row of rows (selected with recordColumns) into
// a Record. The returned Record does not share memory with the scanner.
func (sc *rowScanner) scan(rows driver.Rows) (store.Record, error) {
	sc.rec = store.Record{}
	r := &sc.rec
	if err := rows.Scan(&r.TenantID, &r.InteractionID, &r.Revision, &r.Model, &r.AgentID, &r.TeamID, &r.Inquiry,
		&sc.startedNS, &sc.startedOff, &sc.endedNS, &sc.endedOff, &r.HandleTimeS,
		&r.PredictedSatisfaction, &r.PredictedResolution, &r.Source, &sc.refs, &sc.attrs,
		&r.Partition, &r.Offset, &r.HoldS, &r.QueueWaitS, &r.Transfers, &r.CustomerKey, &r.ChainID, &r.Initiation); err != nil {
		return store.Record{}, fmt.Errorf("scan interaction: %w", err)
	}
	r.StartedAt = decodeTime(sc.startedNS, sc.startedOff)
	r.EndedAt = decodeTime(sc.endedNS, sc.endedOff)
	var err error
	if r.SourceRefs, err = decodeRefs(sc.refs); err != nil {
		return store.Record{}, fmt.Errorf("interaction %s/%s: %w", r.TenantID, r.InteractionID, err)
	}
	if r.Attributes, err = decodeAttrs(sc.attrs); err != nil {
		return store.Record{}, fmt.Errorf("interaction %s/%s: %w", r.TenantID, r.InteractionID, err)
	}
	return sc.rec, nil
}
