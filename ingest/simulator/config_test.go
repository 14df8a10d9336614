package simulator

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		flags  []string // every flag the error must name; nil: valid
	}{
		{"defaults", func(*Config) {}, nil},
		{"one agent one day", func(c *Config) { c.Agents, c.Days = 1, 1 }, nil},
		{"all faults", func(c *Config) { c.DuplicateRate, c.RevisionRate, c.LateRate = 1, 1, 1 }, nil},
		{"no agents", func(c *Config) { c.Agents = 0 }, []string{"--agents"}},
		{"too many agents", func(c *Config) { c.Agents = MaxAgents + 1 }, []string{"--agents"}},
		{"no days", func(c *Config) { c.Days = 0 }, []string{"--days"}},
		{"too many days", func(c *Config) { c.Days = MaxDays + 1 }, []string{"--days"}},
		{"no tenants", func(c *Config) { c.Tenants = 0 }, []string{"--tenants"}},
		{"too many tenants", func(c *Config) { c.Tenants = MaxTenants + 1 }, []string{"--tenants"}},
		{"too many agents in all", func(c *Config) { c.Agents, c.Tenants = 2000, 501 }, []string{"--tenants"}},
		{"many agents in all", func(c *Config) { c.Agents, c.Tenants = 2000, 500 }, nil},
		{"team size zero", func(c *Config) { c.TeamSize = 0 }, []string{"--team-size"}},
		{"negative duplicate rate", func(c *Config) { c.DuplicateRate = -0.1 }, []string{"--duplicate-rate"}},
		{"revision rate above one", func(c *Config) { c.RevisionRate = 1.01 }, []string{"--revision-rate"}},
		{"late rate NaN", func(c *Config) { c.LateRate = math.NaN() }, []string{"--late-rate"}},
		{"no end", func(c *Config) { c.End = time.Time{} }, []string{"--end"}},
		{"end past 2099", func(c *Config) { c.End = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC) }, []string{"--end"}},
		{"start before 2000", func(c *Config) { c.End, c.Days = time.Date(2000, 3, 1, 0, 0, 0, 0, time.UTC), 90 }, []string{"--end"}},
		{"several at once", func(c *Config) { c.Agents, c.Days, c.LateRate = 0, 0, 2 }, []string{"--agents", "--days", "--late-rate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig(testEnd)
			tt.modify(&cfg)
			err := cfg.Validate()
			if tt.flags == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("Validate() = %v, want ErrInvalidConfig", err)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate() = %v, want a *FieldError", err)
			}
			for _, f := range tt.flags {
				if !strings.Contains(err.Error(), f+":") {
					t.Errorf("Validate() = %q, want it to name %s", err, f)
				}
			}
			if _, err := New(cfg, 0); !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("New accepted the config: %v", err)
			}
		})
	}
}

func TestTeamSize(t *testing.T) {
	tests := []struct {
		n, k int
		want []int
	}{
		{10, 3, []int{4, 3, 3}},
		{9, 3, []int{3, 3, 3}},
		{1, 1, []int{1}},
		{5, 5, []int{1, 1, 1, 1, 1}},
	}
	for _, tt := range tests {
		sum := 0
		for i, w := range tt.want {
			if got := teamSize(tt.n, tt.k, i); got != w {
				t.Errorf("teamSize(%d, %d, %d) = %d, want %d", tt.n, tt.k, i, got, w)
			}
			sum += w
		}
		if sum != tt.n {
			t.Fatalf("bad case %v", tt)
		}
	}
}
