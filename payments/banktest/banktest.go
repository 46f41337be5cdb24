// Package banktest is a bank for tests and the demo: an HTTP server (httptest) that speaks the
// payments protocol. It verifies each request's signature (401 otherwise), pays each
// instruction id once (a repeated request gets the first answer; the same id with another body
// is a 409), refuses accounts ending in a chosen digit or everything when told to, and can be
// told to fail the next requests with a 500 — before paying, or after paying as a lost answer.
package banktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"banhao/payments"
)

// Bank is a running test bank.
type Bank struct {
	Secret []byte
	srv    *httptest.Server

	mu           sync.Mutex
	answers      map[string]payments.Answer
	bodies       map[string]string
	paid         map[string]int64 // instruction id → fen, confirmed only
	requests     int
	badSignature int
	refuseSuffix string
	refuseAll    string
	failBefore   int
	failAfter    int
	hold         bool
}

// New starts a bank on a local port with the shared secret.
func New(secret []byte) *Bank {
	b := &Bank{Secret: secret, answers: map[string]payments.Answer{}, bodies: map[string]string{}, paid: map[string]int64{}}
	b.srv = httptest.NewServer(http.HandlerFunc(b.serve))
	return b
}

// URL is where the bank takes instructions.
func (b *Bank) URL() string { return b.srv.URL + "/pay" }

// Close stops the bank.
func (b *Bank) Close() { b.srv.Close() }

// Client is a payments client of this bank with the right secret.
func (b *Bank) Client() *payments.Client { return &payments.Client{URL: b.URL(), Secret: b.Secret} }

// RefuseAccountsEndingIn makes the bank refuse accounts ending in digit ("" for none).
func (b *Bank) RefuseAccountsEndingIn(digit string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refuseSuffix = digit
}

// RefuseAll makes the bank refuse every new instruction with reason ("" to stop).
func (b *Bank) RefuseAll(reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refuseAll = reason
}

// Hold makes the bank answer new instructions "processing" (taken, no final answer) until
// released; a request after the release pays.
func (b *Bank) Hold(on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hold = on
}

// FailNext makes the next n requests answer 500: afterPaying, the bank pays (or refuses) first
// and then loses its answer, as a timeout after the bank's commit would.
func (b *Bank) FailNext(n int, afterPaying bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if afterPaying {
		b.failAfter = n
	} else {
		b.failBefore = n
	}
}

// Payments is how many instructions the bank has paid; Paid what it paid to an instruction
// (0 for none); Requests how many requests it took; BadSignatures how many it turned away.
func (b *Bank) Payments() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.paid)
}

// Paid is the amount paid for one instruction, in fen.
func (b *Bank) Paid(id string) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.paid[id]
}

// Requests counts the requests taken.
func (b *Bank) Requests() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.requests
}

// BadSignatures counts the requests turned away for their signature.
func (b *Bank) BadSignatures() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.badSignature
}

func (b *Bank) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "body", http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests++
	if !payments.Verify(b.Secret, body, r.Header.Get(payments.SignatureHeader)) {
		b.badSignature++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var req payments.Request
	if err := json.Unmarshal(body, &req); err != nil || req.InstructionID == "" || req.AmountFen <= 0 || req.Account == "" {
		http.Error(w, "not an instruction", http.StatusBadRequest)
		return
	}
	if key := r.Header.Get(payments.IdempotencyHeader); key != req.InstructionID {
		http.Error(w, "Idempotency-Key must be the instruction id", http.StatusBadRequest)
		return
	}
	if b.failBefore > 0 {
		b.failBefore--
		http.Error(w, "temporarily unavailable", http.StatusInternalServerError)
		return
	}
	a, seen := b.answers[req.InstructionID]
	switch {
	case seen && b.bodies[req.InstructionID] != string(body):
		http.Error(w, "instruction id used for another instruction", http.StatusConflict)
		return
	case seen: // the first answer again: paid once
	case b.hold:
		out, _ := json.Marshal(payments.Answer{InstructionID: req.InstructionID, Status: payments.Processing})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set(payments.SignatureHeader, payments.Sign(b.Secret, out))
		_, _ = w.Write(out)
		return
	case b.refuseAll != "":
		a = payments.Answer{InstructionID: req.InstructionID, Status: payments.Refused, Reason: b.refuseAll}
	case b.refuseSuffix != "" && strings.HasSuffix(req.Account, b.refuseSuffix):
		a = payments.Answer{InstructionID: req.InstructionID, Status: payments.Refused, Reason: "收款账户状态异常（已销户或冻结）"}
	default:
		a = payments.Answer{InstructionID: req.InstructionID, Status: payments.Confirmed,
			Reference: fmt.Sprintf("BT%010d", len(b.paid)+1)}
		b.paid[req.InstructionID] = req.AmountFen
	}
	b.answers[req.InstructionID], b.bodies[req.InstructionID] = a, string(body)
	if b.failAfter > 0 {
		b.failAfter--
		http.Error(w, "answer lost", http.StatusInternalServerError)
		return
	}
	out, _ := json.Marshal(a)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(payments.SignatureHeader, payments.Sign(b.Secret, out))
	_, _ = w.Write(out)
}
