package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"banhao/errs"
)

// Board is what the hall screen shows: the latest calls and who waits for each service.
type Board struct {
	Hall     Hall           `json:"hall"`
	Calls    []BoardCall    `json:"calls"`
	Services []ServiceQueue `json:"services"`
}

// BoardCall is one of the latest calls with its ticket's status now: a call whose ticket is
// still at the counter (called or serving) is current; one that finished or was missed is past.
type BoardCall struct {
	CallData
	Status Status `json:"status"`
}

// AtCounter reports whether the called ticket is still at its counter (called or serving).
func (c BoardCall) AtCounter() bool { return c.Status == Called || c.Status == Serving }

// ServiceQueue is one service's line right now.
type ServiceQueue struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Prefix  string `json:"prefix"`
	Waiting int    `json:"waiting"`
	Green   int    `json:"green"`
	// LongestWaitMinutes is how long the longest-waiting ticket has waited so far.
	LongestWaitMinutes int `json:"longest_wait_minutes"`
	// EstimatedWaitMinutes is what a ticket taken now would wait.
	EstimatedWaitMinutes int `json:"estimated_wait_minutes"`
	// EstimatedWaitText is that estimate as people read it (LineWaitText): "无需等候",
	// "不足 1 分钟" or "约 N 分钟".
	EstimatedWaitText string `json:"estimated_wait_text"`
}

// Board returns the hall screen's state (its page then follows the hall's events).
func (s *Service) Board(ctx context.Context, hallID string) (_ Board, err error) {
	defer errs.Wrap(&err, "queue.Board")
	h, err := s.HallByID(ctx, hallID)
	if err != nil {
		return Board{}, err
	}
	b := Board{Hall: h, Calls: []BoardCall{}}
	today := s.today().String()
	rows, err := s.db.QueryContext(ctx, `SELECT t.number, t.counter_id, COALESCE(c.name, ''), t.service_code, t.id, t.priority, t.called_at, t.status
		FROM tickets t LEFT JOIN counters c ON c.id = t.counter_id
		WHERE t.hall_id = ? AND t.day = ? AND t.called_at IS NOT NULL ORDER BY t.called_at DESC LIMIT 10`, hallID, today)
	if err != nil {
		return b, err
	}
	for rows.Next() {
		var c BoardCall
		var at time.Time
		if err := rows.Scan(&c.Number, &c.Counter, &c.CounterName, &c.Service, &c.Ticket, &c.Priority, &at, &c.Status); err != nil {
			rows.Close()
			return b, err
		}
		c.At = at.Format(time.RFC3339)
		b.Calls = append(b.Calls, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return b, fmt.Errorf("board of hall %s: calls: %w", hallID, err)
	}
	svcs, err := s.Services(ctx, hallID)
	if err != nil {
		return b, err
	}
	for _, q := range svcs {
		sq, err := s.line(ctx, q, today)
		if err != nil {
			return b, err
		}
		if sq.EstimatedWaitMinutes, err = s.estimate(ctx, s.db, q, sq.Waiting); err != nil {
			return b, err
		}
		sq.EstimatedWaitText = LineWaitText(sq.Waiting, sq.EstimatedWaitMinutes)
		b.Services = append(b.Services, sq)
	}
	return b, nil
}

// Screen is what the screen above a counter shows: the counter and the number at it now.
type Screen struct {
	Counter string `json:"counter"`
	Name    string `json:"name"`
	Hall    string `json:"hall"`
	Open    bool   `json:"open"`
	// Number is the ticket called to or served at the counter now ("" when none); Status is its
	// status (called or serving).
	Number string `json:"number"`
	Status Status `json:"status,omitempty"`
}

// Screen returns what a counter's screen shows now (public: numbers only, nobody's data).
func (s *Service) Screen(ctx context.Context, counterID string) (_ Screen, err error) {
	defer errs.Wrap(&err, "queue.Screen")
	c, err := s.CounterByID(ctx, counterID)
	if err != nil {
		return Screen{}, err
	}
	sc := Screen{Counter: c.ID, Name: c.Name, Hall: c.Hall, Open: c.Open}
	err = s.db.QueryRowContext(ctx, `SELECT number, status FROM tickets WHERE counter_id = ? AND status IN ('called', 'serving')
		ORDER BY called_at DESC LIMIT 1`, c.ID).Scan(&sc.Number, &sc.Status)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return sc, err
	}
	return sc, nil
}

// Desk is what a counter's staff screen shows.
type Desk struct {
	Counter Counter        `json:"counter"`
	Current *Ticket        `json:"current"`
	Parked  []Ticket       `json:"parked"`
	Queues  []ServiceQueue `json:"queues"`
	Served  int            `json:"served_today"`
}

// Desk returns a counter's state for its staff.
func (s *Service) Desk(ctx context.Context, counterID string) (_ Desk, err error) {
	defer errs.Wrap(&err, "queue.Desk")
	c, err := s.CounterByID(ctx, counterID)
	if err != nil {
		return Desk{}, err
	}
	d := Desk{Counter: c, Parked: []Ticket{}}
	today := s.today().String()
	rows, err := s.db.QueryContext(ctx, `SELECT `+ticketCols+ticketFrom+`WHERE t.counter_id = ? AND t.status IN ('called', 'serving', 'parked')
		ORDER BY t.called_at`, counterID)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return d, err
		}
		t = s.present(t, "")
		if t.Status == Parked {
			d.Parked = append(d.Parked, t)
		} else {
			d.Current = &t
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("desk of counter %s: tickets: %w", counterID, err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE counter_id = ? AND day = ? AND status = 'done'`, counterID, today).Scan(&d.Served); err != nil {
		return d, err
	}
	for _, code := range c.Services {
		q, err := s.ServiceByCode(ctx, code)
		if err != nil {
			return d, err
		}
		sq, err := s.line(ctx, q, today)
		if err != nil {
			return d, err
		}
		d.Queues = append(d.Queues, sq)
	}
	return d, nil
}

// line is one service's waiting line now: how many, how many green, the longest wait so far.
func (s *Service) line(ctx context.Context, q QueueService, today string) (ServiceQueue, error) {
	sq := ServiceQueue{Code: q.Code, Name: q.Name, Prefix: q.Prefix}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN rank = 0 THEN 1 ELSE 0 END), 0) FROM tickets
		WHERE service_code = ? AND day = ? AND status = 'waiting'`, q.Code, today).Scan(&sq.Waiting, &sq.Green); err != nil {
		return sq, err
	}
	if sq.Waiting == 0 {
		return sq, nil
	}
	var first time.Time
	err := s.db.QueryRowContext(ctx, `SELECT entered_at FROM tickets WHERE service_code = ? AND day = ? AND status = 'waiting'
		ORDER BY entered_at LIMIT 1`, q.Code, today).Scan(&first)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return sq, err
	}
	if err == nil {
		sq.LongestWaitMinutes = max(0, int(s.now().Sub(first).Minutes()))
	}
	return sq, nil
}
