// Package secret loads the installation's master secret and derives purpose-bound keys from it
// (audit chain, personal-data encryption, lookup index). Every node of one installation must
// share it: set $BANHAO_SECRET, or let the first start write DATA_DIR/secret.key.
package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Secret is the master key material.
type Secret struct{ key []byte }

// New wraps raw key material (tests use a fixed one).
func New(key []byte) Secret { return Secret{key: append([]byte(nil), key...)} }

// Load reads $BANHAO_SECRET or DATA_DIR/secret.key, creating the file (0600) on first use.
func Load(dataDir string) (Secret, error) {
	if v := strings.TrimSpace(os.Getenv("BANHAO_SECRET")); v != "" {
		if len(v) < 32 {
			return Secret{}, errors.New("secret: $BANHAO_SECRET must be at least 32 characters")
		}
		return New([]byte(v)), nil
	}
	path := filepath.Join(dataDir, "secret.key")
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < 32 {
			return Secret{}, fmt.Errorf("secret: %s is not a 32-byte hex key", path)
		}
		return New(k), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return Secret{}, fmt.Errorf("secret: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return Secret{}, fmt.Errorf("secret: %w", err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return Secret{}, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process won the race: use its key
		return Load(dataDir)
	}
	if err != nil {
		return Secret{}, fmt.Errorf("secret: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		return Secret{}, fmt.Errorf("secret: %w", err)
	}
	return New(k), f.Sync()
}

// Derive returns a 32-byte key bound to purpose, so one leaked use does not expose another.
func (s Secret) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("banhao/" + purpose))
	return m.Sum(nil)
}
