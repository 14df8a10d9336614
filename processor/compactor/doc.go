// Package compactor runs a store's rollup compaction (store.Compactor) on
// a timer: every Interval it calls Compact with the Lateness allowance,
// sealing the days and months the event-time watermark has passed and
// redoing the ones a later write touched. It runs beside the processor
// (`agentpulse process` and `all`); several processors may run it at once,
// which Compact allows (each seal is idempotent, the newest wins).
//
// Run is one goroutine; it holds no state shared with other goroutines
// except its Prometheus metrics, which are safe for concurrent use.
package compactor
