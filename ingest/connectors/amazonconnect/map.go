package amazonconnect

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/schemas"
)

// mapRecord appends the results of Firehose record i.
func mapRecord(out []connectors.Result, tenant string, rules *connectors.Rules, secret []byte, i int, data string) []connectors.Result {
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return append(out, connectors.Failed(tenant, recordRef(i, 0), fmt.Errorf("data is not base64: %w", err)))
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return append(out, connectors.Skip(tenant, recordRef(i, 0), connectors.SkipEmpty))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	for n := 0; ; n++ {
		var msg json.RawMessage
		err := dec.Decode(&msg)
		if err == io.EOF {
			return out
		}
		ref := recordRef(i, n)
		if err != nil {
			return append(out, connectors.Failed(tenant, ref, fmt.Errorf("contact record %d of the data is not JSON: %w", n, err)))
		}
		out = append(out, mapCTR(tenant, rules, secret, ref, msg))
	}
}

// mapCTR maps one contact record; secret is the tenant's
// customer_key_secret (nil: no customer_key).
func mapCTR(tenant string, rules *connectors.Rules, secret []byte, ref string, raw []byte) connectors.Result {
	var c ctr
	if len(raw) == 0 || raw[0] != '{' {
		return connectors.Failed(tenant, ref, fmt.Errorf("not a contact record: the data holds %.40s, not a JSON object", raw))
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return connectors.Failed(tenant, ref, fmt.Errorf("not a contact record: %w", err))
	}
	if c.ContactID != "" {
		ref += " contact " + c.ContactID
	}
	if c.Agent == nil {
		return connectors.Skip(tenant, ref, connectors.SkipNoAgent)
	}
	d, err := draft(tenant, &c)
	if err != nil {
		return connectors.Failed(tenant, ref, err)
	}
	inputs(d, secret, &c)
	f := &fields{c: &c, raw: raw}
	it, err := d.Finish(rules, f)
	if err != nil {
		return connectors.Failed(tenant, ref, err)
	}
	r := connectors.OK(it, ref)
	r.Outcomes = connectors.SurveyOutcomes(rules, f, it)
	return r
}

// draft extracts everything but the mapped fields from a CTR with an agent.
func draft(tenant string, c *ctr) (*connectors.Draft, error) {
	if c.ContactID == "" {
		return nil, errors.New("ContactId is missing")
	}
	a := c.Agent
	agentID, err := agentID(a)
	if err != nil {
		return nil, err
	}
	startField, start := "InitiationTimestamp", c.InitiationTimestamp
	if start == "" {
		startField, start = "Agent.ConnectedToAgentTimestamp", a.ConnectedToAgentTimestamp
	}
	started, err := parseTime(startField, start)
	if err != nil {
		return nil, err
	}
	ended, err := parseTime("DisconnectTimestamp", c.DisconnectTimestamp)
	if err != nil {
		return nil, err
	}
	if a.AgentInteractionDuration == nil && a.CustomerHoldDuration == nil && a.AfterContactWorkDuration == nil {
		return nil, errors.New("Agent has none of AgentInteractionDuration, CustomerHoldDuration and AfterContactWorkDuration: the handle time is unknown")
	}
	talk, hold, acw := seconds(a.AgentInteractionDuration), seconds(a.CustomerHoldDuration), seconds(a.AfterContactWorkDuration)
	if talk < 0 || hold < 0 || acw < 0 {
		return nil, errors.New("Agent durations must not be negative")
	}
	revision := int64(1)
	if c.LastUpdateTimestamp != "" {
		t, err := parseTime("LastUpdateTimestamp", c.LastUpdateTimestamp)
		if err != nil {
			return nil, err
		}
		if revision = t.UnixMilli(); revision < 1 {
			return nil, fmt.Errorf("LastUpdateTimestamp %.40q is before 1970", c.LastUpdateTimestamp)
		}
	}
	refs := map[string]string{"contact_id": c.ContactID}
	addRef(refs, "instance_arn", c.InstanceARN)
	if c.InstanceARN != "" {
		refs["contact_arn"] = c.InstanceARN + "/contact/" + c.ContactID
	}
	addRef(refs, "agent_arn", a.ARN)
	addRef(refs, "aws_account_id", c.AWSAccountID)
	if c.InitialContactID != c.ContactID {
		addRef(refs, "initial_contact_id", c.InitialContactID)
	}
	addRef(refs, "previous_contact_id", c.PreviousContactID)
	attrs := map[string]any{"talk_s": talk, "hold_s": hold, "acw_s": acw}
	if c.InitiationMethod != "" {
		attrs["initiation_method"] = connectors.Truncate(c.InitiationMethod, schemas.MaxAttributeStringLength)
	}
	if c.Queue != nil && c.Queue.Name != "" {
		attrs["queue"] = connectors.Truncate(c.Queue.Name, schemas.MaxAttributeStringLength)
	}
	return &connectors.Draft{
		Tenant:        tenant,
		InteractionID: c.ContactID,
		Revision:      revision,
		AgentID:       agentID,
		StartedAt:     started,
		EndedAt:       ended,
		HandleTimeS:   talk + hold + acw,
		Source:        Name,
		SourceRefs:    refs,
		Attributes:    attrs,
	}, nil
}

// inputs fills the inputs of learned outcomes: customer_key from
// CustomerId (Customer Profiles), else CustomerEndpoint.Address (a phone
// number or an e-mail address by its Type; anonymous and withheld numbers
// name no one); chain_id from InitialContactId, else ContactId (the first
// leg); initiation from InitiationMethod; hold_s from
// Agent.CustomerHoldDuration; queue_wait_s from Queue.Duration.
func inputs(d *connectors.Draft, secret []byte, c *ctr) {
	ids := []connectors.CustomerID{{Kind: connectors.IDConnectProfile, ID: c.CustomerID}}
	if e := c.CustomerEndpoint; e != nil {
		switch e.Type {
		case "TELEPHONE_NUMBER":
			ids = append(ids, connectors.CustomerID{Kind: connectors.IDPhone, ID: e.Address})
		case "EMAIL_ADDRESS":
			ids = append(ids, connectors.CustomerID{Kind: connectors.IDEmail, ID: e.Address})
		}
	}
	d.CustomerKey = connectors.FirstCustomerKey(secret, ids...)
	d.CustomerSecret = secret
	d.ChainID = connectors.ChainID(c.InitialContactID)
	if d.ChainID == "" {
		d.ChainID = connectors.ChainID(c.ContactID)
	}
	d.Initiation = initiation(c.InitiationMethod)
	if h := c.Agent.CustomerHoldDuration; h != nil && *h >= 0 && *h <= schemas.MaxHoldS {
		d.HoldS = h
	}
	if q := c.Queue; q != nil && q.Duration != nil && *q.Duration >= 0 && *q.Duration <= schemas.MaxQueueWaitS {
		d.QueueWaitS = q.Duration
	}
}

// initiation maps InitiationMethod: INBOUND → inbound; OUTBOUND and
// EXTERNAL_OUTBOUND → outbound; CALLBACK → callback; TRANSFER and
// QUEUE_TRANSFER → transfer. API (an outbound call or a customer's chat,
// the record does not say which), MONITOR, DISCONNECT and others leave it
// out.
func initiation(method string) string {
	switch method {
	case "INBOUND":
		return schemas.InitiationInbound
	case "OUTBOUND", "EXTERNAL_OUTBOUND":
		return schemas.InitiationOutbound
	case "CALLBACK":
		return schemas.InitiationCallback
	case "TRANSFER", "QUEUE_TRANSFER":
		return schemas.InitiationTransfer
	}
	return ""
}

// agentID is the agent's UUID (the last segment of Agent.ARN), else a
// Username that is itself a valid id.
func agentID(a *agent) (string, error) {
	if a.ARN != "" {
		if id := connectors.LastSegment(a.ARN); schemas.ValidID(id) {
			return id, nil
		}
		return "", fmt.Errorf("Agent.ARN %.80q does not end in a valid agent id", a.ARN)
	}
	if schemas.ValidID(a.Username) {
		return a.Username, nil
	}
	if a.Username == "" {
		return "", errors.New("Agent has neither ARN nor Username")
	}
	return "", fmt.Errorf("Agent has no ARN and Username %.40q is not a valid agent id", a.Username)
}

func addRef(refs map[string]string, name, v string) {
	if v != "" {
		refs[name] = v
	}
}

func seconds(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// parseTime parses a CTR timestamp (yyyy-mm-ddThh:mm:ssZ, optionally with
// a fraction).
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("%s is missing", field)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %.40q is not a timestamp like 2026-03-01T14:05:09Z", field, s)
	}
	return t, nil
}
