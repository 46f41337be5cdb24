package identity

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"strings"
	"sync"
	"unicode/utf8"

	"banhao/errs"
)

// PII protects personal data (ID numbers, phone numbers) at rest: AES-256-GCM for the value and
// a keyed hash (HMAC-SHA256) as the index, so a value can be found without being stored in clear.
type PII struct {
	aead     cipher.AEAD
	indexKey []byte
	macs     *sync.Pool // HMAC states of indexKey, reset and reused (Index)
}

// NewPII builds the protector from two 32-byte keys (derive them from the installation secret).
func NewPII(encKey, indexKey []byte) (_ *PII, err error) {
	defer errs.Wrap(&err, "identity.NewPII")
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &PII{aead: aead, indexKey: indexKey, macs: &sync.Pool{New: func() any { return hmac.New(sha256.New, indexKey) }}}, nil
}

// Seal encrypts a value; "" stays "".
func (p *PII) Seal(v string) string {
	if v == "" {
		return ""
	}
	nonce := make([]byte, p.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawStdEncoding.EncodeToString(p.aead.Seal(nonce, nonce, []byte(v), nil))
}

// Open decrypts what Seal produced.
func (p *PII) Open(s string) (_ string, err error) {
	defer errs.Wrap(&err, "identity.PII.Open")
	if s == "" {
		return "", nil
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil || len(b) < p.aead.NonceSize() {
		return "", errors.New("pii: not a sealed value")
	}
	out, err := p.aead.Open(nil, b[:p.aead.NonceSize()], b[p.aead.NonceSize():], nil)
	if err != nil {
		return "", errors.New("pii: cannot open (wrong key or damaged value)")
	}
	return string(out), nil
}

// Index is the lookup key of a value: equal values give equal indexes, and nothing else can be
// learned from it without the key.
func (p *PII) Index(v string) string {
	if v == "" {
		return ""
	}
	m := p.macs.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(v))))
	var sum [sha256.Size]byte
	out := hex.EncodeToString(m.Sum(sum[:0]))
	p.macs.Put(m)
	return out
}

// MaskID shows the first four and the last four characters: 3701**********1234.
func MaskID(v string) string { return mask(v, 4, 4) }

// MaskPhone shows the first three and the last four digits: 138****1234.
func MaskPhone(v string) string { return mask(v, 3, 4) }

// MaskName keeps the first character and hides the length: 张*, 欧** (two characters: 张*).
func MaskName(v string) string {
	n := utf8.RuneCountInString(v)
	if n <= 1 {
		return v
	}
	r := []rune(v)
	if n == 2 {
		return string(r[0]) + "*"
	}
	return string(r[0]) + "**" // a fixed short form: the length is not told
}

func mask(v string, head, tail int) string {
	r := []rune(v)
	if len(r) <= head+tail {
		return strings.Repeat("*", len(r))
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
}

// SeesFullPersonalData reports whether a role's work needs full ID and phone numbers: the window
// clerk checks them against the originals; the approver decides on them. Others see them masked.
func SeesFullPersonalData(r Role) bool { return r == Clerk || r == Approver }
