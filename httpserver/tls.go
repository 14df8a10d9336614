package httpserver

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certReloader serves the certificate of a cert and key file pair and
// reloads it when either file changes (checked at most once per
// recheck, at a handshake), so a renewed certificate (cert-manager,
// certbot) is served without a restart. A pair that fails to load keeps
// the previous certificate and is logged.
type certReloader struct {
	certFile, keyFile string
	recheck           time.Duration
	log               *slog.Logger

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   string // the files' sizes and modification times
	checked time.Time
}

func newCertReloader(certFile, keyFile string, recheck time.Duration, log *slog.Logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, recheck: recheck, log: log}
	stamp, err := r.stampNow()
	if err == nil {
		err = r.load(stamp)
	}
	if err != nil {
		return nil, fmt.Errorf("--tls-cert, --tls-key: %w", err)
	}
	return r, nil
}

func (r *certReloader) stampNow() (string, error) {
	var s string
	for _, f := range []string{r.certFile, r.keyFile} {
		fi, err := os.Stat(f)
		if err != nil {
			return "", err
		}
		s += fmt.Sprintf("%d/%d;", fi.Size(), fi.ModTime().UnixNano())
	}
	return s, nil
}

func (r *certReloader) load(stamp string) error {
	c, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return err
	}
	r.cert, r.stamp = &c, stamp
	return nil
}

// get is tls.Config.GetCertificate.
func (r *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := time.Now(); now.Sub(r.checked) >= r.recheck {
		r.checked = now
		stamp, err := r.stampNow()
		if err == nil && stamp != r.stamp {
			if err = r.load(stamp); err == nil {
				r.log.Info("https certificate reloaded", "cert", r.certFile)
			}
		}
		if err != nil {
			r.log.Warn("https certificate not reloaded; serving the previous one", "cert", r.certFile, "err", err)
		}
	}
	return r.cert, nil
}
