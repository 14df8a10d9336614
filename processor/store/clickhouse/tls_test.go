package clickhouse

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/internal/testpki"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
)

// StartTLSServer starts a throwaway ClickHouse whose secure native port
// serves a certificate of ca, and returns that port's address. It skips
// (or fails when required) without a clickhouse binary.
func startTLSServer(t *testing.T, ca *testpki.CA) string {
	t.Helper()
	dir := t.TempDir()
	leaf := ca.Issue(t, "127.0.0.1", "localhost")
	cert := testpki.Write(t, dir, "server.crt", leaf.CertPEM)
	key := testpki.Write(t, dir, "server.key", leaf.KeyPEM)
	port, err := chtest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	extra := fmt.Sprintf(`<tcp_port_secure>%d</tcp_port_secure>
<openSSL><server>
  <certificateFile>%s</certificateFile><privateKeyFile>%s</privateKeyFile>
  <verificationMode>none</verificationMode><loadDefaultCAFile>false</loadDefaultCAFile>
  <cacheSessions>true</cacheSessions><disableProtocols>sslv2,sslv3</disableProtocols><preferServerCiphers>true</preferServerCiphers>
</server></openSSL>`, port, cert, key)
	srv, err := chtest.StartServerWith(dir, chtest.Options{Extra: extra})
	if err != nil {
		if errors.Is(err, chtest.ErrNoBinary) && !chtest.Required() {
			t.Skipf("skipping: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// TestOpenOverTLS: the store opens (migrates, writes a checkpoint, reads it
// back) over ClickHouse's secure native port with the test CA; with
// another CA it fails with the certificate error.
func TestOpenOverTLS(t *testing.T) {
	ca := testpki.NewCA(t, "clickhouse test CA")
	addr := startTLSServer(t, ca)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := Open(ctx, Config{Addr: []string{addr}, Database: "tls_test", TLS: &tls.Config{RootCAs: ca.Pool, MinVersion: tls.VersionTLS12}, MaxRetries: -1})
	if err != nil {
		t.Fatalf("open over TLS: %v", err)
	}
	defer st.Close()
	if _, err := st.Checkpoint(ctx, 0); err != nil {
		t.Fatalf("read over TLS: %v", err)
	}
	other := testpki.NewCA(t, "another CA")
	_, err = Open(ctx, Config{Addr: []string{addr}, Database: "tls_test", TLS: &tls.Config{RootCAs: other.Pool}, MaxRetries: -1, DialTimeout: 2 * time.Second})
	var verify *tls.CertificateVerificationError
	if !errors.As(err, &verify) {
		t.Fatalf("open with an untrusted certificate: %v, want a certificate verification error", err)
	}
}
