package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// errPrivateWebhook refuses a webhook whose host is on the server's own
// networks: any signed-in user sets their webhook URL, so without this a
// user could make the server post to internal services (SSRF).
var errPrivateWebhook = errors.New("webhook address is loopback, private, link-local or unspecified; chat webhooks are on the internet (set --webhook-allow-private for a receiver on this network)")

// webhookClient is the default client for webhooks: a 10 s timeout and,
// unless allowPrivate, a dialer that refuses every address that is not a
// public unicast one. The check runs on the address actually dialled
// (after DNS), so a public name that resolves to 127.0.0.1 is refused too;
// redirects are dialled through the same check.
func webhookClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			return checkWebhookAddr(address)
		}
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil // a proxy would dial on our behalf past the check
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: t}
}

// checkWebhookAddr refuses host:port addresses that are not public.
func checkWebhookAddr(address string) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook address %q: %w", address, err)
	}
	ip := ap.Addr().Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(ip) { // carrier-grade NAT
		return errPrivateWebhook
	}
	return nil
}
