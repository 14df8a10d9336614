package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var (
	cliOnce sync.Once
	theCLI  *cli
	cliErr  error
)

// cli is what the built agentpulse binary says about itself.
type cli struct {
	commands map[string]bool            // subcommand names from the usage text
	flags    map[string]map[string]bool // command → its flag names
}

// envFlag returns the flag an AGENTPULSE_* variable sets, as the binary
// derives it (AGENTPULSE_DATA_DIR → data-dir), and whether name is one.
func envFlag(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "AGENTPULSE_")
	if !ok {
		return "", false
	}
	return strings.ReplaceAll(strings.ToLower(rest), "_", "-"), true
}

// hasEnv reports whether command reads the AGENTPULSE_* variable name.
func (c *cli) hasEnv(command, name string) bool {
	f, ok := envFlag(name)
	return ok && c.flags[command][f]
}

// loadCLI builds cmd/agentpulse once per test binary and asks it for its
// commands (the usage text) and each command's flags (`agentpulse CMD -h`).
func loadCLI(t *testing.T) *cli {
	t.Helper()
	cliOnce.Do(func() { theCLI, cliErr = buildCLI() })
	if cliErr != nil {
		t.Fatal(cliErr)
	}
	return theCLI
}

func buildCLI() (*cli, error) {
	dir, err := os.MkdirTemp("", "agentpulse-deploy-test")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "agentpulse")
	build := exec.Command("go", "build", "-o", bin, "../cmd/agentpulse")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, &cmdError{"go build ../cmd/agentpulse", out, err}
	}
	usage, err := run(bin)
	if err != nil {
		return nil, err
	}
	c := &cli{commands: map[string]bool{}, flags: map[string]map[string]bool{}}
	_, list, _ := strings.Cut(usage, "Commands:")
	list, _, _ = strings.Cut(list, "\n\n")
	for _, m := range regexp.MustCompile(`(?m)^  ([a-z]+) `).FindAllStringSubmatch(list, -1) {
		c.commands[m[1]] = true
	}
	flagLine := regexp.MustCompile(`(?m)^\s+-([a-z0-9-]+)`)
	for name := range c.commands {
		help, err := run(bin, name, "-h")
		if err != nil {
			return nil, err
		}
		c.flags[name] = map[string]bool{}
		for _, m := range flagLine.FindAllStringSubmatch(help, -1) {
			c.flags[name][m[1]] = true
		}
	}
	return c, nil
}

// run runs the binary with a clean AGENTPULSE_* environment and returns
// its output.
func run(bin string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AGENTPULSE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", &cmdError{"agentpulse " + strings.Join(args, " "), out.Bytes(), err}
	}
	return out.String(), nil
}

type cmdError struct {
	what string
	out  []byte
	err  error
}

func (e *cmdError) Error() string { return e.what + ": " + e.err.Error() + "\n" + string(e.out) }

func TestCLIKnowsItsRoles(t *testing.T) {
	c := loadCLI(t)
	for _, cmd := range []string{"ingest", "process", "serve", "migrate", "all"} {
		if !c.commands[cmd] {
			t.Errorf("the usage text lists no %q command (got %v)", cmd, c.commands)
		}
		if len(c.flags[cmd]) == 0 {
			t.Errorf("agentpulse %s -h lists no flags", cmd)
		}
	}
	// The roles that run behind probes must be able to listen for them.
	for _, cmd := range []string{"ingest", "process", "serve"} {
		if !c.flags[cmd]["http-addr"] {
			t.Errorf("agentpulse %s has no --http-addr: nothing answers /healthz, /readyz and /metrics", cmd)
		}
	}
}
