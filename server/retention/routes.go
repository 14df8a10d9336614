package retention

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// Paths of the admins' routes.
const (
	RetentionPath = "/v1/retention"
	ErasuresPath  = "/v1/erasures"
)

// maxBody bounds a request body: both bodies are one small object.
const maxBody = 4096

// RetentionView is the answer of GET and PUT /v1/retention.
type RetentionView struct {
	Tenant      string     `json:"tenant"`
	Days        int        `json:"days"`
	DefaultDays int        `json:"default_days"`
	Explicit    bool       `json:"explicit"`
	Cutoff      time.Time  `json:"cutoff"`
	UpdatedBy   string     `json:"updated_by,omitempty"`
	UpdatedAt   *time.Time `json:"updated_at,omitempty"`
}

// Routes mounts, for role admin, GET/PUT /v1/retention (the tenant's
// retention) and GET/POST /v1/erasures (erasures done, and a new one).
func (r *Runner) Routes(rt chi.Router, v auth.TokenVerifier) {
	admin := rt.With(auth.Require(v, auth.RoleAdmin))
	admin.Get(RetentionPath, func(w http.ResponseWriter, req *http.Request) {
		c, _ := auth.ClaimsFrom(req.Context())
		writeJSON(w, http.StatusOK, r.view(c.Tenant))
	})
	admin.Put(RetentionPath, func(w http.ResponseWriter, req *http.Request) {
		c, _ := auth.ClaimsFrom(req.Context())
		body, ok := readBody(w, req)
		if !ok {
			return
		}
		days, field, err := ParseRetention(body)
		if err != nil {
			auth.WriteError(w, http.StatusBadRequest, err.Error(), field)
			return
		}
		old, _ := r.Policy.Days(c.Tenant)
		s := Setting{Tenant: c.Tenant, Days: days, By: c.Subject, At: r.now()}
		if err := r.Policy.SetDays(req.Context(), s); err != nil {
			r.log().Error("retention setting not stored", "tenant", c.Tenant, "err", err)
			auth.WriteError(w, http.StatusServiceUnavailable, "the setting could not be stored; try again", "")
			return
		}
		r.Audit.Record(req.Context(), audit.By(c, ActionRetentionChanged, "retention", fmt.Sprintf("retention %d → %d days", old.Days, days)))
		writeJSON(w, http.StatusOK, r.view(c.Tenant))
	})
	admin.Get(ErasuresPath, func(w http.ResponseWriter, req *http.Request) {
		c, _ := auth.ClaimsFrom(req.Context())
		writeJSON(w, http.StatusOK, map[string][]Erasure{"erasures": nonNil(r.Policy.Erasures(c.Tenant))})
	})
	admin.Post(ErasuresPath, func(w http.ResponseWriter, req *http.Request) {
		c, _ := auth.ClaimsFrom(req.Context())
		body, ok := readBody(w, req)
		if !ok {
			return
		}
		er, field, err := ParseErasure(body)
		if err != nil {
			auth.WriteError(w, http.StatusBadRequest, err.Error(), field)
			return
		}
		e, err := r.erase(req.Context(), c, er)
		var refused *RequestError
		switch {
		case errors.As(err, &refused):
			auth.WriteError(w, refused.Status, refused.Error(), refused.Field)
		case err != nil && e.ID == "":
			r.log().Error("erasure failed", "tenant", c.Tenant, "kind", er.Kind, "err", err)
			auth.WriteError(w, http.StatusServiceUnavailable, "the erasure could not be completed; it is safe to send it again", "")
		default:
			if err != nil {
				r.log().Error("erasure done but not recorded on the policy topic", "tenant", c.Tenant, "id", e.ID, "err", err)
			}
			writeJSON(w, http.StatusOK, e)
		}
	})
}

func (r *Runner) view(tenant string) RetentionView {
	s, explicit := r.Policy.Days(tenant)
	v := RetentionView{Tenant: tenant, Days: s.Days, DefaultDays: r.Policy.DefaultDays(), Explicit: explicit,
		Cutoff: store.RetentionCutoff(r.now(), s.Days)}
	if explicit {
		v.UpdatedBy, v.UpdatedAt = s.By, &s.At
	}
	return v
}

// ErasureRequest is the body of POST /v1/erasures.
type ErasureRequest struct {
	Kind        string `json:"kind"`
	CustomerKey string `json:"customer_key,omitempty"`
	AgentID     string `json:"agent_id,omitempty"`
}

// ParseRetention reads {"days": n}; on error it names the field.
func ParseRetention(body []byte) (int, string, error) {
	var in struct {
		Days json.RawMessage `json:"days"`
	}
	if field, err := decodeStrict(body, &in); err != nil {
		return 0, field, err
	}
	if in.Days == nil {
		return 0, "days", errors.New("days is required")
	}
	n, err := strconv.ParseInt(string(in.Days), 10, 64)
	if err != nil || n < store.MinRetentionDays || n > MaxDays {
		return 0, "days", fmt.Errorf("days must be a whole number from %d to %d", store.MinRetentionDays, MaxDays)
	}
	return int(n), "", nil
}

// ParseErasure reads an ErasureRequest; on error it names the field.
func ParseErasure(body []byte) (ErasureRequest, string, error) {
	var in ErasureRequest
	if field, err := decodeStrict(body, &in); err != nil {
		return in, field, err
	}
	switch in.Kind {
	case KindCustomer:
		if in.AgentID != "" {
			return in, "agent_id", errors.New("agent_id is not allowed with kind customer")
		}
		if !printable(in.CustomerKey, schemas.MaxCustomerKeyLength) {
			return in, "customer_key", fmt.Errorf("customer_key must be 1 to %d printable ASCII characters", schemas.MaxCustomerKeyLength)
		}
	case KindAgent:
		if in.CustomerKey != "" {
			return in, "customer_key", errors.New("customer_key is not allowed with kind agent")
		}
		if !printable(in.AgentID, schemas.MaxIDLength) {
			return in, "agent_id", fmt.Errorf("agent_id must be 1 to %d printable ASCII characters", schemas.MaxIDLength)
		}
	case "":
		return in, "kind", errors.New("kind is required: customer or agent")
	default:
		return in, "kind", errors.New("kind must be customer or agent")
	}
	return in, "", nil
}

func printable(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// decodeStrict decodes one JSON object with no unknown field.
func decodeStrict(body []byte, v any) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return te.Field, fmt.Errorf("%s has the wrong type (%s)", te.Field, te.Value)
		}
		return "body", fmt.Errorf("body must be one JSON object of the documented fields: %v", err)
	}
	if dec.More() {
		return "body", errors.New("body must be one JSON object")
	}
	return "", nil
}

func readBody(w http.ResponseWriter, req *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxBody))
	if err != nil {
		auth.WriteError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body must be at most %d bytes", maxBody), "body")
		return nil, false
	}
	return b, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
