package clickhouse

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// ErrInvalidBatch is returned by Apply when a batch holds a value the
// tables cannot store exactly: a negative offset, version or checkpoint, a
// timestamp outside the years 1678..2261 (Int64 nanoseconds), a bucket hour
// that is not a whole UTC hour within 1970..2105 (DateTime), or a time
// zone offset that is not whole seconds.
var ErrInvalidBatch = errors.New("invalid batch")

// ErrCorruptRow is returned by reads when a stored row cannot be decoded
// (source_refs or attributes that are not a JSON object).
var ErrCorruptRow = errors.New("corrupt stored row")

// Earliest and latest instants an Int64 of unix nanoseconds holds.
var (
	minNanoTime = time.Unix(0, math.MinInt64)
	maxNanoTime = time.Unix(0, math.MaxInt64)
)

// encodeTime splits t into unix nanoseconds and its zone offset in seconds
// east of UTC, which is all decodeTime needs to rebuild an equal value in an
// equal zone offset. The zone's name is not kept.
func encodeTime(field string, t time.Time) (ns int64, offset int32, err error) {
	if t.Before(minNanoTime) || t.After(maxNanoTime) {
		return 0, 0, fmt.Errorf("%s %s is outside the storable years 1678..2261: %w", field, t.Format(time.RFC3339Nano), ErrInvalidBatch)
	}
	_, off := t.Zone()
	return t.UnixNano(), int32(off), nil
}

// decodeTime is the inverse of encodeTime: the instant ns in a zone of the
// given offset — time.UTC for 0 and an unnamed fixed zone otherwise, which
// is what schemas.ParseTimestamp produces, so a decoded record reads back
// reflect.DeepEqual to what was written.
func decodeTime(ns int64, offset int32) time.Time {
	return time.Unix(0, ns).In(schemas.Zone(int(offset)))
}

// hourSeconds returns the unix seconds of a bucket hour, which must be a
// whole hour in the range of DateTime (1970..2105).
func hourSeconds(h time.Time) (uint32, error) {
	s := h.Unix()
	if h.Nanosecond() != 0 || s%3600 != 0 || s < 0 || s > math.MaxUint32 {
		return 0, fmt.Errorf("bucket hour %s is not a whole UTC hour in 1970..2105: %w", h.Format(time.RFC3339Nano), ErrInvalidBatch)
	}
	return uint32(s), nil
}

// decodeRefs reads a stored source_refs column: "" is absent, anything
// else must be a JSON object that is valid source_refs. The processor
// stores the canonical text (schemas.SourceRefs), which is kept as read;
// other forms are made canonical.
func decodeRefs(s string) (schemas.SourceRefs, error) {
	r, err := schemas.ParseSourceRefs(s)
	if err == nil && s != "" && s[0] != '{' {
		err = errors.New("not a JSON object")
	}
	if err != nil {
		return schemas.SourceRefs{}, fmt.Errorf("source_refs %.64q: %w", s, errors.Join(ErrCorruptRow, err))
	}
	return r, nil
}

// decodeAttrs reads a stored attributes column as decodeRefs reads
// source_refs.
func decodeAttrs(s string) (schemas.Attributes, error) {
	a, err := schemas.ParseAttributes(s)
	if err == nil && s != "" && s[0] != '{' {
		err = errors.New("not a JSON object")
	}
	if err != nil {
		return schemas.Attributes{}, fmt.Errorf("attributes %.64q: %w", s, errors.Join(ErrCorruptRow, err))
	}
	return a, nil
}
