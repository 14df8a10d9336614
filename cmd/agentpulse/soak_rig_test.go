package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// soakRig is the product as production runs it on one machine: a broker,
// a processor on ClickHouse, an ingest server and an API/websocket
// server, each its own OS process.
type soakRig struct {
	t                                *testing.T
	bin, chAddr, db, secret          string
	brokerAddr, procAddr, ingestAddr string
	serveAddr                        string
	broker, proc, ingest, serve      *osProc
}

const soakPartitions = 4

func startSoakRig(t *testing.T, bin, chAddr string) *soakRig {
	r := &soakRig{t: t, bin: bin, chAddr: chAddr, db: fmt.Sprintf("soak_%d", time.Now().UnixNano()),
		secret: "soak-test-secret-0123456789abcdef0123", brokerAddr: freeAddr(t), procAddr: freeAddr(t),
		ingestAddr: freeAddr(t), serveAddr: freeAddr(t)}
	parts := fmt.Sprint(soakPartitions)
	r.broker = startProc(t, bin, "broker", "broker", "--broker-addr", r.brokerAddr, "--data-dir", t.TempDir(),
		"--partitions", parts, "--log-level", "warn")
	waitTCP(t, r.brokerAddr, 20*time.Second)
	adm := newAdmin(t, r.brokerAddr)
	waitFor(t, "topics created by the broker", 20*time.Second, func() bool {
		ends, err := endOffsetsOf(t.Context(), adm)
		return err == nil && len(ends) == soakPartitions
	})
	r.proc = startProc(t, bin, "process", "process", "--learn=false", "--data-dir", t.TempDir(), "--brokers", r.brokerAddr, "--store", "clickhouse",
		"--clickhouse-addr", chAddr, "--clickhouse-database", r.db, "--partitions", parts,
		"--http-addr", r.procAddr, "--log-level", "warn")
	r.ingest = startProc(t, bin, "ingest", "ingest", "--brokers", r.brokerAddr, "--http-addr", r.ingestAddr,
		"--auth-secret", r.secret, "--data-dir", t.TempDir(), "--log-level", "warn")
	r.serve = startProc(t, bin, "serve", "serve", "--brokers", r.brokerAddr, "--http-addr", r.serveAddr,
		"--auth-secret", r.secret, "--data-dir", t.TempDir(), "--clickhouse-addr", chAddr,
		"--clickhouse-database", r.db, "--partitions", parts, "--log-level", "warn")
	for _, a := range []string{r.procAddr, r.ingestAddr, r.serveAddr} {
		waitFor(t, a+"/readyz", 60*time.Second, func() bool { return ready("http://" + a + "/readyz") })
	}
	return r
}

// targets are the processes the soak samples, with their allowances.
func (r *soakRig) targets() []soakTarget {
	return []soakTarget{
		{name: "broker", pid: r.broker.cmd.Process.Pid, perRecordBytes: soakBrokerBytesPerRecord},
		{name: "process", pid: r.proc.cmd.Process.Pid, metrics: "http://" + r.procAddr + "/metrics", perRecordBytes: soakProcessorBytesPerRecord},
		{name: "ingest", pid: r.ingest.cmd.Process.Pid, metrics: "http://" + r.ingestAddr + "/metrics"},
		{name: "serve", pid: r.serve.cmd.Process.Pid, metrics: "http://" + r.serveAddr + "/metrics"},
	}
}

func (r *soakRig) anyExited() bool {
	for _, p := range []*osProc{r.broker, r.proc, r.ingest, r.serve} {
		if p.exited() {
			r.t.Errorf("%s exited: %v", p.name, p.err)
			return true
		}
	}
	return false
}

func (r *soakRig) mint(c auth.Claims) string {
	return mintToken(r.t, r.secret, c, 24*time.Hour)
}

// waitLagZero waits until the store's checkpoints reach the current end
// of the interactions topic and returns how long it took.
func (r *soakRig) waitLagZero(st *clickhouse.Store, adm *kadm.Client, limit time.Duration) time.Duration {
	ends, err := endOffsetsOf(r.t.Context(), adm)
	if err != nil {
		r.t.Fatal(err)
	}
	return waitFor(r.t, "consumer lag 0", limit, func() bool {
		lag, err := behind(r.t.Context(), st, ends)
		return err == nil && lag == 0
	})
}

func teamsOf(roster []simulator.Agent) map[string][]simulator.Agent {
	out := map[string][]simulator.Agent{}
	for _, a := range roster {
		out[a.TeamID] = append(out[a.TeamID], a)
	}
	return out
}

// soakFocus is an agent's most frequent model and inquiry in the history.
type soakFocus struct{ model, inquiry string }

func focusOf(history []schemas.Interaction) (map[string]soakFocus, map[string]int) {
	type key struct{ agent, model, inquiry string }
	n := map[key]int{}
	volume := map[string]int{}
	for _, it := range history {
		n[key{it.AgentID, it.Model, it.Inquiry}]++
		volume[it.AgentID]++
	}
	best := map[string]soakFocus{}
	bestN := map[string]int{}
	for _, k := range slices.SortedFunc(maps.Keys(n), func(a, b key) int {
		return cmpStrings(a.agent+"/"+a.model+"/"+a.inquiry, b.agent+"/"+b.model+"/"+b.inquiry)
	}) {
		if n[k] > bestN[k.agent] {
			best[k.agent], bestN[k.agent] = soakFocus{k.model, k.inquiry}, n[k]
		}
	}
	return best, volume
}

func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// soakPlan is a coaching plan the soak created.
type soakPlan struct{ id, agent string }

// createSoakPlans commits a plan for each of the n busiest agents, on
// their most frequent inquiry, through the API.
func createSoakPlans(t *testing.T, r *soakRig, history []schemas.Interaction, n int) []soakPlan {
	focus, volume := focusOf(history)
	agents := slices.SortedFunc(maps.Keys(volume), func(a, b string) int {
		if volume[a] != volume[b] {
			return volume[b] - volume[a]
		}
		return cmpStrings(a, b)
	})
	var out []soakPlan
	for _, a := range agents[:n] {
		f := focus[a]
		body := fmt.Sprintf(`{"model":%q,"inquiry":%q,"metric":"aht","improvement_pct":10,"target_date":%q,"actions":["shorter wrap-up"],"assistance":["side-by-side coaching"]}`,
			f.model, f.inquiry, time.Now().AddDate(0, 1, 0).Format(views.DateLayout))
		code, answer := call(t, http.MethodPost, "http://"+r.serveAddr+"/v1/agents/"+a+"/plans",
			r.mint(auth.Claims{Tenant: "acme", Subject: a, Role: auth.RoleAgent}), []byte(body))
		var p views.Plan
		if code != http.StatusCreated || json.Unmarshal(answer, &p) != nil {
			t.Fatalf("POST plan for %s: %d %s", a, code, answer)
		}
		out = append(out, soakPlan{id: p.ID, agent: a})
	}
	return out
}

// Websocket clients per channel: plans (their agent's dashboards),
// wallboards (screens, admin tokens), teams (supervisors of the team); the
// rest of the 1,000 are agents on their own channel. Team and wallboard
// snapshots are the costly ones (a read of every agent's team and
// figures), hence fewer of them.
const (
	soakPlanClients      = 10
	soakWallboardClients = 10
	soakTeamClients      = 5
	// soakDialers is how many clients connect at once: a snapshot waits
	// on a few ClickHouse reads, so more in parallel than cores helps; a
	// snapshot past the hub's timeout is answered "unavailable" and
	// retried.
	soakDialers = 24
)

// connectSoakClients opens n websocket clients, one subscription each,
// each with its own token (see soakPlanClients), soakDialers at a time.
func connectSoakClients(t *testing.T, r *soakRig, roster []simulator.Agent, plans []soakPlan, n int, l *soakLoad) []*soakClient {
	type sub struct{ channel, token string }
	var subs []sub
	for _, p := range plans {
		for range soakPlanClients {
			subs = append(subs, sub{"plan:" + p.id, r.mint(auth.Claims{Tenant: "acme", Subject: p.agent, Role: auth.RoleAgent})})
		}
	}
	for _, m := range simulator.Models() {
		for i := range soakWallboardClients {
			subs = append(subs, sub{"wallboard:" + m, r.mint(auth.Claims{Tenant: "acme", Subject: fmt.Sprintf("soak-wall-%s-%d", m, i), Role: auth.RoleAdmin})})
		}
	}
	teams := slices.Sorted(maps.Keys(teamsOf(roster)))
	for _, team := range teams {
		for i := range soakTeamClients {
			subs = append(subs, sub{"team:" + team, r.mint(auth.Claims{Tenant: "acme", Subject: fmt.Sprintf("soak-sup-%s-%d", team, i), Role: auth.RoleSupervisor, Teams: []string{team}})})
		}
	}
	for i := 0; len(subs) < n; i++ {
		a := roster[i%len(roster)].AgentID
		subs = append(subs, sub{"agent:" + a, r.mint(auth.Claims{Tenant: "acme", Subject: a, Role: auth.RoleAgent})})
	}
	subs = subs[:n]
	began := time.Now()
	out := make([]*soakClient, len(subs))
	errs := make([]error, len(subs))
	work := make(chan int)
	var wg sync.WaitGroup
	for range soakDialers {
		wg.Go(func() {
			for i := range work {
				out[i], errs[i] = dialSoakClient(r.serveAddr, subs[i].token, subs[i].channel, l)
			}
		})
	}
	for i := range subs {
		work <- i
	}
	close(work)
	wg.Wait()
	var ok []*soakClient
	for i, c := range out {
		if errs[i] != nil {
			t.Errorf("websocket client %d: %v", i, errs[i])
			continue
		}
		ok = append(ok, c)
	}
	if len(ok) < len(subs) {
		for _, c := range ok {
			c.close()
		}
		t.FailNow()
	}
	t.Logf("websockets: %d clients connected and got their snapshot in %s (%d subscriptions answered \"unavailable\" and retried; %d plan, %d wallboard, %d team, %d agent channels)",
		len(ok), time.Since(began).Round(time.Millisecond), l.wsSubscribeRetries.Load(), soakPlanClients*len(plans), soakWallboardClients*len(simulator.Models()), soakTeamClients*len(teams),
		len(subs)-soakPlanClients*len(plans)-soakWallboardClients*len(simulator.Models())-soakTeamClients*len(teams))
	return ok
}

// soakRequests is what the API readers call: per agent its models,
// performance (3m, 1w, 24h), its main inquiry's detail and poorest
// interactions, and its plans; per team its agents; each wallboard; the
// tenant's models, the plans and the assistance catalogue. Each with a
// token that may read it (admins spread over four tokens: the API limits
// requests per token).
func soakRequests(r *soakRig, roster []simulator.Agent, history []schemas.Interaction, plans []soakPlan) []soakRequest {
	focus, _ := focusOf(history)
	var out []soakRequest
	admin := func(i int) string {
		return r.mint(auth.Claims{Tenant: "acme", Subject: fmt.Sprintf("soak-reader-%d", i%4), Role: auth.RoleAdmin})
	}
	for _, a := range roster {
		f, ok := focus[a.AgentID]
		if !ok {
			continue
		}
		tok := r.mint(auth.Claims{Tenant: "acme", Subject: a.AgentID, Role: auth.RoleAgent})
		p := "/v1/agents/" + url.PathEscape(a.AgentID)
		q := "?model=" + url.QueryEscape(f.model)
		inq := p + "/inquiries/" + url.PathEscape(f.inquiry)
		for _, rq := range [][2]string{{p + "/models", "models"}, {p + "/performance" + q + "&range=3m", "performance 3m"},
			{p + "/performance" + q + "&range=1w", "performance 1w"}, {p + "/performance" + q + "&range=24h", "performance 24h"},
			{inq + q, "inquiry"}, {inq + "/interactions" + q + "&metric=aht&worst=true&limit=10", "worst interactions"}, {p + "/plans", "agent plans"}} {
			out = append(out, soakRequest{rq[0], tok, rq[1]})
		}
	}
	for team, agents := range teamsOf(roster) {
		tok := r.mint(auth.Claims{Tenant: "acme", Subject: "soak-sup-reader-" + team, Role: auth.RoleSupervisor, Teams: []string{team}})
		out = append(out, soakRequest{"/v1/teams/" + url.PathEscape(team) + "/agents?model=" + agents[0].Models[0] + "&range=1w", tok, "team agents"})
	}
	for i, m := range simulator.Models() {
		out = append(out, soakRequest{"/v1/wallboards/" + m, admin(i), "wallboard"})
	}
	for i, p := range plans {
		out = append(out, soakRequest{"/v1/plans/" + p.id, admin(i), "plan"})
	}
	out = append(out, soakRequest{"/v1/models", admin(1), "tenant models"}, soakRequest{"/v1/assistance-catalog", admin(2), "catalogue"})
	return out
}

// checkSoakCounts checks that every interaction sent is counted exactly
// once: the interactions topic holds at least every record accepted;
// every agent's volume per model equals views/reference over what was
// sent; four agents' performance answers equal the reference's.
func checkSoakCounts(t *testing.T, r *soakRig, adm *kadm.Client, all []schemas.Interaction, roster []simulator.Agent) {
	t.Helper()
	ends, err := endOffsetsOf(t.Context(), adm)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, e := range ends {
		total += e
	}
	if total < int64(len(all)) {
		t.Errorf("the interactions topic holds %d records, fewer than the %d accepted", total, len(all))
	}
	// reference.New: the process runs with --learn=false; learned cells in
	// the stores are compared with NewWithOutcomes in processor/learn and,
	// whole-process, in TestProcessLearnsOverClickHouse.
	ref := reference.New(all, views.DefaultParams())
	compared, volume := 0, int64(0)
	for _, a := range roster {
		tok := r.mint(auth.Claims{Tenant: "acme", Subject: a.AgentID, Role: auth.RoleAgent})
		code, body := call(t, http.MethodGet, "http://"+r.serveAddr+"/v1/agents/"+a.AgentID+"/models", tok, nil)
		var got struct{ Models []views.ModelSummary }
		if code != http.StatusOK || json.Unmarshal(body, &got) != nil {
			t.Errorf("models of %s: %d %s", a.AgentID, code, body)
			continue
		}
		want := map[string]int64{}
		for _, m := range ref.Models("acme", a.AgentID) {
			if m.Volume > 0 {
				want[m.Model] = m.Volume
			}
		}
		have := map[string]int64{}
		for _, m := range got.Models {
			if m.Volume > 0 {
				have[m.Model] = m.Volume
			}
		}
		if !maps.Equal(have, want) {
			t.Errorf("agent %s: volumes by model %v, the reference %v", a.AgentID, have, want)
		}
		for _, v := range want {
			volume += v
		}
		compared++
	}
	t.Logf("exactly once: %d records accepted (%d interactions after deduplication and revisions; the topic holds %d records); every agent's volume by model (%d agents, %d interactions in all) equals the reference",
		len(all), ref.Len(), total, compared, volume)
	checkPerformance(t, ref, r.mint(auth.Claims{Tenant: "acme", Subject: "soak-check", Role: auth.RoleAdmin}), busiestAgent(ref), r.serveAddr)
}
