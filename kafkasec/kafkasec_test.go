package kafkasec_test

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/internal/testpki"
	"github.com/agentpulse/agentpulse/kafkasec"
)

// secureCluster starts kfake with TLS (a certificate of ca) and SASL
// (a SCRAM-SHA-256 superuser and PLAIN and SCRAM-SHA-512 users).
func secureCluster(t *testing.T, ca *testpki.CA) []string {
	t.Helper()
	leaf := ca.Issue(t, "127.0.0.1", "localhost")
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(),
		kfake.TLS(&tls.Config{Certificates: []tls.Certificate{leaf.TLS}, MinVersion: tls.VersionTLS12}),
		kfake.EnableSASL(),
		kfake.Superuser(kafkasec.ScramSHA256, "admin", "s3cret"),
		kfake.Superuser(kafkasec.Plain, "plainuser", "plainpass"),
		kfake.Superuser(kafkasec.ScramSHA512, "user512", "pass512"),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

// TestSASLAndTLSAgainstKfake: each mechanism with the right password and
// the test CA produces and reads back a record; a wrong password, an
// untrusted certificate and plaintext against TLS each fail with an error
// naming the flag to fix.
func TestSASLAndTLSAgainstKfake(t *testing.T) {
	ca := testpki.NewCA(t, "kafka test CA")
	dir := t.TempDir()
	caFile := testpki.Write(t, dir, "ca.pem", ca.CertPEM)
	other := testpki.Write(t, dir, "other.pem", testpki.NewCA(t, "another CA").CertPEM)
	brokers := secureCluster(t, ca)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	good := map[string]kafkasec.Config{
		"scram-sha-256": {CAFile: caFile, Mechanism: "scram-sha-256", User: "admin", Password: "s3cret"},
		"plain":         {CAFile: caFile, Mechanism: kafkasec.Plain, User: "plainuser", Password: "plainpass"},
		"scram-sha-512": {CAFile: caFile, Mechanism: kafkasec.ScramSHA512, User: "user512", Password: "pass512"},
	}
	for name, cfg := range good {
		t.Run(name, func(t *testing.T) {
			opts, err := cfg.Opts()
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.Check(ctx, brokers); err != nil {
				t.Fatal(err)
			}
			topic := "t-" + name
			cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topic),
				kgo.AllowAutoTopicCreation(), kgo.ConsumeTopics(topic)}, opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte("hello")}).FirstErr(); err != nil {
				t.Fatal(err)
			}
			fs := cl.PollFetches(ctx)
			if errs := fs.Errors(); len(errs) > 0 {
				t.Fatal(errs)
			}
			if rs := fs.Records(); len(rs) != 1 || string(rs[0].Value) != "hello" {
				t.Fatalf("read back %v", rs)
			}
		})
	}
	bad := []struct {
		name string
		cfg  kafkasec.Config
		flag string
	}{
		{"wrong password", kafkasec.Config{CAFile: caFile, Mechanism: kafkasec.ScramSHA256, User: "admin", Password: "wrong"}, kafkasec.FlagPassword},
		{"wrong plain password", kafkasec.Config{CAFile: caFile, Mechanism: kafkasec.Plain, User: "plainuser", Password: "wrong"}, kafkasec.FlagPassword},
		{"untrusted certificate", kafkasec.Config{CAFile: other, Mechanism: kafkasec.ScramSHA256, User: "admin", Password: "s3cret"}, kafkasec.FlagCA},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
			defer ccancel()
			err := tc.cfg.Check(cctx, brokers)
			if err == nil || !strings.Contains(err.Error(), tc.flag) {
				t.Fatalf("err = %v, want one naming %s", err, tc.flag)
			}
		})
	}
}

// TestOptsRefusals: settings that cannot work name their flag before any
// connection.
func TestOptsRefusals(t *testing.T) {
	dir := t.TempDir()
	notPEM := testpki.Write(t, dir, "x.pem", []byte("not a certificate"))
	for _, tc := range []struct {
		cfg  kafkasec.Config
		flag string
	}{
		{kafkasec.Config{Mechanism: "GSSAPI", User: "u", Password: "p"}, kafkasec.FlagMech},
		{kafkasec.Config{Mechanism: "PLAIN", User: "u"}, kafkasec.FlagPassword},
		{kafkasec.Config{User: "u", Password: "p"}, kafkasec.FlagMech},
		{kafkasec.Config{CAFile: dir + "/missing.pem"}, kafkasec.FlagCA},
		{kafkasec.Config{CAFile: notPEM}, kafkasec.FlagCA},
		{kafkasec.Config{CertFile: notPEM}, kafkasec.FlagKey},
		{kafkasec.Config{CertFile: notPEM, KeyFile: notPEM}, kafkasec.FlagCert},
	} {
		if _, err := tc.cfg.Opts(); err == nil || !strings.Contains(err.Error(), tc.flag) {
			t.Errorf("%+v: %v, want an error naming %s", tc.cfg, err, tc.flag)
		}
	}
	if opts, err := (kafkasec.Config{}).Opts(); err != nil || len(opts) != 0 {
		t.Fatalf("the zero config: %v %v", opts, err)
	}
}
