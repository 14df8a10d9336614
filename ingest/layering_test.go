package ingest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestIngestImportsNoServer: ingest (and auth and httpserver, which it
// shares with server) sit below server and never import it (issue 15,
// item 7: ingest used to import server/auth and server/httpserver).
func TestIngestImportsNoServer(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH")
	}
	out, err := exec.Command("go", "list", "-deps", "../ingest/...", "../auth/...", "../httpserver/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/agentpulse/agentpulse/server") {
			t.Errorf("ingest, auth or httpserver depends on %s", p)
		}
	}
}
