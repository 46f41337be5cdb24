package queue

import (
	"context"
	"encoding/json"
	"sync"

	"banhao/errs"
	"banhao/store"
	"banhao/wiring"
)

// Event is something the hall's screens and phones show: a call, a change of the waiting lines,
// a finished visit, a ticket's new status.
type Event struct {
	Hall string          `json:"hall"`
	Type string          `json:"type"` // call, queue, finish, ticket, counter
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

// CounterData tells a counter's screen that the counter opened or closed.
type CounterData struct {
	Counter string `json:"counter"`
	Open    bool   `json:"open"`
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

// Hub delivers the events of committed changes: to this node's screens at once, and on
// PostgreSQL to the other nodes through NOTIFY, sent in batches right after the commit by a
// background sender. (NOTIFY inside the business transaction would serialise every commit on
// PostgreSQL's notification lock, and a call's latency would wait on other calls' fsyncs.) A
// node that stops between a commit and the send loses only the remote screens' copy of that
// event; screens reload their state when they reconnect.
type Hub struct {
	Broker *Broker
	db     *store.DB
	node   string
	out    chan Event
}

// NewHub returns the hub of db.
func NewHub(db *store.DB) (_ *Hub, err error) {
	defer errs.Wrap(&err, "queue.NewHub")
	if err := wiring.Require("queue.NewHub", wiring.Deps{"db": db}); err != nil {
		return nil, err
	}
	return &Hub{Broker: NewBroker(), db: db, node: newID(), out: make(chan Event, 4096)}, nil
}

// wire is what travels over NOTIFY: the sending node and its events.
type wire struct {
	Node   string  `json:"node"`
	Events []Event `json:"events"`
}

// Run sends this node's events to the others and listens for theirs until ctx ends
// (PostgreSQL); ready is called once the listener is in place. On SQLite it calls ready and
// returns.
func (h *Hub) Run(ctx context.Context, ready func()) {
	if h.db.Dialect != store.Postgres {
		if ready != nil {
			ready()
		}
		return
	}
	go h.send(ctx)
	h.db.Listen(ctx, notifyChannel, ready, func(payload string) {
		var w wire
		if json.Unmarshal([]byte(payload), &w) != nil || w.Node == h.node {
			return
		}
		for _, e := range w.Events {
			h.Broker.Publish(e)
		}
	})
}

// send batches the events waiting to go out into NOTIFYs below PostgreSQL's 8,000-byte limit.
func (h *Hub) send(ctx context.Context) {
	for {
		var first Event
		select {
		case first = <-h.out:
		case <-ctx.Done():
			return
		}
		batch := []Event{first}
	drain:
		for len(batch) < 200 {
			select {
			case e := <-h.out:
				batch = append(batch, e)
			default:
				break drain
			}
		}
		for len(batch) > 0 {
			n := len(batch)
			var b []byte
			for {
				b, _ = json.Marshal(wire{Node: h.node, Events: batch[:n]})
				if len(b) < 7900 || n == 1 {
					break
				}
				n /= 2
			}
			_ = h.db.Notify(ctx, notifyChannel, string(b))
			batch = batch[n:]
		}
	}
}

// pending collects a command's events; they go out only if it commits.
type pending struct {
	events []Event
}

// add keeps events until the command commits.
func (p *pending) add(evs ...Event) { p.events = append(p.events, evs...) }

// committed publishes a committed command's events: here at once, to other nodes by NOTIFY.
func (h *Hub) committed(p *pending) {
	for _, e := range p.events {
		h.Broker.Publish(e)
		if h.db.Dialect == store.Postgres {
			select {
			case h.out <- e:
			default: // the sender is not running or far behind: remote screens catch up on reconnect
			}
		}
	}
}
