package storeview

import "github.com/agentpulse/agentpulse/views"

// inquiryPerf builds the agent's InquiryPerf on one inquiry from its
// groups (views.BuildInquiryPerf). agentModelVolume is the agent's volume
// over the whole model in the range; metrics are the model's metrics.
func inquiryPerf(inquiry, agent string, ia *inquiryAgg, agentModelVolume int64, metrics []views.Metric, p views.Params) views.InquiryPerf {
	return views.BuildInquiryPerf(inquiry, ia.agent(agent), ia.members(), ia.all, ia.team, agentModelVolume, metrics, p)
}
