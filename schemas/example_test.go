package schemas_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/agentpulse/agentpulse/schemas"
)

func ExampleDecodeInteraction() {
	_, err := schemas.DecodeInteraction([]byte(`{"tenant_id":"acme","interaction_id":"c-1","revision":1,
		"model":"voice","agent_id":"a1","team_id":"t1","inquiry":"billing",
		"started_at":"2026-03-01T14:00:00Z","ended_at":"2026-03-01T13:59:00Z",
		"handle_time_s":-3,"source":"api","colour":"red"}`))
	var ves schemas.ValidationErrors
	if errors.As(err, &ves) {
		for _, e := range ves {
			fmt.Printf("%s [%s]: %s\n", e.Field, e.Rule, e.Message)
		}
	}
	// Output:
	// ended_at [order]: must not be before started_at (2026-03-01T14:00:00Z), got 2026-03-01T13:59:00Z
	// handle_time_s [range]: must be between 0 and 86400 seconds (24 hours), got -3
	// colour [unknown_field]: is not a field of the interaction record; put custom data in "attributes"
}

func ExampleNDJSONDecoder() {
	body := `{"tenant_id":"acme","interaction_id":"c-1","revision":1,"model":"chat","agent_id":"a1","team_id":"t1","inquiry":"billing","started_at":"2026-03-01T14:00:00Z","ended_at":"2026-03-01T14:05:00Z","handle_time_s":300,"source":"api"}

{"tenant_id":"acme"}
`
	d := schemas.NewNDJSONDecoder(strings.NewReader(body), 0)
	for {
		it, err := d.Next()
		if err == io.EOF {
			break
		}
		var re *schemas.RecordError
		if errors.As(err, &re) {
			fmt.Printf("rejected record %d on line %d\n", re.Index, re.Line)
			continue
		}
		fmt.Println("accepted", it.InteractionID)
	}
	// Output:
	// accepted c-1
	// rejected record 1 on line 3
}

func ExampleInteraction_AppendJSON() {
	it, _ := schemas.DecodeInteraction([]byte(`{"tenant_id":"acme","interaction_id":"c-1","revision":2.0,
		"model":"email","agent_id":"a1","team_id":"t1","inquiry":"refund",
		"started_at":"2026-03-01T15:00:00+01:00","ended_at":"2026-03-01T14:30:00.5Z",
		"handle_time_s":1800,"source":"import","attributes":{}}`))
	fmt.Println(string(it.AppendJSON(nil)))
	// Output:
	// {"tenant_id":"acme","interaction_id":"c-1","revision":2,"model":"email","agent_id":"a1","team_id":"t1","inquiry":"refund","started_at":"2026-03-01T15:00:00+01:00","ended_at":"2026-03-01T14:30:00.5Z","handle_time_s":1800,"source":"import"}
}
