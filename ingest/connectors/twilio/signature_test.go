package twilio_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors/twilio"
)

// The vector of Twilio's documentation and SDK tests (twilio-go
// client/request_validator_test.go): auth token 12345, this URL and these
// POST parameters sign to RSOYDt4T1cUTdK1PDd93/VVr8B8=; the same URL with
// the default port :443 to kvajT1Ptam85bY51eRf/AJRuM3w=, and the http URL
// with port 80 and with port 1234 to 0ZXoZLH/DfblKGATFgpif+LLRf4= and
// Zmvh+3yNM1Phv2jhDCwEM3q5ebU= (the SDK test validates the portless http
// URL against the :80 signature, which is how its default-port rule works).
const docURL = "https://mycompany.com/myapp.php?foo=1&bar=2"

var docParams = url.Values{
	"Digits":  {"1234"},
	"CallSid": {"CA1234567890ABCDE"},
	"To":      {"+18005551212"},
	"Caller":  {"+14158675309"},
	"From":    {"+14158675309"},
}

func TestSignatureDocumentationVector(t *testing.T) {
	token := []byte("12345")
	tests := []struct{ url, sig string }{
		{docURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
		{strings.Replace(docURL, ".com", ".com:443", 1), "kvajT1Ptam85bY51eRf/AJRuM3w="},
		{strings.Replace(strings.Replace(docURL, "https", "http", 1), ".com", ".com:80", 1), "0ZXoZLH/DfblKGATFgpif+LLRf4="},
		{strings.Replace(strings.Replace(docURL, "https", "http", 1), ".com", ".com:1234", 1), "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="},
	}
	for _, tt := range tests {
		if got := twilio.Signature(token, tt.url, docParams); got != tt.sig {
			t.Errorf("Signature(%s) = %s, want %s", tt.url, got, tt.sig)
		}
	}
	// Validation tolerates the default port either way, like Twilio's SDKs.
	valid := []struct{ url, sig string }{
		{docURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
		{docURL, "kvajT1Ptam85bY51eRf/AJRuM3w="},
		{strings.Replace(docURL, ".com", ".com:443", 1), "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
		{strings.Replace(docURL, ".com", ".com:1234", 1), "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
		{strings.Replace(docURL, "https", "http", 1), "0ZXoZLH/DfblKGATFgpif+LLRf4="},
	}
	for _, v := range valid {
		if !twilio.ValidSignature(v.sig, [][]byte{[]byte("other"), token}, v.url, docParams) {
			t.Errorf("ValidSignature(%s, %s) = false", v.url, v.sig)
		}
	}
	invalid := []struct {
		sig, url string
		params   url.Values
		token    string
	}{
		{"RSOYDt4T1cUTdK1PDd93/VVr8B8=", docURL, docParams, "123456"},
		{"RSOYDt4T1cUTdK1PDd93/VVr8B8=", docURL + "&x=1", docParams, "12345"},
		{"RSOYDt4T1cUTdK1PDd93/VVr8B8=", "https://mycompany.com/myapp.php?bar=2&foo=1", docParams, "12345"},
		{"RSOYDt4T1cUTdK1PDd93/VVr8B9=", docURL, docParams, "12345"},
		{"", docURL, docParams, "12345"},
		{"RSOYDt4T1cUTdK1PDd93/VVr8B8=", docURL, url.Values{"Digits": {"1234"}}, "12345"},
	}
	for _, v := range invalid {
		if twilio.ValidSignature(v.sig, [][]byte{[]byte(v.token)}, v.url, v.params) {
			t.Errorf("ValidSignature(%q, %s, %v, %s) = true", v.sig, v.url, v.params, v.token)
		}
	}
}

func TestSignatureParameterOrder(t *testing.T) {
	tok := []byte("tok")
	a := url.Values{"b": {"2"}, "a": {"1"}, "A": {"0"}}
	// The signed string is url + "A0" + "a1" + "b2": upper case sorts first.
	want := twilio.Signature(tok, "https://x/y"+"A0a1b2", nil)
	if got := twilio.Signature(tok, "https://x/y", a); got != want {
		t.Errorf("Signature = %s, want %s", got, want)
	}
	multi := url.Values{"k": {"z", "a"}}
	if twilio.Signature(tok, "u", multi) != twilio.Signature(tok, "uka"+"kz", nil) {
		t.Error("repeated names must contribute each value in value order")
	}
}
