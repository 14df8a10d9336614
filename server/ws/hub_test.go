package ws_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/ws"
)

// TestSnapshotThenScore: the first message of a subscription is a
// snapshot at seq 0; a processor update then arrives as a score at seq 1
// on the agent, team and wallboard channels.
func TestSnapshotThenScore(t *testing.T) {
	th := newTestHub(t, nil)
	c := th.dial(t, token(t, admin))
	snaps := map[string]msg{}
	for _, ch := range []string{"agent:a1", "team:t1", "wallboard:voice"} {
		snaps[ch] = subscribe(t, c, ch)
		if snaps[ch].Seq != 0 || snaps[ch].Epoch == "" {
			t.Fatalf("snapshot %+v: want seq 0 and an epoch", snaps[ch])
		}
	}
	th.hub.OnUpdate(context.Background(), update("acme", "a1", "t1", "voice", 1))
	got := map[string]msg{}
	for range 3 {
		m := read(t, c)
		got[m.Channel] = m
	}
	for ch, m := range got {
		if m.Type != ws.TypeScore || m.Seq != 1 || m.Epoch != snaps[ch].Epoch {
			t.Errorf("%s: %+v, want score seq 1 in epoch %s", ch, m, snaps[ch].Epoch)
		}
		var d ws.ScoreData
		if err := json.Unmarshal(m.Data, &d); err != nil {
			t.Fatal(err)
		}
		if d.Agent != "a1" || d.Model != "voice" || len(d.Interactions) != 1 || d.Interactions[0].ID != "i1" ||
			len(d.Inquiries) != 1 || d.Teams[0] != "t1" || len(d.Buckets) != 1 || *d.Buckets[0].Figures.AHT != 300 {
			t.Errorf("%s data = %s", ch, m.Data)
		}
	}
	if len(got) != 3 {
		t.Fatalf("got messages on %v, want agent, team and wallboard", got)
	}
}

// TestTenantScoping: tenant B's agent:a1 is not tenant A's.
func TestTenantScoping(t *testing.T) {
	th := newTestHub(t, nil)
	b := th.dial(t, token(t, auth.Claims{Tenant: "globex", Subject: "boss", Role: auth.RoleAdmin}))
	subscribe(t, b, "agent:a1")
	th.hub.OnUpdate(context.Background(), update("acme", "a1", "t1", "voice", 1))
	th.hub.OnUpdate(context.Background(), update("globex", "a1", "t1", "voice", 2))
	m := read(t, b)
	var d ws.ScoreData
	_ = json.Unmarshal(m.Data, &d)
	if d.Interactions[0].ID != "i2" || m.Seq != 1 {
		t.Fatalf("tenant globex got %+v %s, want only its own update", m, m.Data)
	}
}

// TestResume: a resume with the channel's epoch replays what was missed;
// another epoch or a gap the history no longer holds gets a snapshot.
func TestResume(t *testing.T) {
	th := newTestHub(t, func(c *ws.Config) { c.HistorySize = 4 })
	tok := token(t, admin)
	c := th.dial(t, tok)
	snap := subscribe(t, c, "agent:a1")
	for i := 1; i <= 2; i++ {
		th.hub.OnUpdate(context.Background(), update("acme", "a1", "t1", "voice", i))
		read(t, c)
	}
	c.Close()
	for i := 3; i <= 5; i++ { // published while the client is away
		th.hub.OnUpdate(context.Background(), update("acme", "a1", "t1", "voice", i))
	}
	resume := func(epoch string, since uint64) *websocket.Conn {
		c := th.dial(t, tok)
		send(t, c, map[string]any{"op": "subscribe", "channel": "agent:a1", "epoch": epoch, "since": since})
		return c
	}
	r := resume(snap.Epoch, 2)
	for want := uint64(3); want <= 5; want++ {
		if m := read(t, r); m.Type != ws.TypeScore || m.Seq != want {
			t.Fatalf("replay: %+v, want score seq %d", m, want)
		}
	}
	// Up to date: nothing to replay, then live messages follow.
	r2 := resume(snap.Epoch, 5)
	th.hub.OnUpdate(context.Background(), update("acme", "a1", "t1", "voice", 6))
	if m := read(t, r2); m.Type != ws.TypeScore || m.Seq != 6 {
		t.Fatalf("after an empty replay: %+v, want score seq 6", m)
	}
	// The history holds seq 3..6 (4 messages): since 1 lost seq 2.
	if m := read(t, resume(snap.Epoch, 1)); m.Type != ws.TypeSnapshot || m.Seq != 6 {
		t.Fatalf("resume past the history: %+v, want a snapshot at seq 6", m)
	}
	if m := read(t, resume("another-epoch", 5)); m.Type != ws.TypeSnapshot {
		t.Fatalf("resume of another epoch: %+v, want a snapshot", m)
	}
	if m := read(t, resume(snap.Epoch, 99)); m.Type != ws.TypeSnapshot {
		t.Fatalf("resume from the future: %+v, want a snapshot", m)
	}
}

// TestUnsubscribe: acknowledged, and nothing more arrives on it.
func TestUnsubscribe(t *testing.T) {
	th := newTestHub(t, nil)
	c := th.dial(t, token(t, admin))
	subscribe(t, c, "agent:a1")
	subscribe(t, c, "agent:a2")
	send(t, c, `{"op":"unsubscribe","channel":"agent:a1"}`)
	if m := read(t, c); m.Op != "unsubscribed" || m.Channel != "agent:a1" {
		t.Fatalf("unsubscribe answer %+v", m)
	}
	th.hub.OnUpdate(context.Background(), update("acme", "a1", "t1", "voice", 1))
	th.hub.OnUpdate(context.Background(), update("acme", "a2", "t1", "voice", 2))
	if m := read(t, c); m.Channel != "agent:a2" {
		t.Fatalf("after unsubscribing agent:a1 got %+v", m)
	}
	send(t, c, `{"op":"unsubscribe","channel":"agent:a1"}`)
	if m := read(t, c); m.Op != "error" || m.Error != ws.ErrCodeNotSubscribed {
		t.Fatalf("second unsubscribe: %+v", m)
	}
}

// TestClientErrors: every malformed or refused message gets its error
// code and the connection stays usable.
func TestClientErrors(t *testing.T) {
	th := newTestHub(t, func(c *ws.Config) { c.MaxSubscriptions = 2; c.MaxBadMessages = 100; c.SubscribeRate = 1e6 })
	c := th.dial(t, token(t, admin))
	cases := []struct{ in, code, channel string }{
		{`not json`, ws.ErrCodeBadMessage, ""},
		{`[]`, ws.ErrCodeBadMessage, ""},
		{`{"op":"subscribe"}`, ws.ErrCodeBadMessage, ""},
		{`{"channel":"agent:a1"}`, ws.ErrCodeBadMessage, "agent:a1"},
		{`{"op":"subscribe","channel":"agent:a1","extra":1}`, ws.ErrCodeBadMessage, ""},
		{`{"op":"subscribe","channel":"agent:a1","since":-1,"epoch":"x"}`, ws.ErrCodeBadMessage, ""},
		{`{"op":"subscribe","channel":"agent:a1","since":3}`, ws.ErrCodeBadMessage, "agent:a1"},
		{`{"op":"subscribe","channel":7}`, ws.ErrCodeBadMessage, ""},
		{`{"op":"subscribe","channel":"agent:a1"} {}`, ws.ErrCodeBadMessage, "agent:a1"},
		{`{"op":"publish","channel":"agent:a1"}`, ws.ErrCodeUnknownOp, "agent:a1"},
		{`{"op":"subscribe","channel":"queue:q1"}`, ws.ErrCodeBadChannel, ""},
		{`{"op":"subscribe","channel":"agent:"}`, ws.ErrCodeBadChannel, ""},
		{`{"op":"subscribe","channel":"wallboard:Voice"}`, ws.ErrCodeBadChannel, ""},
		{`{"op":"subscribe","channel":"agent:secret1"}`, ws.ErrCodeForbidden, "agent:secret1"},
		{`{"op":"subscribe","channel":"agent:broken1"}`, ws.ErrCodeUnavailable, "agent:broken1"},
	}
	for _, k := range cases {
		send(t, c, k.in)
		m := read(t, c)
		if m.Op != "error" || m.Error != k.code || m.Channel != k.channel || m.Message == "" {
			t.Errorf("%s: got %+v, want error %s on %q", k.in, m, k.code, k.channel)
		}
	}
	if err := c.WriteMessage(websocket.BinaryMessage, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if m := read(t, c); m.Error != ws.ErrCodeBadMessage {
		t.Errorf("binary message: %+v", m)
	}
	subscribe(t, c, "agent:a1")
	subscribe(t, c, "agent:a2")
	send(t, c, `{"op":"subscribe","channel":"agent:a3"}`)
	if m := read(t, c); m.Error != ws.ErrCodeTooManySubscriptions || m.Channel != "agent:a3" {
		t.Errorf("third subscription: %+v", m)
	}
	subscribe(t, c, "agent:a1") // resubscribing a held channel is not a new one
	if got := counter(t, th.reg, "agentpulse_ws_limit_reached_total", "limit", "subscriptions"); got != 1 {
		t.Errorf("limit_reached_total{subscriptions} = %v, want 1", got)
	}
}

// TestTooManyBadMessages closes a broken client with its terminal code.
func TestTooManyBadMessages(t *testing.T) {
	th := newTestHub(t, func(c *ws.Config) { c.MaxBadMessages = 3 })
	c := th.dial(t, token(t, admin))
	for range 3 {
		send(t, c, "garbage")
	}
	if code := closeCode(t, c, 5*time.Second); code != ws.DisconnectBadClient.Code {
		t.Fatalf("close code %d, want %d", code, ws.DisconnectBadClient.Code)
	}
}

// TestReadLimit closes with 1009 on a message over ReadLimit.
func TestReadLimit(t *testing.T) {
	th := newTestHub(t, func(c *ws.Config) { c.ReadLimit = 64 })
	c := th.dial(t, token(t, admin))
	send(t, c, `{"op":"subscribe","channel":"agent:`+strings.Repeat("a", 100)+`"}`)
	if code := closeCode(t, c, 5*time.Second); code != websocket.CloseMessageTooBig {
		t.Fatalf("close code %d, want 1009", code)
	}
}

// TestUpgradeRefusals: 401 without or with a bad token, 403 for role
// ingest or a foreign origin, all before the upgrade; the token also
// works as access_token.
func TestUpgradeRefusals(t *testing.T) {
	th := newTestHub(t, func(c *ws.Config) { c.AllowedOrigins = []string{"https://wall.example"} })
	bad, _ := auth.Mint([]byte("another-secret-another-secret-32"), admin, time.Hour)
	cases := []struct {
		name   string
		header http.Header
		query  string
		want   int
	}{
		{"no token", http.Header{}, "", 401},
		{"bad token", http.Header{"Authorization": {"Bearer " + bad}}, "", 401},
		{"ingest", http.Header{"Authorization": {"Bearer " + token(t, auth.Claims{Tenant: "acme", Subject: "feed", Role: auth.RoleIngest})}}, "", 403},
		{"foreign origin", http.Header{"Authorization": {"Bearer " + token(t, admin)}, "Origin": {"https://evil.example"}}, "", 403},
		{"allowed origin", http.Header{"Authorization": {"Bearer " + token(t, admin)}, "Origin": {"https://wall.example"}}, "", 101},
		{"same host", http.Header{"Authorization": {"Bearer " + token(t, admin)}, "Origin": {th.srv.URL}}, "", 101},
		// The scheme counts (the security test's INFO finding): a page
		// served over plain http may not open the websocket of a server
		// reached over https, here behind a TLS-terminating proxy.
		{"same host, http page, https server", http.Header{"Authorization": {"Bearer " + token(t, admin)}, "Origin": {th.srv.URL},
			"X-Forwarded-Proto": {"https"}}, "", 403},
		{"same host, https page, https server", http.Header{"Authorization": {"Bearer " + token(t, admin)},
			"Origin": {"https://" + strings.TrimPrefix(th.srv.URL, "http://")}, "X-Forwarded-Proto": {"https"}}, "", 101},
		{"same host, another scheme", http.Header{"Authorization": {"Bearer " + token(t, admin)},
			"Origin": {"ftp://" + strings.TrimPrefix(th.srv.URL, "http://")}}, "", 403},
		{"allowed origin, other scheme", http.Header{"Authorization": {"Bearer " + token(t, admin)}, "Origin": {"http://wall.example"}}, "", 403},
		{"query token", http.Header{}, "?access_token=" + token(t, admin), 101},
	}
	for _, k := range cases {
		t.Run(k.name, func(t *testing.T) {
			c, resp, err := websocket.DefaultDialer.Dial(th.url()+k.query, k.header)
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != k.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, k.want)
			}
			if c != nil {
				c.Close()
				return
			}
			var body struct{ Error string }
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error == "" {
				t.Fatalf("refusal body is not {error}: %v", err)
			}
		})
	}
}

// TestSlowClientClosed: a client that does not read is closed with
// DisconnectSlow once its queue passes MaxQueueBytes, while another client
// of the same channel receives every message.
func TestSlowClientClosed(t *testing.T) {
	th := newTestHub(t, func(c *ws.Config) { c.MaxQueueBytes = 64 << 10; c.WriteTimeout = 20 * time.Second })
	tok := token(t, admin)
	d := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		// A small receive buffer, set before connecting, keeps the kernel
		// from absorbing the backlog.
		nd := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 8192) })
		}}
		return nd.DialContext(ctx, network, addr)
	}}
	slow, _, err := d.Dial(th.url(), http.Header{"Authorization": {"Bearer " + tok}})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	subscribe(t, slow, "wallboard:voice")
	fast := th.dial(t, tok)
	subscribe(t, fast, "wallboard:voice")
	big := strings.Repeat("x", 16<<10)
	const n = 400
	for i := range n {
		th.hub.Publish("acme", "wallboard:voice", ws.TypePlan, map[string]any{"i": i, "pad": big})
		if m := read(t, fast); m.Seq != uint64(i+1) {
			t.Fatalf("fast client got seq %d, want %d", m.Seq, i+1)
		}
	}
	if v := counter(t, th.reg, "agentpulse_ws_disconnects_total", "reason", "slow"); v != 1 {
		t.Fatalf("disconnects_total{slow} = %v, want 1", v)
	}
	if code := closeCode(t, slow, 10*time.Second); code != ws.DisconnectSlow.Code {
		t.Fatalf("slow client closed with %d, want %d", code, ws.DisconnectSlow.Code)
	}
}

// TestPingPong: the server pings; a client that answers stays, one that
// does not is closed with DisconnectNoPong.
func TestPingPong(t *testing.T) {
	th := newTestHub(t, func(c *ws.Config) { c.PingInterval = 30 * time.Millisecond; c.PongWait = 300 * time.Millisecond })
	good := th.dial(t, token(t, admin))
	pings := make(chan struct{}, 100)
	good.SetPingHandler(func(data string) error {
		pings <- struct{}{}
		return good.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	deaf := th.dial(t, token(t, admin))
	deaf.SetPingHandler(func(string) error { return nil })
	go func() {
		_ = good.SetReadDeadline(time.Now().Add(time.Second))
		for {
			if _, _, err := good.ReadMessage(); err != nil {
				return
			}
		}
	}()
	if code := closeCode(t, deaf, 5*time.Second); code != ws.DisconnectNoPong.Code {
		t.Fatalf("deaf client closed with %d, want %d", code, ws.DisconnectNoPong.Code)
	}
	time.Sleep(100 * time.Millisecond)
	if len(pings) < 5 {
		t.Fatalf("%d pings in about 500 ms, want one per 30 ms", len(pings))
	}
	if th.hub.Stats().Connections != 1 {
		t.Fatalf("connections = %d, want the answering client only", th.hub.Stats().Connections)
	}
}

// TestTokenExpiry closes the connection when its token expires.
func TestTokenExpiry(t *testing.T) {
	th := newTestHub(t, nil)
	tok, err := auth.Mint(secret, admin, 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	c := th.dial(t, tok)
	subscribe(t, c, "agent:a1")
	if code := closeCode(t, c, 5*time.Second); code != ws.DisconnectTokenExpired.Code {
		t.Fatalf("close code %d, want %d", code, ws.DisconnectTokenExpired.Code)
	}
}

// TestShutdown closes clients with the reconnect code when Run ends.
func TestShutdown(t *testing.T) {
	th := newTestHub(t, nil)
	c := th.dial(t, token(t, admin))
	subscribe(t, c, "agent:a1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	go func() { _ = th.hub.Run(ctx) }()
	if code := closeCode(t, c, 5*time.Second); code != ws.DisconnectShutdown.Code {
		t.Fatalf("close code %d, want %d", code, ws.DisconnectShutdown.Code)
	}
}

// TestWallboardSupervisorSeesOwnTeams: on a wallboard a supervisor gets
// the score messages of their teams only; an admin gets all.
func TestWallboardSupervisorSeesOwnTeams(t *testing.T) {
	th := newTestHub(t, nil)
	sup := th.dial(t, token(t, auth.Claims{Tenant: "acme", Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{"t2"}}))
	adm := th.dial(t, token(t, admin))
	subscribe(t, sup, "wallboard:voice")
	subscribe(t, adm, "wallboard:voice")
	th.hub.OnUpdate(context.Background(), update("acme", "a1", "t1", "voice", 1))
	th.hub.OnUpdate(context.Background(), update("acme", "a2", "t2", "voice", 2))
	if m := read(t, sup); m.Seq != 2 {
		t.Fatalf("supervisor of t2 got %+v, want only seq 2", m)
	}
	if m := read(t, adm); m.Seq != 1 {
		t.Fatalf("admin got %+v, want seq 1 first", m)
	}
}

// TestDisconnectCatalogue: codes are distinct, in their ranges, with
// reasons that fit a close frame.
func TestDisconnectCatalogue(t *testing.T) {
	seen := map[int]bool{}
	for _, d := range ws.Disconnects {
		if seen[d.Code] || len(d.Reason) > 123 || d.Reason == "" {
			t.Errorf("%+v: duplicate code or bad reason", d)
		}
		seen[d.Code] = true
		if d.Code >= 4000 && (d.Code < 4500) != d.Reconnect {
			t.Errorf("%+v: 4000-4499 reconnect, 4500-4999 terminal", d)
		}
	}
}
