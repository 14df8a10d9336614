package views

import (
	"fmt"
	"strings"
)

// Metric names one of the four figures of DESIGN.md §1. Its string form is
// the one the API uses ("aes", "aht", "psat", "pres").
type Metric string

// The metrics. AES and AHT are lower-is-better; PSAT and PRES
// higher-is-better.
const (
	MetricAES  Metric = "aes"  // Agent Effectiveness Score, seconds per satisfied resolved contact
	MetricAHT  Metric = "aht"  // mean handle time, seconds
	MetricPSAT Metric = "psat" // mean predicted satisfaction, 0..1
	MetricPRES Metric = "pres" // mean predicted resolution, 0..1
)

// Metrics returns every metric in the canonical order aes, aht, psat, pres.
// The slice is new on every call.
func Metrics() []Metric { return []Metric{MetricAES, MetricAHT, MetricPSAT, MetricPRES} }

// ParseMetric parses a metric name. An unknown name returns a *FieldError
// for field "metric" (matching ErrInvalidInput).
func ParseMetric(s string) (Metric, error) {
	return parseMetricField("metric", s)
}

func parseMetricField(field, s string) (Metric, error) {
	m := Metric(s)
	if m.Valid() {
		return m, nil
	}
	if s == "" {
		return "", fieldErr(field, "is required; choose one of aes, aht, psat, pres")
	}
	return "", fieldErr(field, fmt.Sprintf("must be one of aes, aht, psat, pres; got %q", clip(s)))
}

// Valid reports whether m is one of the four metrics.
func (m Metric) Valid() bool {
	switch m {
	case MetricAES, MetricAHT, MetricPSAT, MetricPRES:
		return true
	}
	return false
}

// LowerIsBetter reports the metric's direction: true for aes and aht,
// false for psat and pres.
func (m Metric) LowerIsBetter() bool { return m == MetricAES || m == MetricAHT }

// Better reports whether value a is strictly better than value b on m.
// Equal values are never better than each other.
func (m Metric) Better(a, b float64) bool {
	if m.LowerIsBetter() {
		return a < b
	}
	return a > b
}

// Describe returns the metric's name for people ("average handle time").
func (m Metric) Describe() string {
	switch m {
	case MetricAES:
		return "agent effectiveness score"
	case MetricAHT:
		return "average handle time"
	case MetricPSAT:
		return "predicted satisfaction"
	case MetricPRES:
		return "predicted resolution"
	}
	return string(m)
}

// Label is a quartile label of an agent within a population.
type Label string

// The labels, best first.
const (
	LabelGreat     Label = "great"
	LabelGood      Label = "good"
	LabelNeedsWork Label = "needs_work"
)

// clip shortens s for inclusion in an error message.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}
