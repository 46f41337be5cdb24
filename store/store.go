package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"banhao/errs"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The two engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DefaultDSN is used when neither --db nor $BANHAO_DB is given.
const DefaultDSN = "sqlite:./data/banhao.db"

//go:embed migrations
var migrations embed.FS

// DB is the one storage handle. SQLite gets a single writer connection (immediate
// transactions, so writers queue instead of failing) and a separate reader pool; PostgreSQL
// gets a pool for transactions and one for reads.
type DB struct {
	Dialect Dialect
	w       *sql.DB
	r       *sql.DB
	batch   *batcher // SQLite: group commit of concurrent transactions
	reads   sync.Map // SQLite: query → *sql.Stmt on the reader pool
	writes  sync.Map // SQLite: query → *sql.Stmt prepared on the one writer connection
	// DataDir is where files beside the database live (uploads, keys); for PostgreSQL it is ./data.
	DataDir string
	path    string // SQLite: the database file
}

// Open connects to dsn: "sqlite:PATH" or "postgres://…". It does not migrate. The program must
// import banhao/store/engines to register the drivers.
func Open(ctx context.Context, dsn string) (_ *DB, err error) {
	defer errs.Wrap(&err, "store.Open")
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn)
	default:
		return nil, fmt.Errorf("store: --db %q: want sqlite:PATH or postgres://…", dsn)
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: sqlite path is empty")
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: create %s: %w", dir, err)
	}
	// temp_store(MEMORY): the group commit runs each transaction in a savepoint, whose
	// sub-journal would otherwise be a temporary file written page by page (18 % of the writer's
	// CPU in intake was those writes). Durability is the WAL's, unchanged.
	pragmas := "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)"
	w, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&"+pragmas)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// Several nodes opening one new file at once race to switch it to WAL, and SQLite answers
	// that race with SQLITE_BUSY without calling the busy handler: try again briefly.
	for try := 0; ; try++ {
		err = w.PingContext(ctx)
		var se interface{ Code() int }
		if err == nil || try == 50 || !errors.As(err, &se) || se.Code()&0xff != 5 /* SQLITE_BUSY */ {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	r.SetConnMaxIdleTime(0)
	db := &DB{Dialect: SQLite, w: w, r: r, DataDir: dir, path: path}
	db.batch = newBatcher(db)
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	// Two pools, as on SQLite: a command holding a transaction may still read through the
	// reader pool (a cached catalog version, a file's metadata), so reads never wait for
	// connections that transactions hold — with one pool, enough concurrent transactions each
	// waiting for a read would take every connection and wait forever.
	w, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	writers, readers := pgPoolSizes()
	w.SetMaxOpenConns(writers)
	w.SetMaxIdleConns(writers)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	r, err := sql.Open("pgx", dsn)
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	dataDir := os.Getenv("BANHAO_DATA")
	if dataDir == "" {
		dataDir = "./data"
	}
	return &DB{Dialect: Postgres, w: w, r: r, DataDir: dataDir}, nil
}

// Close closes every connection.
func (db *DB) Close() (err error) {
	defer errs.Wrap(&err, "store.DB.Close")
	if db.batch != nil {
		db.batch.close()
	}
	db.reads.Range(func(_, s any) bool { s.(*sql.Stmt).Close(); return true })
	db.writes.Range(func(_, s any) bool { s.(*sql.Stmt).Close(); return true })
	err = db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Writer is the *sql.DB that writes go through (for libraries such as a job queue).
func (db *DB) Writer() *sql.DB { return db.w }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) (err error) {
	defer errs.Wrap(&err, "store.DB.Ping")
	return db.r.PingContext(ctx)
}

// Migrate brings the schema up to date. Several processes may start at once: PostgreSQL
// serialises them with a session advisory lock, SQLite with a lock file beside the database.
func (db *DB) Migrate(ctx context.Context) (err error) {
	defer errs.Wrap(&err, "store.DB.Migrate")
	if db.Dialect == SQLite { // PostgreSQL: goose's own session locker
		unlock, err := db.MigrationLock(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	p, err := db.provider()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// MigrationLock serialises schema changes across processes (for migrators other than ours, such
// as the job queue's): a lock file beside a SQLite database, a session advisory lock on PostgreSQL.
func (db *DB) MigrationLock(ctx context.Context) (unlock func(), err error) {
	defer errs.Wrap(&err, "store.DB.MigrationLock")
	if db.Dialect == SQLite {
		unlock, err := lockFile(db.path + ".migrate.lock")
		if err != nil {
			return nil, fmt.Errorf("store: migration lock: %w", err)
		}
		return unlock, nil
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(4242001)`); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: migration lock: %w", err)
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(4242001)`)
		conn.Close()
	}, nil
}

// SchemaVersion returns the applied and the newest known migration version.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	defer errs.Wrap(&err, "store.DB.SchemaVersion")
	p, err := db.provider()
	if err != nil {
		return 0, 0, err
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, err
	}
	srcs := p.ListSources()
	if len(srcs) > 0 {
		latest = srcs[len(srcs)-1].Version
	}
	return current, latest, nil
}

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.Dialect))
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	dialect := goose.DialectSQLite3
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, db.w, sub, opts...)
}

// MigrationsFS exposes the migration files of a dialect (tests fingerprint them).
func MigrationsFS(d Dialect) fs.FS {
	sub, _ := fs.Sub(migrations, "migrations/"+string(d))
	return sub
}

// Querier runs read queries; both *DB (reader pool) and *Tx satisfy it.
type Querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// readStmt returns q prepared on SQLite's reader pool, so a read is parsed once per connection
// rather than once per call. PostgreSQL's driver caches statements itself.
func (db *DB) readStmt(ctx context.Context, q string) *sql.Stmt {
	if db.Dialect != SQLite {
		return nil
	}
	if s, ok := db.reads.Load(q); ok {
		return s.(*sql.Stmt)
	}
	s, err := db.r.PrepareContext(ctx, q)
	if err != nil {
		return nil // let the plain call report the error
	}
	if prev, loaded := db.reads.LoadOrStore(q, s); loaded {
		s.Close()
		return prev.(*sql.Stmt)
	}
	return s
}

// QueryContext runs a read on the reader pool. Queries use ? placeholders on both engines.
func (db *DB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := db.readStmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return db.r.QueryContext(ctx, db.rebind(q), args...)
}

// QueryRowContext runs a single-row read on the reader pool.
func (db *DB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if s := db.readStmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.r.QueryRowContext(ctx, db.rebind(q), args...)
}

// Reader sends reads together: the database (*DB) or a transaction (*Tx).
type Reader interface {
	ReadTogether(ctx context.Context, reads ...Read) error
}

// Read is one query of ReadTogether: Row is called with each row's scan function. Row must not
// use the database itself: on PostgreSQL it runs while ReadTogether holds a connection, and
// waiting there for another could starve the pool.
type Read struct {
	Query string
	Args  []any
	Row   func(scan func(dest ...any) error) error
}

// ScanFunc lets a Read's scan function stand where a row (anything with Scan) is expected.
type ScanFunc func(dest ...any) error

// Scan scans the row.
func (f ScanFunc) Scan(dest ...any) error { return f(dest...) }

// ReadTogether runs reads that do not depend on one another, each handing its rows to its Row
// function in order. PostgreSQL receives them pipelined, in one round trip on one reader
// connection (a page that shows a record with its lists then costs one wait, not one per list);
// SQLite, in-process, runs them one after another.
func (db *DB) ReadTogether(ctx context.Context, reads ...Read) error {
	if db.Dialect != Postgres {
		return oneByOne(ctx, db.QueryContext, reads)
	}
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return pipeline(ctx, conn, nil, reads)
}

// ConsistentReader reads inside ReadConsistent: every query sees the same state of the database.
type ConsistentReader struct {
	tx *sql.Tx
	d  Dialect
}

// QueryContext runs a read in the snapshot. Queries use ? placeholders on both engines.
func (c *ConsistentReader) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.tx.QueryContext(ctx, rebind(c.d, q), args...)
}

// QueryRowContext runs a single-row read in the snapshot.
func (c *ConsistentReader) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return c.tx.QueryRowContext(ctx, rebind(c.d, q), args...)
}

// ReadConsistent runs fn with reads that all see one state of the database, whatever commits
// meanwhile: a read-only transaction on the reader pool — REPEATABLE READ on PostgreSQL; on
// SQLite a WAL read transaction, whose snapshot is taken at its first read and kept to its end.
// For reads whose parts must agree with each other (the audit chains' ends and their entries).
func (db *DB) ReadConsistent(ctx context.Context, fn func(r *ConsistentReader) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.r.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(&ConsistentReader{tx: tx, d: db.Dialect}); err != nil {
		return err
	}
	return tx.Commit()
}

// pipeline sends writes, then reads, to PostgreSQL on conn in one round trip and takes the
// results in order. The server runs them one after another, so a read sees the writes before it
// and a read that waits for a row lock holds up only what follows it.
func pipeline(ctx context.Context, conn *sql.Conn, writes []queued, reads []Read) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(interface{ Conn() *pgx.Conn })
		if !ok {
			return fmt.Errorf("store: driver connection %T cannot pipeline", dc)
		}
		var b pgx.Batch
		for _, w := range writes {
			b.Queue(w.q, w.args...)
		}
		for _, r := range reads {
			b.Queue(rebind(Postgres, r.Query), r.Args...)
		}
		br := c.Conn().SendBatch(ctx, &b)
		defer br.Close()
		for range writes {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		for _, r := range reads {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			for rows.Next() {
				if err := r.Row(rows.Scan); err != nil {
					rows.Close()
					return err
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return br.Close()
	})
}

// oneByOne runs reads one after another through query (SQLite, where a read costs no round trip).
func oneByOne(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error), reads []Read) error {
	for _, r := range reads {
		rows, err := query(ctx, r.Query, r.Args...)
		if err != nil {
			return err
		}
		if err := eachRow(rows, r.Row); err != nil {
			return err
		}
	}
	return nil
}

// eachRow hands each row of a database/sql result to row, and closes the rows.
func eachRow(rows *sql.Rows, row func(scan func(dest ...any) error) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ExecContext runs one write outside an explicit transaction (on the writer).
func (db *DB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.w.ExecContext(ctx, db.rebind(q), args...)
}

// Tx is one transaction; its methods take ? placeholders like DB's.
type Tx struct {
	db   *DB
	tx   *sql.Tx
	conn *sql.Conn // PostgreSQL: the connection the transaction runs on (for pipelined writes)
	d    Dialect
	// later are PostgreSQL writes queued by ExecLater; failed is the error that sending them met.
	later  []queued
	failed error
	// pending are PostgreSQL reads queued by ReadLater, sent after the queued writes in the same
	// round trip; afters run, in order, once their rows are read.
	pending []Read
	afters  []func() error
	stmts   map[string]*sql.Stmt // SQLite: statements bound to this transaction
	// unprepared are statements this transaction had to prepare itself.
	unprepared []string
	// cmd is what the running command registered (its hooks and values); batch is what every
	// command of the transaction contributed (all commands of a group-commit batch). See hooks.go.
	cmd   command
	batch batchState
}

// Tx runs fn in one write transaction: committed when fn returns nil, rolled back otherwise.
// On SQLite, transactions from concurrent callers are committed together (group commit): each
// runs in its own savepoint, so one that fails is rolled back alone, and the batch shares one
// fsync. Tx returns only after the commit is durable. fn must not call Tx itself.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	if db.batch != nil {
		return db.batch.do(ctx, fn)
	}
	return db.direct(ctx, fn)
}

func (db *DB) direct(ctx context.Context, fn func(tx *Tx) error) (err error) {
	tx := &Tx{db: db, d: db.Dialect}
	if db.Dialect == Postgres {
		// A connection of our own, so that ExecLater can pipeline on it (Conn.Raw).
		if tx.conn, err = db.w.Conn(ctx); err != nil {
			return fmt.Errorf("store: begin: %w", err)
		}
		defer tx.conn.Close() // back to the pool, after the commit or rollback below
		tx.tx, err = tx.conn.BeginTx(ctx, nil)
	} else {
		tx.tx, err = db.w.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	sqlTx := tx.tx
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	defer func() { db.prepareWrites(tx.unprepared) }()
	err = fn(tx)
	if err == nil {
		var joins []func()
		if joins, err = tx.finish(ctx); err == nil {
			for _, j := range joins {
				j()
			}
		}
	}
	if err == nil {
		err = tx.writeBatch(ctx)
	}
	if err == nil {
		err = tx.flush(ctx)
	}
	if tx.failed != nil {
		// A queued write failed: later statements only saw "transaction is aborted"; the cause
		// is the queued write's error (a unique violation, say), so that is what callers get.
		err = tx.failed
	}
	if err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// SQL is the underlying *sql.Tx (for libraries that insert in the same transaction). Writes
// queued with ExecLater are sent first.
func (tx *Tx) SQL() *sql.Tx {
	_ = tx.flush(context.Background()) // an error is kept in tx.failed and fails the commit
	return tx.tx
}

// queued is one write waiting for the pipeline.
type queued struct {
	q    string
	args []any
}

// ExecLater is ExecContext for a write whose result the command does not read (an insert, an
// update by key). On PostgreSQL the write is queued and the queue is sent in one round trip,
// pipelined, just before the transaction's next statement or its commit; an error it meets fails
// the transaction then, and Tx returns that error. The round trips were most of the cost of a
// command of many small writes on PostgreSQL. SQLite, in-process, runs the write at once.
func (tx *Tx) ExecLater(ctx context.Context, q string, args ...any) error {
	if tx.d != Postgres {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	}
	if tx.failed != nil {
		return tx.failed
	}
	tx.later = append(tx.later, queued{rebind(tx.d, q), args})
	return nil
}

// flush sends the queued writes and reads, if any, as one pipelined batch.
func (tx *Tx) flush(ctx context.Context) error {
	if tx.failed != nil || len(tx.later) == 0 && len(tx.pending) == 0 {
		return tx.failed
	}
	return tx.send(ctx, nil)
}

// send pipelines the queued writes, the queued reads and then reads in one round trip, and runs
// the queued reads' afters. An error fails the transaction.
func (tx *Tx) send(ctx context.Context, reads []Read) error {
	later, pending, afters := tx.later, tx.pending, tx.afters
	tx.later, tx.pending, tx.afters = nil, nil, nil
	if len(pending) > 0 {
		reads = append(pending, reads...)
	}
	err := pipeline(ctx, tx.conn, later, reads)
	for _, f := range afters {
		if err != nil {
			break
		}
		err = f()
	}
	if err != nil {
		tx.failed = err // a read's error also aborts the transaction on PostgreSQL
	}
	return err
}

// ReadLater is ReadTogether for reads whose rows the command needs only by its end (reading
// back what it wrote): on PostgreSQL they are queued and go in the transaction's next round trip —
// after the writes queued by then, in the same pipeline — and after runs once their rows are
// read; at the latest, with the writes sent just before COMMIT. Neither the Row functions nor
// after may write to the transaction. SQLite, in-process, reads at once, then runs after. An
// error of the reads or of after fails the transaction.
func (tx *Tx) ReadLater(ctx context.Context, after func() error, reads ...Read) error {
	if tx.d != Postgres {
		if err := oneByOne(ctx, tx.QueryContext, reads); err != nil {
			return err
		}
		return after()
	}
	if tx.failed != nil {
		return tx.failed
	}
	tx.pending = append(tx.pending, reads...)
	tx.afters = append(tx.afters, after)
	return nil
}

// Dialect of the transaction's database.
func (tx *Tx) Dialect() Dialect { return tx.d }

// statementCtx is the context a statement of the transaction runs under, or the error of a
// context that has already ended (the statement is not run: the command fails and is rolled
// back to its savepoint alone, as any failing command). On SQLite a statement that starts is not
// interrupted when the caller's context ends during it: the command learns of the end at its
// next statement, so it overruns its context by one statement at most (and River's job timeout
// and Stop do not cut a long statement on the writer short). A cancellable context cost every
// statement on the one writer a goroutine watching it, the driver's (to call sqlite3_interrupt,
// with a progress handler set and cleared) and, for a read, database/sql's (issue 13: about a
// tenth of the writer's CPU at intake). An ended context must never reach stmt: database/sql
// would hand back a statement that fails for good, kept for the rest of the batch.
func (tx *Tx) statementCtx(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return ctx, err
	}
	if tx.d != SQLite || ctx.Done() == nil {
		return ctx, nil
	}
	return context.WithoutCancel(ctx), nil
}

// stmt returns q prepared for this transaction. On SQLite the one writer connection keeps its
// statements across transactions: a statement first seen in a transaction is prepared for it
// and, once the connection is free again, for good (prepareWrites), so later transactions only
// bind it. A group-commit batch shares them too. PostgreSQL's driver keeps its own cache.
func (tx *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if tx.d != SQLite {
		return nil
	}
	if s, ok := tx.stmts[q]; ok {
		return s
	}
	var s *sql.Stmt
	if kept, ok := tx.db.writes.Load(q); ok {
		s = tx.tx.StmtContext(ctx, kept.(*sql.Stmt)) // same connection: no new prepare
	} else {
		var err error
		if s, err = tx.tx.PrepareContext(ctx, q); err != nil {
			return nil // let the plain call report the error
		}
		tx.unprepared = append(tx.unprepared, q)
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[q] = s
	return s
}

// prepareWrites keeps statements on the writer connection, after the transaction that first
// used them has ended (the connection is free again).
func (db *DB) prepareWrites(qs []string) {
	for _, q := range qs {
		if _, ok := db.writes.Load(q); ok {
			continue
		}
		s, err := db.w.PrepareContext(context.Background(), q)
		if err != nil {
			continue
		}
		if _, loaded := db.writes.LoadOrStore(q, s); loaded {
			s.Close()
		}
	}
}

// ReadTogether is DB.ReadTogether inside the transaction: on PostgreSQL the queued writes and
// the reads go in one round trip, in that order.
func (tx *Tx) ReadTogether(ctx context.Context, reads ...Read) error {
	if tx.d != Postgres {
		return oneByOne(ctx, tx.QueryContext, reads)
	}
	if tx.failed != nil {
		return tx.failed
	}
	return tx.send(ctx, reads)
}

// QueryContext reads inside the transaction.
func (tx *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := tx.flush(ctx); err != nil {
		return nil, err
	}
	ctx, err := tx.statementCtx(ctx)
	if err != nil {
		return nil, err
	}
	if s := tx.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, rebind(tx.d, q), args...)
}

// QueryRowContext reads one row inside the transaction.
func (tx *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	// A failed flush aborts the PostgreSQL transaction, so the row reports it; Tx returns the
	// flush's own error.
	_ = tx.flush(ctx)
	sctx, err := tx.statementCtx(ctx)
	if err != nil {
		return tx.tx.QueryRowContext(ctx, rebind(tx.d, q), args...) // the row reports ctx's end
	}
	ctx = sctx
	if s := tx.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, rebind(tx.d, q), args...)
}

// ExecContext writes inside the transaction.
func (tx *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if err := tx.flush(ctx); err != nil {
		return nil, err
	}
	ctx, err := tx.statementCtx(ctx)
	if err != nil {
		return nil, err
	}
	if s := tx.stmt(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, rebind(tx.d, q), args...)
}

// ForUpdate is the row-lock suffix of a SELECT: PostgreSQL locks the row; SQLite already holds
// the database write lock for the whole (immediate) transaction.
func (tx *Tx) ForUpdate() string {
	if tx.d == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// ForNoKeyUpdate locks the row for a change of non-key columns: unlike FOR UPDATE it does not
// block inserts elsewhere whose foreign keys point at the row (they take KEY SHARE).
func (tx *Tx) ForNoKeyUpdate() string {
	if tx.d == Postgres {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

func (db *DB) rebind(q string) string { return rebind(db.Dialect, q) }

// rebind turns ? placeholders into $1, $2… for PostgreSQL. Our SQL has no ? inside literals.
func rebind(d Dialect, q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// IsUniqueViolation reports whether err is a unique-constraint failure on either engine, by the
// engine's error code: SQLSTATE 23505 on PostgreSQL, SQLITE_CONSTRAINT_UNIQUE or
// SQLITE_CONSTRAINT_PRIMARYKEY on SQLite. The drivers' error types are matched by their methods
// so that this package imports neither driver.
func IsUniqueViolation(err error) bool {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		return pg.SQLState() == "23505"
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		const constraintUnique, constraintPrimaryKey = 2067, 1555
		c := lite.Code()
		return c == constraintUnique || c == constraintPrimaryKey
	}
	return false
}

// IsUnavailable reports whether err means the database cannot be reached for now — a refused or
// dropped connection, a server shutting down or starting, too many connections, SQLite busy past
// its timeout — rather than anything wrong with the request: the same request may be sent again.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, pgconn.ErrConnClosed) || pgconn.SafeToRetry(err) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) {
		return true
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		s := pg.SQLState()
		// 08: connection exception; 57P01–57P03: admin/crash shutdown, cannot connect now;
		// 53300: too many connections.
		return strings.HasPrefix(s, "08") || s == "57P01" || s == "57P02" || s == "57P03" || s == "53300"
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		const busy, locked = 5, 6
		c := lite.Code() & 0xff
		return c == busy || c == locked
	}
	return false
}

// Reason names, in a few words safe to show anyone, why the database did not answer.
func Reason(err error) string {
	var pg interface{ SQLState() string }
	var lite interface{ Code() int }
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer in time"
	case errors.As(err, &pg) && pg.SQLState() == "53300":
		return "too many connections"
	case errors.As(err, &pg) && strings.HasPrefix(pg.SQLState(), "57P"):
		return "database shutting down or starting"
	case errors.As(err, &lite) && (lite.Code()&0xff == 5 || lite.Code()&0xff == 6):
		return "database busy"
	case IsUnavailable(err):
		return "cannot connect"
	}
	return "database error"
}

// In returns "?, ?, ?" for n placeholders.
func In(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// NextSeqs draws n values of a counter inside tx, as a Read so that ReadTogether can send it
// with other statements; when it has run, *into holds the values in increasing order. On
// PostgreSQL they come from the SEQUENCE named sequence, which takes no row lock, so concurrent
// writers never wait on each other's commits (values may skip after a rollback); on SQLite from
// the counter row key (the single writer makes that just as cheap). Values are unique and
// increasing.
func (tx *Tx) NextSeqs(sequence, key string, n int, into *[]int64) Read {
	if tx.d == Postgres {
		return Read{Query: `SELECT nextval(?) FROM generate_series(1, ?)`, Args: []any{sequence, n},
			Row: func(scan func(...any) error) error {
				var v int64
				err := scan(&v)
				*into = append(*into, v)
				slices.Sort(*into)
				return err
			}}
	}
	return Read{Query: `INSERT INTO number_counters (name, n) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET n = number_counters.n + excluded.n RETURNING n`, Args: []any{key, n},
		Row: func(scan func(...any) error) error {
			var last int64
			err := scan(&last)
			for v := last - int64(n) + 1; v <= last; v++ {
				*into = append(*into, v)
			}
			return err
		}}
}

// Count increments the named counter row inside tx and returns its new value, on both engines.
// Unlike NextSeq it never skips, and it keeps one count per key (a ticket range per service and
// day); concurrent writers of one key wait for each other's commit on PostgreSQL.
func (tx *Tx) Count(ctx context.Context, key string) (_ int64, err error) {
	defer errs.Wrap(&err, "store.Tx.Count")
	var n int64
	err = tx.QueryRowContext(ctx, `INSERT INTO number_counters (name, n) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET n = number_counters.n + 1 RETURNING n`, key).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count %s: %w", key, err)
	}
	return n, nil
}

// pgPoolSizes are the connections a node opens to PostgreSQL for transactions and for reads:
// $BANHAO_PG_WRITERS and $BANHAO_PG_READERS, by default four per CPU of this node, 8 to 20.
// More connections than the cores can run only queue inside PostgreSQL: on a 2-core machine
// 8 writers took one-step intake from ~930 to ~1,050 cases/s against 20 (docs/BENCHMARKS.md).
func pgPoolSizes() (writers, readers int) {
	writers = min(20, max(8, 4*runtime.NumCPU()))
	readers = writers
	if n, err := strconv.Atoi(os.Getenv("BANHAO_PG_WRITERS")); err == nil && n > 0 {
		writers = n
	}
	if n, err := strconv.Atoi(os.Getenv("BANHAO_PG_READERS")); err == nil && n > 0 {
		readers = n
	}
	return writers, readers
}

// Snapshot writes a consistent copy of a SQLite database to path (which must not exist) with
// VACUUM INTO: it reads one snapshot through a reader connection, so writers go on meanwhile.
// PostgreSQL is copied with its own tools (pg_dump).
func (db *DB) Snapshot(ctx context.Context, path string) (err error) {
	defer errs.Wrap(&err, "store.DB.Snapshot")
	if db.Dialect != SQLite {
		return errors.New("store: a PostgreSQL database is copied with pg_dump")
	}
	// A connection of its own: the readers are query-only, and the one writer must stay free.
	c, err := sql.Open("sqlite", "file:"+db.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("store: snapshot to %s: %w", path, err)
	}
	return nil
}
