package schemas

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
)

// ndjsonSample is three records, one per line, as a producer writes them.
const ndjsonSample = `{"tenant_id":"acme","interaction_id":"c-1","revision":1,"model":"voice","agent_id":"a1","team_id":"t1","inquiry":"billing","started_at":"2026-03-01T14:00:00Z","ended_at":"2026-03-01T14:05:00Z","handle_time_s":300,"predicted_satisfaction":0.8,"predicted_resolution":0.9,"source":"simulator"}
{"tenant_id":"acme","interaction_id":"c-2","revision":2,"model":"chat","agent_id":"a2","team_id":"t1","inquiry":"refund","started_at":"2026-03-01T15:00:00+01:00","ended_at":"2026-03-01T14:10:00Z","handle_time_s":610.5,"source":"api","attributes":{"lang":"en"}}
{"tenant_id":"acme","interaction_id":"c-3","revision":1,"model":"email","agent_id":"a1","team_id":"t1","inquiry":"billing","started_at":"2026-03-02T09:00:00Z","ended_at":"2026-03-02T09:30:00Z","handle_time_s":1800,"source":"import","source_refs":{"message_id":"m-77"}}
`

// schemaDoc is InteractionSchema parsed, for tests that read its numbers.
var schemaDoc = func() map[string]any {
	var m map[string]any
	if err := json.Unmarshal(InteractionSchema, &m); err != nil {
		panic(err)
	}
	return m
}()

// schemaAt returns the value at a slash-separated path of schemaDoc.
func schemaAt(path string) any {
	var v any = schemaDoc
	for _, tok := range strings.Split(path, "/") {
		v = v.(map[string]any)[tok]
	}
	return v
}

// timestampPattern is the schema's own timestamp pattern.
var timestampPattern = regexp.MustCompile(schemaAt("$defs/timestamp/pattern").(string))

// parseTimestampStd parses s with the standard library, for comparison.
func parseTimestampStd(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

// sameInteraction compares two records field by field: times as instants
// with equal offsets, pointers by value, nil and empty maps as equal.
func sameInteraction(a, b Interaction) bool {
	sameTime := func(x, y time.Time) bool {
		_, ox := x.Zone()
		_, oy := y.Zone()
		return x.Equal(y) && ox == oy
	}
	samePtr := func(x, y *float64) bool {
		return x == nil && y == nil || x != nil && y != nil && *x == *y
	}
	return a.TenantID == b.TenantID && a.InteractionID == b.InteractionID &&
		a.Revision == b.Revision && a.Model == b.Model && a.AgentID == b.AgentID &&
		a.TeamID == b.TeamID && a.Inquiry == b.Inquiry &&
		sameTime(a.StartedAt, b.StartedAt) && sameTime(a.EndedAt, b.EndedAt) &&
		a.HandleTimeS == b.HandleTimeS &&
		samePtr(a.PredictedSatisfaction, b.PredictedSatisfaction) &&
		samePtr(a.PredictedResolution, b.PredictedResolution) &&
		samePtr(a.HoldS, b.HoldS) && samePtr(a.QueueWaitS, b.QueueWaitS) &&
		(a.Transfers == nil) == (b.Transfers == nil) && (a.Transfers == nil || *a.Transfers == *b.Transfers) &&
		a.CustomerKey == b.CustomerKey && a.ChainID == b.ChainID && a.Initiation == b.Initiation &&
		a.Source == b.Source && a.SourceRefs == b.SourceRefs && a.Attributes == b.Attributes
}

func mustSourceRefs(t testing.TB, m map[string]string) SourceRefs {
	t.Helper()
	r, err := MakeSourceRefs(m)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustAttributes(t testing.TB, m map[string]any) Attributes {
	t.Helper()
	a, err := MakeAttributes(m)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// gen makes random valid interactions, covering the edges of every rule.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

func (g *gen) pick(s string) byte { return s[g.r.IntN(len(s))] }

// length returns a length in [1, max], often at the edges.
func (g *gen) length(max int) int {
	switch g.r.IntN(6) {
	case 0:
		return 1
	case 1:
		return max
	}
	return 1 + g.r.IntN(min(max, 24))
}

func (g *gen) ascii(first, rest string, max int) string {
	n := g.length(max)
	b := make([]byte, n)
	b[0] = g.pick(first)
	for i := 1; i < n; i++ {
		b[i] = g.pick(rest)
	}
	return string(b)
}

const (
	alnum   = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	lower   = "abcdefghijklmnopqrstuvwxyz"
	lowerDg = "abcdefghijklmnopqrstuvwxyz0123456789"
)

var visibleASCII = func() string {
	var b []byte
	for c := byte('!'); c <= '~'; c++ {
		b = append(b, c)
	}
	return string(b)
}()

// text returns up to max characters of varied Unicode (no control
// characters when noControl), including characters JSON and HTML escaping
// care about.
func (g *gen) text(max int, noControl bool) string {
	specials := []rune{'"', '\\', '<', '>', '&', '/', '\u2028', '\u2029', 'é', '€', '\U0001F600', '\uFFFD', ' ', '\u00a0'}
	n := g.length(max)
	var b strings.Builder
	for range n {
		var r rune
		switch g.r.IntN(4) {
		case 0:
			r = specials[g.r.IntN(len(specials))]
		case 1:
			r = rune(0xa0 + g.r.IntN(0xd7ff-0xa0))
		default:
			r = rune(0x20 + g.r.IntN(0x5f))
		}
		if !noControl && g.r.IntN(20) == 0 {
			r = rune(g.r.IntN(0x20))
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (g *gen) timestamp() time.Time {
	off := 0
	if g.r.IntN(3) > 0 {
		off = (g.r.IntN(2*maxOffsetMinutes+1) - maxOffsetMinutes) * 60
	}
	year := MinYear + g.r.IntN(MaxYear-MinYear+1)
	month := 1 + g.r.IntN(12)
	day := 1 + g.r.IntN(daysIn(year, month))
	nsec := 0
	switch g.r.IntN(3) {
	case 1:
		nsec = g.r.IntN(1e9)
	case 2:
		nsec = g.r.IntN(1000) * 1e6
	}
	return time.Date(year, time.Month(month), day, g.r.IntN(24), g.r.IntN(60), g.r.IntN(60), nsec, Zone(off))
}

// number returns a float in [lo, hi], often an edge or a short decimal.
func (g *gen) number(lo, hi float64) float64 {
	switch g.r.IntN(8) {
	case 0:
		return lo
	case 1:
		return hi
	case 2:
		if g.r.IntN(2) == 0 {
			return 0
		}
		return math.Copysign(0, -1)
	case 3:
		return min(hi, max(lo, math.Round((lo+g.r.Float64()*(hi-lo))*1000)/1000))
	case 4:
		return 1e-7 * g.r.Float64() // exercises exponent formatting
	}
	return min(hi, lo+g.r.Float64()*(hi-lo))
}

func (g *gen) interaction() Interaction {
	it := Interaction{
		TenantID:      g.ascii(alnum, alnum+"._@-", MaxIDLength),
		InteractionID: g.ascii(visibleASCII, visibleASCII, MaxInteractionIDLength),
		Revision:      1 + g.r.Int64N(MaxRevision),
		Model:         g.ascii(lower, lowerDg+"_-", MaxModelLength),
		AgentID:       g.ascii(alnum, alnum+"._@-", MaxIDLength),
		TeamID:        g.ascii(alnum, alnum+"._@-", MaxIDLength),
		Inquiry:       g.text(MaxInquiryLength, true),
		HandleTimeS:   g.number(0, MaxHandleTimeS),
		Source:        g.ascii(lower, lowerDg+"._-", MaxSourceLength),
	}
	if g.r.IntN(4) == 0 {
		it.Revision = MaxRevision
	}
	it.StartedAt = g.timestamp()
	it.EndedAt = g.timestamp()
	if it.EndedAt.Before(it.StartedAt) {
		it.StartedAt, it.EndedAt = it.EndedAt, it.StartedAt
	}
	if g.r.IntN(3) > 0 {
		p, q := g.number(0, 1), g.number(0, 1)
		it.PredictedSatisfaction, it.PredictedResolution = &p, &q
	}
	if g.r.IntN(2) == 0 {
		h, q, n := g.number(0, MaxHoldS), g.number(0, MaxQueueWaitS), g.r.Int64N(MaxTransfers+1)
		it.HoldS, it.QueueWaitS, it.Transfers = &h, &q, &n
		it.CustomerKey = g.ascii(visibleASCII, visibleASCII, MaxCustomerKeyLength)
		it.ChainID = g.ascii(visibleASCII, visibleASCII, MaxChainIDLength)
		it.Initiation = []string{InitiationInbound, InitiationOutbound, InitiationCallback, InitiationTransfer}[g.r.IntN(4)]
	}
	if g.r.IntN(2) == 0 {
		n := g.r.IntN(MaxSourceRefs + 1)
		m := make(map[string]string, n)
		for range n {
			m[g.ascii(lower, lowerDg+"_", MaxSourceRefNameLength)] = g.text(MaxSourceRefValueLength, false)
		}
		r, err := MakeSourceRefs(m)
		if err != nil {
			panic(err)
		}
		it.SourceRefs = r
	}
	if g.r.IntN(2) == 0 {
		n := g.r.IntN(MaxAttributes + 1)
		m := make(map[string]any, n)
		for range n {
			var v any
			switch g.r.IntN(5) {
			case 0:
				v = g.text(MaxAttributeStringLength, false)
			case 1:
				v = g.number(-MaxAttributeNumber, MaxAttributeNumber)
			case 2:
				v = g.r.IntN(2) == 0
			case 3:
				v = float64(g.r.Int64N(2001) - 1000)
			}
			m[g.text(MaxAttributeNameLength, false)] = v
		}
		a, err := MakeAttributes(m)
		if err != nil {
			panic(err)
		}
		it.Attributes = a
	}
	return it
}
