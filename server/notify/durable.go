package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/internal/topiclog"
)

// kept is one tenant's notifications in memory.
type kept struct {
	list []Notification                 // oldest first, at most MaxPerTenant, none older than MaxAge
	ids  map[string]struct{}            // the ids of list
	read map[string]map[string]struct{} // id → subjects who read it (ids of list only)
	keys map[string]string              // Key → the id holding it (ids of list only)
	// local holds the ids Notify kept that the topic has not given back
	// yet: the topic's order decides which of two servers' notifications
	// with one key stays.
	local map[string]struct{}
}

// drop removes the notification at i with its marks and key.
func (k *kept) drop(i int) {
	n := k.list[i]
	delete(k.ids, n.ID)
	delete(k.read, n.ID)
	delete(k.local, n.ID)
	if n.Key != "" && k.keys[n.Key] == n.ID {
		delete(k.keys, n.Key)
	}
	k.list = slices.Delete(k.list, i, i+1)
}

// find returns the index of id in list.
func (k *kept) find(id string) int {
	return slices.IndexFunc(k.list, func(n Notification) bool { return n.ID == id })
}

// record is one record of the notifications topic (key: the tenant):
// exactly one of Notification, Read and ReadAll is set.
type record struct {
	Tenant       string        `json:"tenant"`
	Notification *Notification `json:"notification,omitempty"`
	Key          string        `json:"key,omitempty"` // the notification's Key
	Read         *readMark     `json:"read,omitempty"`
	ReadAll      *readAll      `json:"read_all,omitempty"` // "mark all read" (readall.go)
}

// readMark says a subject read notification ID.
type readMark struct {
	ID      string `json:"id"`
	Subject string `json:"subject"`
}

// prefsRecord is one record of the preferences topic (key:
// tenant/subject; compaction keeps the newest).
type prefsRecord struct {
	Tenant  string    `json:"tenant"`
	Subject string    `json:"subject"`
	Role    auth.Role `json:"role"`
	Teams   []string  `json:"teams"`
	Prefs   Prefs     `json:"prefs"`
}

// openLogs makes the two topic logs (read by Run).
func (c *Center) openLogs() error {
	retention := strconv.FormatInt(c.cfg.MaxAge.Milliseconds(), 10)
	var err error
	c.log, err = topiclog.New(topiclog.Config{Brokers: c.cfg.Brokers, Opts: c.cfg.KafkaOpts, Topic: c.cfg.Topic, Name: "notifications",
		TopicConfig: map[string]*string{"retention.ms": &retention}, Apply: c.applyRecord, SkipBad: true, Logger: c.cfg.Logger})
	if err != nil {
		return err
	}
	c.prefsLog, err = topiclog.New(topiclog.Config{Brokers: c.cfg.Brokers, Opts: c.cfg.KafkaOpts, Topic: c.cfg.PrefsTopic, Name: "notification preferences",
		TopicConfig: topiclog.Compacted(), Apply: c.applyPrefs, SkipBad: true, Logger: c.cfg.Logger})
	if err != nil {
		c.log.Close()
		return err
	}
	return nil
}

// appendRecord writes v on l (topiclog bounds the wait).
func (c *Center) appendRecord(ctx context.Context, l *topiclog.Log, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode notification record: %w", err)
	}
	return l.Append(ctx, key, b)
}

// applyRecord keeps a notification or a read mark read from the topic; a
// notification first seen after the replay (another process's, or this
// one's before Notify kept it) is pushed live here.
func (c *Center) applyRecord(r *kgo.Record, replay bool) error {
	var rec record
	if err := json.Unmarshal(r.Value, &rec); err != nil {
		return fmt.Errorf("decode notification record: %w", err)
	}
	switch {
	case rec.Tenant == "":
		return errors.New("notification record without a tenant")
	case rec.Notification != nil && rec.Notification.ID != "":
		rec.Notification.Read, rec.Notification.Key = false, rec.Key
		c.keep(rec.Tenant, *rec.Notification, !replay, true)
	case rec.Read != nil && rec.Read.ID != "" && rec.Read.Subject != "":
		c.markRead(rec.Tenant, *rec.Read)
	case rec.ReadAll != nil && rec.ReadAll.Subject != "":
		c.markAllRead(rec.Tenant, *rec.ReadAll)
	default:
		return errors.New("notification record with neither a notification nor read marks")
	}
	return nil
}

// applyPrefs keeps preferences read from their topic.
func (c *Center) applyPrefs(r *kgo.Record, _ bool) error {
	var rec prefsRecord
	if err := json.Unmarshal(r.Value, &rec); err != nil {
		return fmt.Errorf("decode notification preferences: %w", err)
	}
	if rec.Tenant == "" || rec.Subject == "" {
		return errors.New("notification preferences without a tenant or subject")
	}
	c.setPrefs(rec)
	return nil
}

// held returns the kept notification holding key, if any.
func (c *Center) held(tenant, key string) (Notification, bool) {
	if key == "" {
		return Notification{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := c.tenants[tenant]
	if k == nil {
		return Notification{}, false
	}
	if id, ok := k.keys[key]; ok {
		if i := k.find(id); i >= 0 {
			return k.list[i], true
		}
	}
	return Notification{}, false
}

// keep adds n to its tenant's list unless it is there already, older
// than MaxAge, or its Key is held (fromLog: by a notification the topic
// gave back, whose place a local one yields), drops the oldest beyond
// MaxPerTenant or MaxAge with their read marks, and pushes n live when
// push and it is new here. It returns n and true when n is kept (now or
// before), the notification holding its key and false when that one
// stays instead, and n and false when n is too old to keep.
func (c *Center) keep(tenant string, n Notification, push, fromLog bool) (Notification, bool) {
	c.mu.Lock()
	k := c.tenants[tenant]
	if k == nil {
		k = &kept{ids: map[string]struct{}{}, read: map[string]map[string]struct{}{}, keys: map[string]string{}, local: map[string]struct{}{}}
		c.tenants[tenant] = k
	}
	if _, known := k.ids[n.ID]; known {
		if fromLog {
			delete(k.local, n.ID)
		}
		c.mu.Unlock()
		return n, true
	}
	if id, ok := k.keys[n.Key]; ok && n.Key != "" {
		_, unconfirmed := k.local[id]
		if !fromLog || !unconfirmed {
			held := k.list[k.find(id)]
			c.mu.Unlock()
			return held, false
		}
		k.drop(k.find(id)) // the topic ordered another server's first
	}
	cutoff := c.cfg.Now().Add(-c.cfg.MaxAge)
	fresh := !n.At.Before(cutoff)
	if fresh {
		k.list = append(k.list, n)
		k.ids[n.ID] = struct{}{}
		if n.Key != "" {
			k.keys[n.Key] = n.ID
		}
		if !fromLog && c.log != nil {
			k.local[n.ID] = struct{}{}
		}
	}
	for len(k.list) > 0 && (len(k.list) > c.cfg.MaxPerTenant || k.list[0].At.Before(cutoff)) {
		k.drop(0)
	}
	_, stays := k.ids[n.ID]
	c.mu.Unlock()
	if fresh && stays && push {
		c.push(tenant, n)
	}
	return n, fresh
}

// markRead keeps that mark.Subject read mark.ID (a notification no longer
// kept: nothing).
func (c *Center) markRead(tenant string, mark readMark) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := c.tenants[tenant]
	if k == nil {
		return
	}
	if _, ok := k.ids[mark.ID]; !ok {
		return
	}
	if k.read[mark.ID] == nil {
		k.read[mark.ID] = map[string]struct{}{}
	}
	k.read[mark.ID][mark.Subject] = struct{}{}
}

// setPrefs keeps a user's preferences.
func (c *Center) setPrefs(rec prefsRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.users[rec.Tenant] == nil {
		c.users[rec.Tenant] = map[string]*user{}
	}
	if rec.Prefs.Kinds == nil {
		rec.Prefs.Kinds = []Kind{}
	}
	c.users[rec.Tenant][rec.Subject] = &user{role: rec.Role, subject: rec.Subject, teams: rec.Teams, prefs: rec.Prefs}
}
