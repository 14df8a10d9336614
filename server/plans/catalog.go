package plans

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views"
)

// DefaultCatalog is the assistance catalogue of a tenant whose admin has
// not written one: the help a contact-center agent commonly asks for.
var DefaultCatalog = []string{
	"Side-by-side coaching with my team leader",
	"Listen to calls of a top agent on this inquiry",
	"Review of my poorest interactions with my team leader",
	"Refresher training on this inquiry",
	"Updated knowledge-base article or script",
	"Quality-assurance feedback on recent interactions",
	"Time off the queue to practise",
	"Call-handling skills workshop",
}

// MaxCatalogItems bounds a catalogue; each item is 1 to
// views.MaxAssistanceLen characters after trimming and items are unique.
const MaxCatalogItems = 50

// Catalog returns the tenant's assistance catalogue (DefaultCatalog when
// the admin has not written one). Any of agent, supervisor and admin may
// read it.
func (s *Service) Catalog(ctx context.Context, c auth.Claims) ([]string, error) {
	items, ok, err := s.cfg.Plans.AssistanceCatalog(ctx, c.Tenant)
	if err != nil {
		return nil, fmt.Errorf("read assistance catalog: %w", err)
	}
	if !ok {
		return slices.Clone(DefaultCatalog), nil
	}
	return items, nil
}

// SetCatalog replaces the tenant's catalogue; role admin only. items are
// trimmed; a broken rule is a views.FieldErrors (field "items" or
// "items[i]").
func (s *Service) SetCatalog(ctx context.Context, c auth.Claims, items []string) ([]string, error) {
	if c.Role != auth.RoleAdmin {
		return nil, forbidden("role", "only role admin may change the assistance catalog")
	}
	out, err := validateCatalog(items)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Plans.PutAssistanceCatalog(ctx, c.Tenant, out, s.nextVersion(0)); err != nil {
		return nil, fmt.Errorf("store assistance catalog: %w", err)
	}
	s.cfg.Audit.Record(ctx, audit.By(c, audit.CatalogChanged, "", fmt.Sprintf("%d items", len(out))))
	return out, nil
}

func validateCatalog(items []string) ([]string, error) {
	var errs views.FieldErrors
	if len(items) > MaxCatalogItems {
		return nil, views.FieldErrors{{Field: "items", Message: fmt.Sprintf("at most %d items; got %d", MaxCatalogItems, len(items))}}
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		it = strings.TrimSpace(it)
		f := fmt.Sprintf("items[%d]", i)
		switch n := utf8.RuneCountInString(it); {
		case n == 0:
			errs = append(errs, &views.FieldError{Field: f, Message: fmt.Sprintf("item %d is empty", i+1)})
		case n > views.MaxAssistanceLen:
			errs = append(errs, &views.FieldError{Field: f, Message: fmt.Sprintf("item %d is %d characters long; at most %d", i+1, n, views.MaxAssistanceLen)})
		case slices.Contains(out, it):
			errs = append(errs, &views.FieldError{Field: f, Message: fmt.Sprintf("item %d repeats an earlier item", i+1)})
		}
		out = append(out, it)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}
