// Package store opens SQLite or PostgreSQL, runs the migrations and hands out transactions.
// Dialect differences (placeholders, row locks, upserts) live here and nowhere else.
//
// # The contract of a transaction
//
// DB.Tx(ctx, fn) runs fn as one command. Every write of a business action (its row changes,
// timeline, audit entry, jobs, outbox messages) goes through the *Tx it is given, and so commits
// or rolls back together:
//
//   - fn returns nil: the command's hooks run (below), then (once per transaction) the batch
//     values' writes, then the queued writes are sent and the transaction commits. Tx returns
//     only after the commit is durable (synchronous=FULL on SQLite).
//   - fn or any hook returns an error, or a queued write failed: everything is rolled back and Tx
//     returns that error — for a failed queued write, the write's own error (a unique violation,
//     say), not the "transaction aborted" of the statements after it.
//   - fn must not call DB.Tx (the SQLite writer is one connection: it would wait for itself).
//
// Group commit (SQLite): concurrent callers' commands are run one after another in one
// transaction, each in its own SAVEPOINT, and share one COMMIT and one fsync. A command that fails
// is rolled back to its savepoint alone; the others commit. A command whose caller's context has
// ended before it begins is not run. Once it has begun, a statement that starts is not interrupted
// when that context ends (Tx.statementCtx); the command's next statement fails with the context's
// error and the command is rolled back to its savepoint alone — it overruns its context by one
// statement at most, and the other commands of the batch are untouched.
//
// # Commit hooks (hooks.go)
//
// Work a command does last, or a transaction does once, is declared with a typed value, not
// registered ad hoc: the value's variable is its key (two packages never collide) and its type
// says what it holds. The order hooks run in is fixed by these rules, never by which hook a
// command happened to touch first:
//
//   - CommandValue[T] (NewCommandValue(name, commit)): what one command collects for a hook of its
//     own, e.g. the audit entries it recorded (audit). Get(tx) gives the running command's value,
//     created empty on first use; commit gets it when fn has returned nil (inside the command's
//     savepoint); the value is forgotten when the command ends. Use it for contended work done
//     last (the audit chain's heads).
//   - BatchValue[T] (NewBatchValue(name, write)): what the whole transaction collects — under
//     group commit, every command of the batch — for one write just before COMMIT, e.g. one
//     multi-row insert of every command's jobs (jobs) or stats lines (cases). Add(tx, f) records
//     a contribution; it joins the transaction's value only once the command succeeded (its
//     hooks included), so a command rolled back to its savepoint contributes nothing.
//   - BeforeCommit(f): an untyped closure for reading back what the command wrote (the case as
//     it will commit, cases.loadAtCommit).
//
// At the end of a command: its BeforeCommit hooks in the order registered, then its command
// values' commit hooks sorted by name, then its contributions join the batch values. Before
// COMMIT: the batch values' writes sorted by name, once. Hooks of one kind must not depend on
// one another. A hook may Add to a batch value, but may not register a hook (BeforeCommit, or a
// CommandValue's first Get): that hook would never run, so the command fails with an error.
//
// On PostgreSQL there is no batching: each Tx is its own transaction on its own connection.
//
// # Fewer round trips on PostgreSQL
//
//   - ExecLater(q, args…): a write whose result the command does not read. SQLite runs it at once;
//     PostgreSQL queues it and sends the queue pipelined with the next statement, ReadTogether or
//     the commit. Its error therefore surfaces later: at that statement, or as Tx's result. Never
//     use it for a write whose row count decides what happens next.
//   - ReadTogether(reads…): reads that do not depend on one another, answered in one round trip
//     (after the queued writes, which they see). Each Read's Row function gets its rows in order
//     and must not use the database itself.
//   - ReadLater(after, reads…): reads whose rows the command needs only by its end (reading back
//     what it wrote, cases.loadAtCommit). PostgreSQL queues them for the transaction's next round
//     trip, after the writes queued by then (at the latest the last writes before COMMIT), and
//     runs after once their rows are in; SQLite reads at once. An error fails the transaction.
//
// # Row locks and counters
//
// ForUpdate/ForNoKeyUpdate give the row-lock suffix for PostgreSQL (SQLite already holds the
// write lock for the whole transaction). Count increments a named row of the number_counters
// table in the same transaction and never skips (a ticket range per line and day: a rolled-back
// command uses no number; concurrent writers of one key wait for each other on PostgreSQL).
// NextSeqs draws unique, increasing values without waiting (a PostgreSQL SEQUENCE, which may skip
// after a rollback; the key's number_counters row on SQLite): case numbers, audit sequences.
package store
