package notify_test

import (
	"errors"
	"testing"

	"github.com/agentpulse/agentpulse/server/notify"
	"github.com/agentpulse/agentpulse/views"
)

// FuzzDecodePrefs: DecodePrefs never panics, and a refusal names a field.
func FuzzDecodePrefs(f *testing.F) {
	for _, s := range []string{`{"email":"a@b.c","webhook":"https://x/y","kinds":["help_asked"]}`, `{}`, `[]`, `{"email":1}`, `{"kinds":null}`, `{"webhook":"http://"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := notify.DecodePrefs(data)
		var fe *views.FieldError
		if err != nil && (!errors.As(err, &fe) || fe.Field == "" || fe.Message == "") {
			t.Fatalf("refusal %v names no field", err)
		}
	})
}
