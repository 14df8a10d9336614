package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/smtp"
	"strings"
	"time"
)

// message is the e-mail of n: plain text, UTF-8, the subject
// Q-encoded.
func (c *Center) message(to string, n Notification) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
		c.cfg.SMTPFrom, to, mime.QEncoding.Encode("utf-8", "agentpulse: "+n.Title), n.At.Format(time.RFC1123Z))
	b.WriteString(strings.ReplaceAll(n.Body, "\n", "\r\n"))
	if n.Link != "" {
		b.WriteString("\r\n\r\nOpen it in agentpulse: " + n.Link + "\r\n")
	}
	return []byte(b.String())
}

// sendMail sends n to one address through Config.SMTPAddr (plain SMTP;
// STARTTLS when the server offers it).
func (c *Center) sendMail(ctx context.Context, to string, n Notification) error {
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", c.cfg.SMTPAddr)
	if err != nil {
		return fmt.Errorf("smtp dial %s: %w", c.cfg.SMTPAddr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	host, _, _ := net.SplitHostPort(c.cfg.SMTPAddr)
	cl, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp hello: %w", err)
	}
	defer cl.Close()
	if ok, _ := cl.Extension("STARTTLS"); ok {
		if err := cl.StartTLS(nil); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if err := cl.Mail(c.cfg.SMTPFrom); err != nil {
		return fmt.Errorf("smtp mail from: %w", err)
	}
	if err := cl.Rcpt(to); err != nil {
		return fmt.Errorf("smtp rcpt to: %w", err)
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	if _, err := w.Write(c.message(to, n)); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp end of data: %w", err)
	}
	return cl.Quit()
}

// Webhook is the JSON posted to a chat webhook: "text" is what Slack
// incoming webhooks and Microsoft Teams (incoming webhook connectors)
// both show; "title" and "summary" are used by Teams.
type Webhook struct {
	Text    string `json:"text"`
	Title   string `json:"title"`
	Summary string `json:"summary"`
	Kind    Kind   `json:"kind"`
	Link    string `json:"link"`
}

func (c *Center) postWebhook(ctx context.Context, url string, n Notification) error {
	text := "*" + n.Title + "*\n" + n.Body
	if n.Link != "" {
		text += "\n" + n.Link
	}
	body, _ := json.Marshal(Webhook{Text: text, Title: n.Title, Summary: n.Title, Kind: n.Kind, Link: n.Link})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}
