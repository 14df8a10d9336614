package api

import (
	"errors"
	"maps"
	"net/http"
	"slices"

	"github.com/agentpulse/agentpulse/views"
)

// TenantInquiry is one inquiry of GET /v1/inquiries.
type TenantInquiry struct {
	Inquiry string   `json:"inquiry"`
	Name    string   `json:"name,omitempty"` // display name, absent without one
	Volume  int64    `json:"volume"`         // interactions in the models' 3-month ranges
	Models  []string `json:"models"`         // the models it has interactions in, sorted
}

type tenantInquiries struct {
	Inquiries []TenantInquiry `json:"inquiries"`
}

// tenantInquiries serves GET /v1/inquiries[?model=…]: the inquiries with
// interactions in the tenant's models' default ranges (3 months up to
// each model's latest data), sorted, with their display names, volumes
// and models; model narrows to one model (404 when it has no data).
// Answered from the cache's 3-month aggregates: O(models × inquiries).
// Roles supervisor and admin (the names page and pickers).
func (a *API) tenantInquiries(w http.ResponseWriter, r *http.Request) {
	c, ok := a.wallboardClaims(w, r)
	if !ok {
		return
	}
	var models []string
	asked := r.URL.Query().Has("model")
	if asked {
		m := r.URL.Query().Get("model")
		if err := checkModel(m); err != nil {
			a.fail(w, r, err)
			return
		}
		models = []string{m}
	} else {
		var err error
		if models, err = a.views.TenantModels(r.Context(), c.Tenant); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	all := map[string]*TenantInquiry{}
	for _, m := range models {
		vols, err := a.views.ModelInquiries(r.Context(), c.Tenant, m)
		if errors.Is(err, views.ErrNoData) && !asked {
			continue
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		for inq, n := range vols {
			ti := all[inq]
			if ti == nil {
				ti = &TenantInquiry{Inquiry: inq, Name: a.names.Label(c.Tenant, "inquiries", inq), Models: []string{}}
				all[inq] = ti
			}
			ti.Volume += n
			ti.Models = append(ti.Models, m) // models come sorted
		}
	}
	out := tenantInquiries{Inquiries: make([]TenantInquiry, 0, len(all))}
	for _, inq := range slices.Sorted(maps.Keys(all)) {
		out.Inquiries = append(out.Inquiries, *all[inq])
	}
	a.writeJSON(w, r, out)
}
