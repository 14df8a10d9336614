// Command benchreport turns the output of `go test -bench` into
// docs/BENCHMARKS.md: every speed target of DESIGN.md §4 with the figure
// measured, whether it is met, the exact command and the machine; the
// same-run comparisons (replay against a raw ClickHouse insert of the same
// rows, the websocket hub against a bare gorilla/websocket loop); the
// scaling curves (sub-benchmarks named key=value); and every benchmark line
// of the run, verbatim.
//
// `make bench` runs the benchmarks into artifacts/bench.txt and then this
// command; it owns nothing else. The targets it checks live in targets.go.
package main
