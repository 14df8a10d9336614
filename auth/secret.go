package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SecretFile is the name of the generated secret inside the data directory.
const SecretFile = "auth-secret"

// ResolveSecret returns the signing secret: flagValue when it is not empty
// (it must hold at least MinSecretBytes bytes; the error names
// --auth-secret), otherwise the secret kept in dataDir
// (LoadOrCreateSecret).
func ResolveSecret(flagValue, dataDir string) ([]byte, error) {
	if flagValue != "" {
		if len(flagValue) < MinSecretBytes {
			return nil, fmt.Errorf("--auth-secret: %w: %d bytes, need at least %d (or leave it empty to use a generated one kept in --data-dir)",
				ErrWeakSecret, len(flagValue), MinSecretBytes)
		}
		return []byte(flagValue), nil
	}
	return LoadOrCreateSecret(dataDir)
}

// LoadOrCreateSecret returns the secret kept in <dataDir>/auth-secret,
// creating it on first use: 32 random bytes written as 64 hex characters
// and a newline, mode 0600, the directory created if needed. The secret is
// the file's text without surrounding whitespace, so passing that text as
// --auth-secret to another process gives it the same secret. Concurrent
// first calls, in this process or others, agree on one secret: the file is
// written under a temporary name and linked into place, which fails when
// another caller won. A file holding fewer than MinSecretBytes bytes is an
// error (ErrWeakSecret), never silently replaced.
func LoadOrCreateSecret(dataDir string) ([]byte, error) {
	return LoadOrCreateSecretFile(dataDir, SecretFile, "--auth-secret", "delete the file to generate a new one; every token signed so far stops working")
}

// LoadOrCreateSecretFile is LoadOrCreateSecret for the secret kept in
// <dataDir>/name; flag is the flag that gives it instead (named in the
// error when there is no data directory) and hint what to do about a
// short file.
func LoadOrCreateSecretFile(dataDir, name, flag, hint string) ([]byte, error) {
	if dataDir == "" {
		return nil, fmt.Errorf("%s: no data directory (set --data-dir or %s)", name, flag)
	}
	path := filepath.Join(dataDir, name)
	if s, err := readSecret(path, hint); !errors.Is(err, fs.ErrNotExist) {
		return s, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("%s: create data dir: %w", name, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("%s: random bytes: %w", name, err)
	}
	text := hex.AppendEncode(nil, raw)
	if err := createOnce(path, append(text, '\n')); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readSecret(path, hint) // another caller created it first
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return text, nil
}

// readSecret reads and checks a secret file.
func readSecret(path, hint string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	s := bytes.TrimSpace(b)
	if len(s) < MinSecretBytes {
		return nil, fmt.Errorf("secret %s: %w: %d bytes, need at least %d (%s)",
			path, ErrWeakSecret, len(s), MinSecretBytes, hint)
	}
	return s, nil
}

// createOnce writes data to path, failing with fs.ErrExist if path exists.
// The content is complete and synced before the name appears.
func createOnce(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Link(tmp, path)
}
