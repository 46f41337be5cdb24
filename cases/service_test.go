package cases_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/calendar/calstore"
	"banhao/cases"
	"banhao/catalog"
	"banhao/certs"
	"banhao/demo"
	"banhao/errs"
	"banhao/files"
	"banhao/identity"
	"banhao/jobs"
	"banhao/network"
	"banhao/notify"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

// clock is the injected time; tests move it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(day string, hour int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := calendar.MustDate(day).Time(shanghai)
	c.t = d.Add(time.Duration(hour) * time.Hour)
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

type env struct {
	svc   *cases.Service
	cat   *catalog.Service
	files *files.Store
	log   *audit.Log
	clk   *clock
	db    *store.DB
	pii   *identity.PII
}

var (
	clerk    = audit.Actor{Username: "clerk", Role: "clerk"}
	approver = audit.Actor{Username: "approver", Role: "approver", Department: "XZSP"}
	other    = audit.Actor{Username: "approver_bdc", Role: "approver", Department: "BDC"}
	super    = audit.Actor{Username: "supervisor", Role: "supervisor"}
)

// catalogTemplate is a migrated database holding what every env starts from: the demo catalog
// and the certificate types its materials and results name (an approval issues its result),
// written at the env's start (2026-09-30 10:00) and sealed with its audit key. It is loaded once
// per test process and engine; each test gets a copy (withCatalog, sqliteWithCatalog).
var catalogTemplate = storetest.NewTemplate(func(ctx context.Context, db *store.DB) error {
	clk := startClock()
	log := wiring.Must(audit.New(auditKey, clk.now))
	cat := wiring.Must(catalog.NewService(db, log, clk.now))
	f, err := demo.Catalog()
	if err != nil {
		return err
	}
	if _, err := cat.Import(ctx, audit.System, f); err != nil {
		return err
	}
	lib := wiring.Must(certs.New(certs.Config{DB: db, Audit: log, PII: testPII(), Now: clk.now, Location: shanghai}))
	for _, ty := range demo.CertificateTypes() {
		if err := lib.SaveType(ctx, audit.System, ty); err != nil {
			return err
		}
	}
	return nil
})

func TestMain(m *testing.M) {
	code := m.Run()
	catalogTemplate.Remove()
	os.Exit(code)
}

// withCatalog is storetest.Each with a copy of catalogTemplate in each engine's database.
func withCatalog(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	catalogTemplate.Each(t, fn)
}

// sqliteWithCatalog is a SQLite database holding a copy of catalogTemplate.
func sqliteWithCatalog(t *testing.T) *store.DB { t.Helper(); return catalogTemplate.SQLite(t) }

var auditKey = []byte("cases-test-key-cases-test-key-cas")

func testPII() *identity.PII {
	pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("idx"))
	return pii
}

// startClock is an env's clock at its start.
func startClock() *clock {
	clk := &clock{}
	clk.set("2026-09-30", 10)
	return clk
}

// newEnv is a test's env on db, a copy of catalogTemplate (from withCatalog or sqliteWithCatalog).
func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	if !catalogTemplate.Holds(db) {
		t.Fatal("newEnv: the database is no copy of catalogTemplate (use withCatalog or sqliteWithCatalog)")
	}
	clk := startClock()
	log := wiring.Must(audit.New(auditKey, clk.now))
	cat := wiring.Must(catalog.NewService(db, log, clk.now))
	fs := wiring.Must(files.New(db, log, t.TempDir(), clk.now))
	e := &env{cat: cat, files: fs, log: log, clk: clk, db: db, pii: testPII()}
	e.svc = e.service(t, e.outbox(map[string]notify.Channel{"log": notify.LogChannel{Logger: quiet}}, jobs.Discard{}), jobs.Discard{}, "")
	return e
}

var quiet = slog.New(slog.DiscardHandler)

// outbox is an outbox on e's database with the given channels, scheduling its sending with j.
func (e *env) outbox(channels map[string]notify.Channel, j notify.Jobs) *notify.Outbox {
	return wiring.Must(notify.NewOutbox(notify.Config{DB: e.db, Now: e.clk.now, Channels: channels, Jobs: j, Logger: quiet}))
}

// service is the case service on e's database, its clock and catalog, with the given outbox and
// jobs (jobs.Discard where the test runs none); center signs the applicants' texts.
// Its network is the database's (no halls).
func (e *env) service(t testing.TB, outbox *notify.Outbox, j cases.Jobs, center string) *cases.Service {
	t.Helper()
	svc, err := cases.New(e.config(outbox, j, center))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// config is the case service's configuration on e (see service).
func (e *env) config(outbox *notify.Outbox, j cases.Jobs, center string) cases.Config {
	net := wiring.Must(network.New(e.db, e.log, e.clk.now, network.NoQueues{}))
	lib := wiring.Must(certs.New(certs.Config{DB: e.db, Audit: e.log, PII: e.pii, Now: e.clk.now, Location: shanghai}))
	return cases.Config{DB: e.db, Audit: e.log, Catalog: e.cat, Calendar: wiring.Must(calstore.New(e.db, e.log, e.clk.now)), PII: e.pii, Files: e.files,
		Now: e.clk.now, Location: shanghai, Jobs: j, Outbox: outbox, Center: center, Logger: quiet, Limits: wiring.Must(identity.NewLimiter(e.db, e.clk.now)),
		Certs: lib, Network: net}
}

// TestNewRefusesMissingDependencies: the case service is refused at construction when a
// dependency is missing, naming each (the network, the certificate library), never defaulted.
func TestNewRefusesMissingDependencies(t *testing.T) {
	t.Parallel()
	withCatalog(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cfg := e.config(e.outbox(map[string]notify.Channel{"log": notify.LogChannel{Logger: quiet}}, jobs.Discard{}), jobs.Discard{}, "")
		cfg.Network, cfg.Certs = nil, nil
		_, err := cases.New(cfg)
		if names, ok := wiring.Missing(err); !ok || !slices.Equal(names, []string{"Certs", "Network"}) {
			t.Fatalf("err = %v", err)
		}
	})
}

func (e *env) itemCode(t *testing.T, name string) string {
	t.Helper()
	r, err := e.cat.Search(context.Background(), catalog.Query{Q: name})
	if err != nil || r.Total == 0 {
		t.Fatalf("no item %s", name)
	}
	for _, it := range r.Items {
		if it.Name == name {
			return it.Code
		}
	}
	return r.Items[0].Code
}

func (e *env) upload(t *testing.T) string {
	t.Helper()
	return e.uploadAs(t, clerk)
}

// submitted is a case of the item named, submitted by the clerk for person with one scan for
// each material id.
func (e *env) submitted(t *testing.T, item string, materials ...string) cases.Case {
	t.Helper()
	file := e.upload(t)
	var refs []cases.MaterialRef
	for _, id := range materials {
		refs = append(refs, cases.MaterialRef{MaterialID: id, FileID: file})
	}
	c, _, err := e.svc.Create(context.Background(), clerk, cases.CreateInput{Item: e.itemCode(t, item), Applicant: person, Materials: refs}, "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// uploadAs stores a small scan uploaded by: a case takes its actor's own uploads only.
func (e *env) uploadAs(t *testing.T, by audit.Actor) string {
	t.Helper()
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 2, 2)))
	f, err := e.files.Save(context.Background(), by, "scan.png", &buf)
	if err != nil {
		t.Fatal(err)
	}
	return f.ID
}

var person = cases.Applicant{Type: "person", Name: "张三", IDNumber: "11010519491231002X", Phone: "13805431234"}

// mustAct runs the action of in on case n and fails the test on an error.
func mustAct(t *testing.T, e *env, by audit.Actor, n string, in cases.ActionInput) cases.Case {
	t.Helper()
	c, err := e.svc.Act(context.Background(), by, n, in)
	if err != nil {
		t.Fatalf("%T: %v", in, err)
	}
	return c
}

// TestCompanyRegistrationWithDeferredMaterial: accepted with the lease deferred (容缺); the
// approver cannot decide until it is supplied; the result is delivered at the window.
func TestCompanyRegistrationWithDeferredMaterial(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		code := e.itemCode(t, "企业设立登记") // 1 working day; m5 住所使用相关文件 is deferrable
		file := e.upload(t)
		var refs []cases.MaterialRef
		for _, id := range []string{"m1", "m2", "m3", "m4"} {
			refs = append(refs, cases.MaterialRef{MaterialID: id, FileID: file})
		}
		c, created, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs}, "")
		if err != nil || !created || c.Status != cases.Submitted {
			t.Fatalf("create: %+v %v", c, err)
		}
		if !strings.HasPrefix(c.Number, "371600-20260930-") {
			t.Fatalf("case number %s, want 371600-20260930-NNNNN", c.Number)
		}
		// m6 is shared data, m5 deferrable: deferring m5 to a date past the limit is refused.
		_, err = e.svc.Accept(ctx, clerk, c.Number, cases.AcceptInput{Deferred: []cases.DeferInput{{MaterialID: "m5", Due: calendar.MustDate("2026-10-20")}}})
		if !errs.Is(err, errs.CodeInvalid) {
			t.Fatalf("commitment after the due date: %v, want invalid", err)
		}
		_, err = e.svc.Accept(ctx, clerk, c.Number, cases.AcceptInput{})
		if !errs.Is(err, errs.CodeConflict) || !strings.Contains(err.Error(), "住所使用相关文件") {
			t.Fatalf("accept without m5: %v, want a conflict naming 住所使用相关文件", err)
		}
		c = mustAct(t, e, clerk, c.Number, cases.AcceptInput{Deferred: []cases.DeferInput{{MaterialID: "m5", Due: calendar.MustDate("2026-10-08")}}})
		if c.Status != cases.Accepted || *c.AcceptedOn != calendar.MustDate("2026-09-30") || *c.Due != calendar.MustDate("2026-10-08") {
			t.Fatalf("accepted: %s on %v due %v; want due 2026-10-08 (1 working day over National Day)", c.Status, c.AcceptedOn, c.Due)
		}
		if len(c.Deferred) != 1 || c.Deferred[0].Supplied {
			t.Fatalf("deferred: %+v", c.Deferred)
		}
		_, err = e.svc.Decide(ctx, approver, c.Number, cases.DecisionInput{Decision: "approved"})
		if !errs.Is(err, errs.CodeConflict) || !strings.Contains(err.Error(), "容缺") {
			t.Fatalf("decide with the deferred material missing: %v, want a conflict", err)
		}
		mustAct(t, e, clerk, c.Number, cases.SupplyInput{Materials: []cases.MaterialRef{{MaterialID: "m5", FileID: file}}})
		c = mustAct(t, e, approver, c.Number, cases.DecisionInput{Decision: "approved"})
		if c.Status != cases.Decided {
			t.Fatalf("decided: %s", c.Status)
		}
		if _, err := e.svc.Deliver(ctx, clerk, c.Number, cases.DeliveryInput{Method: "mail"}); !errs.Is(err, errs.CodeInvalid) {
			t.Fatalf("mail without tracking number: %v", err)
		}
		c = mustAct(t, e, clerk, c.Number, cases.DeliveryInput{Method: "window"})
		if c.Status != cases.Delivered {
			t.Fatalf("delivered: %s", c.Status)
		}
		var actions []string
		for _, ev := range c.Timeline {
			actions = append(actions, ev.Action)
		}
		if strings.Join(actions, ",") != "submit,accept,supply,decide,deliver" {
			t.Fatalf("timeline %v", actions)
		}
		// Every action is in the audit log, and the chain holds.
		entries, _ := e.log.List(ctx, db, audit.Query{ObjectType: "case", ObjectID: c.Number, Limit: 50})
		seen := map[string]bool{}
		for _, en := range entries {
			seen[en.Action] = true
		}
		for _, a := range []string{"case.submit", "case.accept", "case.supply", "case.decide", "case.deliver"} {
			if !seen[a] {
				t.Errorf("no audit entry %s", a)
			}
		}
		if _, err := e.log.Verify(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCorrectionStartsNoClock: one notice lists everything missing; acceptance happens on the
// day the materials are complete.
func TestCorrectionStartsNoClock(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-02-12", 9)
		c, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: e.itemCode(t, "企业设立登记"), Applicant: person}, "")
		if err != nil {
			t.Fatal(err)
		}
		c = mustAct(t, e, clerk, c.Number, cases.CorrectionInput{Missing: []string{"m1", "m2", "m3", "m4", "m5"}, Note: "请一次补齐"})
		if c.Status != cases.Correction || c.AcceptedOn != nil || c.Due != nil || len(c.Missing) != 5 {
			t.Fatalf("correction: %+v", c)
		}
		if _, err := e.svc.Accept(ctx, clerk, c.Number, cases.AcceptInput{}); !errs.Is(err, errs.CodeConflict) {
			t.Fatalf("accept during correction: %v", err)
		}
		file := e.upload(t)
		c = mustAct(t, e, clerk, c.Number, cases.SupplyInput{Materials: []cases.MaterialRef{{MaterialID: "m1", FileID: file}}})
		if c.Status != cases.Correction || len(c.Missing) != 4 {
			t.Fatalf("partial supply: %s, %d missing", c.Status, len(c.Missing))
		}
		e.clk.set("2026-02-13", 15) // complete on Friday before the Spring Festival
		var rest []cases.MaterialRef
		for _, id := range []string{"m2", "m3", "m4", "m5"} {
			rest = append(rest, cases.MaterialRef{MaterialID: id, FileID: file})
		}
		c = mustAct(t, e, clerk, c.Number, cases.SupplyInput{Materials: rest})
		if c.Status != cases.Submitted {
			t.Fatalf("complete supply: %s", c.Status)
		}
		c = mustAct(t, e, clerk, c.Number, cases.AcceptInput{})
		if *c.AcceptedOn != calendar.MustDate("2026-02-13") || *c.Due != calendar.MustDate("2026-02-14") {
			t.Fatalf("accepted %v due %v, want 2026-02-13 and the make-up Saturday 2026-02-14", c.AcceptedOn, c.Due)
		}
	})
}

// TestSuspensionAndExtensionMoveTheDeadline over National Day.
func TestSuspensionAndExtensionMoveTheDeadline(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-09-24", 10)
		c := e.submitted(t, "药品零售企业经营许可", "m1", "m2", "m3", "m4", "m5") // 10 working days, special procedures and extension allowed
		c = mustAct(t, e, clerk, c.Number, cases.AcceptInput{})
		// 09-25 rests (Mid-Autumn); 09-28, 29, 30, 10-08, 09, 10 (Sat), 12, 13, 14, 15.
		if *c.Due != calendar.MustDate("2026-10-15") {
			t.Fatalf("due %s, want 2026-10-15", c.Due)
		}
		e.clk.set("2026-09-29", 11)
		if _, err := e.svc.Suspend(ctx, other, c.Number, cases.SuspendInput{Kind: "special_procedure", Reason: "现场核查"}); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("another department suspended it: %v", err)
		}
		c = mustAct(t, e, approver, c.Number, cases.SuspendInput{Kind: "special_procedure", Reason: "组织现场核查"})
		if c.Status != cases.Suspended || c.Warning != cases.WarnNone {
			t.Fatalf("suspended: %s %s", c.Status, c.Warning)
		}
		e.clk.set("2026-10-09", 9)
		c = mustAct(t, e, approver, c.Number, cases.ResumeInput{})
		// Paused: 09-30, 10-08, 10-09 = 3 working days.
		if c.PausedWorkingDays != 3 || *c.Due != calendar.MustDate("2026-10-20") {
			t.Fatalf("after resume: paused %d due %s, want 3 and 2026-10-20", c.PausedWorkingDays, c.Due)
		}
		if _, err := e.svc.Extend(ctx, approver, c.Number, cases.ExtendInput{Days: 5}); !errs.Is(err, errs.CodeInvalid) {
			t.Fatalf("extension without reason: %v", err)
		}
		c = mustAct(t, e, approver, c.Number, cases.ExtendInput{Days: 5, Reason: "需补充专家论证"})
		if c.ExtendedDays != 5 || *c.Due != calendar.MustDate("2026-10-27") {
			t.Fatalf("after extension: due %s, want 2026-10-27", c.Due)
		}
		// An item without extension refuses it.
		c2, _, _ := e.svc.Create(ctx, clerk, cases.CreateInput{Item: e.itemCode(t, "企业设立登记"), Applicant: person}, "")
		if _, err := e.svc.Extend(ctx, approver, c2.Number, cases.ExtendInput{Days: 1, Reason: "x"}); !errs.Is(err, errs.CodeConflict) {
			t.Fatalf("extend a submitted case: %v", err)
		}
	})
}

// TestWarningsFollowTheClock: yellow and red on the right working days; the list filters by them.
func TestWarningsFollowTheClock(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		code := e.itemCode(t, "建筑工程施工许可证核发") // 3 working days
		file := e.upload(t)
		var refs []cases.MaterialRef
		for _, id := range []string{"m1", "m2", "m3", "m4", "m5"} {
			refs = append(refs, cases.MaterialRef{MaterialID: id, FileID: file})
		}
		e.clk.set("2026-09-30", 10)
		c, _, _ := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs}, "")
		c = mustAct(t, e, clerk, c.Number, cases.AcceptInput{})
		if *c.Due != calendar.MustDate("2026-10-10") {
			t.Fatalf("due %s, want the make-up Saturday 2026-10-10", c.Due)
		}
		for _, step := range []struct{ day, want string }{
			{"2026-10-08", cases.WarnNone}, {"2026-10-09", cases.WarnYellow}, {"2026-10-10", cases.WarnYellow}, {"2026-10-12", cases.WarnRed},
		} {
			e.clk.set(step.day, 9)
			got, err := e.svc.Get(ctx, super, c.Number)
			if err != nil {
				t.Fatal(err)
			}
			if got.Warning != step.want {
				t.Errorf("on %s: warning %s, want %s", step.day, got.Warning, step.want)
			}
			list, total, err := e.svc.List(ctx, super, cases.Query{Warning: step.want})
			if err != nil || total != 1 || list[0].Number != c.Number {
				t.Errorf("on %s: list warning=%s has %d cases (%v)", step.day, step.want, total, err)
			}
		}
	})
}

func TestFiftySubmissionsWithOneKeyMakeOneCase(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		in := cases.CreateInput{Item: e.itemCode(t, "企业设立登记"), Applicant: person}
		var wg sync.WaitGroup
		var mu sync.Mutex
		numbers, created := map[string]int{}, 0
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, isNew, err := e.svc.Create(ctx, clerk, in, "key-0001")
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
				numbers[c.Number]++
				if isNew {
					created++
				}
			}()
		}
		wg.Wait()
		if len(numbers) != 1 || created != 1 {
			t.Fatalf("50 submissions with one key made %d cases (%d reported created)", len(numbers), created)
		}
		var n int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d rows in cases", n)
		}
		in.Applicant.Name = "李四"
		if _, _, err := e.svc.Create(ctx, clerk, in, "key-0001"); !errs.Is(err, errs.CodeConflict) {
			t.Fatalf("same key, other body: %v, want conflict", err)
		}
	})
}

func TestPersonalDataAndRoles(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		c, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: e.itemCode(t, "企业设立登记"), Applicant: person}, "")
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		_ = db.QueryRowContext(ctx, `SELECT applicant_id_enc || applicant_phone_enc FROM cases`).Scan(&stored)
		if strings.Contains(stored, "110105") || strings.Contains(stored, "1380543") {
			t.Fatal("ID or phone stored in clear")
		}
		if got, _ := e.svc.Get(ctx, super, c.Number); got.Applicant.IDNumber != "1101**********002X" || got.Applicant.Phone != "138****1234" {
			t.Fatalf("supervisor sees %q %q, want masked", got.Applicant.IDNumber, got.Applicant.Phone)
		}
		if got, _ := e.svc.Get(ctx, clerk, c.Number); got.Applicant.IDNumber != person.IDNumber {
			t.Fatalf("clerk sees %q, want the full ID", got.Applicant.IDNumber)
		}
		reads, _ := e.log.List(ctx, db, audit.Query{ObjectID: c.Number, Actor: "clerk", Limit: 10})
		found := false
		for _, r := range reads {
			found = found || r.Action == "case.read_personal_data"
		}
		if !found {
			t.Fatal("the clerk's read of full personal data is not audited")
		}
		if _, err := e.svc.Get(ctx, other, c.Number); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("another department's approver: %v", err)
		}
		if _, err := e.svc.Accept(ctx, approver, c.Number, cases.AcceptInput{}); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("approver accepting at the window: %v", err)
		}
		// Claim: one officer holds the case.
		approver2 := audit.Actor{Username: "approver2", Role: "approver", Department: "XZSP"}
		if _, err := e.svc.Claim(ctx, approver, c.Number, true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Claim(ctx, approver2, c.Number, true); !errs.Is(err, errs.CodeConflict) {
			t.Fatalf("second claim: %v", err)
		}
		// Public tracking needs the phone's last four digits and shows nothing personal.
		if _, err := e.svc.TrackPublic(ctx, c.Number, "0000", "192.0.2.1"); !errs.Is(err, errs.CodeNotFound) {
			t.Fatalf("wrong digits: %v", err)
		}
		pub, err := e.svc.TrackPublic(ctx, c.Number, "1234", "192.0.2.1")
		if err != nil || pub.Applicant.Name != "张*" || pub.Applicant.IDNumber == person.IDNumber {
			t.Fatalf("public tracking: %+v %v", pub.Applicant, err)
		}
		for _, ev := range pub.Timeline { // the claim above is the center's own work
			if _, shown := cases.CitizenStepOf(ev.Action); !shown || pub.Assignee != "" {
				t.Fatalf("public tracking shows the internal %q (assignee %q)", ev.Action, pub.Assignee)
			}
		}
		if len(pub.Timeline) == 0 {
			t.Fatal("public tracking shows no step")
		}
		// Bad input names the field.
		bad := person
		bad.IDNumber = "110105194912310021"
		_, _, err = e.svc.Create(ctx, clerk, cases.CreateInput{Item: e.itemCode(t, "企业设立登记"), Applicant: bad}, "")
		if e, ok := errs.As(err); !ok || e.Fields[0].Field != "applicant.id_number" {
			t.Fatalf("bad ID number: %v", err)
		}
		file := e.upload(t)
		_, _, err = e.svc.Create(ctx, clerk, cases.CreateInput{Item: e.itemCode(t, "企业设立登记"), Applicant: person,
			Materials: []cases.MaterialRef{{MaterialID: "m1", FileID: file}, {MaterialID: "m2", FileID: "f_never_uploaded"}}}, "")
		if e, ok := errs.As(err); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "materials[1].file_id" {
			t.Fatalf("a file never uploaded: %v, want materials[1].file_id named", err)
		}
	})
}

func mustDate(s string) calendar.Date { return calendar.MustDate(s) }

// TestRegisterAndAcceptInOneStep: the window's one step is atomic — a refused acceptance leaves
// no registered case behind.
func TestRegisterAndAcceptInOneStep(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		code := e.itemCode(t, "企业设立登记")
		file := e.upload(t)
		refs := []cases.MaterialRef{{MaterialID: "m1", FileID: file}, {MaterialID: "m2", FileID: file}, {MaterialID: "m3", FileID: file}, {MaterialID: "m4", FileID: file}}
		_, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs, Accept: &cases.AcceptInput{}}, "")
		if e, ok := errs.As(err); !ok || e.Code != errs.CodeInvalid || !strings.Contains(e.Message, "住所使用相关文件") {
			t.Fatalf("one step without the lease: %v, want a refusal naming the missing material", err)
		}
		var n int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d cases left behind by a refused one-step intake", n)
		}
		c, created, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs,
			Accept: &cases.AcceptInput{Deferred: []cases.DeferInput{{MaterialID: "m5", Due: mustDate("2026-10-08")}}}}, "k-1")
		if err != nil || !created || c.Status != cases.Accepted || len(c.Deferred) != 1 {
			t.Fatalf("one step with the lease deferred: %+v %v", c.Status, err)
		}
		var buf bytes.Buffer
		_ = png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 2, 2)))
		own, err := e.files.Save(ctx, approver, "scan.png", &buf) // a case takes its actor's own uploads only
		if err != nil {
			t.Fatal(err)
		}
		refs = []cases.MaterialRef{{MaterialID: "m1", FileID: own.ID}, {MaterialID: "m2", FileID: own.ID}, {MaterialID: "m3", FileID: own.ID}, {MaterialID: "m4", FileID: own.ID}}
		if _, _, err := e.svc.Create(ctx, approver, cases.CreateInput{Item: code, Applicant: person, Materials: refs, Accept: &cases.AcceptInput{}}, ""); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("an approver accepting at the window: %v", err)
		}
	})
}

// TestIntakeTakesOnlyOwnUnattachedFiles: a file that is a material of one applicant's case is
// refused for another applicant's case (its staff would read the first applicant's papers, on
// the second one's data-access list), and so is another account's upload; the same applicant's
// earlier file and the clerk's own fresh upload are taken.
func TestIntakeTakesOnlyOwnUnattachedFiles(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		code := e.itemCode(t, "企业设立登记")
		file := e.upload(t)
		refs := func(f string) []cases.MaterialRef {
			return []cases.MaterialRef{{MaterialID: "m1", FileID: f}}
		}
		if _, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs(file)}, ""); err != nil {
			t.Fatal(err)
		}
		someone := cases.Applicant{Type: "person", Name: "李四", IDNumber: "110101195001010017", Phone: "13805439999"}
		_, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: someone, Materials: refs(file)}, "")
		if !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "其他申请人") || !strings.Contains(err.Error(), "申请书") {
			t.Fatalf("another applicant's file: %v, want refused naming the material", err)
		}
		// Another account's upload is answered as an unknown file.
		var buf bytes.Buffer
		_ = png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 3, 3)))
		theirs, err := e.files.Save(ctx, audit.Actor{Username: "clerk2", Role: "clerk"}, "scan.png", &buf)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: someone, Materials: refs(theirs.ID)}, "")
		if !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "不存在或已失效") {
			t.Fatalf("another account's upload: %v, want refused", err)
		}
		// The same applicant's file again, and a fresh own upload for the other one, are taken.
		if _, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs(file)}, ""); err != nil {
			t.Fatalf("same applicant: %v", err)
		}
		c, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: someone, Materials: refs(e.upload(t))}, "")
		if err != nil {
			t.Fatalf("own fresh upload: %v", err)
		}
		// 补交 (supply) follows the same rule.
		_, err = e.svc.Supply(ctx, clerk, c.Number, cases.SupplyInput{Materials: []cases.MaterialRef{{MaterialID: "m2", FileID: file}}})
		if !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "其他申请人") {
			t.Fatalf("supply with another applicant's file: %v", err)
		}
	})
}

func TestOwnUpload(t *testing.T) {
	agent := audit.Actor{Username: "applicant:7→applicant:5", Role: "applicant"}
	for _, c := range []struct {
		by   audit.Actor
		who  string
		want bool
	}{
		{clerk, "clerk", true}, {clerk, "clerk2", false}, {clerk, "", false},
		{agent, "applicant:5", true}, {agent, "applicant:9→applicant:5", true}, {agent, "applicant:7→applicant:5", true},
		{agent, "applicant:7", false}, {audit.Actor{Username: "applicant:5", Role: "applicant"}, "applicant:8→applicant:5", true},
		{audit.Actor{Username: "x→applicant:5", Role: "clerk"}, "applicant:5", false},
	} {
		if got := cases.OwnUpload(c.by, c.who); got != c.want {
			t.Errorf("OwnUpload(%s, %s) = %v", c.by.Username, c.who, got)
		}
	}
}
