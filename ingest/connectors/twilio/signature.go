package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/url"
	"slices"
	"strings"
)

// HeaderSignature carries the request signature.
const HeaderSignature = "X-Twilio-Signature"

// Signature computes X-Twilio-Signature as Twilio documents it
// (https://www.twilio.com/docs/usage/webhooks/webhooks-security): take the
// full URL of the request, append every POST parameter sorted by name
// (byte order, case-sensitive) as name immediately followed by value, with
// no delimiters, sign the string with HMAC-SHA1 keyed by the account's auth
// token and encode the digest in base64. A name sent several times
// contributes each value, in value order.
func Signature(token []byte, fullURL string, params url.Values) string {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	slices.Sort(names)
	mac := hmac.New(sha1.New, token)
	mac.Write([]byte(fullURL))
	for _, name := range names {
		vals := params[name]
		if len(vals) > 1 {
			vals = slices.Clone(vals)
			slices.Sort(vals)
		}
		for _, v := range vals {
			mac.Write([]byte(name))
			mac.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ValidSignature reports whether sig is the signature of the request by one
// of tokens. Like Twilio's own validators it accepts the URL with and
// without the scheme's default port, because Twilio signs the URL as it was
// configured, which may or may not name the port. Comparisons are constant
// time.
func ValidSignature(sig string, tokens [][]byte, fullURL string, params url.Values) bool {
	if sig == "" {
		return false
	}
	ok := 0
	for _, u := range urlVariants(fullURL) {
		for _, tok := range tokens {
			ok |= subtle.ConstantTimeCompare([]byte(sig), []byte(Signature(tok, u, params)))
		}
	}
	return ok == 1
}

// urlVariants returns fullURL, plus the same URL with its port removed (when
// it has one) or with the scheme's default port added (when it has none).
func urlVariants(fullURL string) []string {
	u, err := url.Parse(fullURL)
	if err != nil || u.Host == "" {
		return []string{fullURL}
	}
	host := u.Hostname()
	if u.Port() != "" {
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		return []string{fullURL, replaceHost(fullURL, u.Host, host)}
	}
	def := "443"
	if strings.EqualFold(u.Scheme, "http") {
		def = "80"
	}
	return []string{fullURL, replaceHost(fullURL, u.Host, net.JoinHostPort(host, def))}
}

// replaceHost swaps the authority of fullURL textually, so the rest of the
// URL keeps its exact (signed) encoding.
func replaceHost(fullURL, oldHost, newHost string) string {
	i := strings.Index(fullURL, "://")
	if i < 0 {
		return fullURL
	}
	rest := fullURL[i+3:]
	if !strings.HasPrefix(rest, oldHost) {
		return fullURL
	}
	return fullURL[:i+3] + newHost + rest[len(oldHost):]
}
