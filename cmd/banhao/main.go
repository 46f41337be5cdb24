// Command banhao runs the one-stop government service center: the server and its tools.
package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // the center's time zone must resolve on machines without tzdata

	"banhao/app"
	"banhao/audit"
	"banhao/catalog"
	"banhao/demo"
	"banhao/errs"
	"banhao/files"
	"banhao/identity"
	"banhao/notify"
	"banhao/payments"
	"banhao/secret"
	"banhao/store"
	_ "banhao/store/engines" // SQLite and PostgreSQL drivers

	"github.com/KimMachineGun/automemlimit/memlimit"
)

const usage = `banhao — 办好：一站式政务服务中心

Usage:
  banhao serve   [--db DSN] [--addr HOST:PORT] [--demo]
  banhao migrate [--db DSN]
  banhao user add USERNAME --role ROLE [--department CODE] [--name 姓名] --password-stdin [--db DSN]
  banhao import catalog FILE [--db DSN]      (.csv, .xlsx or .json)
  banhao export catalog FILE [--db DSN]      (.csv, .xlsx or .json, by extension)
  banhao audit verify [--db DSN]
  banhao backup DIR [--db DSN]              (a consistent copy while the server runs)
  banhao restore DIR [--db DSN]             (into an empty data directory; then audit verify)
  banhao files load [DIR] [--db DSN]        (uploads kept on disk into the database)
  banhao bench search [--items N] [--n N]
  banhao bench intake [--db DSN] [--n N] [--clients N]
  banhao bench cases --db DSN [--cases N] [--n N]
  banhao bench certs --db DSN [--certs N] [--n N] [--clients N]
  banhao bench stats --db DSN [--cases N] [--n N]
  banhao bench queue [--db DSN] [--mode replay|load|sse] [--tickets N] [--counters N] [--rate N] [--clients N]
  banhao bench faults [--db DSN] [--clients N] [--kills N] [--every DURATION] [--pg-restart COMMAND] | [--sms-down DURATION]

--db defaults to $BANHAO_DB, then sqlite:./data/banhao.db; --addr to $BANHAO_ADDR, then 127.0.0.1:8080.
Roles: admin, clerk, approver (needs --department), agent, hall_manager, supervisor, hotline, auditor.
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: tests call it with their own arguments and streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	var err error
	cmd := strings.Join(firstWords(args, 2), " ")
	switch {
	case args[0] == "serve":
		err = cmdServe(ctx, args[1:], stdout, stderr)
	case args[0] == "migrate":
		err = cmdMigrate(ctx, args[1:], stdout)
	case cmd == "user add":
		err = cmdUserAdd(ctx, args[2:], stdin, stdout)
	case cmd == "import catalog":
		err = cmdImport(ctx, args[2:], stdout, stderr)
	case cmd == "export catalog":
		err = cmdExport(ctx, args[2:], stdout)
	case cmd == "audit verify":
		err = cmdAuditVerify(ctx, args[2:], stdout)
	case args[0] == "backup":
		err = cmdBackup(ctx, args[1:], stdout)
	case args[0] == "restore":
		err = cmdRestore(ctx, args[1:], stdout)
	case cmd == "files load":
		err = cmdFilesLoad(ctx, args[2:], stdout)
	case cmd == "bench search":
		err = cmdBenchSearch(ctx, args[2:], stdout)
	case cmd == "bench certs":
		err = cmdBenchCerts(ctx, args[2:], stdout)
	case cmd == "bench cases":
		err = cmdBenchCases(ctx, args[2:], stdout)
	case cmd == "bench stats":
		err = cmdBenchStats(ctx, args[2:], stdout)
	case cmd == "bench intake":
		err = cmdBenchIntake(ctx, args[2:], stdout)
	case cmd == "bench queue":
		err = cmdBenchQueue(ctx, args[2:], stdout)
	case cmd == "bench faults":
		err = cmdBenchFaults(ctx, args[2:], stdout)
	default:
		fmt.Fprintf(stderr, "banhao: unknown command %q\n\n%s", strings.Join(args, " "), usage)
		return 2
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "banhao: %v\n\n%s", err, usage)
			return 2
		}
		if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
			for _, f := range e.Fields {
				fmt.Fprintf(stderr, "banhao: %s: %s\n", f.Field, f.Message)
			}
			return 1
		}
		// The command names where a failure came from; the capabilities' errors name their
		// operation (errs.Wrap), the file ones their path.
		name := args[0]
		if strings.Contains(cmd, " ") && !slices.Contains([]string{"serve", "migrate", "backup", "restore"}, name) {
			name = cmd
		}
		fmt.Fprintf(stderr, "banhao %s: %v\n", name, err)
		return 1
	}
	return 0
}

func firstWords(args []string, n int) []string {
	if len(args) < n {
		return args
	}
	return args[:n]
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// parse reads flags that may stand before, between or after the positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("BANHAO_DB")
	if def == "" {
		def = store.DefaultDSN
	}
	return fs.String("db", def, "database: sqlite:PATH or postgres://…")
}

// openApp opens the database and builds the application on it (app.New) with the
// installation's settings and the environment (docs/OPERATIONS.md). A server (work) runs the
// background jobs; a command-line tool only inserts them. The caller closes a.DB.
func openApp(ctx context.Context, dsn string, work bool, logger *slog.Logger, set settings) (*app.App, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	a, err := buildApp(ctx, db, work, logger, set)
	if err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func buildApp(ctx context.Context, db *store.DB, work bool, logger *slog.Logger, set settings) (*app.App, error) {
	sec, err := secret.Load(db.DataDir)
	if err != nil {
		return nil, err
	}
	tz := cmp.Or(os.Getenv("BANHAO_TZ"), "Asia/Shanghai")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("BANHAO_TZ: %w", err)
	}
	place, err := files.ParsePlace(os.Getenv("BANHAO_FILES"), db.Dialect, db.DataDir)
	if err != nil {
		return nil, err
	}
	// A process that works no jobs sends no payment instructions (bank.go): they wait for one that does.
	cfg := app.Config{DB: db, Secret: sec, Now: time.Now, Location: loc, Logger: logger, Settings: set.Settings, Files: place,
		WebhookURL: os.Getenv("BANHAO_WEBHOOK_URL"), Work: work, Bank: payments.NoBank{}}
	if u := os.Getenv("BANHAO_SMS_URL"); u != "" {
		cfg.SMS = notify.HTTPGateway{URL: u}
	}
	if work { // only a working process sends payment instructions (bank.go)
		if cfg.Bank, err = readBank(set, logger); err != nil {
			return nil, err
		}
	}
	// Online drafts hold personal data: purged BANHAO_DRAFT_DAYS (default 30) after their last change.
	if v := os.Getenv("BANHAO_DRAFT_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("BANHAO_DRAFT_DAYS must be a whole number of days ≥ 1, not %q", v)
		}
		cfg.DraftDays = n
	}
	return app.New(ctx, cfg)
}

func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(os.Getenv("BANHAO_LOG_LEVEL")))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dsn := dbFlag(fs)
	defAddr := os.Getenv("BANHAO_ADDR")
	if defAddr == "" {
		defAddr = "127.0.0.1:8080"
	}
	addr := fs.String("addr", defAddr, "listen address")
	withDemo := fs.Bool("demo", false, "load the demo center into an empty database")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{"serve takes no arguments"}
	}
	gc := gcDefaults()
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	logger := newLogger(stderr)
	logger.Info("garbage collection", "settings", gc)
	set := readSettings(*withDemo)
	a, err := openApp(ctx, *dsn, true, logger, set)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	// The job workers, and hall events from the other nodes (PostgreSQL LISTEN); they stop with
	// the server.
	if err := a.Start(ctx); err != nil {
		return err
	}
	if *withDemo {
		if err := loadDemo(ctx, a, stdout); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: a.Web.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	fmt.Fprintf(stdout, "办好 banhao listening on http://%s (database %s)\n", ln.Addr(), redactDSN(*dsn))
	logger.Info("listening", "addr", ln.Addr().String(), "center", set.Center)
	for _, w := range set.warnings(a.Applicants.SignInClosed(), a.SMS()) {
		logger.Warn(w)
	}
	bankNotice(a, set, stdout, logger)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	a.Web.Shutdown()
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := a.Stop(sctx); err != nil { // running jobs finish; the rest wait in the database
		return err
	}
	logger.Info("stopped")
	return nil
}

// gcDefaults sets the server's garbage collection unless the operator has (docs/OPERATIONS.md),
// and says what applies: without $GOGC, a collection when the heap has grown by 400 % rather than
// Go's 100 %, under a soft limit (unless $GOMEMLIMIT) of 70 % of the memory the process may use —
// its cgroup's limit, else the machine's (automemlimit) — so that the larger heap never runs a
// container out of memory: near the limit Go collects more often instead. On SQLite every write
// runs on one goroutine, and the collector's work beside it on a small machine slowed intake
// (issue 13; docs/BENCHMARKS.md). With $GOGC set, Go's own settings apply.
func gcDefaults() string {
	if os.Getenv("GOGC") != "" {
		return "GOGC=" + os.Getenv("GOGC") + "（运维设置）"
	}
	debug.SetGCPercent(400)
	if v := os.Getenv("GOMEMLIMIT"); v != "" {
		return "GOGC=400, GOMEMLIMIT=" + v + "（运维设置）"
	}
	limit, err := memlimit.Set(memlimit.WithRatio(0.7),
		memlimit.WithProvider(memlimit.ApplyFallback(memlimit.FromCgroup, memlimit.FromSystem)))
	if err != nil {
		return fmt.Sprintf("GOGC=400（未能读取可用内存，不设内存上限：%v）", err)
	}
	return fmt.Sprintf("GOGC=400, GOMEMLIMIT=%dMiB（可用内存的 70%%）", limit>>20)
}

func redactDSN(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if j := strings.Index(dsn[i+3:], "@"); j >= 0 {
			if k := strings.Index(dsn[i+3:i+3+j], ":"); k >= 0 {
				return dsn[:i+3+k] + ":***" + dsn[i+3+j:]
			}
		}
	}
	return dsn
}

func loadDemo(ctx context.Context, a *app.App, stdout io.Writer) error {
	empty, err := demo.Empty(ctx, a.DB)
	if err != nil {
		return err
	}
	if !empty {
		fmt.Fprintln(stdout, "数据库中已有数据，未重新加载演示中心。演示账号（若未改密码）：")
		for _, u := range demoAccountsListing() {
			fmt.Fprintln(stdout, u)
		}
		fmt.Fprint(stdout, demoApplicantsListing())
		return nil
	}
	accounts, err := demo.Load(ctx, a.DB, demo.Services{Catalog: a.Catalog, Users: a.Identity, Hall: a.Queue, Certs: a.Certs, Applicants: a.Applicants, Cases: a.Cases})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已加载演示中心：%s。演示账号（密码均为 %s）：\n", demo.CenterName, demo.DemoPassword)
	for _, acc := range accounts {
		dept := ""
		if p := acc.Place(); p != "" {
			dept = "  " + p // the center (when not the main one) and the department, by name
		}
		note := ""
		if acc.Note != "" {
			note = "（" + acc.Note + "）"
		}
		fmt.Fprintf(stdout, "  %-22s %-13s %s%s%s\n", acc.Username, acc.Role, acc.Name, dept, note)
	}
	fmt.Fprint(stdout, demoApplicantsListing())
	return nil
}

// demoApplicantsListing tells how to try the online hall (/my) and the kiosk (/kiosk).
func demoApplicantsListing() string {
	return fmt.Sprintf("演示申请人（网上办事大厅 /my，24 小时自助终端 /kiosk；未配置短信网关时，短信验证码打印在服务日志中，查找“登录验证码”）：\n"+
		"  个人 %s  身份证号码 %s  手机 %s（持有居民身份证、执业药师注册证）\n"+
		"  单位 %s  统一社会信用代码 %s  手机 %s（持有营业执照）\n",
		demo.CitizenName, demo.CitizenID, demo.CitizenPhone, demo.CompanyName, demo.CompanyCode, demo.CompanyPhone)
}

func demoAccountsListing() []string {
	var out []string
	for _, u := range demo.Accounts() {
		line := fmt.Sprintf("  %-22s %-13s 密码 %s", u.Username, u.Role, u.Password)
		if p := u.Place(); p != "" {
			line += "  " + p
		}
		if u.Note != "" {
			line += "（" + u.Note + "）"
		}
		out = append(out, line)
	}
	return out
}

func cmdMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	dsn := dbFlag(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	cur, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema is at version %d\n", cur)
	return nil
}

func cmdUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	dsn := dbFlag(fs)
	role := fs.String("role", "", "role")
	dept := fs.String("department", "", "department code (approvers)")
	center := fs.String("center", "", "service center code (default: the main center)")
	name := fs.String("name", "", "display name: the person's name pages show (default: USERNAME)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"user add takes one USERNAME"}
	}
	if !*fromStdin {
		return usageError{"the password is read from standard input: pass --password-stdin"}
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	password := strings.TrimRight(line, "\r\n")
	a, err := openApp(ctx, *dsn, false, newLogger(io.Discard), readSettings(false))
	if err != nil {
		return err
	}
	defer a.DB.Close()
	u, err := a.Identity.AddUser(ctx, audit.Actor{Username: "cli", Role: "system"}, identity.NewUser{Username: pos[0], DisplayName: *name,
		Password: password, Role: identity.Role(*role), Department: *dept, Center: *center})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s added with role %s\n", u.Username, u.Role)
	return nil
}

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import catalog", flag.ContinueOnError)
	dsn := dbFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"import catalog takes one FILE"}
	}
	format, err := catalog.Format(pos[0])
	if err != nil {
		return err
	}
	fh, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer fh.Close()
	f, err := catalog.Parse(format, fh)
	if err == nil {
		a, openErr := openApp(ctx, *dsn, false, newLogger(io.Discard), readSettings(false))
		if openErr != nil {
			return openErr
		}
		defer a.DB.Close()
		var res catalog.ImportResult
		if res, err = a.Catalog.Import(ctx, audit.Actor{Username: "cli", Role: "system"}, f); err == nil {
			fmt.Fprintf(stdout, "imported %d items (%d created, %d updated, %d unchanged; %d departments and %d sections created)\n",
				res.Items, res.Created, res.Updated, res.Unchanged, res.DepartmentsCreated, res.SectionsCreated)
			return nil
		}
	}
	var ie *catalog.ImportError
	if errors.As(err, &ie) {
		fmt.Fprintf(stdout, "imported 0 items: %d row errors, nothing was changed\n", len(ie.Rows))
		for _, r := range ie.Rows {
			fmt.Fprintln(stderr, r.String())
		}
		return errors.New("import failed")
	}
	return err
}

func cmdExport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("export catalog", flag.ContinueOnError)
	dsn := dbFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"export catalog takes one FILE"}
	}
	format, err := catalog.Format(pos[0])
	if err != nil {
		return err
	}
	a, err := openApp(ctx, *dsn, false, newLogger(io.Discard), readSettings(false))
	if err != nil {
		return err
	}
	defer a.DB.Close()
	f, err := a.Catalog.Export(ctx)
	if err != nil {
		return err
	}
	tmp := pos[0] + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := catalog.Write(format, out, f, a.Now()); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, pos[0]); err != nil { // a half-written export never replaces a good one
		return err
	}
	err = a.DB.Tx(ctx, func(tx *store.Tx) error {
		return a.Audit.Record(ctx, tx, audit.Actor{Username: "cli", Role: "system"}, "catalog.export", "catalog", format, nil, map[string]int{"items": len(f.Items)})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported %d items, %d departments, %d sections to %s\n", len(f.Items), len(f.Departments), len(f.Sections), pos[0])
	return nil
}

func cmdAuditVerify(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	dsn := dbFlag(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, *dsn, false, newLogger(io.Discard), readSettings(false))
	if err != nil {
		return err
	}
	defer a.DB.Close()
	n, err := a.Audit.Verify(ctx, a.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit chain intact: %d entries\n", n)
	return nil
}
