package views

import (
	"math"
	"testing"
	"time"
)

func TestAlmostEqual(t *testing.T) {
	cases := []struct {
		a, b float64
		want bool
	}{
		{0, 0, true},
		{1, 1 + 1e-10, true},
		{1, 1 + 2e-9, false},
		{1e6, 1e6 + 1e-4, true},
		{-5, -5 * (1 + 5e-10), true},
		{0, 1e-300, false},
		{math.NaN(), math.NaN(), false},
		{math.Inf(1), math.Inf(1), true},
	}
	for _, c := range cases {
		if got := AlmostEqual(c.a, c.b); got != c.want {
			t.Errorf("AlmostEqual(%v, %v) = %v", c.a, c.b, got)
		}
	}
}

func TestApproxDiff(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	a := Performance{Model: "voice", Range: Range{From: utc("2026-01-01T00:00:00Z")},
		Overall:   Figures{Volume: 3, AES: v(100)},
		Inquiries: []InquiryPerf{{Inquiry: "x", AHT: MetricFigure{Value: v(1)}}}}
	b := a
	b.Range.From = b.Range.From.In(time.FixedZone("x", 3600)) // same instant
	b.Overall.AES = v(100 * (1 + 1e-12))
	b.Inquiries = []InquiryPerf{{Inquiry: "x", AHT: MetricFigure{Value: v(1)}}}
	if d := ApproxDiff(a, b); d != nil {
		t.Fatalf("unexpected diff: %v", d)
	}
	b.Overall.AES = v(101)
	b.Inquiries[0].AHT.Value = nil
	if d := ApproxDiff(a, b); len(d) != 2 {
		t.Fatalf("diff = %v, want 2 lines", d)
	}
}

func TestExactDiff(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	a := Performance{Model: "voice", Overall: Figures{Volume: 3, AES: v(100), AHT: v(0)}}
	b := a
	b.Overall.AES, b.Overall.AHT = v(100), v(0)
	if d := ExactDiff(a, b); d != nil {
		t.Fatalf("unexpected diff: %v", d)
	}
	b.Overall.AES, b.Overall.AHT = v(100*(1+1e-15)), v(math.Copysign(0, -1))
	if d := ExactDiff(a, b); len(d) != 2 {
		t.Fatalf("diff = %v, want 2 lines (the last bit, and -0)", d)
	}
	if where, ok := ExactJSONDiff([]byte(`{"x":[1,0.8]}`), []byte(`{"x":[1,0.80]}`)); !ok {
		t.Fatalf("equal numbers differ at %s", where)
	}
	if where, ok := ExactJSONDiff([]byte(`{"x":[1,0.8]}`), []byte(`{"x":[1,0.8000000000000002]}`)); ok || where != "$.x[1]: numbers differ: 0.8 vs 0.8000000000000002" {
		t.Fatalf("last-bit difference: %q, %v", where, ok)
	}
}

func TestCompareNewestFirstAndWorst(t *testing.T) {
	x := rec(100, 0.9, 0.9)
	y := rec(300, 0.2, 0.9)
	z := rec(300, -1, 0.5)
	x.InteractionID, y.InteractionID, z.InteractionID = "x", "y", "z"
	x.EndedAt = utc("2026-01-01T12:00:00Z")
	y.EndedAt = utc("2026-01-01T11:00:00Z")
	z.EndedAt = utc("2026-01-01T12:00:00+01:00") // = 11:00Z, same instant as y; z > y by id
	if CompareNewestFirst(x, y) >= 0 || CompareNewestFirst(z, y) >= 0 || CompareNewestFirst(y, y) != 0 {
		t.Fatal("CompareNewestFirst wrong")
	}
	// aht: y and z tie on 300; z is newer (same instant, larger id) → z, y, x.
	worstAHT := CompareWorstFirst(MetricAHT, 0.05)
	if worstAHT(z, y) >= 0 || worstAHT(y, x) >= 0 {
		t.Fatal("aht worst order wrong")
	}
	// psat: y (0.2) before x (0.9); z has none and sorts last.
	worstPSAT := CompareWorstFirst(MetricPSAT, 0.05)
	if worstPSAT(y, x) >= 0 || worstPSAT(x, z) >= 0 {
		t.Fatal("psat worst order wrong")
	}
	// aes: y 300/(0.2×0.9)=1666.7, z 300/(1×0.5)=600, x 100/0.81=123.5.
	worstAES := CompareWorstFirst(MetricAES, 0.05)
	if worstAES(y, z) >= 0 || worstAES(z, x) >= 0 {
		t.Fatal("aes worst order wrong")
	}
}
