// Package payments is the bank interface of 秒到账 (issue 16): the payment instruction a decided
// case sends to the bank, the bank's answer, and their signatures. A request is JSON, signed
// with HMAC-SHA256 over the body with a secret shared with the bank (header X-Banhao-Signature),
// and carries the instruction's id as its Idempotency-Key: the bank pays an id once and answers
// a repeated request with the first answer, so a retry after a lost answer never pays twice.
// The bank signs its answer the same way. Instructions themselves live in cases (payments.go).
package payments

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"banhao/errs"
)

// Headers of the protocol.
const (
	SignatureHeader   = "X-Banhao-Signature"
	IdempotencyHeader = "Idempotency-Key"
)

// Request is one payment instruction as the bank receives it.
type Request struct {
	InstructionID string `json:"instruction_id"`
	Case          string `json:"case"`
	Kind          string `json:"kind"`
	Purpose       string `json:"purpose"`
	AmountFen     int64  `json:"amount_fen"`
	Currency      string `json:"currency"`
	Account       string `json:"account"`
	AccountName   string `json:"account_name"`
	Payer         string `json:"payer"`
}

// Answer statuses.
const (
	Confirmed  = "confirmed"  // paid: Reference is the bank's transaction reference
	Refused    = "refused"    // not paid: Reason says why (account closed, name mismatch…)
	Processing = "processing" // taken, no final answer yet: ask again (the same request)
)

// Answer is the bank's answer to a request.
type Answer struct {
	InstructionID string `json:"instruction_id"`
	Status        string `json:"status"`
	Reference     string `json:"reference,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

// Sign is the signature of body under secret: "sha256=" and the hex HMAC-SHA256.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether sig is body's signature under secret (in constant time).
func Verify(secret, body []byte, sig string) bool {
	return len(secret) > 0 && hmac.Equal([]byte(Sign(secret, body)), []byte(strings.TrimSpace(sig)))
}

// ErrNoBank is NoBank's answer: no bank interface is configured here and nothing was sent.
var ErrNoBank = errors.New("payments: no bank interface is configured (BANHAO_BANK_URL and BANHAO_BANK_SECRET): the instruction was not sent")

// NoBank is the bank of an installation without a bank interface, and of a process that sends
// no instructions (a command-line tool): it pays nothing and refuses every request with
// ErrNoBank. The instructions stay pending until a process with a bank sends them.
type NoBank struct{}

// Pay refuses: there is no bank to send to.
func (NoBank) Pay(context.Context, Request) (Answer, error) { return Answer{}, ErrNoBank }

// Client sends instructions to one bank.
type Client struct {
	URL    string
	Secret []byte
	HTTP   *http.Client // nil: a client with a 15 s timeout
}

// ErrBadAnswer is a 2xx answer that is unsigned, badly signed or not an answer: not trusted,
// the request is sent again.
var ErrBadAnswer = errors.New("payments: the bank's answer is not signed by the shared secret or is not an answer")

// StatusError is an answer other than 2xx. Temporary says whether sending again may succeed
// (5xx, 429); every failure is retried, a permanent one (400, 401: a configuration to fix) says
// so in the instruction's last error.
type StatusError struct {
	Code int
	Body string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("银行接口返回 %d：%s", e.Code, e.Body)
}

// Temporary reports a 5xx or 429.
func (e *StatusError) Temporary() bool { return e.Code >= 500 || e.Code == http.StatusTooManyRequests }

// Pay posts the instruction and returns the bank's signed answer. A network error, a non-2xx
// answer or an answer that fails verification is an error: the caller sends the same request
// again later.
func (c *Client) Pay(ctx context.Context, r Request) (_ Answer, err error) {
	defer errs.Wrap(&err, "payments.Client.Pay")
	body, err := json.Marshal(r)
	if err != nil {
		return Answer{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return Answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(IdempotencyHeader, r.InstructionID)
	req.Header.Set(SignatureHeader, Sign(c.Secret, body))
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return Answer{}, err
	}
	if resp.StatusCode/100 != 2 {
		return Answer{}, &StatusError{Code: resp.StatusCode, Body: strings.TrimSpace(string(b[:min(len(b), 200)]))}
	}
	if !Verify(c.Secret, b, resp.Header.Get(SignatureHeader)) {
		return Answer{}, ErrBadAnswer
	}
	var a Answer
	if err := json.Unmarshal(b, &a); err != nil || a.InstructionID != r.InstructionID {
		return Answer{}, ErrBadAnswer
	}
	switch a.Status {
	case Confirmed, Refused, Processing:
		return a, nil
	}
	return Answer{}, ErrBadAnswer
}
