package dashboard_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/views"
)

// TestCatchingUp: while the server's store is behind the log (the
// processor has not folded the history yet), the API answers 503 with
// Retry-After and catching_up, a websocket subscription gets error
// "unavailable" instead of a snapshot, and the agent's page says
// "Catching up" with no number; once the processor has caught up the page
// shows the complete figures by itself.
func TestCatchingUp(t *testing.T) {
	p := apptest.Start(t, apptest.Options{HoldProcessor: true})
	agent, _, models := pickAgent(t, p)
	tok := agentToken(t, p, agent)
	model := models[0]

	req, _ := http.NewRequest(http.MethodGet, p.URL+perfPath(agent, url.Values{"model": {model}}), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("performance while catching up: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	wsURL := "ws" + strings.TrimPrefix(p.URL, "http") + "/v1/ws?access_token=" + url.QueryEscape(tok)
	conn, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.WriteJSON(map[string]string{"op": "subscribe", "channel": "agent:" + agent}); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var msg struct {
		Op, Channel, Error, Message, Type string
	}
	if err := conn.ReadJSON(&msg); err != nil {
		t.Fatal(err)
	}
	if msg.Op != "error" || msg.Error != "unavailable" || !strings.Contains(msg.Message, "catching up") {
		t.Fatalf("subscription while catching up: %+v", msg)
	}

	ctx := browser(t)
	signIn(t, ctx, p, tok, "#/agent/"+agent+"?model="+model)
	run(t, ctx, "the catching-up notice", chromedp.WaitVisible(".catching-up", chromedp.ByQuery))
	var text string
	run(t, ctx, "read the page", chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "Catching up") || strings.Contains(text, "AES") {
		t.Fatalf("page while catching up: %q", text)
	}
	screenshots(t, ctx, "catching-up")

	p.StartProcessor(t)
	ref, err := p.Reference().AgentPerformance(p.Tenant, agent, model, views.RangeSpec{}, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}
	// No reload: the page asks again after Retry-After.
	waitRows(t, ctx, "the inquiries table once caught up", ref)
}
