package schemas

// Field indexes of Interaction, in struct (and error-report) order.
const (
	fTenantID = iota
	fInteractionID
	fRevision
	fModel
	fAgentID
	fTeamID
	fInquiry
	fStartedAt
	fEndedAt
	fHandleTimeS
	fPredictedSatisfaction
	fPredictedResolution
	fHoldS
	fQueueWaitS
	fTransfers
	fCustomerKey
	fChainID
	fInitiation
	fSource
	fSourceRefs
	fAttributes
	numFields
)

// fieldNames are the JSON names, by field index.
var fieldNames = [numFields]string{
	"tenant_id",
	"interaction_id",
	"revision",
	"model",
	"agent_id",
	"team_id",
	"inquiry",
	"started_at",
	"ended_at",
	"handle_time_s",
	"predicted_satisfaction",
	"predicted_resolution",
	"hold_s",
	"queue_wait_s",
	"transfers",
	"customer_key",
	"chain_id",
	"initiation",
	"source",
	"source_refs",
	"attributes",
}

// optionalStrings has a bit set for every optional string field index: ""
// (Go) and null (JSON) mean absent, an empty JSON string is refused.
const optionalStrings = 1<<fCustomerKey | 1<<fChainID | 1<<fInitiation

// requiredFields has a bit set for every required field index.
const requiredFields = 1<<fTenantID | 1<<fInteractionID | 1<<fRevision | 1<<fModel |
	1<<fAgentID | 1<<fTeamID | 1<<fInquiry | 1<<fStartedAt | 1<<fEndedAt |
	1<<fHandleTimeS | 1<<fSource

// fieldIndex returns the index of the JSON name key, or -1.
func fieldIndex(key []byte) int {
	switch string(key) {
	case "tenant_id":
		return fTenantID
	case "interaction_id":
		return fInteractionID
	case "revision":
		return fRevision
	case "model":
		return fModel
	case "agent_id":
		return fAgentID
	case "team_id":
		return fTeamID
	case "inquiry":
		return fInquiry
	case "started_at":
		return fStartedAt
	case "ended_at":
		return fEndedAt
	case "handle_time_s":
		return fHandleTimeS
	case "predicted_satisfaction":
		return fPredictedSatisfaction
	case "predicted_resolution":
		return fPredictedResolution
	case "hold_s":
		return fHoldS
	case "queue_wait_s":
		return fQueueWaitS
	case "transfers":
		return fTransfers
	case "customer_key":
		return fCustomerKey
	case "chain_id":
		return fChainID
	case "initiation":
		return fInitiation
	case "source":
		return fSource
	case "source_refs":
		return fSourceRefs
	case "attributes":
		return fAttributes
	}
	return -1
}

// stringField returns a pointer to the string field f of it, or nil.
func stringField(it *Interaction, f int) *string {
	switch f {
	case fTenantID:
		return &it.TenantID
	case fInteractionID:
		return &it.InteractionID
	case fModel:
		return &it.Model
	case fAgentID:
		return &it.AgentID
	case fTeamID:
		return &it.TeamID
	case fInquiry:
		return &it.Inquiry
	case fSource:
		return &it.Source
	case fCustomerKey:
		return &it.CustomerKey
	case fChainID:
		return &it.ChainID
	case fInitiation:
		return &it.Initiation
	}
	return nil
}
