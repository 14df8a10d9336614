package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/internal/testpki"
	"github.com/agentpulse/agentpulse/kafkasec"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/schemas"
)

// buildAgentpulse builds this command into dir and returns the binary's
// path.
func buildAgentpulse(dir string) (string, error) {
	bin := filepath.Join(dir, "agentpulse")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out.String())
	}
	return bin, nil
}

// osProc is one agentpulse part running as its own OS process, its stdout
// and stderr captured to a file.
type osProc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error // valid after done
}

// startProc starts `bin args…` as name. On cleanup the process gets
// SIGTERM (SIGKILL after 10 s) and, when the test failed, its output is
// printed.
func startProc(t testing.TB, bin, name string, args ...string) *osProc {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	// Beside the binary, so a process's default --data-dir (./data: the
	// generated erasure secret) is shared by the test's processes and
	// never lands in the source tree.
	cmd.Dir = filepath.Dir(bin)
	// Flags only: no AGENTPULSE_* fallback from the environment.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AGENTPULSE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &osProc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop(syscall.SIGTERM, 10*time.Second)
		if t.Failed() {
			out, _ := os.ReadFile(p.log)
			t.Logf("---- output of %s (pid %d, %v) ----\n%s", p.name, cmd.Process.Pid, p.err, tailBytes(out, 6000))
		}
	})
	return p
}

// stop sends sig and waits up to grace before SIGKILL.
func (p *osProc) stop(sig syscall.Signal, grace time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// exited reports whether the process has ended.
func (p *osProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *osProc) output() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

var partitionLoaded = regexp.MustCompile(`msg="partition loaded" (?:[a-z_]+=\S+ )*?partition=(\d+)`)

// loadedPartitions returns the partitions the processor has loaded (taken
// ownership of), in the order of its log, duplicates included.
func (p *osProc) loadedPartitions() []int32 {
	var out []int32
	for _, m := range partitionLoaded.FindAllStringSubmatch(p.output(), -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, int32(n))
	}
	return out
}

func tailBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// waitFor polls cond every 50 ms until it holds, failing after limit.
func waitFor(t testing.TB, what string, limit time.Duration, cond func() bool) time.Duration {
	t.Helper()
	began := time.Now()
	for !cond() {
		if time.Since(began) > limit {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(began)
}

// waitTCP waits until addr accepts connections.
func waitTCP(t testing.TB, addr string, limit time.Duration) {
	t.Helper()
	waitFor(t, "broker listening on "+addr, limit, func() bool {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// ready reports whether url answers 200.
func ready(url string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// partitionsOf reads the interactions topic up to its end offsets and
// returns the partition each interaction id landed in (where ingest's
// producer put it).
func partitionsOf(ctx context.Context, brokers string, adm *kadm.Client, opts ...kgo.Opt) (map[string]int32, error) {
	ends, err := endOffsetsOf(ctx, adm)
	if err != nil {
		return nil, err
	}
	offsets := map[int32]kgo.Offset{}
	for p := range ends {
		offsets[p] = kgo.NewOffset().AtStart()
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"interactions": offsets})}, opts...)...)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	out := map[string]int32{}
	next := map[int32]int64{}
	done := func() bool {
		for p, end := range ends {
			if next[p] < end {
				return false
			}
		}
		return true
	}
	for !done() {
		fetches := cl.PollFetches(ctx)
		if err := fetches.Err0(); err != nil {
			return nil, err
		}
		fetches.EachRecord(func(r *kgo.Record) {
			it, err := schemas.DecodeInteraction(r.Value)
			if err == nil {
				out[it.InteractionID] = r.Partition
			}
			next[r.Partition] = r.Offset + 1
		})
	}
	return out, nil
}

// groupMembers returns the processors' consumer group: its state and each
// member's assigned interactions partitions.
func groupMembers(ctx context.Context, adm *kadm.Client, group string) (string, [][]int32, error) {
	described, err := adm.DescribeGroups(ctx, group)
	if err != nil {
		return "", nil, err
	}
	g, ok := described[group]
	if !ok || g.Err != nil {
		return "", nil, fmt.Errorf("describe group %s: %v", group, g.Err)
	}
	var out [][]int32
	for _, m := range g.Members {
		var parts []int32
		if ca, ok := m.Assigned.AsConsumer(); ok {
			for _, tp := range ca.Topics {
				if tp.Topic == "interactions" {
					parts = append(parts, tp.Partitions...)
				}
			}
		}
		out = append(out, parts)
	}
	return g.State, out, nil
}

// endOffsetsOf returns the end offset of every interactions partition.
func endOffsetsOf(ctx context.Context, adm *kadm.Client) (map[int32]int64, error) {
	offs, err := adm.ListEndOffsets(ctx, "interactions")
	if err == nil {
		err = offs.Error()
	}
	if err != nil {
		return nil, err
	}
	out := map[int32]int64{}
	offs.Each(func(o kadm.ListedOffset) { out[o.Partition] = o.Offset })
	return out, nil
}

// behind returns how many records of the interactions topic the store's
// checkpoints have not reached yet (the consumer lag as the store sees it).
func behind(ctx context.Context, st store.Store, ends map[int32]int64) (int64, error) {
	var lag int64
	for p, end := range ends {
		cp, err := st.Checkpoint(ctx, p)
		if err != nil {
			return 0, err
		}
		lag += max(0, end-cp)
	}
	return lag, nil
}

// scoreLog collects, per interaction id, when a score message naming it
// first arrived on a websocket.
type scoreLog struct {
	mu       sync.Mutex
	first    map[string]time.Time
	messages int
	err      error
}

func (s *scoreLog) add(ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages++
	now := time.Now()
	for _, id := range ids {
		if _, ok := s.first[id]; !ok {
			s.first[id] = now
		}
	}
}

func (s *scoreLog) snapshot() (map[string]time.Time, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]time.Time, len(s.first))
	for k, v := range s.first {
		out[k] = v
	}
	return out, s.messages, s.err
}

// buildWithClickHouse builds the binary while a throwaway ClickHouse
// starts (the build is waited for on cleanup too, should ClickHouse skip
// the test, before its directory goes).
func buildWithClickHouse(t *testing.T) (bin, chAddr string) {
	binDir := t.TempDir()
	var buildErr error
	buildDone := make(chan struct{})
	go func() {
		defer close(buildDone)
		bin, buildErr = buildAgentpulse(binDir)
	}()
	t.Cleanup(func() { <-buildDone })
	chAddr = chtest.Start(t)
	<-buildDone
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin, chAddr
}

// topicEnd returns the interactions topic's end offset per partition and
// their sum: every record the broker holds.
func topicEnd(t *testing.T, ctx context.Context, adm *kadm.Client) (map[int32]int64, int64) {
	t.Helper()
	ends, err := endOffsetsOf(ctx, adm)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, e := range ends {
		total += e
	}
	return ends, total
}

// mintToken signs c with secret for ttl, as `agentpulse token` does.
func mintToken(t testing.TB, secret string, c auth.Claims, ttl time.Duration) string {
	t.Helper()
	tok, err := auth.Mint([]byte(secret), c, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// mpSecurity is what the multi-process test adds to each part's command
// line, and to its own clients, for transport security (empty: none).
type mpSecurity struct {
	chAddr     string
	brokerArgs []string // `agentpulse broker`: its certificate and SASL superuser
	kafkaArgs  []string // every part connecting to the broker
	chArgs     []string // every part connecting to ClickHouse
	kopts      []kgo.Opt
	chTLS      *tls.Config
}

// mpSetup builds the binary while ClickHouse starts: plain, or (secure)
// with its TLS port, and the broker's TLS certificate and SCRAM-SHA-512
// user for the secure variant.
func mpSetup(t *testing.T, secure bool) (string, mpSecurity) {
	if !secure {
		bin, chAddr := buildWithClickHouse(t)
		return bin, mpSecurity{chAddr: chAddr}
	}
	binDir := t.TempDir()
	var bin string
	var buildErr error
	buildDone := make(chan struct{})
	go func() {
		defer close(buildDone)
		bin, buildErr = buildAgentpulse(binDir)
	}()
	t.Cleanup(func() { <-buildDone })
	chSecure, _, chCA := secureClickHouse(t)
	<-buildDone
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	ca := testpki.NewCA(t, "multi-process broker CA")
	leaf := ca.Issue(t, "127.0.0.1", "localhost")
	dir := t.TempDir()
	caFile := testpki.Write(t, dir, "ca.pem", ca.CertPEM)
	sasl := []string{"--kafka-tls-ca", caFile, "--kafka-sasl-mechanism", "SCRAM-SHA-512", "--kafka-sasl-user", "mp", "--kafka-sasl-password", "mp-secret"}
	kopts, err := kafkasec.Config{CAFile: caFile, Mechanism: kafkasec.ScramSHA512, User: "mp", Password: "mp-secret"}.Opts()
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pem, _ := os.ReadFile(chCA)
	pool.AppendCertsFromPEM(pem)
	return bin, mpSecurity{
		chAddr: chSecure,
		brokerArgs: append([]string{"--broker-tls-cert", testpki.Write(t, dir, "broker.crt", leaf.CertPEM),
			"--broker-tls-key", testpki.Write(t, dir, "broker.key", leaf.KeyPEM)}, sasl...),
		kafkaArgs: sasl,
		chArgs:    []string{"--clickhouse-tls-ca", chCA},
		kopts:     kopts,
		chTLS:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}
}
