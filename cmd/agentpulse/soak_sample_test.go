package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// soakTarget is one OS process the soak samples.
type soakTarget struct {
	name string
	pid  int
	// metrics is the URL of its /metrics ("" for the broker, which has
	// none: only RSS and file descriptors are sampled).
	metrics string
	// perRecordBytes is the memory the process may keep, by design, per
	// interaction record accepted: state proportional to the data, not a
	// leak (see soakAllowances).
	perRecordBytes float64
}

// procSample is one target at one moment.
type procSample struct {
	rssMB      float64
	cpuSec     float64 // user + system CPU time so far
	fds        int
	goroutines float64 // -1: not sampled
	heapMB     float64 // go_memstats_heap_inuse_bytes; -1: not sampled
	err        error
}

// soakSample is everything sampled at one moment of the load phase.
type soakSample struct {
	at       time.Duration // since the load started
	records  int64         // interaction records accepted by ingest so far
	procs    []procSample  // by target
	lagGauge float64       // agentpulse_processor_lag_records (measured by the processor every 10 s)
	lagStore int64         // interactions topic end offsets − the store's checkpoints, measured now
	wsConns  float64       // agentpulse_ws_connections of the server
	wsDisc   float64       // agentpulse_ws_disconnects_total of the server
	load     soakCounters  // the test's own counters
}

// sampleProc reads RSS and open file descriptors from /proc, and
// goroutines and heap from the target's /metrics.
func sampleProc(tg soakTarget, client *http.Client) (procSample, map[string]float64) {
	s := procSample{goroutines: -1, heapMB: -1}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", tg.pid))
	if err != nil {
		s.err = err
		return s, nil
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			s.rssMB = kb / 1024
		}
	}
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", tg.pid)); err == nil {
		// Fields after the command's closing parenthesis; utime and stime
		// are the 12th and 13th of them, in clock ticks (100 per second).
		if f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:])); len(f) > 12 {
			u, _ := strconv.ParseFloat(f[11], 64)
			k, _ := strconv.ParseFloat(f[12], 64)
			s.cpuSec = (u + k) / 100
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", tg.pid))
	if err != nil {
		s.err = err
		return s, nil
	}
	s.fds = len(fds)
	if tg.metrics == "" {
		return s, nil
	}
	m, err := scrapeMetrics(client, tg.metrics)
	if err != nil {
		s.err = err
		return s, nil
	}
	s.goroutines = m["go_goroutines"]
	s.heapMB = m["go_memstats_heap_inuse_bytes"] / (1 << 20)
	return s, m
}

// scrapeMetrics reads a Prometheus text exposition and returns, per
// metric name, the sum of its series (labels dropped).
func scrapeMetrics(client *http.Client, url string) (map[string]float64, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, ok := strings.Cut(line, " ")
		if i := strings.IndexByte(line, '{'); i >= 0 && i < len(name) {
			name = line[:i]
			_, rest, ok = strings.Cut(line[strings.LastIndexByte(line, '}')+1:], " ")
		}
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
		if err == nil {
			out[name] += v
		}
	}
	return out, sc.Err()
}

// logSoakTable prints the samples, one row per sample, one column group
// per target.
func logSoakTable(t *testing.T, targets []soakTarget, samples []soakSample) {
	var b strings.Builder
	fmt.Fprintf(&b, "%7s %8s %6s %6s", "t", "records", "lagSt", "lagG")
	for _, tg := range targets {
		if tg.metrics == "" {
			fmt.Fprintf(&b, " | %-20s", tg.name+" cpu/rss/fd")
		} else {
			fmt.Fprintf(&b, " | %-32s", tg.name+" cpu/rss/heap/gor/fd")
		}
	}
	fmt.Fprintf(&b, " | %5s %5s %8s %5s %5s %5s %6s %5s\n", "wsCon", "wsDsc", "wsMsgs", "gaps", "close", "apiOK", "apiBad", "ingRt")
	for j, s := range samples {
		fmt.Fprintf(&b, "%7s %8d %6d %6.0f", s.at.Round(time.Second), s.records, s.lagStore, s.lagGauge)
		for i, tg := range targets {
			p := s.procs[i]
			cpu := 0.0 // percent of one core since the previous sample
			if j > 0 {
				cpu = 100 * (p.cpuSec - samples[j-1].procs[i].cpuSec) / (s.at - samples[j-1].at).Seconds()
			}
			if tg.metrics == "" {
				fmt.Fprintf(&b, " | %4.0f%% %6.1f %8d", cpu, p.rssMB, p.fds)
			} else {
				fmt.Fprintf(&b, " | %4.0f%% %6.1f %6.1f %6.0f %6d", cpu, p.rssMB, p.heapMB, p.goroutines, p.fds)
			}
		}
		l := s.load
		fmt.Fprintf(&b, " | %5.0f %5.0f %8d %5d %5d %5d %6d %5d\n", s.wsConns, s.wsDisc, l.wsMessages, l.wsGaps, l.wsCloses, l.apiOK, l.apiBad, l.ingestRetries)
	}
	t.Logf("soak samples (cpu: percent of one core over the interval; rss and heap in MB; lagSt: records the store's checkpoints are behind the topic ends; lagG: the processor's lag gauge):\n%s", b.String())
}

// Flatness. After the warm-up, the samples are cut in thirds; the last
// third is compared with the first: RSS, descriptors and goroutines by
// the windows' maxima (a busy moment), the heap by their minima. Heap in
// use swings by up to GOGC=100 (×2) between collections, and a sample
// lands anywhere on that saw: the lowest sample of a window is the
// nearest to the live heap after a collection, which is what a leak
// raises (the short form's thirds hold two samples each, too few for
// their maxima to be the top of the saw: one sample at the top of a
// cycle failed it).
const (
	// soakMemFactor and the slacks: the last third's max memory may exceed
	// the first third's by 25 % plus a fixed slack (heap 8 MB, RSS 24 MB:
	// a few buffers of a busy moment, the runtime returning memory to the
	// OS lazily), plus the per-record allowance of state kept by design.
	// A leak of 1 KB per API request (≈40/s), per websocket message (a
	// few hundred per second) or per ingest batch grows by tens of MB
	// over the long form and past 25 % + 8 MB of a ~20–60 MB heap; a
	// leak of a goroutine or a connection is caught by the bands below.
	soakMemFactor     = 1.25
	soakHeapSlackMB   = 8
	soakRSSSlackMB    = 24
	soakGoroutineBand = 50 // goroutines: in-flight requests and pooled connections vary by a few; a leak per request or batch adds hundreds
	soakFDBand        = 20 // file descriptors: same reasoning; 1,000 websockets and the pools are constant
)

// checkSoakFlat applies the flatness rules to samples[warm:] and returns
// a line per figure compared.
func checkSoakFlat(t *testing.T, targets []soakTarget, samples []soakSample, warm int) []string {
	t.Helper()
	s := samples[warm:]
	third := len(s) / 3
	if third < 2 {
		t.Fatalf("%d samples after the warm-up: too few to compare thirds", len(s))
	}
	first, last := s[:third], s[len(s)-third:]
	// Records accepted between the first third's end and the last
	// sample: what state kept by design may have grown by.
	grown := float64(last[len(last)-1].records - first[len(first)-1].records)
	maxOf := func(w []soakSample, f func(soakSample) float64) float64 {
		m := f(w[0])
		for _, x := range w[1:] {
			m = max(m, f(x))
		}
		return m
	}
	minOf := func(w []soakSample, f func(soakSample) float64) float64 {
		m := f(w[0])
		for _, x := range w[1:] {
			m = min(m, f(x))
		}
		return m
	}
	var lines []string
	compare := func(what, of string, pick func([]soakSample, func(soakSample) float64) float64, f func(soakSample) float64, limit func(first float64) float64) {
		a, b := pick(first, f), pick(last, f)
		lim := limit(a)
		verdict := "flat"
		if b > lim {
			verdict = "GROWING"
			t.Errorf("soak: %s grew: last third's %s %.1f > limit %.1f (first third's %s %.1f)", what, of, b, lim, of, a)
		}
		lines = append(lines, fmt.Sprintf("%-28s first third %s %9.1f  last third %s %9.1f  limit %9.1f  %s", what, of, a, of, b, lim, verdict))
	}
	check := func(what string, f func(soakSample) float64, limit func(first float64) float64) {
		compare(what, "max", maxOf, f, limit)
	}
	for i, tg := range targets {
		allowMB := tg.perRecordBytes * grown / (1 << 20)
		check(tg.name+" RSS MB", func(x soakSample) float64 { return x.procs[i].rssMB },
			func(a float64) float64 { return a*soakMemFactor + soakRSSSlackMB + allowMB })
		check(tg.name+" fds", func(x soakSample) float64 { return float64(x.procs[i].fds) },
			func(a float64) float64 { return a + soakFDBand })
		if tg.metrics == "" {
			continue
		}
		compare(tg.name+" heap MB", "min", minOf, func(x soakSample) float64 { return x.procs[i].heapMB },
			func(a float64) float64 { return a*soakMemFactor + soakHeapSlackMB + allowMB })
		check(tg.name+" goroutines", func(x soakSample) float64 { return x.procs[i].goroutines },
			func(a float64) float64 { return a + soakGoroutineBand })
	}
	return lines
}
