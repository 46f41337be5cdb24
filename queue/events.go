package queue

import (
	"context"
	"encoding/json"
	"sync"

	"banhao/store"
)

// Event is something the hall's screens and phones show: a call, a change of the waiting lines,
// a finished visit, a ticket's new status.
type Event struct {
	Hall string          `json:"hall"`
	Type string          `json:"type"` // call, queue, finish, ticket
	Data json.RawMessage `json:"data"`
}

// CallData is the data of a call event (API.md: number and counter).
type CallData struct {
	Number      string `json:"number"`
	Counter     string `json:"counter"`
	CounterName string `json:"counter_name"`
	Service     string `json:"service"`
	Ticket      string `json:"ticket"`
	Priority    string `json:"priority"`
	Recall      bool   `json:"recall"`
	At          string `json:"at"`
}

// QueueData is the data of a queue event: how many wait for a service now.
type QueueData struct {
	Service string `json:"service"`
	Waiting int    `json:"waiting"`
}

// TicketData tells a phone or a counter's rating pad that a ticket changed.
type TicketData struct {
	Ticket  string `json:"ticket"`
	Number  string `json:"number"`
	Service string `json:"service"`
	Status  Status `json:"status"`
	Counter string `json:"counter,omitempty"`
}

func newEvent(hall, typ string, data any) Event {
	b, _ := json.Marshal(data)
	return Event{Hall: hall, Type: typ, Data: b}
}

// Broker fans events out to the subscribers of one node. A subscriber that does not keep up
// is dropped (its channel closed): the page reconnects and reloads its state.
type Broker struct {
	mu   sync.Mutex
	subs map[string]map[chan Event]struct{}
}

// NewBroker returns an empty broker.
func NewBroker() *Broker { return &Broker{subs: map[string]map[chan Event]struct{}{}} }

// Subscribe returns a channel of the hall's events and a function that ends the subscription.
func (b *Broker) Subscribe(hall string) (<-chan Event, func()) {
	ch := make(chan Event, 64)
	b.mu.Lock()
	if b.subs[hall] == nil {
		b.subs[hall] = map[chan Event]struct{}{}
	}
	b.subs[hall][ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		if _, ok := b.subs[hall][ch]; ok {
			delete(b.subs[hall], ch)
			close(ch)
		}
		b.mu.Unlock()
	}
}

// Subscribers counts the open subscriptions of a hall.
func (b *Broker) Subscribers(hall string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs[hall])
}

// Publish hands e to every subscriber of its hall without waiting for any of them.
func (b *Broker) Publish(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs[e.Hall] {
		select {
		case ch <- e:
		default:
			delete(b.subs[e.Hall], ch)
			close(ch)
		}
	}
}

// notifyChannel is the PostgreSQL channel that carries hall events between nodes.
const notifyChannel = "banhao_hall"

// Hub delivers the events of committed changes to every node's broker: on PostgreSQL through
// NOTIFY (sent in the changing transaction, heard by every node's listener, this one included),
// on SQLite straight to the local broker after the commit.
type Hub struct {
	Broker *Broker
	db     *store.DB
}

// NewHub returns the hub of db.
func NewHub(db *store.DB) *Hub { return &Hub{Broker: NewBroker(), db: db} }

// Run listens for other nodes' events until ctx ends (PostgreSQL); ready is called once the
// listener is in place. On SQLite it calls ready and returns.
func (h *Hub) Run(ctx context.Context, ready func()) {
	if h.db.Dialect != store.Postgres {
		if ready != nil {
			ready()
		}
		return
	}
	h.db.Listen(ctx, notifyChannel, ready, func(payload string) {
		var e Event
		if json.Unmarshal([]byte(payload), &e) == nil {
			h.Broker.Publish(e)
		}
	})
}

// pending collects a command's events; they go out only if it commits.
type pending struct {
	events []Event
	local  bool
}

// stage sends the events within tx (PostgreSQL) or keeps them for after the commit (SQLite).
func (h *Hub) stage(ctx context.Context, tx *store.Tx, p *pending, evs ...Event) error {
	for _, e := range evs {
		b, _ := json.Marshal(e)
		sent, err := tx.Notify(ctx, notifyChannel, string(b))
		if err != nil {
			return err
		}
		if !sent {
			p.local = true
			p.events = append(p.events, e)
		}
	}
	return nil
}

// committed publishes the events kept for after the commit.
func (h *Hub) committed(p *pending) {
	for _, e := range p.events {
		h.Broker.Publish(e)
	}
}
