package roster

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/agentpulse/agentpulse/auth"
)

// importWriters is how many records of an import are being produced at
// once (the client batches them).
const importWriters = 64

// Change is one person an import added or changed: Prev is their state
// before (Existed false: added).
type Change struct {
	Person  Person
	Prev    Person
	Existed bool
	// Stored is true once the person's record was written.
	Stored bool
}

// ImportResult says what an import did.
type ImportResult struct {
	Added     int `json:"added"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	// Changes are the people added or changed, in the import's order.
	Changes []Change `json:"-"`
}

// MaxPerTenant is the most people one tenant may list.
func (l *Log) MaxPerTenant() int { return l.cfg.MaxPerTenant }

// Import adds or changes the tenant's people on behalf of actor (people
// the import does not list are kept). Every person must pass Check and
// appear once (ParseImport sees to both). It refuses the whole import,
// writing nothing, when the roster would hold more than MaxPerTenant
// people (ErrTooMany) or when it would take the actor's own admin role
// away (ErrLockout). People whose name, role and teams are already as
// listed are not written again, so sending an import twice changes
// nothing the second time.
//
// The records are produced together; a broker failure part-way leaves
// the people written so far (each record is a whole person, as a PUT
// writes it): the error says so, and sending the same import again
// completes it.
func (l *Log) Import(ctx context.Context, tenant string, people []Person, actor auth.Claims) (ImportResult, error) {
	var res ImportResult
	if err := l.Ready(ctx); err != nil {
		return res, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var recs []record
	count := len(l.roster.List(tenant))
	now := l.cfg.Now().UTC()
	for i, p := range people {
		if field, msg := p.Check(); field != "" {
			return ImportResult{}, fmt.Errorf("row %d: %s: %s", i+1, field, msg)
		}
		if p.Subject == actor.Subject && actor.Role == auth.RoleAdmin && p.Role != auth.RoleAdmin {
			return ImportResult{}, fmt.Errorf("%w: row %d would take away your own admin role; another admin can", ErrLockout, i+1)
		}
		prev, existed := l.roster.Get(tenant, p.Subject)
		if existed && prev.Name == p.Name && prev.Role == p.Role && slices.Equal(prev.Teams, p.Teams) {
			res.Unchanged++
			continue
		}
		if !existed {
			count++
			res.Added++
		} else {
			res.Changed++
		}
		p.UpdatedAt, p.UpdatedBy, p.Teams = now, actor.Subject, slices.Clone(p.Teams)
		res.Changes = append(res.Changes, Change{Person: p, Prev: prev, Existed: existed})
		recs = append(recs, record{Kind: kindPerson, Tenant: tenant, Version: max(l.roster.version(tenant, p.Subject)+1, now.UnixNano())})
	}
	if count > l.cfg.MaxPerTenant {
		return ImportResult{}, fmt.Errorf("%w (%d): the import would make it %d", ErrTooMany, l.cfg.MaxPerTenant, count)
	}
	for i := range recs { // res.Changes no longer grows: its elements stay put

		recs[i].Person = &res.Changes[i].Person
	}
	return res, l.writeAll(ctx, recs, res.Changes)
}

// writeAll produces recs, importWriters at a time, keeps each one
// written here and marks its change Stored. It returns the first error
// after every write ended.
func (l *Log) writeAll(ctx context.Context, recs []record, changes []Change) error {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		first    error
		failures int
	)
	sem := make(chan struct{}, importWriters)
	for i, rec := range recs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			err := l.write(ctx, rec)
			changes[i].Stored = err == nil
			if err != nil {
				mu.Lock()
				failures++
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first != nil {
		return fmt.Errorf("%d of %d people not stored (the others are; send the same import again to complete it): %w", failures, len(recs), first)
	}
	return nil
}
