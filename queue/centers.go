package queue

import (
	"context"
	"fmt"

	"banhao/errs"
	"banhao/network"
)

// The queues per center, for the network (network.Queues): 在哪里办 on every guide shows the
// people waiting in each center's halls now, the centers' statistics also today's average wait.
// Halls are few; their waiting tickets are read by the tickets_open index (status, day).

// Lengths counts the people waiting now in each center's halls (halls of no center under "").
func (s *Service) Lengths(ctx context.Context) (_ map[string]int, err error) {
	defer errs.Wrap(&err, "queue.Lengths")
	rows, err := s.db.QueryContext(ctx, `SELECT h.center_code, COUNT(t.id) FROM halls h
		LEFT JOIN tickets t ON t.hall_id = h.id AND t.status = 'waiting' AND t.day = ?
		GROUP BY h.center_code`, s.today().String())
	if err != nil {
		return nil, fmt.Errorf("queue: lengths per center: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var center string
		var n int
		if err := rows.Scan(&center, &n); err != nil {
			return nil, err
		}
		out[center] = n
	}
	return out, rows.Err()
}

// Waits are the people waiting now and the average wait of the tickets called today, per center.
func (s *Service) Waits(ctx context.Context) (_ map[string]network.Waiting, err error) {
	defer errs.Wrap(&err, "queue.Waits")
	rows, err := s.db.QueryContext(ctx, `SELECT h.center_code, SUM(CASE WHEN t.status = 'waiting' THEN 1 ELSE 0 END),
		COUNT(t.wait_seconds), COALESCE(SUM(t.wait_seconds), 0) FROM halls h
		LEFT JOIN tickets t ON t.hall_id = h.id AND t.day = ?
		GROUP BY h.center_code`, s.today().String())
	if err != nil {
		return nil, fmt.Errorf("queue: waits per center: %w", err)
	}
	defer rows.Close()
	out := map[string]network.Waiting{}
	for rows.Next() {
		var center string
		var waiting, called, seconds int64
		var nw *int64
		if err := rows.Scan(&center, &nw, &called, &seconds); err != nil {
			return nil, err
		}
		if nw != nil {
			waiting = *nw
		}
		w := network.Waiting{People: int(waiting)}
		if called > 0 {
			m := round1(float64(seconds) / float64(called) / 60)
			w.AvgWaitMinutes = &m
		}
		out[center] = w
	}
	return out, rows.Err()
}

var _ network.Queues = (*Service)(nil)
