package ws_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/ws"
)

const fanout = 10_000

// raiseFDLimit lifts the soft RLIMIT_NOFILE to the hard one.
func raiseFDLimit(tb testing.TB) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		tb.Fatal(err)
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	if l.Cur < fanout+512 {
		tb.Skipf("RLIMIT_NOFILE %d is below %d", l.Cur, fanout+512)
	}
}

// Environment of the client process of BenchmarkFanout.
const (
	envURL       = "AGENTPULSE_FANOUT_URL"
	envToken     = "AGENTPULSE_FANOUT_TOKEN"
	envSubscribe = "AGENTPULSE_FANOUT_SUBSCRIBE"
)

// TestFanoutClientProcess is the client side of BenchmarkFanout, run in a
// process of its own (the container's hard fd limit is below 2 × 10,000
// sockets): it connects fanout clients, prints "ready", then for every
// broadcast (a message whose data holds "ts": publish time in Unix ns)
// prints "done p50_us p99_us max_us" once every client has it. It exits
// when its stdin closes. Skipped unless started by the benchmark.
func TestFanoutClientProcess(t *testing.T) {
	url := os.Getenv(envURL)
	if url == "" {
		t.Skip("run by BenchmarkFanout")
	}
	raiseFDLimit(t)
	hdr := http.Header{}
	if tok := os.Getenv(envToken); tok != "" {
		hdr.Set("Authorization", "Bearer "+tok)
	}
	sub := os.Getenv(envSubscribe)
	d := websocket.Dialer{ReadBufferSize: 512, WriteBufferSize: 256, HandshakeTimeout: time.Minute}
	conns := make([]*websocket.Conn, fanout)
	var wg sync.WaitGroup
	var failed atomic.Value
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < fanout; i += 8 {
				c, _, err := d.Dial(url, hdr)
				if err != nil {
					failed.Store(err)
					return
				}
				if sub != "" {
					if err := c.WriteMessage(websocket.TextMessage, []byte(sub)); err != nil {
						failed.Store(err)
						return
					}
					if _, _, err := c.ReadMessage(); err != nil { // the snapshot
						failed.Store(err)
						return
					}
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatalf("connect %d clients: %v", fanout, err)
	}
	var mu sync.Mutex
	lat := make([]int64, 0, fanout)
	out := bufio.NewWriter(os.Stdout)
	for _, c := range conns {
		go func() {
			for {
				_, b, err := c.ReadMessage()
				if err != nil {
					return
				}
				now := time.Now().UnixNano()
				i := bytes.Index(b, []byte(`"ts":`))
				if i < 0 {
					continue
				}
				j := i + 5
				for j < len(b) && b[j] >= '0' && b[j] <= '9' {
					j++
				}
				ts, _ := strconv.ParseInt(string(b[i+5:j]), 10, 64)
				mu.Lock()
				lat = append(lat, (now-ts)/1000)
				if len(lat) == fanout {
					slices.Sort(lat)
					fmt.Fprintf(out, "done %d %d %d\n", lat[fanout/2], lat[fanout*99/100], lat[fanout-1])
					out.Flush()
					lat = lat[:0]
				}
				mu.Unlock()
			}
		}()
	}
	fmt.Fprintln(out, "ready")
	out.Flush()
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}

// clientProcess starts TestFanoutClientProcess against url and waits
// until its clients are connected.
func clientProcess(b *testing.B, url, tok, sub string) (lines *bufio.Scanner, stop func()) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestFanoutClientProcess$", "-test.timeout=30m")
	cmd.Env = append(os.Environ(), envURL+"="+url, envToken+"="+tok, envSubscribe+"="+sub)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	stop = func() {
		stdin.Close()
		_ = cmd.Wait()
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if sc.Text() == "ready" {
			return sc, stop
		}
		if strings.HasPrefix(sc.Text(), "---") || strings.HasPrefix(sc.Text(), "FAIL") {
			break
		}
	}
	stop()
	b.Fatalf("client process did not get ready: %s", sc.Text())
	return nil, nil
}

// broadcast runs b.N broadcasts and reports the delivery latency (median
// of the broadcasts' medians, and the largest p99) and the p99 over
// broadcasts of the time until the last subscriber had it.
func broadcast(b *testing.B, lines *bufio.Scanner, send func(ts int64)) {
	var p50s, p99s, lasts []float64
	b.ResetTimer()
	for range b.N {
		send(time.Now().UnixNano())
		if !lines.Scan() {
			b.Fatal("client process ended")
		}
		var p50, p99, last float64
		if _, err := fmt.Sscanf(lines.Text(), "done %g %g %g", &p50, &p99, &last); err != nil {
			b.Fatalf("client process said %q: %v", lines.Text(), err)
		}
		p50s, p99s, lasts = append(p50s, p50/1000), append(p99s, p99/1000), append(lasts, last/1000)
	}
	b.StopTimer()
	slices.Sort(p50s)
	slices.Sort(p99s)
	slices.Sort(lasts)
	q := func(s []float64, f float64) float64 { return s[min(len(s)-1, int(f*float64(len(s))))] }
	b.ReportMetric(q(p50s, 0.5), "deliver_p50_ms")
	b.ReportMetric(p99s[len(p99s)-1], "deliver_p99_ms")
	b.ReportMetric(q(lasts, 0.99), "broadcast_p99_ms")
	b.ReportMetric(float64(fanout), "subscribers")
}

func heapAndStacks() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// BenchmarkFanout broadcasts one score-sized message on one wallboard
// channel to 10,000 subscribers of one hub over loopback ("hub"), and the
// same through a minimal gorilla/websocket loop, one goroutine writing to
// each connection in turn ("minimal"), for a same-run ratio. The clients
// run in a child process on the same 2 cores. bytes/conn is the server's
// heap and stacks per connection.
func BenchmarkFanout(b *testing.B) {
	raiseFDLimit(b)
	const payload = `"model":"voice","agent":"agent-0001","teams":["team-01"],"inquiries":["billing"],"interactions":[{"id":"i1","revision":1,"inquiry":"billing","ended_at":"2026-11-26T10:05:00Z"}],"buckets":[]}`
	b.Run("hub", func(b *testing.B) {
		th := newTestHub(b, func(c *ws.Config) { c.MaxConnections = 2 * fanout })
		tok := token(b, auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin})
		before := heapAndStacks()
		lines, stop := clientProcess(b, th.url(), tok, `{"op":"subscribe","channel":"wallboard:voice"}`)
		defer stop()
		per := float64(heapAndStacks()-before) / fanout
		b.ReportAllocs()
		broadcast(b, lines, func(ts int64) {
			th.hub.Publish("acme", "wallboard:voice", ws.TypeScore, rawJSON(`{"ts":`+strconv.FormatInt(ts, 10)+`,`+payload))
		})
		b.ReportMetric(per, "bytes/conn")
	})
	b.Run("minimal", func(b *testing.B) {
		var mu sync.Mutex
		var conns []*websocket.Conn
		up := websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 4096}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}))
		defer srv.Close()
		before := heapAndStacks()
		lines, stop := clientProcess(b, "ws"+strings.TrimPrefix(srv.URL, "http"), "", "")
		defer stop()
		per := float64(heapAndStacks()-before) / fanout
		b.ReportAllocs()
		broadcast(b, lines, func(ts int64) {
			frame := []byte(`{"channel":"wallboard:voice","epoch":"0123456789abcdef","seq":1,"type":"score","data":{"ts":` + strconv.FormatInt(ts, 10) + `,` + payload + `}`)
			mu.Lock()
			defer mu.Unlock()
			for _, c := range conns {
				_ = c.WriteMessage(websocket.TextMessage, frame)
			}
		})
		b.ReportMetric(per, "bytes/conn")
	})
}
