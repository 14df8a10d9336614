package oidc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"
)

// sealer encrypts and authenticates small cookie payloads (AES-256-GCM
// under a key derived from the signing secret).
type sealer struct{ aead cipher.AEAD }

func newSealer(secret []byte, purpose string) (sealer, error) {
	key := sha256.Sum256(append([]byte("agentpulse oidc "+purpose+"\x00"), secret...))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, err
	}
	return sealer{aead: aead}, nil
}

// sealed payloads carry their own expiry.
type envelope struct {
	Exp  int64           `json:"exp"`
	Data json.RawMessage `json:"data"`
}

func (s sealer) seal(v any, ttl time.Duration) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	plain, _ := json.Marshal(envelope{Exp: time.Now().Add(ttl).Unix(), Data: data})
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, nil)), nil
}

var errSealed = errors.New("the cookie is not one this server sealed, or it has expired")

func (s sealer) open(text string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || len(b) < s.aead.NonceSize() {
		return errSealed
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], nil)
	if err != nil {
		return errSealed
	}
	var e envelope
	if json.Unmarshal(plain, &e) != nil || time.Now().Unix() > e.Exp {
		return errSealed
	}
	return json.Unmarshal(e.Data, v)
}
