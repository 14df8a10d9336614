package amazonconnect_test

import (
	"fmt"
	"testing"
)

// BenchmarkMap maps a Firehose delivery of 500 contact records.
func BenchmarkMap(b *testing.B) {
	payloads := make([][]byte, 500)
	for i := range payloads {
		payloads[i] = fmt.Appendf(nil, `{"AWSAccountId":"123456789012","Agent":{"ARN":"arn:aws:connect:us-west-2:123456789012:instance/aaaaaaaa-bbbb-cccc-dddd-111111111111/agent/agent-%04d","AgentInteractionDuration":%d,"CustomerHoldDuration":12,"AfterContactWorkDuration":30,"HierarchyGroups":{"Level1":{"GroupName":"NA"},"Level3":{"GroupName":"Billing Team %d"}},"RoutingProfile":{"Name":"Basic"},"Username":"agent%d"},"Attributes":{"sentiment":"1.5","csat":"4"},"Channel":"VOICE","ContactId":"bench-%06d","DisconnectTimestamp":"2026-03-02T09:15:45Z","InitiationMethod":"INBOUND","InitiationTimestamp":"2026-03-02T09:08:00Z","InstanceARN":"arn:aws:connect:us-west-2:123456789012:instance/aaaaaaaa-bbbb-cccc-dddd-111111111111","LastUpdateTimestamp":"2026-03-02T09:17:31Z","Queue":{"ARN":"arn:aws:connect:us-west-2:123456789012:instance/aaaaaaaa-bbbb-cccc-dddd-111111111111/queue/q","Name":"BillingQueue"}}`,
			i%50, 100+i, i%7, i%50, i)
	}
	body := envelope(b, requestID, payloads...)
	c := newConnector(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		rs, err := c.Map("acme", body, testNow)
		if err != nil || len(rs) != len(payloads) || rs[0].Interaction == nil {
			b.Fatalf("Map: %v, %d results", err, len(rs))
		}
	}
	b.ReportMetric(float64(len(payloads)), "records/op")
}
