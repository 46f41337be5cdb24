package payments_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"banhao/payments"
	"banhao/payments/banktest"
)

// TestProtocol: the signature is HMAC-SHA256 of the exact body; the test bank pays an id once,
// answers a repeat with the first answer, refuses the same id with another body, turns away a
// wrong signature; a client trusts no unsigned answer.
func TestProtocol(t *testing.T) {
	secret := []byte("0123456789abcdef")
	body := []byte(`{"a":1}`)
	if !payments.Verify(secret, body, payments.Sign(secret, body)) || payments.Verify(secret, []byte(`{"a":2}`), payments.Sign(secret, body)) ||
		payments.Verify(nil, body, payments.Sign(nil, body)) {
		t.Error("Sign/Verify")
	}
	bank := banktest.New(secret)
	defer bank.Close()
	ctx := context.Background()
	req := payments.Request{InstructionID: "BH-PAY-1", Case: "C", Kind: "k", AmountFen: 100, Currency: "CNY", Account: "622200001111", AccountName: "张三"}
	a1, err := bank.Client().Pay(ctx, req)
	if err != nil || a1.Status != payments.Confirmed || a1.Reference == "" {
		t.Fatalf("pay: %+v %v", a1, err)
	}
	a2, err := bank.Client().Pay(ctx, req)
	if err != nil || a2 != a1 || bank.Payments() != 1 {
		t.Errorf("repeat: %+v %v, %d payments", a2, err, bank.Payments())
	}
	other := req
	other.AmountFen = 200
	var se *payments.StatusError
	if _, err := bank.Client().Pay(ctx, other); !errors.As(err, &se) || se.Code != http.StatusConflict || se.Temporary() {
		t.Errorf("the same id for another amount: %v", err)
	}
	wrong := &payments.Client{URL: bank.URL(), Secret: []byte("fedcba9876543210")}
	if _, err := wrong.Pay(ctx, payments.Request{InstructionID: "BH-PAY-2", AmountFen: 1, Account: "1"}); !errors.As(err, &se) || se.Code != http.StatusUnauthorized || bank.BadSignatures() != 1 {
		t.Errorf("wrong secret: %v", err)
	}
	bank.FailNext(1, false)
	if _, err := bank.Client().Pay(ctx, payments.Request{InstructionID: "BH-PAY-3", AmountFen: 1, Account: "1"}); !errors.As(err, &se) || !se.Temporary() || bank.Paid("BH-PAY-3") != 0 {
		t.Errorf("a 500 before paying: %v", err)
	}
	bank.RefuseAll("余额不足")
	if a, err := bank.Client().Pay(ctx, payments.Request{InstructionID: "BH-PAY-3", AmountFen: 1, Account: "1"}); err != nil || a.Status != payments.Refused || a.Reason != "余额不足" {
		t.Errorf("refused: %+v %v", a, err)
	}

	unsigned := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"instruction_id":"BH-PAY-1","status":"confirmed","reference":"X"}`))
	}))
	defer unsigned.Close()
	if _, err := (&payments.Client{URL: unsigned.URL, Secret: secret}).Pay(ctx, req); !errors.Is(err, payments.ErrBadAnswer) {
		t.Errorf("an unsigned 已到账 was trusted: %v", err)
	}
}
