package backfill

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// stateVersion is the version of the state file format this package writes.
const stateVersion = 1

// headLen is how much of the start of the file the fingerprint hashes.
const headLen = 64 << 10

// Fingerprint identifies the content of an import file well enough that a
// state file is not applied to another file by mistake.
type Fingerprint struct {
	// Size is the file's size in bytes.
	Size int64 `json:"size"`
	// ModTime is the file's modification time. A change is only logged:
	// copying a file changes it without changing the content.
	ModTime time.Time `json:"mtime"`
	// HeadSHA256 is the hex SHA-256 of the first 64 KiB (the whole file
	// when shorter).
	HeadSHA256 string `json:"head_sha256"`
}

// fingerprint reads the fingerprint of an open file.
func fingerprint(f *os.File) (Fingerprint, error) {
	fi, err := f.Stat()
	if err != nil {
		return Fingerprint{}, fmt.Errorf("stat: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return Fingerprint{}, fmt.Errorf("%w: %s is %s", ErrNotRegular, f.Name(), fi.Mode().Type())
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, headLen)); err != nil {
		return Fingerprint{}, fmt.Errorf("read: %w", err)
	}
	return Fingerprint{Size: fi.Size(), ModTime: fi.ModTime().UTC(), HeadSHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// State is what a resume state file holds: which file is being imported
// and the position and counts reached at the last acknowledged batch.
type State struct {
	// Version is the state file format version (1).
	Version int `json:"version"`
	// File is the imported file's absolute path (for people; not checked,
	// so a file may be moved between runs).
	File string `json:"file"`
	Fingerprint
	// Format is the format the file is read as.
	Format Format `json:"format"`
	// Position is where the next run starts: every record before it has
	// been acknowledged by the broker.
	Position
	// Accepted and Rejected count the records before Position sent to the
	// interactions and dead-letter topics.
	Accepted int64 `json:"accepted"`
	Rejected int64 `json:"rejected"`
	// UpdatedAt is when the state was written.
	UpdatedAt time.Time `json:"updated_at"`
}

// loadState reads the state file at path. It returns nil and no error
// when there is none.
func loadState(path string) (*State, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read resume state: %w", err)
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%w %s: %w (delete it to import from the start)", ErrBadState, path, err)
	}
	if s.Version != stateVersion || s.Offset < 0 || s.Line < 0 || s.Records < 0 || s.Offset > s.Size {
		return nil, fmt.Errorf("%w %s: version %d, offset %d of %d bytes (delete it to import from the start)",
			ErrBadState, path, s.Version, s.Offset, s.Size)
	}
	return &s, nil
}

// check returns an error matching ErrStateMismatch unless s was written
// for a file with fingerprint fp read as format f.
func (s *State) check(statePath string, fp Fingerprint, f Format) error {
	var why string
	switch {
	case s.Size != fp.Size:
		why = fmt.Sprintf("it was written for a file of %d bytes, this one has %d", s.Size, fp.Size)
	case s.HeadSHA256 != fp.HeadSHA256:
		why = "the file's first 64 KiB differ from those of the file it was written for"
	case s.Format != f:
		why = fmt.Sprintf("it was written reading the file as %s, not %s", s.Format, f)
	default:
		return nil
	}
	return fmt.Errorf("%w: %s: %s; delete it to import this file from the start, or pass another --state",
		ErrStateMismatch, statePath, why)
}

// saveState writes s to path atomically: a temporary file beside it is
// written, synced and renamed over it, so a crash leaves either the old or
// the new state, never a torn one.
func saveState(path string, s *State) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode resume state: %w", err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write resume state: %w", err)
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write resume state %s: %w", path, err)
	}
	return nil
}

// removeState deletes the state file of a finished import, and any
// temporary file a crash in saveState left beside it.
func removeState(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove resume state: %w", err)
	}
	stale, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+globEscape(filepath.Base(path))+".tmp-*"))
	for _, s := range stale {
		_ = os.Remove(s)
	}
	return nil
}

// globEscape escapes the pattern characters of filepath.Match in s.
func globEscape(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', '\\':
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(b)
}
