// Package notifytest records what a webhook channel delivers, for tests that watch notifications
// leave through a real HTTP channel.
package notifytest

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"banhao/notify"
)

// Inbox is an http.Handler that keeps every message posted to it.
type Inbox struct {
	mu   sync.Mutex
	msgs []notify.Message
}

// ServeHTTP records one message.
func (b *Inbox) ServeHTTP(_ http.ResponseWriter, r *http.Request) {
	var m notify.Message
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &m)
	b.mu.Lock()
	b.msgs = append(b.msgs, m)
	b.mu.Unlock()
}

// Count is how many messages of event arrived for recipient ("" for anyone).
func (b *Inbox) Count(event, recipient string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, m := range b.msgs {
		if m.Event == event && (recipient == "" || m.Recipient == recipient) {
			n++
		}
	}
	return n
}

// Messages returns a copy of what arrived.
func (b *Inbox) Messages() []notify.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]notify.Message(nil), b.msgs...)
}
