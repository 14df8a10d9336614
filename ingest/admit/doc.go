// Package admit owns the in-flight bounds of the ingest endpoints: a fixed
// number of slots shared by every tenant, of which one tenant (or any other
// key, such as a connector's deliveries not yet authenticated) may hold only
// a share. One tenant's slow or stuck uploads then cannot make every other
// tenant's requests wait or be refused.
//
// Concurrency: a Slots is safe for concurrent use; Acquire never blocks.
package admit
