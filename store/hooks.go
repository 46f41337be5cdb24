package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// The commit hooks, typed. A capability that does work at the end of a command (the audit
// chain's entries) declares a CommandValue; one that does work once per transaction (one insert
// of every command's jobs) declares a BatchValue. Each is a package-level (or per-service)
// variable, so the key is the variable itself: two never collide, and its type says what it holds.
// The order hooks run in is fixed by the rules below, never by which one a command touched first.

// A CommandValue is what one command collects for a hook of its own — say, the audit entries
// it recorded. Get gives the running command's value (created empty on first use); when the
// command's fn has returned nil, commit gets it, after the command's BeforeCommit hooks.
// The value is forgotten when the command ends.
type CommandValue[T any] struct {
	name   string
	commit func(ctx context.Context, tx *Tx, v *T) error
}

// NewCommandValue declares a command value. name orders the commit hooks of one command (they
// run by name, so they must not depend on one another) and names it in errors.
func NewCommandValue[T any](name string, commit func(ctx context.Context, tx *Tx, v *T) error) *CommandValue[T] {
	return &CommandValue[T]{name: name, commit: commit}
}

// Get returns the running command's value, registering its commit hook on first use. Touching
// a value for the first time from a hook (once the command's hooks have begun) is refused: the
// command fails with an error, as its hook would otherwise never run.
func (k *CommandValue[T]) Get(tx *Tx) *T {
	if v, ok := tx.cmd.values[k]; ok {
		return v.(*T)
	}
	v := new(T)
	if tx.cmd.refuse("the command value " + k.name) {
		return v
	}
	if tx.cmd.values == nil {
		tx.cmd.values = map[any]any{}
	}
	tx.cmd.values[k] = v
	tx.cmd.commits = append(tx.cmd.commits, hook{k.name, func(ctx context.Context) error { return k.commit(ctx, tx, v) }})
	return v
}

// A BatchValue is what the whole transaction collects for one write just before COMMIT — under
// SQLite's group commit, from every command of the batch (one multi-row insert instead of one
// per command). A command contributes with Add; its contributions join the transaction's value
// only if the command succeeds, so a command rolled back to its savepoint contributes nothing.
type BatchValue[T any] struct {
	name  string
	write func(ctx context.Context, tx *Tx, v *T) error
}

// NewBatchValue declares a batch value. name orders the writes of one transaction (they run by
// name, so they must not depend on one another) and names it in errors.
func NewBatchValue[T any](name string, write func(ctx context.Context, tx *Tx, v *T) error) *BatchValue[T] {
	return &BatchValue[T]{name: name, write: write}
}

// Add records add as this command's contribution: once the command has succeeded (its hooks
// included), add is applied to the transaction's value, which is created empty on the first
// contribution. Commands of a batch join in the order they ran.
func (k *BatchValue[T]) Add(tx *Tx, add func(v *T)) {
	tx.cmd.joins = append(tx.cmd.joins, func() {
		v, ok := tx.batch.values[k]
		if !ok {
			v = new(T)
			if tx.batch.values == nil {
				tx.batch.values = map[any]any{}
			}
			tx.batch.values[k] = v
			tx.batch.writes = append(tx.batch.writes, hook{k.name, func(ctx context.Context) error { return k.write(ctx, tx, v.(*T)) }})
		}
		add(v.(*T))
	})
}

// BeforeCommit registers f to run at the end of the command once fn has returned nil, before
// the command values' commit hooks — for reading back what the command wrote (the case as it
// will commit). BeforeCommit hooks run in the order registered.
func (tx *Tx) BeforeCommit(f func(context.Context) error) {
	if tx.cmd.refuse("BeforeCommit") {
		return
	}
	tx.cmd.reads = append(tx.cmd.reads, f)
}

// hook is a named piece of work; hooks of one kind run sorted by name.
type hook struct {
	name string
	run  func(context.Context) error
}

// command is what the running command registered.
type command struct {
	reads   []func(context.Context) error // BeforeCommit, in registration order
	commits []hook                        // the command values' hooks
	values  map[any]any                   // *CommandValue[T] → *T
	joins   []func()                      // BatchValue contributions, applied once the command succeeded
	// finishing is set once the hooks began; misuse is what was refused since.
	finishing bool
	misuse    error
}

// refuse reports whether registering what is refused now: once the command's hooks began, a
// new hook would never run, so the command fails instead.
func (c *command) refuse(what string) bool {
	if c.finishing && c.misuse == nil {
		c.misuse = fmt.Errorf("store: %s was first used from a commit hook; use it in the command itself", what)
	}
	return c.finishing
}

// batchState is what the commands of a transaction contributed.
type batchState struct {
	values map[any]any // *BatchValue[T] → *T
	writes []hook
}

// finish runs the hooks of the command that just ran — its BeforeCommit hooks, then its command
// values' hooks by name — and forgets its state. It returns the command's batch contributions,
// for the caller to apply once the command is kept.
func (tx *Tx) finish(ctx context.Context) (joins []func(), err error) {
	c := &tx.cmd
	defer func() { tx.cmd = command{} }()
	c.finishing = true
	for _, f := range c.reads {
		if err := f(ctx); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(c.commits, func(a, b hook) int { return cmp.Compare(a.name, b.name) })
	for _, h := range c.commits {
		if err := h.run(ctx); err != nil {
			return nil, err
		}
	}
	if c.misuse != nil {
		return nil, c.misuse
	}
	return c.joins, nil
}

// writeBatch runs the batch values' writes, by name, once for the whole transaction.
func (tx *Tx) writeBatch(ctx context.Context) error {
	writes := tx.batch.writes
	tx.batch = batchState{}
	slices.SortStableFunc(writes, func(a, b hook) int { return cmp.Compare(a.name, b.name) })
	for _, w := range writes {
		if err := w.run(ctx); err != nil {
			return err
		}
	}
	return nil
}
