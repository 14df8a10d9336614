// Package notifytest runs a real SMTP server (github.com/emersion/go-smtp)
// in the test process, keeping every message it receives, for the tests
// of notification e-mails. Safe for concurrent use.
package notifytest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one received message.
type Mail struct{ From, To, Data string }

// Mailbox is the SMTP server's store.
type Mailbox struct {
	// Addr is the server's host:port.
	Addr string
	mu   sync.Mutex
	msgs []Mail
}

// All returns the messages received so far.
func (m *Mailbox) All() []Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Mail(nil), m.msgs...)
}

// NewSession implements smtp.Backend.
func (m *Mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{box: m}, nil }

type session struct {
	box      *Mailbox
	from, to string
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, Mail{s.from, s.to, string(b)})
	s.box.mu.Unlock()
	return nil
}

// StartSMTP starts the server on a free local port for tb's lifetime.
func StartSMTP(tb testing.TB) *Mailbox {
	tb.Helper()
	box := &Mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	box.Addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	tb.Cleanup(func() { _ = srv.Close() })
	return box
}
