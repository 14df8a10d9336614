package plans_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agentpulse/agentpulse/server/plans"
	"github.com/agentpulse/agentpulse/views"
)

// FuzzActionBody: DecodeActionBody never panics, and accepts exactly the
// bodies that are one object {"done": bool}; a refusal names a field.
func FuzzActionBody(f *testing.F) {
	for _, s := range []string{`{"done":true}`, `{"done":false}`, ` {"done" : true} `, `{}`, `{"done":1}`, `{"done":null}`, `{"Done":true}`,
		`{"done":true,"done":false}`, `[]`, `"x"`, ``, `{"done":true}{}`, "\xff", `{"":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		done, err := plans.DecodeActionBody(data)
		if err != nil {
			var fe *views.FieldError
			if !errors.As(err, &fe) || fe.Field == "" || fe.Message == "" {
				t.Fatalf("refusal %v names no field", err)
			}
			return
		}
		if _, err := plans.DecodeActionBody([]byte(map[bool]string{true: `{"done":true}`, false: `{"done":false}`}[done])); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzCreateBody sends arbitrary bodies through POST /v1/agents/{agent}/plans
// (DecodePlanInput, ValidatePlan, the store): never a 5xx; a 400 names a
// field.
func FuzzCreateBody(f *testing.F) {
	e, p, toks := accessFixture(f)
	_ = p
	for _, s := range []string{`{"model":"voice","inquiry":"billing","metric":"aht","improvement_pct":10,"target_date":"2026-12-20","actions":["a"],"assistance":["b"]}`,
		`{}`, `{"improvement_pct":1e400}`, `{"target_date":"2026-02-30"}`, `{"actions":[1]}`, `null`, `{"model":"email","metric":"psat"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		code, body := e.do(toks["admin"], http.MethodPost, "/v1/agents/"+p.AgentID+"/plans", string(data))
		switch code {
		case http.StatusCreated:
		case http.StatusConflict: // a copy of a plan in progress
			if !strings.Contains(string(body), `"plan_id"`) {
				t.Fatalf("409 without the existing plan: %s", body)
			}
		case http.StatusBadRequest:
			if decode[errorsBody](t, body).Field == "" {
				t.Fatalf("400 without a field: %s", body)
			}
		default:
			t.Fatalf("status %d: %s", code, body)
		}
	})
}

// FuzzCommentBody: DecodeCommentBody never panics; a refusal names a
// field; an accepted text is trimmed, non-empty and within the limit.
func FuzzCommentBody(f *testing.F) {
	for _, s := range []string{`{"text":"Tuesday works"}`, `{"text":""}`, `{"text":null}`, `{"text":1}`, `{}`, `[]`, `{"text":"a","x":1}`, `{"text":"a"} {}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		text, err := plans.DecodeCommentBody(data)
		if err != nil {
			var fe *views.FieldError
			if !errors.As(err, &fe) || fe.Field == "" || fe.Message == "" {
				t.Fatalf("refusal %v names no field", err)
			}
			return
		}
		if n := utf8.RuneCountInString(text); n == 0 || n > views.MaxCommentLen || strings.TrimSpace(text) != text {
			t.Fatalf("accepted %q", text)
		}
	})
}
