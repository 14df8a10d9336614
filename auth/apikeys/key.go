package apikeys

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Prefix starts every key, so a bearer string is told from a JWT at once.
const Prefix = "apk_"

const (
	idBytes     = 8
	secretBytes = 32
	// keyLen is the length of a well-formed key.
	keyLen = len(Prefix) + 2*idBytes + 1 + 43
)

// Record is the stored state of one key: never its secret.
type Record struct {
	Tenant string `json:"tenant"`
	ID     string `json:"id"`
	// Name is the admin's label ("genesys feed").
	Name string `json:"name"`
	// Wallboard, when set, makes the key a TV's wallboard key: it reads
	// only that model's wallboard (role wallboard) and never ingests.
	Wallboard string `json:"wallboard,omitempty"`
	// Hash is the hex SHA-256 of the whole key.
	Hash string `json:"hash"`
	// CreatedAt and CreatedBy say when and by whom (the admin's subject).
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	// RevokedAt is when the key stops (or stopped) working; zero while it
	// works. A rotation sets it in the future (the overlap).
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	// RevokedBy is the admin who revoked or rotated it.
	RevokedBy string `json:"revoked_by,omitempty"`
	// ReplacedBy is the id of the key a rotation made.
	ReplacedBy string `json:"replaced_by,omitempty"`
	// Version orders the states of one key; the higher wins.
	Version int64 `json:"version"`
}

// Active reports whether r admits requests at now.
func (r Record) Active(now time.Time) bool { return r.RevokedAt.IsZero() || now.Before(r.RevokedAt) }

// View is what the API shows of a key: the record without its hash.
type View struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Wallboard  string     `json:"wallboard,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	CreatedBy  string     `json:"created_by"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	RevokedBy  string     `json:"revoked_by,omitempty"`
	ReplacedBy string     `json:"replaced_by,omitempty"`
	Active     bool       `json:"active"`
}

// View returns what the API shows of r at now.
func (r Record) View(now time.Time) View {
	v := View{ID: r.ID, Name: r.Name, Wallboard: r.Wallboard, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, RevokedBy: r.RevokedBy,
		ReplacedBy: r.ReplacedBy, Active: r.Active(now)}
	if !r.RevokedAt.IsZero() {
		t := r.RevokedAt
		v.RevokedAt = &t
	}
	return v
}

// ErrMalformed is returned by parse for a string that is not a key.
var ErrMalformed = errors.New("not an API key (apk_<16 hex>_<43 base64url>)")

// newKey returns a fresh key and its id.
func newKey() (key, id string) {
	var b [idBytes + secretBytes]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	id = hex.EncodeToString(b[:idBytes])
	return Prefix + id + "_" + base64.RawURLEncoding.EncodeToString(b[idBytes:]), id
}

// parse returns the id of a well-formed key.
func parse(key string) (string, error) {
	if len(key) != keyLen || !strings.HasPrefix(key, Prefix) || key[len(Prefix)+2*idBytes] != '_' {
		return "", ErrMalformed
	}
	id := key[len(Prefix) : len(Prefix)+2*idBytes]
	if _, err := hex.DecodeString(id); err != nil || strings.ToLower(id) != id {
		return "", ErrMalformed
	}
	if _, err := base64.RawURLEncoding.Strict().DecodeString(key[len(Prefix)+2*idBytes+1:]); err != nil {
		return "", ErrMalformed
	}
	return id, nil
}

// hash is the stored form of key.
func hash(key string) string {
	s := sha256.Sum256([]byte(key))
	return hex.EncodeToString(s[:])
}
