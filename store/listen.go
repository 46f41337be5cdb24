package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"banhao/errs"
)

// Notify sends payload on channel to every listening session (PostgreSQL); on SQLite it does
// nothing.
func (db *DB) Notify(ctx context.Context, channel, payload string) (err error) {
	defer errs.Wrap(&err, "store.DB.Notify")
	if db.Dialect != Postgres {
		return nil
	}
	if _, err := db.w.ExecContext(ctx, `SELECT pg_notify($1, $2)`, channel, payload); err != nil {
		return fmt.Errorf("store: notify %s: %w", channel, err)
	}
	return nil
}

// Listen calls fn with each payload notified on channel until ctx ends (PostgreSQL only; on
// SQLite it returns at once). A lost connection is re-established after a short pause; ready,
// when not nil, is called each time the listener is (again) in place.
func (db *DB) Listen(ctx context.Context, channel string, ready func(), fn func(payload string)) {
	if db.Dialect != Postgres {
		return
	}
	for ctx.Err() == nil {
		err := db.listenOnce(ctx, channel, ready, fn)
		if ctx.Err() != nil {
			return
		}
		_ = err
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (db *DB) listenOnce(ctx context.Context, channel string, ready func(), fn func(string)) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		if _, err := pc.Exec(ctx, `LISTEN "`+channel+`"`); err != nil {
			return err
		}
		defer func() { _, _ = pc.Exec(context.Background(), `UNLISTEN "`+channel+`"`) }()
		if ready != nil {
			ready()
		}
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				return err
			}
			fn(n.Payload)
		}
	})
}
