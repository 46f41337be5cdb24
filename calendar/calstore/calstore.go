// Package calstore keeps the center's working-day calendar in the database: the official
// schedule as seeded, the admin's edits and imported years. It hands out an immutable
// calendar.Calendar, rebuilt when any node changes the days.
package calstore

import (
	"context"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"banhao/audit"
	"banhao/calendar"
	"banhao/errs"
	"banhao/store"
	"banhao/wiring"
)

// Service loads and edits the calendar.
type Service struct {
	db    *store.DB
	audit *audit.Log
	now   func() time.Time
	// staleness bounds how long an edit made on another node takes to show here (WithStaleness).
	staleness time.Duration

	mu      sync.Mutex
	cal     *calendar.Calendar
	gen     int64
	checked time.Time
}

// Option sets a setting of the service at construction.
type Option func(*Service)

// WithStaleness bounds how long a change made on another node takes to show here (default 1 s;
// 0: every read checks the database generation).
func WithStaleness(d time.Duration) Option { return func(s *Service) { s.staleness = d } }

// New returns the calendar service; now is the injected clock. Every argument is required.
func New(db *store.DB, log *audit.Log, now func() time.Time, opts ...Option) (_ *Service, err error) {
	defer errs.Wrap(&err, "calstore.New")
	if err := wiring.Require("calstore.New", wiring.Deps{"db": db, "log": log, "now": now}); err != nil {
		return nil, err
	}
	s := &Service{db: db, audit: log, now: now, staleness: time.Second}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Calendar returns the current calendar.
func (s *Service) Calendar(ctx context.Context) (*calendar.Calendar, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cal != nil && time.Since(s.checked) < s.staleness {
		return s.cal, nil
	}
	var gen int64
	if err := s.db.QueryRowContext(ctx, `SELECT generation FROM meta WHERE name = 'calendar'`).Scan(&gen); err != nil {
		return nil, fmt.Errorf("calendar generation: %w", err)
	}
	if s.cal == nil || gen != s.gen {
		rows, err := s.db.QueryContext(ctx, `SELECT date, kind, name FROM calendar_days ORDER BY date`)
		if err != nil {
			return nil, err
		}
		var days []calendar.Override
		for rows.Next() {
			var o calendar.Override
			if err := rows.Scan(&o.Date, &o.Kind, &o.Name); err != nil {
				rows.Close()
				return nil, err
			}
			days = append(days, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		s.cal, s.gen = calendar.New(days), gen
	}
	s.checked = time.Now()
	return s.cal, nil
}

// Set changes days (holiday, workday, or normal to undo), all in one transaction; then, if
// given, runs in the same transaction (what must happen with the change: its follow-up job).
func (s *Service) Set(ctx context.Context, by audit.Actor, days []calendar.Override, then ...func(*store.Tx) error) error {
	for i, d := range days {
		if d.Kind != calendar.Holiday && d.Kind != calendar.Workday && d.Kind != calendar.Normal {
			return errs.Invalid(fmt.Sprintf("days[%d].kind", i), "类型须为休息日（节假日）、调休上班或恢复正常（按星期）")
		}
		if utf8.RuneCountInString(d.Name) > calendar.NameMax {
			return errs.Invalid(fmt.Sprintf("days[%d].name", i), fmt.Sprintf("名称不能超过 %d 个字（%s）", calendar.NameMax, d.Date))
		}
		if d.Date < calendar.First || d.Date > calendar.Last {
			return errs.Invalid(fmt.Sprintf("days[%d].date", i), "日期须在 2000–2099 之间")
		}
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		for _, d := range days {
			var before any
			var kind, name string
			if err := tx.QueryRowContext(ctx, `SELECT kind, name FROM calendar_days WHERE date = ?`, d.Date).Scan(&kind, &name); err == nil {
				before = calendar.Override{Date: d.Date, Kind: calendar.Kind(kind), Name: name}
			}
			var err error
			if d.Kind == calendar.Normal {
				_, err = tx.ExecContext(ctx, `DELETE FROM calendar_days WHERE date = ?`, d.Date)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO calendar_days (date, kind, name, updated_at) VALUES (?, ?, ?, ?)
					ON CONFLICT (date) DO UPDATE SET kind = excluded.kind, name = excluded.name, updated_at = excluded.updated_at`,
					d.Date, string(d.Kind), d.Name, s.now().UTC())
			}
			if err != nil {
				return err
			}
			if err := s.audit.Record(ctx, tx, by, "calendar.set", "calendar_day", d.Date.String(), before, d); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meta SET generation = generation + 1 WHERE name = 'calendar'`); err != nil {
			return err
		}
		for _, f := range then {
			if err := f(tx); err != nil {
				return err
			}
		}
		return nil
	})
	s.mu.Lock()
	s.cal = nil
	s.mu.Unlock()
	return err
}
