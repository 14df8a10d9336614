package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/internal/testpki"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
)

// TestMigrateOverClickHouseTLS runs `agentpulse migrate` against
// ClickHouse's secure native port with the test CA, and checks that an
// untrusted certificate and a plaintext client on the secure port fail
// naming the flag to fix.
func TestMigrateOverClickHouseTLS(t *testing.T) {
	secure, plain, caFile := secureClickHouse(t)
	otherCA := testpki.Write(t, t.TempDir(), "other.pem", testpki.NewCA(t, "another CA").CertPEM)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := runMigrate(ctx, []string{"--clickhouse-addr", secure, "--clickhouse-tls-ca", caFile, "--clickhouse-database", "tlsdb", "--log-level", "error"}, io.Discard); err != nil {
		t.Fatalf("migrate over TLS: %v", err)
	}
	for _, tc := range []struct {
		name string
		args []string
		flag string
	}{
		{"untrusted certificate", []string{"--clickhouse-addr", secure, "--clickhouse-tls-ca", otherCA}, "--clickhouse-tls-ca"},
		{"plaintext TLS mismatch", []string{"--clickhouse-addr", plain, "--clickhouse-tls-ca", caFile}, "--clickhouse-tls"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := runMigrate(ctx, append(tc.args, "--clickhouse-database", "tlsdb", "--log-level", "error"), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.flag) {
				t.Fatalf("migrate: %v, want an error naming %s", err, tc.flag)
			}
		})
	}
}

// secureClickHouse starts a throwaway ClickHouse whose secure native port
// serves a certificate of a test CA; it returns that port's address, the
// plaintext port's and the CA file. It skips (or fails when services are
// required) without the binary.
func secureClickHouse(t *testing.T) (secure, plain, caFile string) {
	t.Helper()
	ca := testpki.NewCA(t, "clickhouse test CA")
	dir := t.TempDir()
	leaf := ca.Issue(t, "127.0.0.1", "localhost")
	cert := testpki.Write(t, dir, "server.crt", leaf.CertPEM)
	key := testpki.Write(t, dir, "server.key", leaf.KeyPEM)
	caFile = testpki.Write(t, dir, "ca.pem", ca.CertPEM)
	port, err := chtest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	extra := fmt.Sprintf(`<tcp_port_secure>%d</tcp_port_secure><openSSL><server><certificateFile>%s</certificateFile><privateKeyFile>%s</privateKeyFile><verificationMode>none</verificationMode><loadDefaultCAFile>false</loadDefaultCAFile><disableProtocols>sslv2,sslv3</disableProtocols></server></openSSL>`, port, cert, key)
	srv, err := chtest.StartServerWith(t.TempDir(), chtest.Options{Extra: extra})
	if err != nil {
		if errors.Is(err, chtest.ErrNoBinary) && !chtest.Required() {
			t.Skipf("skipping: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), srv.Addr, caFile
}
