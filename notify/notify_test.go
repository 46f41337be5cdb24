package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"banhao/notify"
)

// TestSMSChannelTextsThePersonBehindTheRecipient: the outbox keeps "ticket:ID"; the channel
// finds the phone when sending and posts it with the text to the gateway; a gateway error is
// an error (so the job retries).
func TestSMSChannelTextsThePersonBehindTheRecipient(t *testing.T) {
	t.Parallel()
	var got map[string]string
	status := http.StatusOK
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(status)
	}))
	defer gw.Close()
	ch := &notify.SMSChannel{Gateway: notify.HTTPGateway{URL: gw.URL}, Resolve: func(_ context.Context, r string) (string, error) {
		if r != "ticket:abc" {
			t.Errorf("resolved %q", r)
		}
		return "13800001111", nil
	}}
	msg := notify.Message{Recipient: "ticket:abc", Body: "请 A001 号到 1号窗口 办理"}
	if err := ch.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	if got["phone"] != "13800001111" || got["text"] != msg.Body {
		t.Errorf("gateway got %v", got)
	}
	status = http.StatusBadGateway
	if err := ch.Send(context.Background(), msg); err == nil {
		t.Error("a failing gateway was not an error")
	}
}
