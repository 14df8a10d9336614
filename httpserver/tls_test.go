package httpserver

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/internal/testpki"
)

// TestHTTPSReloadsItsCertificate serves HTTPS from a cert/key pair, checks
// a client trusting the test CA is served, replaces the pair on disk and
// checks that new connections get the new certificate without a restart;
// a client that does not trust the CA is refused; a missing pair fails Run
// naming the flags.
func TestHTTPSReloadsItsCertificate(t *testing.T) {
	ca := testpki.NewCA(t, "https test CA")
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	write := func(l testpki.Leaf) {
		// Write then rename, as cert-manager and certbot do.
		for _, f := range []struct {
			path string
			b    []byte
		}{{certFile, l.CertPEM}, {keyFile, l.KeyPEM}} {
			if err := os.WriteFile(f.path+".tmp", f.b, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(f.path+".tmp", f.path); err != nil {
				t.Fatal(err)
			}
		}
	}
	first := ca.Issue(t, "127.0.0.1")
	write(first)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{TLSCertFile: certFile, TLSKeyFile: keyFile, TLSRecheck: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()
	url := "https://" + ln.Addr().String() + "/healthz"
	serial := func() string {
		t.Helper()
		cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool}, DisableKeepAlives: true}}
		resp, err := cl.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("healthz over HTTPS: %d", resp.StatusCode)
		}
		return resp.TLS.PeerCertificates[0].SerialNumber.String()
	}
	if got, want := serial(), first.TLS.Leaf.SerialNumber.String(); got != want {
		t.Fatalf("served serial %s, want %s", got, want)
	}
	second := ca.Issue(t, "127.0.0.1")
	write(second)
	want := second.TLS.Leaf.SerialNumber.String()
	deadline := time.Now().Add(5 * time.Second)
	for serial() != want {
		if time.Now().After(deadline) {
			t.Fatal("the renewed certificate was not served within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A broken pair on disk keeps the last good certificate.
	if err := os.WriteFile(keyFile, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	if got := serial(); got != want {
		t.Fatalf("after a broken key: serial %s, want the last good %s", got, want)
	}
	untrusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: testpki.NewCA(t, "other").Pool}}}
	if _, err := untrusting.Get(url); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("a client not trusting the CA: %v", err)
	}

	ln2, _ := net.Listen("tcp", "127.0.0.1:0")
	err = New(Config{TLSCertFile: filepath.Join(dir, "missing.crt"), TLSKeyFile: keyFile}).Serve(context.Background(), ln2)
	if err == nil || !strings.Contains(err.Error(), "--tls-cert") {
		t.Fatalf("a missing certificate: %v, want an error naming --tls-cert", err)
	}
}
