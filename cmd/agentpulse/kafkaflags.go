package main

import (
	"context"
	"flag"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/kafkasec"
)

// kafkaFlags secure the connections to external Kafka brokers: TLS and
// SASL (kafkasec). They apply to every Kafka client of the command.
type kafkaFlags struct {
	tls                  bool
	ca, cert, key        string
	mech, user, password string
}

func (f *kafkaFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.tls, "kafka-tls", false, "connect to the Kafka brokers over TLS (implied by --kafka-tls-ca or --kafka-tls-cert)")
	fs.StringVar(&f.ca, "kafka-tls-ca", "", "PEM file of the CAs to trust for the Kafka brokers' certificates; empty: the system's")
	fs.StringVar(&f.cert, "kafka-tls-cert", "", "PEM client certificate for brokers that authenticate clients by certificate (with --kafka-tls-key)")
	fs.StringVar(&f.key, "kafka-tls-key", "", "PEM key of --kafka-tls-cert")
	fs.StringVar(&f.mech, "kafka-sasl-mechanism", "", "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; empty: no SASL")
	fs.StringVar(&f.user, "kafka-sasl-user", "", "SASL user name")
	fs.StringVar(&f.password, "kafka-sasl-password", "", "SASL password (prefer AGENTPULSE_KAFKA_SASL_PASSWORD to the command line)")
}

// config returns the settings as a kafkasec.Config.
func (f *kafkaFlags) config() kafkasec.Config {
	return kafkasec.Config{TLS: f.tls, CAFile: f.ca, CertFile: f.cert, KeyFile: f.key, Mechanism: f.mech, User: f.user, Password: f.password}
}

// set reports whether any flag is set.
func (f *kafkaFlags) set() bool { return f.config() != kafkasec.Config{} }

// opts returns the client options; a setting that cannot work is a usage
// error naming its flag.
func (f *kafkaFlags) opts() ([]kgo.Opt, error) {
	opts, err := f.config().Opts()
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return opts, nil
}

// check, when TLS or SASL is configured, asks the brokers for their
// metadata (within 15 s) and returns the failure naming the flag to fix:
// creating topics retries a refused login until its context ends, asking
// for metadata fails at once.
func (f *kafkaFlags) check(ctx context.Context, seeds []string) error {
	if !f.set() {
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return f.config().Check(cctx, seeds)
}

// explain names the flag behind a failure to reach the brokers.
func (f *kafkaFlags) explain(err error) error { return f.config().Explain(err) }
