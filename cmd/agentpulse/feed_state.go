package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// historyState records the simulated history of a data dir: which period
// it covers and whether all of it reached the broker. The simulator's
// interaction ids depend on the period (they are numbered from its start),
// so an interrupted backfill is resumed with the same End: the records
// already on the broker come again with the same ids and revisions, and
// the processor counts them once.
type historyState struct {
	End    time.Time `json:"end"`
	Days   int       `json:"days"`
	Agents int       `json:"agents"`
	Done   bool      `json:"done"`
}

// historyStateFile is where the state lives in --data-dir.
func historyStateFile(dataDir string) string {
	return filepath.Join(dataDir, "simulated-history.json")
}

// loadHistoryState returns the state, ok false when there is none.
func loadHistoryState(dataDir string) (historyState, bool, error) {
	b, err := os.ReadFile(historyStateFile(dataDir))
	if errors.Is(err, fs.ErrNotExist) {
		return historyState{}, false, nil
	}
	if err != nil {
		return historyState{}, false, fmt.Errorf("read simulated history state: %w", err)
	}
	var s historyState
	if err := json.Unmarshal(b, &s); err != nil {
		return historyState{}, false, fmt.Errorf("simulated history state %s: %w (delete it to backfill again)", historyStateFile(dataDir), err)
	}
	return s, true, nil
}

// save writes the state atomically (temp file, rename).
func (s historyState) save(dataDir string) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("simulated history state: %w", err)
	}
	tmp := historyStateFile(dataDir) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("simulated history state: %w", err)
	}
	if err := os.Rename(tmp, historyStateFile(dataDir)); err != nil {
		return fmt.Errorf("simulated history state: %w", err)
	}
	return nil
}
