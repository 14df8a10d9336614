package topiclog_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"

	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/internal/topiclog"
)

// seen collects what Apply receives.
type seen struct {
	mu     sync.Mutex
	replay []string
	tail   []string
	refuse string // a value Apply refuses
}

func (s *seen) apply(r *kgo.Record, replay bool) error {
	if s.refuse != "" && string(r.Value) == s.refuse {
		return errors.New("refused")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if replay {
		s.replay = append(s.replay, string(r.Value))
	} else {
		s.tail = append(s.tail, string(r.Value))
	}
	return nil
}

func (s *seen) get() (replay, tail []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.replay...), append([]string(nil), s.tail...)
}

func cluster(t *testing.T, opts ...kfake.Opt) []string {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

func open(t *testing.T, brokers []string, s *seen, mod ...func(*topiclog.Config)) *topiclog.Log {
	t.Helper()
	cfg := topiclog.Config{Brokers: brokers, Topic: "state", Apply: s.apply}
	for _, m := range mod {
		m(&cfg)
	}
	l, err := topiclog.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

func run(t *testing.T, l *topiclog.Log) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func appendAll(t *testing.T, l *topiclog.Log, values ...string) {
	t.Helper()
	for _, v := range values {
		if err := l.Append(t.Context(), "k", []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReplayThenTail: a second process replays what the first appended
// (replay true, in order), then sees the first's later appends from the
// tail (replay false); the writer's own Apply is not called by Append.
func TestReplayThenTail(t *testing.T) {
	brokers := cluster(t)
	var sa, sb seen
	a := open(t, brokers, &sa)
	if err := a.Ready(t.Context()); err != nil {
		t.Fatalf("after Open: %v", err)
	}
	appendAll(t, a, "1", "2", "3")
	b := open(t, brokers, &sb)
	if r, tl := sb.get(); strings.Join(r, ",") != "1,2,3" || len(tl) != 0 {
		t.Fatalf("replayed %v, tailed %v; want 1,2,3 and nothing", r, tl)
	}
	run(t, b)
	appendAll(t, a, "4", "5")
	waitFor(t, "the tail", func() bool { _, tl := sb.get(); return len(tl) == 2 })
	if _, tl := sb.get(); strings.Join(tl, ",") != "4,5" {
		t.Fatalf("tailed %v, want 4,5", tl)
	}
	if r, tl := sa.get(); len(r)+len(tl) != 0 {
		t.Fatalf("the writer's Apply saw %v %v without Run", r, tl)
	}
}

// TestConcurrentAppends: appends from many goroutines all reach a
// replay, each once.
func TestConcurrentAppends(t *testing.T) {
	brokers := cluster(t)
	a := open(t, brokers, &seen{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				if err := a.Append(t.Context(), strconv.Itoa(g), []byte(fmt.Sprintf("%d-%d", g, i))); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	var s seen
	open(t, brokers, &s)
	r, _ := s.get()
	set := map[string]bool{}
	for _, v := range r {
		set[v] = true
	}
	if len(r) != 200 || len(set) != 200 {
		t.Fatalf("replayed %d records, %d distinct; want 200", len(r), len(set))
	}
}

// TestBadRecords: a record Apply refuses fails the replay, naming its
// offset, unless SkipBad; the tail logs and skips it.
func TestBadRecords(t *testing.T) {
	brokers := cluster(t)
	w := open(t, brokers, &seen{})
	appendAll(t, w, "ok", "bad", "ok2")
	_, err := topiclog.Open(t.Context(), topiclog.Config{Brokers: brokers, Topic: "state", Apply: (&seen{refuse: "bad"}).apply})
	if err == nil || !strings.Contains(err.Error(), "offset 1") {
		t.Fatalf("strict replay: %v, want an error naming offset 1", err)
	}
	s := &seen{refuse: "bad"}
	l := open(t, brokers, s, func(c *topiclog.Config) { c.SkipBad = true })
	if r, _ := s.get(); strings.Join(r, ",") != "ok,ok2" {
		t.Fatalf("lenient replay kept %v", r)
	}
	run(t, l)
	appendAll(t, w, "bad", "ok3")
	waitFor(t, "the tail past a bad record", func() bool { _, tl := s.get(); return len(tl) == 1 })
}

// TestDeletedRecords: a topic whose records were all deleted (retention,
// DeleteRecords) replays as empty instead of waiting for them; one with
// some left replays those.
func TestDeletedRecords(t *testing.T) {
	brokers := cluster(t)
	w := open(t, brokers, &seen{})
	appendAll(t, w, "1", "2", "3")
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	del := func(before int64) {
		os := kadm.Offsets{}
		os.AddOffset("state", 0, before, -1)
		res, err := kadm.NewClient(cl).DeleteRecords(t.Context(), os)
		if err == nil {
			err = res.Error()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	del(1)
	var s seen
	open(t, brokers, &s)
	if r, _ := s.get(); strings.Join(r, ",") != "2,3" {
		t.Fatalf("replayed %v, want 2,3", r)
	}
	del(3)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	var s2 seen
	l, err := topiclog.Open(ctx, topiclog.Config{Brokers: brokers, Topic: "state", Apply: s2.apply})
	if err != nil {
		t.Fatalf("replay of a topic with every record deleted: %v", err)
	}
	l.Close()
}

// TestRunWaitsForTheBroker: Run retries while no broker answers; Ready
// fails until the replay is done, then the tail works.
func TestRunWaitsForTheBroker(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var s seen
	l, err := topiclog.New(topiclog.Config{Brokers: []string{"127.0.0.1:" + strconv.Itoa(port)}, Topic: "state", Apply: s.apply,
		RetryEvery: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	run(t, l)
	time.Sleep(300 * time.Millisecond)
	if l.Ready(t.Context()) == nil {
		t.Fatal("ready with no broker")
	}
	brokers := cluster(t, kfake.Ports(port))
	waitFor(t, "ready once the broker is up", func() bool { return l.Ready(t.Context()) == nil })
	appendAll(t, open(t, brokers, &seen{}), "x")
	waitFor(t, "the tail", func() bool { _, tl := s.get(); return len(tl) == 1 })
}

// TestRestart: records acknowledged by Append survive a restart of the
// broker on the same data dir.
func TestRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "broker")
	start := func() *broker.Embedded {
		b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b := start()
	w, err := topiclog.Open(t.Context(), topiclog.Config{Brokers: []string{b.Addr()}, Topic: "state", Apply: (&seen{}).apply})
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, w, "a", "b")
	w.Close()
	b.Close()
	b = start()
	defer b.Close()
	var s seen
	open(t, []string{b.Addr()}, &s)
	if r, _ := s.get(); strings.Join(r, ",") != "a,b" {
		t.Fatalf("after a restart replayed %v, want a,b", r)
	}
}

// TestConfig: the required fields are named.
func TestConfig(t *testing.T) {
	apply := func(*kgo.Record, bool) error { return nil }
	for _, c := range []struct {
		cfg  topiclog.Config
		want string
	}{
		{topiclog.Config{Topic: "t", Apply: apply}, "Brokers"},
		{topiclog.Config{Brokers: []string{"x:1"}, Apply: apply}, "Topic"},
		{topiclog.Config{Brokers: []string{"x:1"}, Topic: "t"}, "Apply"},
	} {
		if _, err := topiclog.New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error naming %s", c.cfg, err, c.want)
		}
	}
}

// TestExistingTopicWithoutCreateRights: a principal allowed to read, write
// and describe an existing topic, not to create topics, uses it.
func TestExistingTopicWithoutCreateRights(t *testing.T) {
	acl := func(op kmsg.ACLOperation) kfake.ACL {
		return kfake.ACL{Resource: kmsg.ACLResourceTypeTopic, Name: "state", Pattern: kmsg.ACLResourcePatternTypeLiteral, Operation: op, Allow: true}
	}
	brokers := cluster(t, kfake.SeedTopics(1, "state"), kfake.EnableACLs(), kfake.EnableSASL(),
		kfake.User("PLAIN", "feed", "secret", acl(kmsg.ACLOperationRead), acl(kmsg.ACLOperationWrite), acl(kmsg.ACLOperationDescribe)))
	login := kgo.SASL(plain.Auth{User: "feed", Pass: "secret"}.AsMechanism())
	var s seen
	w := open(t, brokers, &seen{}, func(c *topiclog.Config) { c.Opts = []kgo.Opt{login} })
	appendAll(t, w, "x")
	open(t, brokers, &s, func(c *topiclog.Config) { c.Opts = []kgo.Opt{login} })
	if r, _ := s.get(); strings.Join(r, ",") != "x" {
		t.Fatalf("replayed %v", r)
	}
	_, err := topiclog.Open(t.Context(), topiclog.Config{Brokers: brokers, Opts: []kgo.Opt{login}, Topic: "other", Apply: s.apply})
	if err == nil || !strings.Contains(err.Error(), "create topic") {
		t.Fatalf("a missing topic it may not create: %v, want the creation's refusal", err)
	}
}
