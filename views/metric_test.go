package views

import (
	"errors"
	"testing"
)

// firstField returns the field of the first *FieldError in err ("" for nil).
func firstField(err error) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

func TestParseMetric(t *testing.T) {
	for _, s := range []string{"aes", "aht", "psat", "pres"} {
		if m, err := ParseMetric(s); err != nil || string(m) != s {
			t.Errorf("ParseMetric(%q) = %q, %v", s, m, err)
		}
	}
	for _, s := range []string{"", "AES", "speed", " aht"} {
		_, err := ParseMetric(s)
		if firstField(err) != "metric" || !errors.Is(err, ErrInvalidInput) {
			t.Errorf("ParseMetric(%q) error = %v; want a metric field error", s, err)
		}
	}
}

func TestMetricDirection(t *testing.T) {
	cases := []struct {
		m      Metric
		lower  bool
		better [2]float64 // first strictly better than second
	}{
		{MetricAES, true, [2]float64{100, 200}},
		{MetricAHT, true, [2]float64{100, 200}},
		{MetricPSAT, false, [2]float64{0.9, 0.8}},
		{MetricPRES, false, [2]float64{0.9, 0.8}},
	}
	for _, c := range cases {
		if c.m.LowerIsBetter() != c.lower {
			t.Errorf("%s LowerIsBetter = %v", c.m, !c.lower)
		}
		if !c.m.Better(c.better[0], c.better[1]) || c.m.Better(c.better[1], c.better[0]) || c.m.Better(1, 1) {
			t.Errorf("%s Better wrong", c.m)
		}
	}
}
