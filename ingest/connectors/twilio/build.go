package twilio

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/schemas"
)

// build makes the interaction of a task with both its reservation.accepted
// and its completion. handle_time_s = completed − accepted; when a wrap-up
// event arrived between them, ended_at is its time (the customer left) and
// the attributes split the handle time into talk_s and acw_s
// (completed − wrap-up); otherwise ended_at is the completion time.
func build(rules *connectors.Rules, secret []byte, tenant string, e *entry) (*schemas.Interaction, error) {
	acc, comp := e.accepted, e.completed
	if comp.at.Before(acc.at) {
		return nil, fmt.Errorf("the task completed (%s) before its reservation was accepted (%s)",
			comp.at.Format(time.RFC3339), acc.at.Format(time.RFC3339))
	}
	handle := comp.at.Sub(acc.at)
	ended, talk, acw := comp.at, handle, time.Duration(0)
	if w := e.wrapup; w != nil && !w.at.Before(acc.at) && !w.at.After(comp.at) {
		ended, talk, acw = w.at, w.at.Sub(acc.at), comp.at.Sub(w.at)
	}
	agent := acc.get("WorkerSid")
	if agent == "" {
		agent = comp.get("WorkerSid")
	}
	if !schemas.ValidID(agent) {
		return nil, fmt.Errorf("WorkerSid %.40q is not a valid agent id", agent)
	}
	task := acc.get("TaskSid")
	refs := map[string]string{"task_sid": task, "worker_sid": agent}
	for name, param := range map[string]string{
		"reservation_sid": "ReservationSid", "workspace_sid": "WorkspaceSid", "account_sid": "AccountSid", "task_queue_sid": "TaskQueueSid",
	} {
		if v := acc.get(param); v != "" {
			refs[name] = v
		}
	}
	attrs := map[string]any{"talk_s": talk.Seconds(), "acw_s": acw.Seconds()}
	if q := acc.get("TaskQueueName"); q != "" {
		attrs["queue"] = connectors.Truncate(q, schemas.MaxAttributeStringLength)
	}
	d := connectors.Draft{
		Tenant:        tenant,
		InteractionID: task,
		Revision:      1,
		AgentID:       agent,
		StartedAt:     acc.at,
		EndedAt:       ended,
		HandleTimeS:   handle.Seconds(),
		Source:        Name,
		SourceRefs:    refs,
		Attributes:    attrs,
		// A task is one contact: its reservations (transfers) share it.
		ChainID:        connectors.ChainID(task),
		CustomerSecret: secret,
	}
	f := &fields{e: e}
	if dir, ok := f.Field(connectors.FieldDirection); ok {
		switch strings.ToLower(strings.TrimSpace(dir)) {
		case "inbound":
			d.Initiation = schemas.InitiationInbound
		case "outbound":
			d.Initiation = schemas.InitiationOutbound
		}
	}
	return d.Finish(rules, f)
}

// errNoTask is the failure of a tracked event without TaskSid.
var errNoTask = errors.New("the event has no TaskSid")

// fields exposes a task's events to the mapping rules (the table in
// doc.go). Task values come from the completion event first (the latest
// task state), worker values from the reservation.accepted first.
type fields struct {
	e           *entry
	task, agent map[string]any // decoded TaskAttributes / WorkerAttributes, on first use
	taskDone    bool
	agentDone   bool
}

// param returns the first non-empty value of name among the events.
func (f *fields) param(name string, events ...*event) (string, bool) {
	for _, e := range events {
		if e != nil {
			if v := e.get(name); v != "" {
				return v, true
			}
		}
	}
	return "", false
}

// Field implements connectors.Fields.
func (f *fields) Field(name string) (string, bool) {
	e := f.e
	taskFirst := []*event{e.completed, e.accepted, e.wrapup}
	workerFirst := []*event{e.accepted, e.completed, e.wrapup}
	switch name {
	case connectors.FieldChannel:
		return f.param("TaskChannelUniqueName", taskFirst...)
	case connectors.FieldQueue:
		if v, ok := f.param("TaskQueueName", taskFirst...); ok {
			return v, true
		}
		return f.param("TaskQueueSid", taskFirst...)
	case connectors.FieldQueueID:
		return f.param("TaskQueueSid", taskFirst...)
	case connectors.FieldWrapup:
		return f.param("TaskCompletedReason", e.completed)
	case connectors.FieldAgent:
		return f.param("WorkerName", workerFirst...)
	case connectors.FieldDirection:
		return f.Field(connectors.PrefixAttributes + "direction")
	}
	if path, ok := strings.CutPrefix(name, connectors.PrefixAttributes); ok {
		if !f.taskDone {
			f.taskDone = true
			if raw, ok := f.param("TaskAttributes", taskFirst...); ok {
				f.task = connectors.DecodeObject([]byte(raw))
			}
		}
		return connectors.LookupPath(f.task, path)
	}
	if path, ok := strings.CutPrefix(name, connectors.PrefixWorker); ok {
		if !f.agentDone {
			f.agentDone = true
			if raw, ok := f.param("WorkerAttributes", workerFirst...); ok {
				f.agent = connectors.DecodeObject([]byte(raw))
			}
		}
		return connectors.LookupPath(f.agent, path)
	}
	if param, ok := strings.CutPrefix(name, connectors.PrefixRaw); ok {
		return f.param(param, taskFirst...)
	}
	return "", false
}
