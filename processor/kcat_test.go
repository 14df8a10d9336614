package processor

import (
	"bytes"
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
)

// TestKcatProducesIntoEmbeddedBroker has Debian's kcat, an outside
// librdkafka client, produce canonical interactions (keyed tenant/agent)
// into the embedded broker (keyed tenant/interaction as ingest keys them);
// the processor folds them into the store.
func TestKcatProducesIntoEmbeddedBroker(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		if chtest.Required() {
			t.Fatal("kcat is required (CI=true or AGENTPULSE_REQUIRE_SERVICES=1): apt-get install kcat")
		}
		t.Skip("skipping: kcat not installed (Debian: apt-get install kcat)")
	}
	its := simulated(t, 3, 2)
	addr := startBroker(t)
	var in bytes.Buffer
	for i := range its {
		in.Write(ingest.Key(&its[i]))
		in.WriteByte('\t')
		in.Write(its[i].AppendJSON(nil))
		in.WriteByte('\n')
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, kcat, "-P", "-b", addr, "-t", "interactions", "-K", "\t", "-X", "acks=all")
	cmd.Stdin = &in
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kcat: %v\n%s", err, out)
	}
	st := embedded.New()
	stop := runProcessor(t, addr, st, "kcat")
	defer stop()
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	checkAgainstReference(t, st, its)
}
