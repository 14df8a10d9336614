package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// A result is one benchmark line: its name without "Benchmark" and the
// GOMAXPROCS suffix, its package, the line as printed and its values by
// the unit written in the output.
type result struct {
	Name, Pkg, Line string
	CPU             string // the "cpu:" header in force
	Values          map[string]float64
	Units           []string // in the order printed
}

// results is one run's benchmark lines in order.
type results []result

// parse reads `go test -bench` output. Lines that are not benchmark
// results (logs, PASS, ok) are ignored; a malformed result line is an
// error naming its line.
func parse(r io.Reader, lines []string) (results, error) {
	var out results
	br := benchfmt.NewReader(r, "bench output")
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, rec
		case *benchfmt.Result:
			res := result{Pkg: rec.GetConfig("pkg"), CPU: strings.TrimSpace(rec.GetConfig("cpu")), Values: map[string]float64{}}
			base, parts := rec.Name.Parts()
			name := string(base)
			for _, p := range parts {
				if !strings.HasPrefix(string(p), "-") {
					name += string(p)
				}
			}
			res.Name = name
			for _, v := range rec.Values {
				unit, val := v.Unit, v.Value
				if v.OrigUnit != "" {
					unit, val = v.OrigUnit, v.OrigValue
				}
				res.Values[unit] = val
				res.Units = append(res.Units, unit)
			}
			if _, line := rec.Pos(); line > 0 && line <= len(lines) {
				res.Line = strings.TrimSpace(lines[line-1])
			}
			out = append(out, res)
		}
	}
	if err := br.Err(); err != nil {
		return nil, fmt.Errorf("read bench output: %w", err)
	}
	return out, nil
}

// cpu is the processor the run's header named ("cpu: …").
func (rs results) cpu() string {
	for _, r := range rs {
		if r.CPU != "" {
			return r.CPU
		}
	}
	return ""
}

// find returns the last result named name (the run's final word on it).
func (rs results) find(name string) (result, bool) {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Name == name {
			return rs[i], true
		}
	}
	return result{}, false
}

// value returns name's figure in unit.
func (rs results) value(name, unit string) (float64, bool) {
	r, ok := rs.find(name)
	if !ok {
		return 0, false
	}
	v, ok := r.Values[unit]
	return v, ok
}

// keyValue matches a sub-benchmark part that names a size: /n=1000000.
var keyValue = regexp.MustCompile(`^([A-Za-z_]+)=([0-9][0-9_.eE+]*)$`)

// A curve is a benchmark measured at several sizes: the sub-benchmarks
// whose name differs only in one key=number part.
type curve struct {
	Name string // the name with the size part written as key=…
	Key  string
	Rows []result
}

// curves finds every scaling curve of the run, in order of first
// appearance.
func (rs results) curves() []curve {
	var out []curve
	index := map[string]int{}
	for _, r := range rs {
		parts := strings.Split(r.Name, "/")
		for i, p := range parts {
			m := keyValue.FindStringSubmatch(p)
			if m == nil {
				continue
			}
			generic := append(append(append([]string{}, parts[:i]...), m[1]+"=…"), parts[i+1:]...)
			id := strings.Join(generic, "/")
			j, ok := index[id]
			if !ok {
				j = len(out)
				index[id] = j
				out = append(out, curve{Name: id, Key: m[1]})
			}
			out[j].Rows = append(out[j].Rows, r)
		}
	}
	keep := out[:0]
	for _, c := range out {
		if len(c.Rows) > 1 {
			keep = append(keep, c)
		}
	}
	return keep
}
