// Package app is the composition root: the one place that builds a process of 办好 — every
// capability with its dependencies, the job workers and the web server. `serve` and the other
// commands, the benchmarks and the web tests all build the application here, so what a test
// runs is what a center runs. Every dependency is required, here and in each capability's
// constructor (refused by name, banhao/wiring); where one is not wanted the caller passes a
// stand-in (payments.NoBank, network.NoQueues, an outbox with only the log channel, jobs.Discard),
// never nil. Nothing is changed after New returns.
package app

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"banhao/audit"
	"banhao/calendar"
	"banhao/calendar/calstore"
	"banhao/cases"
	"banhao/catalog"
	"banhao/certs"
	"banhao/errs"
	"banhao/files"
	"banhao/hotline"
	"banhao/identity"
	"banhao/jobs"
	"banhao/network"
	"banhao/notify"
	"banhao/payments"
	"banhao/queue"
	"banhao/ratings"
	"banhao/secret"
	"banhao/store"
	"banhao/web"
	"banhao/wiring"
)

// Settings are what an installation says about itself.
type Settings struct {
	// Center names the installation on every page, printed document and text message ("政务服务中心"
	// when empty); Address (may be empty) and Hotline ("12345" when empty) are shown where the
	// center tells people where to go and whom to call.
	Center, Address, Hotline string
	// DevCodes lets sign-in codes go to the log when there is no SMS gateway: development only.
	DevCodes bool
	// PublicURL is the address printed in QR codes and links ("" takes the request's host).
	PublicURL string
}

// Config is what a process is built from. DB, Now, Location, Logger and Bank are required.
type Config struct {
	// DB is the opened database; New migrates it (the schema and River's tables, under the
	// migration lock) and never closes it.
	DB *store.DB
	// Secret is the installation secret; the keys of the audit chains and of personal data are
	// derived from it.
	Secret secret.Secret
	// Now is the clock of every capability (tests pass a clock they move).
	Now func() time.Time
	// Location is the center's time zone: dates are days there.
	Location *time.Location
	Logger   *slog.Logger
	Settings Settings
	// Files is where uploaded bytes are kept (BANHAO_FILES, files.ParsePlace); the zero Place
	// keeps them in the database.
	Files files.Place
	// WebhookURL, when set, adds the webhook channel to the outbox.
	WebhookURL string
	// SMS, when set, adds the SMS channel: messages to a ticket, appointment, account or case
	// are texted to the phone behind it, found at sending time.
	SMS notify.SMSGateway
	// DraftDays is how long an online draft lives after its last change (cases.DefaultDraftDays
	// when 0).
	DraftDays int
	// Work makes Start run the job workers and the periodic jobs (serve); other processes only
	// insert jobs, in the transactions of their commands.
	Work bool
	// Poll is how often idle job workers look for work (1 s when 0).
	Poll time.Duration
	// Staleness bounds how long a change made on another node takes to show in this one's
	// catalog, network and calendar (1 s when 0).
	Staleness time.Duration
	// Bank is where approved cases' payment instructions go (秒到账: BANHAO_BANK_URL and
	// BANHAO_BANK_SECRET, a payments.Client); payments.NoBank (none configured, or a process that
	// sends none) keeps them pending until a process with a bank sends them.
	Bank cases.Bank
	// IdentityOptions adjust the staff accounts service (tests lower the password hashing cost
	// with identity.WithPasswordCost).
	IdentityOptions []identity.Option
}

// App is one process's capabilities, wired.
type App struct {
	DB         *store.DB
	Audit      *audit.Log
	PII        *identity.PII
	Catalog    *catalog.Service
	Identity   *identity.Service
	Calendar   *calstore.Service
	Files      *files.Store
	Certs      *certs.Service
	Outbox     *notify.Outbox
	Jobs       *jobs.Inserter
	Applicants *identity.Applicants
	Cases      *cases.Service
	Queue      *queue.Service
	Network    *network.Service
	Hotline    *hotline.Service
	Ratings    *ratings.Service
	Web        *web.Server
	Now        func() time.Time
	Location   *time.Location
	Logger     *slog.Logger
	Settings   Settings
	// Bank is the bank payment instructions go to (payments.NoBank: none configured, they wait).
	Bank cases.Bank

	work    bool
	runner  *jobs.Runner
	stopHub context.CancelFunc
}

// New builds the application on cfg.DB.
func New(ctx context.Context, cfg Config) (_ *App, err error) {
	defer errs.Wrap(&err, "app.New")
	if err := wiring.Require("app.New", wiring.Deps{"DB": cfg.DB, "Now": cfg.Now, "Location": cfg.Location, "Logger": cfg.Logger,
		"Bank": cfg.Bank}); err != nil {
		return nil, err
	}
	db, now, loc, logger := cfg.DB, cfg.Now, cfg.Location, cfg.Logger
	if err := db.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("app: migrate: %w", err)
	}
	if err := jobs.Migrate(ctx, db); err != nil {
		return nil, fmt.Errorf("app: migrate jobs: %w", err)
	}
	pii, err := identity.NewPII(cfg.Secret.Derive("pii-encryption"), cfg.Secret.Derive("pii-index"))
	if err != nil {
		return nil, err
	}
	ins, err := jobs.NewInserter(db)
	if err != nil {
		return nil, fmt.Errorf("app: jobs: %w", err)
	}
	stale := cmp.Or(cfg.Staleness, time.Second)
	log, err := audit.New(cfg.Secret.Derive("audit"), now)
	if err != nil {
		return nil, err
	}
	a := &App{DB: db, Audit: log, PII: pii, Jobs: ins, Now: now, Location: loc, Logger: logger, Settings: cfg.Settings, Bank: cfg.Bank, work: cfg.Work}
	if a.Catalog, err = catalog.NewService(db, log, now, catalog.WithStaleness(stale)); err != nil {
		return nil, err
	}
	if a.Identity, err = identity.NewService(db, log, now, cfg.IdentityOptions...); err != nil {
		return nil, err
	}
	if a.Calendar, err = calstore.New(db, log, now, calstore.WithStaleness(stale)); err != nil {
		return nil, err
	}
	if a.Files, err = files.NewIn(db, log, cfg.Files, now); err != nil {
		return nil, err
	}
	if a.Certs, err = certs.New(certs.Config{DB: db, Audit: log, PII: pii, Now: now, Location: loc}); err != nil {
		return nil, err
	}

	// The channels. The SMS channel finds the phone number behind a message's recipient when
	// it sends, from the database, so it is built before the services that write messages.
	channels := map[string]notify.Channel{"log": notify.LogChannel{Logger: logger}}
	if cfg.WebhookURL != "" {
		channels["webhook"] = notify.WebhookChannel{URL: cfg.WebhookURL}
	}
	if cfg.SMS != nil {
		channels["sms"] = &notify.SMSChannel{Gateway: cfg.SMS, Resolve: func(ctx context.Context, recipient string) (string, error) {
			switch {
			case strings.HasPrefix(recipient, "applicant:"):
				return identity.ApplicantPhone(ctx, db, pii, recipient)
			case strings.HasPrefix(recipient, "case:"): // a case's applicant: 受理, 补正, 办结, 容缺 reminders
				return cases.Phone(ctx, db, pii, recipient)
			default: // ticket:, appointment:
				return queue.Phone(ctx, db, pii, recipient)
			}
		}}
	}
	if a.Outbox, err = notify.NewOutbox(notify.Config{DB: db, Now: now, Channels: channels, Jobs: ins, Logger: logger}); err != nil {
		return nil, err
	}

	set := cfg.Settings
	if a.Applicants, err = identity.NewApplicants(identity.ApplicantsConfig{DB: db, Audit: log, PII: pii, Outbox: a.Outbox, Now: now, Location: loc,
		DevCodes: set.DevCodes, Center: set.Center, Hotline: set.Hotline}); err != nil {
		return nil, err
	}
	hub, err := queue.NewHub(db)
	if err != nil {
		return nil, err
	}
	if a.Queue, err = queue.New(queue.Config{DB: db, Audit: log, PII: pii, Calendar: a.Calendar, Outbox: a.Outbox, Now: now, Location: loc,
		Logger: logger, Hub: hub}); err != nil {
		return nil, err
	}
	// 在哪里办 and the centers' figures show the halls' queues.
	if a.Network, err = network.New(db, log, now, a.Queue, network.WithStaleness(stale)); err != nil {
		return nil, err
	}
	net := a.Network
	limits, err := identity.NewLimiter(db, now)
	if err != nil {
		return nil, err
	}
	if a.Cases, err = cases.New(cases.Config{DB: db, Audit: log, Catalog: a.Catalog, Calendar: a.Calendar, PII: pii, Files: a.Files, Now: now,
		Location: loc, Jobs: ins, Outbox: a.Outbox, Certs: a.Certs, Network: net, Center: set.Center, Logger: logger,
		Limits: limits}); err != nil {
		return nil, err
	}
	if a.Hotline, err = hotline.New(hotline.Config{DB: db, Audit: log, PII: pii, Calendar: a.Calendar, Now: now, Location: loc,
		Jobs: ins, Outbox: a.Outbox, Logger: logger}); err != nil {
		return nil, err
	}
	if a.Ratings, err = ratings.New(db, log, pii, now, loc, net); err != nil {
		return nil, err
	}

	if a.runner, err = newRunner(a, cfg); err != nil {
		return nil, err
	}
	a.Web, err = web.New(web.Config{DB: db, Network: net, Catalog: a.Catalog, Identity: a.Identity, Audit: log, Calendar: a.Calendar, Cases: a.Cases,
		Files: a.Files, Queue: a.Queue, Ratings: a.Ratings, Certs: a.Certs, Applicants: a.Applicants, Hotline: a.Hotline, Now: now,
		Location: loc, Logger: logger, CenterName: set.Center, CenterAddress: set.Address, CenterHotline: set.Hotline, PublicURL: set.PublicURL,
		NoBank: noBank(cfg.Bank)})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// newRunner sets up the job workers and the periodic jobs; Start runs them when cfg.Work.
func newRunner(a *App, cfg Config) (*jobs.Runner, error) {
	days := cfg.DraftDays
	if days == 0 {
		days = cases.DefaultDraftDays
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &queue.CloseDaysWorker{Service: a.Queue})
	river.AddWorker(workers, &cases.WarnWorker{Service: a.Cases})
	river.AddWorker(workers, &cases.SweepWorker{Service: a.Cases})
	// the calendar changed: deadlines counted again, the cases' and the 12345 tickets'
	river.AddWorker(workers, &cases.RecomputeWorker{Service: a.Cases, Then: func(ctx context.Context, d []calendar.Date) error {
		_, err := a.Hotline.RecomputeDue(ctx, audit.System, d)
		return err
	}})
	// Online drafts hold personal data: purged DraftDays after their last change.
	river.AddWorker(workers, &cases.PurgeDraftsWorker{Service: a.Cases, Days: days})
	river.AddWorker(workers, &hotline.RemindWorker{Service: a.Hotline})
	river.AddWorker(workers, &hotline.SweepWorker{Service: a.Hotline})
	river.AddWorker(workers, &notify.SendWorker{Outbox: a.Outbox})
	river.AddWorker(workers, &cases.PayWorker{Service: a.Cases, Bank: cfg.Bank}) // 秒到账: payment instructions to the bank
	river.AddWorker(workers, &audit.VerifyWorker{Log: a.Audit, DB: a.DB, Logger: a.Logger})
	every := func(d time.Duration, args river.JobArgs) *river.PeriodicJob {
		return river.NewPeriodicJob(river.PeriodicInterval(d), func() (river.JobArgs, *river.InsertOpts) { return args, nil },
			&river.PeriodicJobOpts{RunOnStart: true})
	}
	periodic := []*river.PeriodicJob{
		every(time.Minute, cases.SweepArgs{}),
		every(time.Hour, queue.CloseDaysArgs{}), // tickets left open when a day ends are closed within the hour
		every(24*time.Hour, cases.PurgeDraftsArgs{}),
		// 12345 reply limits: reminders are jobs of their own; this sweep catches any a restart missed.
		every(10*time.Minute, hotline.SweepArgs{}),
		// The whole audit chain is verified hourly and at start; the audit page shows the last result.
		every(time.Hour, audit.VerifyArgs{}),
	}
	// Intakes append their changes to the supervision figures as rows of their own; they are
	// folded into the figures' lines every few seconds, by a loop rather than a job (no job row
	// every 5 s; folds on several nodes take turns under FoldStats' lock, an empty fold is cheap).
	fold := jobs.Loop{Name: "case stats fold", Every: cases.FoldEvery, Run: func(ctx context.Context) error {
		_, err := cases.FoldStats(ctx, a.DB)
		return err
	}}
	// Ratings likewise (rating_stats_delta into rating_stats, under their own lock).
	foldRatings := jobs.Loop{Name: "rating stats fold", Every: ratings.FoldEvery, Run: func(ctx context.Context) error {
		_, err := ratings.FoldStats(ctx, a.DB)
		return err
	}}
	// 秒到账: instructions whose sending job River gave up on are marked 发送失败, to be sent
	// again (on every node: marking is idempotent under the instruction's row lock).
	payments := jobs.Loop{Name: "payment sweep", Every: cases.PaySweepEvery, Run: a.Cases.SweepPayments}
	r, err := jobs.New(a.DB, jobs.Config{Workers: workers, Periodic: periodic, Logger: a.Logger, Poll: cfg.Poll, Loops: []jobs.Loop{fold, foldRatings, payments}})
	if err != nil {
		return nil, fmt.Errorf("app: job workers: %w", err)
	}
	return r, nil
}

// Start begins the background work of a serving process: hall events from the other nodes
// (PostgreSQL LISTEN; it returns once they are heard) and, when the process works jobs, the job
// workers. It runs until Stop, not until ctx ends.
func (a *App) Start(ctx context.Context) (err error) {
	defer errs.Wrap(&err, "app.App.Start")
	hubCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	ready := make(chan struct{})
	var once sync.Once
	go a.Queue.Hub.Run(hubCtx, func() { once.Do(func() { close(ready) }) })
	select {
	case <-ready:
	case <-ctx.Done():
		stop()
		return ctx.Err()
	}
	a.stopHub = stop
	if a.work {
		if err := a.runner.Start(context.WithoutCancel(ctx)); err != nil {
			stop()
			return fmt.Errorf("start jobs: %w", err)
		}
	}
	return nil
}

// Stop ends what Start began: running jobs finish (the rest wait in the database), hall events
// stop. The web server's own streams end with a.Web.Shutdown.
func (a *App) Stop(ctx context.Context) (err error) {
	defer errs.Wrap(&err, "app.App.Stop")
	if a.stopHub == nil {
		return nil // never started
	}
	a.stopHub()
	if a.work {
		if err := a.runner.Stop(ctx); err != nil {
			return fmt.Errorf("stop jobs: %w", err)
		}
	}
	return nil
}

// SMS reports whether an SMS gateway is configured.
func (a *App) SMS() bool { return a.Outbox.Has("sms") }

// noBank says bank is the stand-in of an installation without a bank interface.
func noBank(bank cases.Bank) bool {
	_, none := bank.(payments.NoBank)
	return none
}
