package outcomes

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkLearnerPerInteraction measures the learner's CPU per
// interaction: hashing its features, predicting both targets and learning
// one label of each (an upper bound: most interactions get at most one
// resolution label and few a survey). Target ≤ 2 µs (DESIGN.md §4).
func BenchmarkLearnerPerInteraction(b *testing.B) {
	cs, _ := synth(9, 2, 500)
	l := NewLearner(Config{})
	_ = l.BeginDay(1)
	hist := History{Known: true, Last1d: 1, Last7d: 2, Last30d: 4, DaysSince: 0}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		c := &cs[i%len(cs)]
		f := Extract(c, hist, l.cfg.TableBits)
		p := l.Predict(&f)
		l.Learn(Satisfaction, &f, i%3 == 0, p[Satisfaction])
		l.Learn(Resolution, &f, i%2 == 0, p[Resolution])
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu_ns/op")
}

// BenchmarkRun measures the whole pure pipeline (labels, histories,
// learner) per contact, as the reference runs it.
func BenchmarkRun(b *testing.B) {
	cs, outs := synth(9, 30, 300)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Run(Config{}, cs, outs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(cs)), "ns/contact")
}

// BenchmarkStreamPerRecord measures Stream's CPU per record of a log
// (contacts and survey answers, arriving within the lateness), draining
// every 1 000 records as a processor flushes.
func BenchmarkStreamPerRecord(b *testing.B) {
	cs, outs := synth(9, 60, 300)
	log := logOf(cs, outs, 30*time.Minute, 1)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		s := NewStream(Config{}, time.Hour)
		for i, a := range log {
			if a.c != nil {
				s.AddContact(*a.c)
			} else {
				s.AddOutcome(*a.o)
			}
			if i%1000 == 999 {
				s.Drain()
			}
		}
		s.Flush()
		s.Drain()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(log)), "ns/record")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/float64(len(log)), "cpu_ns/record")
}

// cpuTime is the process's user + system CPU time: on a shared machine
// it measures the work, where wall time measures the neighbours too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
