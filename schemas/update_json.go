package schemas

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
)

// AppendJSON appends the update's JSON; a marker (Kind not empty) is
// written as its kind, partition and offset alone. An update's JSON is
// byte for byte what json.Marshal
// writes (field order, escaping, number and time formats, null for a nil
// slice), without reflection: encoding/json took a sixth of the worker's
// time in a replay. A value json.Marshal would refuse or that this
// encoder does not handle the same way (a non-finite float, a year
// outside 0..9999) goes through json.Marshal, which returns its error.
func (u *Update) AppendJSON(dst []byte) ([]byte, error) {
	if u.Kind != "" {
		// A marker: its kind, partition and offset only.
		dst = append(dst, `{"kind":`...)
		dst = AppendJSONString(dst, u.Kind)
		dst = append(dst, `,"partition":`...)
		dst = strconv.AppendInt(dst, int64(u.Partition), 10)
		dst = append(dst, `,"offset":`...)
		dst = strconv.AppendInt(dst, u.Offset, 10)
		return append(dst, '}'), nil
	}
	if !u.plain() {
		b, err := json.Marshal(u)
		return append(dst, b...), err
	}
	dst = append(dst, `{"tenant":`...)
	dst = AppendJSONString(dst, u.Tenant)
	dst = append(dst, `,"model":`...)
	dst = AppendJSONString(dst, u.Model)
	dst = append(dst, `,"agent":`...)
	dst = AppendJSONString(dst, u.Agent)
	dst = append(dst, `,"partition":`...)
	dst = strconv.AppendInt(dst, int64(u.Partition), 10)
	dst = append(dst, `,"offset":`...)
	dst = strconv.AppendInt(dst, u.Offset, 10)
	dst = append(dst, `,"buckets":`...)
	if u.Buckets == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range u.Buckets {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = u.Buckets[i].appendJSON(dst)
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"interactions":`...)
	if u.Interactions == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range u.Interactions {
			if i > 0 {
				dst = append(dst, ',')
			}
			it := &u.Interactions[i]
			dst = append(dst, `{"id":`...)
			dst = AppendJSONString(dst, it.ID)
			dst = append(dst, `,"revision":`...)
			dst = strconv.AppendInt(dst, it.Revision, 10)
			dst = append(dst, `,"inquiry":`...)
			dst = AppendJSONString(dst, it.Inquiry)
			dst = append(dst, `,"ended_at":`...)
			dst = appendJSONTime(dst, it.EndedAt)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if u.Roster != nil {
		dst = append(dst, `,"roster":`...)
		dst = u.Roster.appendJSON(dst)
	}
	return append(dst, '}'), nil
}

func (b *UpdateBucket) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"team":`...)
	dst = AppendJSONString(dst, b.Team)
	dst = append(dst, `,"inquiry":`...)
	dst = AppendJSONString(dst, b.Inquiry)
	dst = append(dst, `,"hour":`...)
	dst = appendJSONTime(dst, b.Hour)
	dst = append(dst, `,"sums":{"volume":`...)
	dst = strconv.AppendInt(dst, b.Sums.Volume, 10)
	dst = append(dst, `,"handle_sum":`...)
	dst = AppendJSONFloat(dst, b.Sums.HandleSum)
	dst = append(dst, `,"psat_n":`...)
	dst = strconv.AppendInt(dst, b.Sums.PsatN, 10)
	dst = append(dst, `,"psat_sum":`...)
	dst = AppendJSONFloat(dst, b.Sums.PsatSum)
	dst = append(dst, `,"pres_n":`...)
	dst = strconv.AppendInt(dst, b.Sums.PresN, 10)
	dst = append(dst, `,"pres_sum":`...)
	dst = AppendJSONFloat(dst, b.Sums.PresSum)
	dst = appendCell(dst, `,"lsat":`, &b.Sums.Lsat)
	dst = appendCell(dst, `,"lres":`, &b.Sums.Lres)
	dst = append(dst, `},"version":`...)
	dst = strconv.AppendInt(dst, b.Version, 10)
	return append(dst, '}')
}

// plain reports whether AppendJSON can write u itself: every float finite
// and every time's year in 0..9999 (what time.Time.MarshalJSON accepts).
func (u *Update) plain() bool {
	for i := range u.Buckets {
		b := &u.Buckets[i]
		if !finiteSums(&b.Sums) || !plainTime(b.Hour) {
			return false
		}
	}
	for i := range u.Interactions {
		if !plainTime(u.Interactions[i].EndedAt) {
			return false
		}
	}
	return u.Roster == nil || plainTime(u.Roster.EndedAt)
}

// appendCell appends a learned-outcome cell under name, nothing when it is
// zero.
func appendCell(dst []byte, name string, c *outcomes.Cell) []byte {
	if c.N == 0 && c.SumP == 0 && c.Labels == 0 && c.Pos == 0 && c.Exp == 0 {
		return dst
	}
	dst = append(dst, name...)
	dst = append(dst, `{"n":`...)
	dst = strconv.AppendInt(dst, c.N, 10)
	dst = append(dst, `,"sum_p":`...)
	dst = AppendJSONFloat(dst, c.SumP)
	dst = append(dst, `,"labels":`...)
	dst = strconv.AppendInt(dst, c.Labels, 10)
	dst = append(dst, `,"pos":`...)
	dst = strconv.AppendInt(dst, c.Pos, 10)
	dst = append(dst, `,"exp":`...)
	dst = AppendJSONFloat(dst, c.Exp)
	return append(dst, '}')
}

func finiteSums(s *UpdateSums) bool {
	for _, f := range [...]float64{s.HandleSum, s.PsatSum, s.PresSum, s.Lsat.SumP, s.Lsat.Exp, s.Lres.SumP, s.Lres.Exp} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

func plainTime(t time.Time) bool {
	y := t.Year()
	if y < 0 || y > 9999 {
		return false
	}
	// MarshalJSON also refuses a zone offset beyond ±24h, which
	// time.FixedZone can build.
	_, off := t.Zone()
	return off > -24*3600 && off < 24*3600
}

// appendJSONTime appends t as time.Time.MarshalJSON writes it (RFC 3339
// with nanoseconds, trailing zeros dropped); plainTime(t) must hold.
func appendJSONTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

func (r *UpdateRoster) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"team":`...)
	dst = AppendJSONString(dst, r.Team)
	dst = append(dst, `,"interaction_id":`...)
	dst = AppendJSONString(dst, r.InteractionID)
	dst = append(dst, `,"ended_at":`...)
	dst = appendJSONTime(dst, r.EndedAt)
	dst = append(dst, `,"version":`...)
	dst = strconv.AppendInt(dst, r.Version, 10)
	return append(dst, '}')
}
