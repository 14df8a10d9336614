package amazonconnect

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
)

// Header names of the Amazon Data Firehose HTTP endpoint delivery protocol
// (https://docs.aws.amazon.com/firehose/latest/dev/httpdeliveryrequestresponse.html).
const (
	HeaderAccessKey = "X-Amz-Firehose-Access-Key"
	HeaderRequestID = "X-Amz-Firehose-Request-Id"
)

// delivery is the Firehose request body: {requestId, timestamp, records:
// [{data: base64}]}.
type delivery struct {
	RequestID *string  `json:"requestId"`
	Timestamp int64    `json:"timestamp"`
	Records   []record `json:"records"`
}

type record struct {
	Data string `json:"data"`
}

// parseDelivery decodes a Firehose request body.
func parseDelivery(body []byte) (*delivery, error) {
	var d delivery
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, connectors.Malformed("not a Firehose delivery: %w", err)
	}
	if d.RequestID == nil {
		return nil, connectors.Malformed("not a Firehose delivery: requestId is missing")
	}
	if d.Records == nil {
		return nil, connectors.Malformed("not a Firehose delivery: records is missing")
	}
	return &d, nil
}

// requestID reads only the requestId of a Firehose request body.
func requestID(body []byte) (string, error) {
	var d struct {
		RequestID *string `json:"requestId"`
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return "", connectors.Malformed("not a Firehose delivery: %w", err)
	}
	if d.RequestID == nil {
		return "", connectors.Malformed("not a Firehose delivery: requestId is missing")
	}
	return *d.RequestID, nil
}

// maxErrorMessage bounds errorMessage (Firehose accepts up to 8192
// characters and copies the last one to its error output).
const maxErrorMessage = 1024

// Respond writes the answer Firehose expects: {"requestId", "timestamp"}
// (milliseconds) with 200 on success, plus "errorMessage" with the error's
// status otherwise. requestId echoes the X-Amz-Firehose-Request-Id header.
func (c *Connector) Respond(r *http.Request, err error, now time.Time) connectors.Response {
	out := struct {
		RequestID    string `json:"requestId"`
		Timestamp    int64  `json:"timestamp"`
		ErrorMessage string `json:"errorMessage,omitempty"`
	}{RequestID: r.Header.Get(HeaderRequestID), Timestamp: now.UnixMilli()}
	if err != nil {
		out.ErrorMessage = connectors.Truncate(err.Error(), maxErrorMessage)
	}
	body, _ := json.Marshal(out)
	return connectors.Response{Status: connectors.StatusFor(err), ContentType: "application/json", Body: body}
}
