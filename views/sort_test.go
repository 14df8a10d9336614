package views

import (
	"slices"
	"testing"
)

func TestParseSort(t *testing.T) {
	cases := []struct {
		sort, order string
		want        SortSpec
		field       string
	}{
		{"", "", SortSpec{Key: SortVolume, Desc: true, Explicit: true}, ""},
		{"volume", "asc", SortSpec{Key: SortVolume, Explicit: true}, ""},
		{"aes", "", SortSpec{Key: SortAES, Explicit: true}, ""},
		{"psat", "", SortSpec{Key: SortPSAT, Desc: true, Explicit: true}, ""},
		{"aht", "desc", SortSpec{Key: SortAHT, Desc: true, Explicit: true}, ""},
		{"speed", "", SortSpec{}, "sort"},
		{"aes", "up", SortSpec{}, "order"},
	}
	for _, c := range cases {
		got, err := ParseSort(c.sort, c.order)
		if firstField(err) != c.field || (err == nil && got != c.want) {
			t.Errorf("ParseSort(%q, %q) = %+v, %v", c.sort, c.order, got, err)
		}
	}
}

func TestSortInquiries(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	items := []InquiryPerf{
		{Inquiry: "b", Volume: 5, AHT: MetricFigure{Value: v(300)}, PSAT: &MetricFigure{Value: v(0.5)}},
		{Inquiry: "a", Volume: 5, AHT: MetricFigure{Value: v(100)}, PSAT: &MetricFigure{}},
		{Inquiry: "c", Volume: 9, AHT: MetricFigure{Value: v(200)}, PSAT: &MetricFigure{Value: v(0.9)}},
	}
	inqs := func(ps []InquiryPerf) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Inquiry)
		}
		return out
	}
	cases := []struct {
		sort, order string
		want        []string
	}{
		{"", "", []string{"c", "a", "b"}},          // volume desc, ties by name
		{"volume", "asc", []string{"a", "b", "c"}}, // volume asc, ties by name
		{"aht", "", []string{"a", "c", "b"}},       // best (lowest) first
		{"aht", "desc", []string{"b", "c", "a"}},
		{"psat", "", []string{"c", "b", "a"}},    // a has no psat: last
		{"psat", "asc", []string{"b", "c", "a"}}, // still last
	}
	for _, c := range cases {
		s, err := ParseSort(c.sort, c.order)
		if err != nil {
			t.Fatal(err)
		}
		got := slices.Clone(items)
		SortInquiries(got, s)
		if !slices.Equal(inqs(got), c.want) {
			t.Errorf("sort=%q order=%q: %v, want %v", c.sort, c.order, inqs(got), c.want)
		}
	}
	got := slices.Clone(items)
	SortInquiries(got, SortSpec{})
	if !slices.Equal(inqs(got), []string{"c", "a", "b"}) {
		t.Errorf("zero SortSpec: %v", inqs(got))
	}
}
