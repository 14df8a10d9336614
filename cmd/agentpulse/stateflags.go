package main

import (
	"flag"
	"time"

	"github.com/agentpulse/agentpulse/processor"
)

// stateFlags are the flags of the processor's state: what it keeps in
// memory and how it restarts.
type stateFlags struct {
	horizon    time.Duration
	acceptance time.Duration
	snapshot   time.Duration
}

func (s *stateFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&s.horizon, "state-horizon", 168*time.Hour, "event time a partition keeps in memory: older days leave once stored, and are looked up in the store when corrected (negative: keep everything)")
	fs.DurationVar(&s.acceptance, "acceptance-window", 18600*time.Hour, "how far behind its partition's newest ended_at an interaction may end; older ones go to the dead-letter topic")
	fs.DurationVar(&s.snapshot, "snapshot-interval", time.Minute, "how often a partition stores a snapshot of its in-memory state with a checkpoint; a restart refolds only what follows it")
}

// apply sets the flags' fields of cfg.
func (s *stateFlags) apply(cfg processor.Config) processor.Config {
	cfg.StateHorizon, cfg.AcceptanceWindow, cfg.SnapshotInterval = s.horizon, s.acceptance, s.snapshot
	return cfg
}
