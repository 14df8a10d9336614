package notify

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestWebhookRefusesPrivateAddresses: a webhook URL any user may set
// cannot make the server post to its own networks (SSRF), unless the
// operator allows it; the check applies to the address dialled.
func TestWebhookRefusesPrivateAddresses(t *testing.T) {
	got := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got <- struct{}{} }))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n := Notification{Kind: "help_asked", Title: "t", Body: "b"}

	c, _ := New(Config{}) // in memory: cannot fail
	if err := c.postWebhook(ctx, srv.URL, n); !errors.Is(err, errPrivateWebhook) {
		t.Fatalf("loopback webhook: %v, want refused", err)
	}
	select {
	case <-got:
		t.Fatal("the loopback receiver was called")
	default:
	}
	open, _ := New(Config{AllowPrivateWebhooks: true})
	if err := open.postWebhook(ctx, srv.URL, n); err != nil {
		t.Fatalf("allowed private webhook: %v", err)
	}
	<-got
	for _, a := range []string{"10.1.2.3:443", "192.168.0.1:443", "169.254.169.254:80", "[::1]:443", "[fe80::1]:443", "0.0.0.0:80", "100.64.1.1:443", "[::ffff:127.0.0.1]:80"} {
		if err := checkWebhookAddr(a); !errors.Is(err, errPrivateWebhook) {
			t.Errorf("%s: %v, want refused", a, err)
		}
	}
	for _, a := range []string{"52.1.2.3:443", "[2606:4700::1]:443"} {
		if err := checkWebhookAddr(a); err != nil {
			t.Errorf("%s: %v, want allowed", a, err)
		}
	}
}
