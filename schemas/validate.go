package schemas

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Validate checks it against every rule of interaction.schema.json and
// returns nil or [ValidationErrors] naming each broken field (at most
// [MaxErrors]), in struct order. The rules are those of [DecodeInteraction],
// stated for Go values:
//
//   - an empty required string, a zero Revision and a zero time are missing;
//   - StartedAt and EndedAt must be writable in the accepted timestamp form in
//     their own location: year 2000-2099 there, an offset of whole minutes
//     within ±23:59; EndedAt must not be before StartedAt;
//   - HandleTimeS, the predictions, HoldS, QueueWaitS and Transfers must be
//     finite and within bounds;
//   - CustomerKey, ChainID and Initiation are absent when "" and otherwise
//     follow the rules of their JSON fields;
//   - SourceRefs and Attributes are valid by construction: their rules are
//     checked when they are made ([MakeSourceRefs], [MakeAttributes]).
//
// It does not modify it and is safe for concurrent use on distinct or
// unmodified values.
func (it *Interaction) Validate() error {
	var out ValidationErrors
	add := func(e *ValidationError) {
		if e != nil {
			out.add(e)
		}
	}
	for f := range numFields {
		switch f {
		case fRevision:
			if it.Revision < 1 || it.Revision > MaxRevision {
				add(verr("revision", RuleRange, revisionMessage(formatInt(it.Revision))))
			}
		case fStartedAt:
			add(checkTime("started_at", it.StartedAt))
		case fEndedAt:
			e := checkTime("ended_at", it.EndedAt)
			if e == nil && checkTime("started_at", it.StartedAt) == nil && it.EndedAt.Before(it.StartedAt) {
				e = verr("ended_at", RuleOrder, orderMessage(
					it.StartedAt.Format(time.RFC3339Nano), it.EndedAt.Format(time.RFC3339Nano)))
			}
			add(e)
		case fHandleTimeS:
			if h := it.HandleTimeS; !finite(h) || h < 0 || h > MaxHandleTimeS {
				add(verr("handle_time_s", RuleRange, handleTimeMessage(formatFloat(h))))
			}
		case fPredictedSatisfaction:
			add(checkProbability("predicted_satisfaction", it.PredictedSatisfaction))
		case fPredictedResolution:
			add(checkProbability("predicted_resolution", it.PredictedResolution))
		case fHoldS:
			if h := it.HoldS; h != nil && (!finite(*h) || *h < 0 || *h > MaxHoldS) {
				add(verr("hold_s", RuleRange, holdMessage(formatFloat(*h))))
			}
		case fQueueWaitS:
			if q := it.QueueWaitS; q != nil && (!finite(*q) || *q < 0 || *q > MaxQueueWaitS) {
				add(verr("queue_wait_s", RuleRange, queueWaitMessage(formatFloat(*q))))
			}
		case fTransfers:
			if n := it.Transfers; n != nil && (*n < 0 || *n > MaxTransfers) {
				add(verr("transfers", RuleRange, transfersMessage(formatInt(*n))))
			}
		case fCustomerKey, fChainID, fInitiation:
			if v := *stringField(it, f); v != "" {
				add(checkString(f, v))
			}
		case fSourceRefs, fAttributes:
			// Always valid: MakeSourceRefs, MakeAttributes and the
			// decoders check them when they are made.
		default:
			add(checkString(f, *stringField(it, f)))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func checkTime(field string, t time.Time) *ValidationError {
	if t.IsZero() {
		return verr(field, RuleRequired, "is required")
	}
	if p := timeProblem(t); p != "" {
		return verr(field, RuleTimestamp, "cannot be written as an accepted timestamp: "+p+"; got "+t.Format(time.RFC3339Nano))
	}
	return nil
}

func checkProbability(field string, p *float64) *ValidationError {
	if p != nil && (!finite(*p) || *p < 0 || *p > 1) {
		return verr(field, RuleRange, probabilityMessage(formatFloat(*p)))
	}
	return nil
}

func validateSourceRefs(m map[string]string, add func(*ValidationError)) {
	const field = "source_refs"
	if len(m) > MaxSourceRefs {
		add(verr(field, RuleMaxProperties, maxEntriesMessage(len(m), MaxSourceRefs)))
	} else {
		var bad []string
		for k := range m {
			if !validRefName(k) {
				bad = append(bad, k)
			}
		}
		if len(bad) > 0 {
			slices.Sort(bad)
			add(verr(field, RuleName, refNameMessage(bad[0], len(bad)-1)))
		}
	}
	for _, k := range sortedKeys(m) {
		v := m[k]
		if !utf8.ValidString(v) {
			add(verr(entryField(field, k), RuleEncoding, "is not valid UTF-8 text"))
		} else if n := utf8.RuneCountInString(v); n > MaxSourceRefValueLength {
			add(verr(entryField(field, k), RuleLength, stringTooLong(MaxSourceRefValueLength, n)))
		}
	}
}

func validateAttributes(m map[string]any, add func(*ValidationError)) {
	const field = "attributes"
	if len(m) > MaxAttributes {
		add(verr(field, RuleMaxProperties, maxEntriesMessage(len(m), MaxAttributes)))
	} else {
		var bad []string
		for k := range m {
			if attrNameProblem(k) != "" {
				bad = append(bad, k)
			}
		}
		if len(bad) > 0 {
			slices.Sort(bad)
			add(verr(field, RuleName, attrNameMessage(bad[0], attrNameProblem(bad[0]), len(bad)-1)))
		}
	}
	for _, k := range sortedKeys(m) {
		add(checkAttrValue(entryField(field, k), m[k]))
	}
}

// checkAttrValue checks one attributes value held in a Go value.
func checkAttrValue(field string, v any) *ValidationError {
	var f float64
	switch v := v.(type) {
	case nil, bool:
		return nil
	case string:
		if !utf8.ValidString(v) {
			return verr(field, RuleEncoding, "is not valid UTF-8 text")
		}
		if n := utf8.RuneCountInString(v); n > MaxAttributeStringLength {
			return verr(field, RuleLength, stringTooLong(MaxAttributeStringLength, n))
		}
		return nil
	case float64:
		f = v
	case float32:
		f = float64(v)
	case int:
		return checkAttrValue(field, int64(v))
	case int8, int16, int32, uint8, uint16, uint32:
		return nil
	case int64:
		if v < -MaxAttributeNumber || v > MaxAttributeNumber {
			return verr(field, RuleRange, attrNumberMessage(formatInt(v)))
		}
		return nil
	case uint:
		return checkAttrValue(field, uint64(v))
	case uint64:
		if v > MaxAttributeNumber {
			return verr(field, RuleRange, attrNumberMessage(strconv.FormatUint(v, 10)))
		}
		return nil
	case json.Number:
		lit := []byte(v)
		var s scanner
		s.data = lit
		if n, ok := s.readNumber(); !ok || len(n) != len(lit) {
			return verr(field, RuleType, "must be a string, a number, true/false or null, got the malformed number "+quote(string(v)))
		}
		if _, in := inRange(lit, boundAttrMin, boundAttrMax); !in {
			return verr(field, RuleRange, attrNumberMessage(quoteNumber(lit)))
		}
		return nil
	default:
		return verr(field, RuleType, "must be a string, a number, true/false or null; nested objects and arrays are not allowed")
	}
	if math.IsNaN(f) || f < -MaxAttributeNumber || f > MaxAttributeNumber {
		return verr(field, RuleRange, attrNumberMessage(formatFloat(f)))
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
