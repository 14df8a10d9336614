package schemas

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestDifferentialMutations complements FuzzDecodeInteraction with
// structured mutations: it sets one to three fields of a valid record (or
// entries of its maps) to values drawn from pools of edge cases, and checks
// that the schema library and the Go decoder reach the same verdict.
func TestDifferentialMutations(t *testing.T) {
	sch := referenceSchema(t)
	r := rand.New(rand.NewPCG(3, 4))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	disagreements := 0
	for i := range n {
		fields := map[string]string{} // name -> raw JSON value
		for _, kv := range baseFields {
			fields[kv[0]] = kv[1]
		}
		for range 1 + r.IntN(3) {
			name := mutableFields[r.IntN(len(mutableFields))]
			switch r.IntN(10) {
			case 0:
				delete(fields, name)
			default:
				fields[name] = randomValue(r, name)
			}
		}
		data := renderFields(r, fields)
		libValid, judged, detail := libVerdict(sch, data)
		if !judged {
			continue
		}
		_, err := DecodeInteraction(data)
		if libValid != (err == nil) {
			disagreements++
			t.Errorf("case %d: verdicts differ on %s\n  library valid=%v (%v)\n  decoder: %v", i, data, libValid, detail, err)
			if disagreements > 5 {
				t.FailNow()
			}
		}
	}
}

var baseFields = [][2]string{
	{"tenant_id", `"acme"`}, {"interaction_id", `"c-1"`}, {"revision", `1`}, {"model", `"voice"`},
	{"agent_id", `"a1"`}, {"team_id", `"t1"`}, {"inquiry", `"billing"`},
	{"started_at", `"2026-03-01T14:00:00Z"`}, {"ended_at", `"2026-03-01T14:05:09Z"`},
	{"handle_time_s", `309`}, {"source", `"simulator"`},
}

var mutableFields = []string{"tenant_id", "interaction_id", "revision", "model", "agent_id", "team_id",
	"inquiry", "started_at", "ended_at", "started_at", "ended_at", "handle_time_s", "predicted_satisfaction",
	"predicted_resolution", "source", "source_refs", "attributes", "attributes", "extra",
	"hold_s", "queue_wait_s", "transfers", "customer_key", "chain_id", "initiation"}

// renderFields writes the fields as a JSON object in a random order,
// sometimes repeating a field with an earlier, different value.
func renderFields(r *rand.Rand, fields map[string]string) []byte {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	var b strings.Builder
	b.WriteString("{")
	for i, k := range names {
		if i > 0 {
			b.WriteString(",")
		}
		if r.IntN(20) == 0 {
			fmt.Fprintf(&b, "%q:%s,", k, randomValue(r, k)) // overridden by the next
		}
		fmt.Fprintf(&b, "%q:%s", k, fields[k])
	}
	b.WriteString("}")
	return []byte(b.String())
}

var (
	numberPool = []string{"0", "-0", "-0.0", "1", "1.0", "1e0", "0.1e1", "10e-1", "0.5", "2", "85", "-1", "-0.1",
		"1.0000001", "1.00000000000000001", "0.99999999999999999", "86400", "86400.0", "8.64e4", "86400.0001",
		"86400.0000000000000001", "86399.99999999999999", "1e400", "-1e400", "1e-400", "-1e-400", "3.5",
		"9007199254740991", "9007199254740992", "-9007199254740991", "-9007199254740992", "9007199254740991.0",
		"9.007199254740991e15", "1.5e3", "309", "2.5e-7", "1000", "1e3", "1000.5", "1001", "2592000",
		"2592000.0000000001", "2.592e6"}
	otherPool  = []string{"true", "false", "null", "{}", "[]", `[1]`, `{"a":1}`, `"x"`, `""`, `"1"`, `"NaN"`}
	stringPool = []string{"", "a", "A", "0", "acme", "a b", "a:b", "a/b", "-a", ".a", "a.b", "a_b", "a@b", "a-b",
		"Voice", "voice", "1voice", "é", "ü1", "a\tb", "a\nb", "\u0085", "\u007f", "\u2028", "\U0001F600", "\uFFFD",
		"~!", "!\"#", "<&>", "x\\y"}
	refNames  = []string{"contact_arn", "a", "A", "1a", "", "a-b", "a_b", strings.Repeat("a", 64), strings.Repeat("a", 65), "é"}
	attrNames = []string{"a", "", " ", "Tenant_ID", "é", strings.Repeat("k", 64), strings.Repeat("k", 65),
		strings.Repeat("\U0001F600", 64), strings.Repeat("\U0001F600", 65)}
)

// randomString returns a string from the pool, or a run of one character
// with a length near the limits (32, 64, 128, 256, 512 and one more).
func randomString(r *rand.Rand) string {
	if r.IntN(3) > 0 {
		return stringPool[r.IntN(len(stringPool))]
	}
	lengths := []int{1, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513}
	chars := []string{"a", "A", "9", "é", "\U0001F600", "_", "~"}
	return strings.Repeat(chars[r.IntN(len(chars))], lengths[r.IntN(len(lengths))])
}

func randomTimestamp(r *rand.Rand) string {
	years := []int{1999, 2000, 2026, 2027, 2028, 2099, 2100}
	fracs := []string{"", ".5", ".000000001", ".123456789", ".1234567891", "."}
	offs := []string{"Z", "z", "+00:00", "-00:00", "+05:30", "-23:59", "+23:59", "+24:00", "+01:60", "+0100", ""}
	return fmt.Sprintf("%04d-%02d-%02d%s%02d:%02d:%02d%s%s", years[r.IntN(len(years))], r.IntN(14), r.IntN(33),
		[]string{"T", "T", "T", "t", " "}[r.IntN(5)], 12+r.IntN(13), r.IntN(61), 55+r.IntN(6),
		fracs[r.IntN(len(fracs))], offs[r.IntN(len(offs))])
}

// nearTimestamp returns a valid timestamp close to the base record's times,
// so that order comparisons go both ways.
func nearTimestamp(r *rand.Rand) string {
	return fmt.Sprintf("2026-03-01T%02d:%02d:%02d%s%s", 13+r.IntN(3), r.IntN(60), r.IntN(60),
		[]string{"", ".5", ".000000001", ".999999999"}[r.IntN(4)],
		[]string{"Z", "+01:00", "-00:30", "+00:00"}[r.IntN(4)])
}

func randomValue(r *rand.Rand, field string) string {
	quote := func(s string) string { return string(appendString(nil, s)) }
	switch {
	case r.IntN(10) == 0:
		return otherPool[r.IntN(len(otherPool))]
	case r.IntN(10) == 0:
		return numberPool[r.IntN(len(numberPool))]
	}
	switch field {
	case "revision", "handle_time_s", "predicted_satisfaction", "predicted_resolution",
		"hold_s", "queue_wait_s", "transfers":
		return numberPool[r.IntN(len(numberPool))]
	case "initiation":
		return quote([]string{"inbound", "outbound", "callback", "transfer", "Inbound", "", "api"}[r.IntN(7)])
	case "started_at", "ended_at":
		if r.IntN(2) == 0 {
			return quote(nearTimestamp(r))
		}
		return quote(randomTimestamp(r))
	case "source_refs", "attributes":
		var b strings.Builder
		b.WriteString("{")
		n := r.IntN(4)
		if r.IntN(8) == 0 {
			n = 15 + r.IntN(20)
		}
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			var name, val string
			if field == "source_refs" {
				name = refNames[r.IntN(len(refNames))]
				val = quote(randomString(r))
			} else {
				name = attrNames[r.IntN(len(attrNames))]
				val = []string{quote(randomString(r)), numberPool[r.IntN(len(numberPool))],
					otherPool[r.IntN(len(otherPool))]}[r.IntN(3)]
			}
			if r.IntN(3) == 0 || n > 10 {
				name += fmt.Sprint(i)
			}
			b.WriteString(quote(name) + ":" + val)
		}
		b.WriteString("}")
		return b.String()
	}
	return quote(randomString(r))
}
