package clickhouse

import (
	"errors"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas/ddl"
)

func TestConfigDefaults(t *testing.T) {
	c, err := Config{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Addr) != 1 || c.Addr[0] != DefaultAddr || c.Database != DefaultDatabase || c.Username != DefaultUsername ||
		c.DialTimeout != DefaultDialTimeout || c.ReadTimeout != DefaultReadTimeout || c.MaxOpenConns != DefaultMaxOpenConns ||
		c.MaxRetries != DefaultMaxRetries || c.RetryBackoff != DefaultRetryBackoff || c.MaxRetryBackoff != DefaultMaxRetryBackoff ||
		c.Logger == nil || c.Compress {
		t.Errorf("defaults = %+v", c)
	}
	c, _ = Config{MaxRetries: -1, RetryBackoff: time.Second, MaxRetryBackoff: time.Millisecond}.withDefaults()
	if c.MaxRetries != 0 || c.MaxRetryBackoff != time.Second {
		t.Errorf("MaxRetries -1 → %d, MaxRetryBackoff below RetryBackoff → %v", c.MaxRetries, c.MaxRetryBackoff)
	}
	if _, err := (Config{Database: "a-b"}).withDefaults(); !errors.Is(err, ddl.ErrBadDatabaseName) {
		t.Errorf("bad database name: %v", err)
	}
}
