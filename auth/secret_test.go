package auth

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestLoadOrCreateSecret(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s1, err := LoadOrCreateSecret(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s1) != 64 {
		t.Fatalf("secret has %d bytes, want 64 hex characters", len(s1))
	}
	st, err := os.Stat(filepath.Join(dir, SecretFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	// The data directory it creates is its owner's alone (issue 15, item
	// 5: it was 0755, and the broker's log lives there too).
	if dst, err := os.Stat(dir); err != nil || dst.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode %v (%v), want 0700", dst.Mode().Perm(), err)
	}
	s2, err := LoadOrCreateSecret(dir)
	if err != nil || !bytes.Equal(s1, s2) {
		t.Fatalf("second call: %q, %v; want the same secret", s2, err)
	}
	// The file's text given as --auth-secret is the same secret.
	text, _ := os.ReadFile(filepath.Join(dir, SecretFile))
	s3, err := ResolveSecret(strings.TrimSpace(string(text)), "")
	if err != nil || !bytes.Equal(s1, s3) {
		t.Fatalf("ResolveSecret(file text) = %q, %v", s3, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only %s", len(entries), SecretFile)
	}
}

func TestLoadOrCreateSecretConcurrentCallersAgree(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	got := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = LoadOrCreateSecret(dir) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !bytes.Equal(got[i], got[0]) {
			t.Fatalf("caller %d: %q, %v; want %q", i, got[i], errs[i], got[0])
		}
	}
}

func TestLoadOrCreateSecretRefusesAShortFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, SecretFile), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateSecret(dir); !errors.Is(err, ErrWeakSecret) {
		t.Fatalf("err = %v, want ErrWeakSecret", err)
	}
	if _, err := LoadOrCreateSecret(""); err == nil {
		t.Fatal("no data dir: want an error")
	}
}

func TestResolveSecret(t *testing.T) {
	if s, err := ResolveSecret(string(testSecret), "/nonexistent"); err != nil || !bytes.Equal(s, testSecret) {
		t.Fatalf("flag value: %q, %v", s, err)
	}
	_, err := ResolveSecret("too-short", "")
	if !errors.Is(err, ErrWeakSecret) || !strings.Contains(err.Error(), "--auth-secret") {
		t.Fatalf("short flag value: %v, want ErrWeakSecret naming --auth-secret", err)
	}
	dir := t.TempDir()
	s, err := ResolveSecret("", dir)
	if err != nil || len(s) != 64 {
		t.Fatalf("empty flag: %q, %v; want a generated secret", s, err)
	}
}
