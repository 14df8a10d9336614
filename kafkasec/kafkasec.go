package kafkasec

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// The flags these settings come from, named by errors.
const (
	FlagTLS      = "--kafka-tls"
	FlagCA       = "--kafka-tls-ca"
	FlagCert     = "--kafka-tls-cert"
	FlagKey      = "--kafka-tls-key"
	FlagMech     = "--kafka-sasl-mechanism"
	FlagUser     = "--kafka-sasl-user"
	FlagPassword = "--kafka-sasl-password"
)

// SASL mechanisms.
const (
	Plain       = "PLAIN"
	ScramSHA256 = "SCRAM-SHA-256"
	ScramSHA512 = "SCRAM-SHA-512"
)

// Config is how to secure Kafka connections. The zero value is plaintext
// without authentication.
type Config struct {
	// TLS turns TLS on (also implied by CAFile or CertFile). Without
	// CAFile the system's roots are trusted.
	TLS bool
	// CAFile is a PEM file of the CAs to trust.
	CAFile string
	// CertFile and KeyFile are a PEM client certificate and its key, for
	// brokers that authenticate clients by certificate. Both or neither.
	CertFile, KeyFile string
	// Mechanism is "" (no SASL), PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
	// (case-insensitive); User and Password are its credentials.
	Mechanism      string
	User, Password string
}

// Opts returns the kgo options of c (none for the zero Config), or an
// error naming the flag that is wrong.
func (c Config) Opts() ([]kgo.Opt, error) {
	var opts []kgo.Opt
	tc, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	if tc != nil {
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	m, err := c.mechanism()
	if err != nil {
		return nil, err
	}
	if m != nil {
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

func (c Config) tlsConfig() (*tls.Config, error) {
	if !c.TLS && c.CAFile == "" && c.CertFile == "" && c.KeyFile == "" {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", FlagCA, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: %s holds no PEM certificate", FlagCA, c.CAFile)
		}
		tc.RootCAs = pool
	}
	switch {
	case c.CertFile != "" && c.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%s, %s: %w", FlagCert, FlagKey, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	case c.CertFile != "":
		return nil, fmt.Errorf("%s needs %s", FlagCert, FlagKey)
	case c.KeyFile != "":
		return nil, fmt.Errorf("%s needs %s", FlagKey, FlagCert)
	}
	return tc, nil
}

func (c Config) mechanism() (sasl.Mechanism, error) {
	mech := strings.ToUpper(strings.TrimSpace(c.Mechanism))
	if mech == "" {
		if c.User != "" || c.Password != "" {
			return nil, fmt.Errorf("%s and %s need %s (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", FlagUser, FlagPassword, FlagMech)
		}
		return nil, nil
	}
	if c.User == "" || c.Password == "" {
		return nil, fmt.Errorf("%s %s needs %s and %s", FlagMech, mech, FlagUser, FlagPassword)
	}
	switch mech {
	case Plain:
		return plain.Auth{User: c.User, Pass: c.Password}.AsMechanism(), nil
	case ScramSHA256:
		return scram.Auth{User: c.User, Pass: c.Password}.AsSha256Mechanism(), nil
	case ScramSHA512:
		return scram.Auth{User: c.User, Pass: c.Password}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("%s: unknown mechanism %q, want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", FlagMech, c.Mechanism)
}

// Explain wraps err, a failure to talk to the brokers with c, with the
// setting most likely wrong: the SASL credentials for an authentication
// failure (or, with SASL configured, a connection the broker closed, which
// is how some brokers refuse credentials), the CA for an untrusted
// certificate, TLS for a TLS/plaintext mismatch. Other errors are returned
// as they are.
func (c Config) Explain(err error) error {
	if err == nil {
		return nil
	}
	sasl := strings.TrimSpace(c.Mechanism) != ""
	var (
		unknownCA *x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostname  x509.HostnameError
		verify    *tls.CertificateVerificationError
		header    tls.RecordHeaderError
		opErr     *net.OpError
	)
	switch {
	case errors.Is(err, kerr.SaslAuthenticationFailed):
		return fmt.Errorf("kafka refused the SASL credentials (check %s and %s): %w", FlagUser, FlagPassword, err)
	case errors.Is(err, kerr.UnsupportedSaslMechanism), errors.Is(err, kerr.IllegalSaslState):
		return fmt.Errorf("kafka does not accept this SASL mechanism (check %s): %w", FlagMech, err)
	case errors.As(err, &unknownCA), errors.As(err, &invalid), errors.As(err, &verify):
		return fmt.Errorf("the broker's TLS certificate is not trusted (check %s): %w", FlagCA, err)
	case errors.As(err, &hostname):
		return fmt.Errorf("the broker's TLS certificate does not name the broker's address (check --brokers and %s): %w", FlagCA, err)
	case errors.As(err, &header):
		return fmt.Errorf("the broker does not speak TLS (check %s and --brokers): %w", FlagTLS, err)
	case errors.As(err, &opErr) && strings.Contains(err.Error(), "tls:"):
		return fmt.Errorf("the TLS handshake with the broker failed (check %s, %s, %s): %w", FlagTLS, FlagCert, FlagKey, err)
	case sasl && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)):
		return fmt.Errorf("the broker closed the connection while authenticating (check %s, %s and %s): %w", FlagUser, FlagPassword, FlagMech, err)
	case errors.Is(err, io.EOF) && !c.TLS && c.CAFile == "":
		return fmt.Errorf("the broker closed the connection (if it expects TLS, set %s): %w", FlagTLS, err)
	}
	return err
}

// Check asks the brokers for their metadata over c's connections and
// returns Explain of the failure.
func (c Config) Check(ctx context.Context, brokers []string) error {
	opts, err := c.Opts()
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, opts...)...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	if _, err := kadm.NewClient(cl).BrokerMetadata(ctx); err != nil {
		return c.Explain(err)
	}
	return nil
}
