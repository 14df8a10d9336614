package backfill

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStateRoundTripAndChecks(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "x.ndjson")
	if err := os.WriteFile(file, []byte(strings.Repeat("{}\n", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fp, err := fingerprint(f)
	if err != nil {
		t.Fatal(err)
	}
	if fp.Size != 3000 || len(fp.HeadSHA256) != 64 {
		t.Fatalf("fingerprint %+v", fp)
	}
	path := filepath.Join(dir, "x.ndjson.progress")
	if s, err := loadState(path); s != nil || err != nil {
		t.Fatalf("no state file: %+v, %v; want nil, nil", s, err)
	}
	want := &State{Version: stateVersion, File: file, Fingerprint: fp, Format: FormatNDJSON,
		Position: Position{Offset: 300, Line: 100, Records: 100}, Accepted: 90, Rejected: 10, UpdatedAt: time.Unix(5, 0).UTC()}
	if err := saveState(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := loadState(path)
	if err != nil || *got != *want {
		t.Fatalf("loaded %+v, %v; want %+v", got, err, want)
	}
	if err := got.check(path, fp, FormatNDJSON); err != nil {
		t.Errorf("same file: %v", err)
	}
	moved := fp
	moved.ModTime = moved.ModTime.Add(time.Hour)
	if err := got.check(path, moved, FormatNDJSON); err != nil {
		t.Errorf("only the mtime changed: %v", err)
	}
	for name, c := range map[string]struct {
		fp Fingerprint
		f  Format
	}{
		"size":   {Fingerprint{Size: 3001, HeadSHA256: fp.HeadSHA256}, FormatNDJSON},
		"head":   {Fingerprint{Size: 3000, HeadSHA256: strings.Repeat("0", 64)}, FormatNDJSON},
		"format": {fp, FormatCSV},
	} {
		if err := got.check(path, c.fp, c.f); !errors.Is(err, ErrStateMismatch) || !strings.Contains(err.Error(), "delete it") {
			t.Errorf("%s differs: err = %v, want ErrStateMismatch telling what to do", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("dir holds %d entries, want the file and its state (no temporary left)", len(entries))
	}
	stale := filepath.Join(dir, ".x.ndjson.progress.tmp-123") // left by a crash in saveState
	if err := os.WriteFile(stale, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := removeState(path); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("after removeState the dir holds %d entries, want only the imported file", len(entries))
	}
	if err := removeState(path); err != nil {
		t.Errorf("removing twice: %v", err)
	}
}

func TestBadStateFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"truncated":   `{"version":1,"size":`,
		"new version": `{"version":2,"size":10,"offset":1}`,
		"past end":    `{"version":1,"size":10,"offset":11}`,
		"negative":    `{"version":1,"size":10,"offset":-1}`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := loadState(path); !errors.Is(err, ErrBadState) {
			t.Errorf("%s: err = %v, want ErrBadState", name, err)
		}
	}
}

func TestFingerprintRefusesNonRegularFiles(t *testing.T) {
	f, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := fingerprint(f); !errors.Is(err, ErrNotRegular) {
		t.Errorf("a directory: err = %v, want ErrNotRegular", err)
	}
}
