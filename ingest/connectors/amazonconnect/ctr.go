package amazonconnect

import (
	"strings"

	"github.com/agentpulse/agentpulse/ingest/connectors"
)

// ctr is the part of an Amazon Connect contact (trace) record the connector
// reads, as documented in "Data model for Amazon Connect contact records"
// (https://docs.aws.amazon.com/connect/latest/adminguide/ctr-data-model.html).
// Unknown fields are ignored, as AWS asks consumers to do.
type ctr struct {
	AWSAccountID        string         `json:"AWSAccountId"`
	ContactID           string         `json:"ContactId"`
	InitialContactID    string         `json:"InitialContactId"`
	PreviousContactID   string         `json:"PreviousContactId"`
	InstanceARN         string         `json:"InstanceARN"`
	Channel             string         `json:"Channel"`
	InitiationMethod    string         `json:"InitiationMethod"`
	InitiationTimestamp string         `json:"InitiationTimestamp"`
	DisconnectTimestamp string         `json:"DisconnectTimestamp"`
	LastUpdateTimestamp string         `json:"LastUpdateTimestamp"`
	Agent               *agent         `json:"Agent"`
	Queue               *queue         `json:"Queue"`
	Attributes          map[string]any `json:"Attributes"`
	CustomerID          string         `json:"CustomerId"`
	CustomerEndpoint    *endpoint      `json:"CustomerEndpoint"`
}

// endpoint is a CTR's CustomerEndpoint: Type TELEPHONE_NUMBER (Address in
// E.164), EMAIL_ADDRESS, VOIP or CONTACT_FLOW.
type endpoint struct {
	Address string `json:"Address"`
	Type    string `json:"Type"`
}

type agent struct {
	ARN                       string          `json:"ARN"`
	Username                  string          `json:"Username"`
	ConnectedToAgentTimestamp string          `json:"ConnectedToAgentTimestamp"`
	AgentInteractionDuration  *float64        `json:"AgentInteractionDuration"`
	CustomerHoldDuration      *float64        `json:"CustomerHoldDuration"`
	AfterContactWorkDuration  *float64        `json:"AfterContactWorkDuration"`
	RoutingProfile            *named          `json:"RoutingProfile"`
	HierarchyGroups           *hierarchyGroup `json:"HierarchyGroups"`
}

type named struct {
	ARN  string `json:"ARN"`
	Name string `json:"Name"`
}

type queue struct {
	ARN      string   `json:"ARN"`
	Name     string   `json:"Name"`
	Duration *float64 `json:"Duration"` // seconds in queue
}

type group struct {
	ARN       string `json:"ARN"`
	GroupName string `json:"GroupName"`
}

type hierarchyGroup struct {
	Level1 *group `json:"Level1"`
	Level2 *group `json:"Level2"`
	Level3 *group `json:"Level3"`
	Level4 *group `json:"Level4"`
	Level5 *group `json:"Level5"`
}

func (h *hierarchyGroup) level(n byte) string {
	if h == nil {
		return ""
	}
	var g *group
	switch n {
	case '1':
		g = h.Level1
	case '2':
		g = h.Level2
	case '3':
		g = h.Level3
	case '4':
		g = h.Level4
	case '5':
		g = h.Level5
	}
	if g == nil {
		return ""
	}
	return g.GroupName
}

// fields exposes one CTR to the mapping rules (the table in doc.go).
type fields struct {
	c   *ctr
	raw []byte
	obj map[string]any // raw decoded on first use of a raw.* field
}

func present(s string) (string, bool) { return s, s != "" }

// Field implements connectors.Fields.
func (f *fields) Field(name string) (string, bool) {
	c := f.c
	switch name {
	case connectors.FieldChannel:
		return present(c.Channel)
	case connectors.FieldQueue:
		if c.Queue != nil {
			return present(c.Queue.Name)
		}
	case connectors.FieldQueueID:
		if c.Queue != nil && c.Queue.ARN != "" {
			return present(connectors.LastSegment(c.Queue.ARN))
		}
	case connectors.FieldRoutingProfile:
		if c.Agent != nil && c.Agent.RoutingProfile != nil {
			return present(c.Agent.RoutingProfile.Name)
		}
	case connectors.FieldHierarchyDeepest:
		if c.Agent != nil {
			for n := byte('5'); n >= '1'; n-- {
				if g := c.Agent.HierarchyGroups.level(n); g != "" {
					return g, true
				}
			}
		}
	case connectors.FieldAgent:
		if c.Agent != nil {
			return present(c.Agent.Username)
		}
	case connectors.FieldDirection:
		return present(c.InitiationMethod)
	}
	if rest, ok := strings.CutPrefix(name, "hierarchy.level"); ok && len(rest) == 1 && c.Agent != nil {
		return present(c.Agent.HierarchyGroups.level(rest[0]))
	}
	if key, ok := strings.CutPrefix(name, connectors.PrefixAttributes); ok {
		return connectors.ScalarText(c.Attributes[key])
	}
	if path, ok := strings.CutPrefix(name, connectors.PrefixRaw); ok {
		if f.obj == nil {
			f.obj = connectors.DecodeObject(f.raw)
		}
		return connectors.LookupPath(f.obj, path)
	}
	return "", false
}
