package views

import (
	"cmp"
	"fmt"
	"slices"
)

// SortKey orders the inquiries of a performance answer.
type SortKey string

// The sort keys: volume or one of the metrics' values.
const (
	SortVolume SortKey = "volume"
	SortAES    SortKey = "aes"
	SortAHT    SortKey = "aht"
	SortPSAT   SortKey = "psat"
	SortPRES   SortKey = "pres"
)

// SortSpec is a parsed sort/order pair. The zero value is the default:
// volume descending.
type SortSpec struct {
	Key  SortKey // empty means SortVolume
	Desc bool    // meaningful only with Explicit
	// Explicit is false for the zero value; then volume sorts descending.
	Explicit bool
}

// ParseSort parses the sort and order query parameters. Empty means
// absent. The default order is volume descending, and best first for a
// metric (aes/aht ascending, psat/pres descending); order=asc|desc
// overrides it. Errors are *FieldError naming "sort" or "order".
func ParseSort(sortParam, order string) (SortSpec, error) {
	key := SortKey(sortParam)
	switch key {
	case "":
		key = SortVolume
	case SortVolume, SortAES, SortAHT, SortPSAT, SortPRES:
	default:
		return SortSpec{}, fieldErr("sort", fmt.Sprintf("must be one of volume, aes, aht, psat, pres; got %q", clip(sortParam)))
	}
	var desc bool
	switch order {
	case "":
		desc = key == SortVolume || key == SortPSAT || key == SortPRES
	case "asc":
	case "desc":
		desc = true
	default:
		return SortSpec{}, fieldErr("order", fmt.Sprintf("must be asc or desc; got %q", clip(order)))
	}
	return SortSpec{Key: key, Desc: desc, Explicit: true}, nil
}

// SortInquiries sorts items in place by s: by the key (volume, or the
// agent's value of a metric), then by inquiry name ascending. Items
// without a value for the metric sort last whatever the order.
func SortInquiries(items []InquiryPerf, s SortSpec) {
	if !s.Explicit {
		s = SortSpec{Key: SortVolume, Desc: true, Explicit: true}
	}
	key := func(p *InquiryPerf) (float64, bool) {
		if s.Key == SortVolume || s.Key == "" {
			return float64(p.Volume), true
		}
		f := p.Figure(Metric(s.Key))
		if f == nil || f.Value == nil {
			return 0, false
		}
		return *f.Value, true
	}
	slices.SortStableFunc(items, func(a, b InquiryPerf) int {
		va, oka := key(&a)
		vb, okb := key(&b)
		switch {
		case oka && !okb:
			return -1
		case !oka && okb:
			return 1
		}
		c := cmp.Compare(va, vb)
		if s.Desc {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.Inquiry, b.Inquiry))
	})
}
