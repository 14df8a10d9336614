package outcomes

import (
	"math"
	"math/bits"
	"time"
)

// numFeatures is how many hashed coordinates one contact sets.
const numFeatures = 17

// Feature field tags: the first byte hashed for each feature, so equal
// values of different fields land on different coordinates.
const (
	fBias byte = iota + 1
	fInquiry
	fModel
	fHourOfWeek
	fHandle
	fInquiryHandle
	fHold
	fACW
	fQueue
	fTransfers
	fInitiation
	fLast1d
	fLast7d
	fLast30d
	fDaysSince
	fInquiryRepeat
	fKnownCustomer
)

// History is a customer's contacts before the one being predicted: counts
// of their contacts that ended in the last 1, 7 and 30 days, and the whole
// days since the last one (−1 when there is none in the last 30 days or no
// customer key). It looks back 30 days only, so that no process keeps a
// customer's contacts longer.
type History struct {
	Last1d, Last7d, Last30d int
	DaysSince               int
	Known                   bool // the contact has a customer_key
}

// Features are the hashed coordinates of one contact, computed once and
// used by both targets.
type Features struct {
	Inquiry string
	idx     [numFeatures]uint32
}

// fnv1a64 constants.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

type hasher uint64

func (h hasher) byte(b byte) hasher { return (h ^ hasher(b)) * fnvPrime }

func (h hasher) str(s string) hasher {
	for i := 0; i < len(s); i++ {
		h = (h ^ hasher(s[i])) * fnvPrime
	}
	return h.byte(0xff) // terminator: "ab"+"c" ≠ "a"+"bc"
}

func (h hasher) u64(v uint64) hasher {
	for range 8 {
		h = (h ^ hasher(v&0xff)) * fnvPrime
		v >>= 8
	}
	return h
}

// Extract hashes c's case-mix features and its customer's history into
// 2^tableBits coordinates.
func Extract(c *Contact, h History, tableBits uint) Features {
	mask := uint32(1)<<tableBits - 1
	f := Features{Inquiry: c.Inquiry}
	put := func(i int, x hasher) { f.idx[i] = uint32(uint64(x)^uint64(x)>>32) & mask }
	base := hasher(fnvOffset)
	t := c.Started.UTC()
	if c.Started.IsZero() {
		t = c.Ended.UTC()
	}
	how := uint64(t.Weekday())*24 + uint64(t.Hour())
	handle := logBucket(c.HandleS)
	repeat := uint64(0)
	if h.Last7d > 0 {
		repeat = 1
	}
	put(0, base.byte(fBias))
	put(1, base.byte(fInquiry).str(c.Inquiry))
	put(2, base.byte(fModel).str(c.Model))
	put(3, base.byte(fHourOfWeek).u64(how))
	put(4, base.byte(fHandle).u64(handle))
	put(5, base.byte(fInquiryHandle).str(c.Inquiry).u64(handle))
	put(6, base.byte(fHold).u64(optBucket(c.HoldS)))
	put(7, base.byte(fACW).u64(optBucket(c.ACWS)))
	put(8, base.byte(fQueue).u64(optBucket(c.QueueWaitS)))
	put(9, base.byte(fTransfers).u64(transfersBucket(c.Transfers)))
	put(10, base.byte(fInitiation).str(c.Initiation))
	put(11, base.byte(fLast1d).u64(countBucket(h.Last1d, h.Known)))
	put(12, base.byte(fLast7d).u64(countBucket(h.Last7d, h.Known)))
	put(13, base.byte(fLast30d).u64(countBucket(h.Last30d, h.Known)))
	put(14, base.byte(fDaysSince).u64(daysBucket(h.DaysSince, h.Known)))
	put(15, base.byte(fInquiryRepeat).str(c.Inquiry).u64(repeat))
	known := uint64(0)
	if h.Known {
		known = 1
	}
	put(16, base.byte(fKnownCustomer).u64(known))
	return f
}

// absent is the bucket of a missing value.
const absent = 1 << 20

// logBucket is bits.Len of the whole seconds (0 → 0, 1 → 1, 2..3 → 2, …),
// capped at 20; negative or NaN is absent. Integer arithmetic only.
func logBucket(s float64) uint64 {
	if !(s >= 0) {
		return absent
	}
	if s > 1<<20 {
		s = 1 << 20
	}
	return uint64(bits.Len64(uint64(s)))
}

func optBucket(p *float64) uint64 {
	if p == nil || math.IsNaN(*p) {
		return absent
	}
	return logBucket(*p)
}

func transfersBucket(p *int64) uint64 {
	switch {
	case p == nil || *p < 0:
		return absent
	case *p >= 3:
		return 3
	}
	return uint64(*p)
}

// countBucket: 0, 1, 2, 3–4, 5+ contacts; absent without a customer key.
func countBucket(n int, known bool) uint64 {
	switch {
	case !known:
		return absent
	case n >= 5:
		return 4
	case n >= 3:
		return 3
	}
	return uint64(n)
}

// daysBucket: none, 0, 1, 2–3, 4–7, 8–14, 15–30.
func daysBucket(d int, known bool) uint64 {
	switch {
	case !known:
		return absent
	case d < 0:
		return 100
	case d <= 1:
		return uint64(d)
	case d <= 3:
		return 2
	case d <= 7:
		return 3
	case d <= 14:
		return 4
	}
	return 5
}

// HistoryOf computes the history of prior, the customer's earlier
// contacts sorted by ended_at ascending (all ending at or before at).
func HistoryOf(prior []time.Time, at time.Time, known bool) History {
	h := History{DaysSince: -1, Known: known}
	if !known {
		return h
	}
	for i := len(prior) - 1; i >= 0; i-- {
		age := at.Sub(prior[i])
		if age > 30*24*time.Hour {
			break
		}
		if age <= 24*time.Hour {
			h.Last1d++
		}
		if age <= 7*24*time.Hour {
			h.Last7d++
		}
		h.Last30d++
	}
	if n := len(prior); n > 0 && at.Sub(prior[n-1]) <= 30*24*time.Hour {
		h.DaysSince = int(at.Sub(prior[n-1]) / (24 * time.Hour))
	}
	return h
}
