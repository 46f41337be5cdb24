package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// batcher commits concurrent SQLite transactions together. SQLite has one writer and, with
// synchronous=FULL, one fsync per commit; running the transactions that arrive while a commit is
// in flight as savepoints of the next transaction turns N fsyncs into one.
type batcher struct {
	db    *DB
	queue chan *txRequest
	stop  chan struct{}
	wg    sync.WaitGroup
}

type txRequest struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

// maxBatch bounds how many transactions share one commit (and how long the last one waits).
const maxBatch = 64

func newBatcher(db *DB) *batcher {
	b := &batcher{db: db, queue: make(chan *txRequest, 1024), stop: make(chan struct{})}
	b.wg.Add(1)
	go b.loop()
	return b
}

func (b *batcher) close() {
	close(b.stop)
	b.wg.Wait()
}

func (b *batcher) do(ctx context.Context, fn func(*Tx) error) error {
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case b.queue <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-b.stop:
		return errors.New("store: closed")
	}
	return <-r.done // the commit decides; a caller that gave up still learns the outcome
}

func (b *batcher) loop() {
	defer b.wg.Done()
	for {
		var first *txRequest
		select {
		case first = <-b.queue:
		case <-b.stop:
			return
		}
		batch := []*txRequest{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-b.queue:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		b.run(batch)
	}
}

// run executes a batch in one transaction, each request in a savepoint of its own.
func (b *batcher) run(batch []*txRequest) {
	results := make([]error, len(batch))
	ok := 0
	err := b.db.direct(context.Background(), func(tx *Tx) error {
		for i, r := range batch {
			if err := r.ctx.Err(); err != nil {
				results[i] = err
				continue
			}
			results[i] = savepoint(r.ctx, tx, r.fn)
			if results[i] == nil {
				ok++
			}
		}
		if ok == 0 {
			return errNothingToCommit
		}
		return nil
	})
	for i, r := range batch {
		if results[i] == nil && err != nil && !errors.Is(err, errNothingToCommit) {
			results[i] = err // the shared commit failed: nothing of this request was stored
		}
		r.done <- results[i]
	}
}

var errNothingToCommit = errors.New("store: nothing to commit")

func savepoint(ctx context.Context, tx *Tx, fn func(*Tx) error) (err error) {
	var joins []func()
	if _, err := tx.ExecContext(ctx, `SAVEPOINT request`); err != nil {
		return fmt.Errorf("store: savepoint: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: transaction panicked: %v", p)
		}
		if err != nil {
			if _, rbErr := tx.ExecContext(context.Background(), `ROLLBACK TO request`); rbErr != nil {
				err = errors.Join(err, rbErr)
			}
		}
		if _, relErr := tx.ExecContext(context.Background(), `RELEASE request`); relErr != nil && err == nil {
			err = relErr
		}
		if err == nil {
			for _, j := range joins { // the command is kept: its contributions join the batch
				j()
			}
		}
	}()
	tx.cmd = command{} // each command in the batch has its own
	if err := fn(tx); err != nil {
		tx.cmd = command{} // its hooks never run, its contributions never join
		return err
	}
	joins, err = tx.finish(ctx)
	return err
}
