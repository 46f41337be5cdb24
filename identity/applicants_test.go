package identity_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/errs"
	"banhao/identity"
	"banhao/ids"
	"banhao/jobs"
	"banhao/notify"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"

	"golang.org/x/text/width"
)

func complete(first17 string, check func(string) (byte, bool)) string {
	c, _ := check(first17)
	return first17 + string(c)
}

// lastCode reads the newest sign-in code the outbox holds for an account, as the log would
// print it.
func lastCode(t *testing.T, db *store.DB, id int64) string {
	t.Helper()
	var body string
	if err := db.QueryRowContext(context.Background(), `SELECT body FROM notifications WHERE recipient = ? ORDER BY id DESC LIMIT 1`,
		"applicant:"+itoa(id)).Scan(&body); err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`\d{6}`).FindString(body)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestApplicantSignIn(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, c := applicants(db)
		ctx := context.Background()
		person := complete("37160219800101001", ids.IDNumberCheck)
		org := complete("91371600MA3C00001", ids.CreditCodeCheck)

		for _, tc := range []struct {
			in    identity.NewApplicant
			field string
		}{
			{identity.NewApplicant{Kind: "person", Name: "张三", IDNumber: "371602198001010010", Phone: "13805430001"}, "id_number"},
			{identity.NewApplicant{Kind: "person", Name: "", IDNumber: person, Phone: "13805430001"}, "name"},
			{identity.NewApplicant{Kind: "person", Name: "张三", IDNumber: person, Phone: "12345"}, "phone"},
			{identity.NewApplicant{Kind: "org", Name: "某公司", IDNumber: org, Phone: "13805430002"}, "legal_rep"},
			{identity.NewApplicant{Kind: "robot", Name: "x", IDNumber: person, Phone: "13805430001"}, "kind"},
		} {
			_, err := a.Register(ctx, audit.System, tc.in)
			if e, ok := errs.As(err); !ok || e.Fields[0].Field != tc.field {
				t.Errorf("%+v: %v, want a fault in %s", tc.in, err, tc.field)
			}
		}
		p, err := a.Register(ctx, audit.System, identity.NewApplicant{Kind: "person", Name: "张三", IDNumber: " " + person + " ", Phone: "13805430001"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Register(ctx, audit.System, identity.NewApplicant{Kind: "person", Name: "张三", IDNumber: person, Phone: "13805430001"}); !errs.Is(err, errs.CodeConflict) {
			t.Errorf("second registration: %v", err)
		}

		// A code, then a second one too soon, then wrong codes until the code is spent.
		sent, err := a.RequestCode(ctx, person, "")
		if err != nil || strings.Contains(sent.Message, "****") || sent.ExpiresIn != 300 {
			t.Fatalf("code %+v %v", sent, err)
		}
		if _, err := a.RequestCode(ctx, person, ""); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Errorf("second code within a minute: %v", err)
		}
		code := lastCode(t, db, p.ID)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		// Wrong codes from one address stop that address, and never spend the code: the owner,
		// at their own address, signs in with it.
		for range 5 {
			if _, err := a.SignIn(ctx, person, wrong, identity.ChannelOnline, "203.0.113.5"); !errs.Is(err, errs.CodeUnauthorized) {
				t.Fatalf("wrong code: %v", err)
			}
		}
		if _, err := a.SignIn(ctx, person, code, identity.ChannelOnline, "203.0.113.5"); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Errorf("the guessing address after 5 wrong codes: %v, want too many requests", err)
		}
		if _, err := a.SignIn(ctx, person, code, identity.ChannelOnline, "198.51.100.7"); err != nil {
			t.Errorf("the owner's code after someone else's wrong tries: %v", err)
		}

		// A fresh code a minute later works once.
		c.t = c.t.Add(time.Minute)
		if _, err := a.RequestCode(ctx, person, ""); err != nil {
			t.Fatal(err)
		}
		code = lastCode(t, db, p.ID)
		sess, err := a.SignIn(ctx, person, code, identity.ChannelKiosk, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.SignIn(ctx, person, code, identity.ChannelKiosk, ""); !errs.Is(err, errs.CodeUnauthorized) {
			t.Errorf("a code works twice: %v", err)
		}
		got, err := a.Authenticate(ctx, sess.Token)
		if err != nil || got.Applicant.IDNumber != person || got.Principal().ID != p.ID {
			t.Fatalf("authenticate %+v %v", got, err)
		}
		c.t = c.t.Add(11 * time.Minute) // the kiosk session lasts 10 minutes
		if _, err := a.Authenticate(ctx, sess.Token); !errs.Is(err, errs.CodeUnauthorized) {
			t.Errorf("kiosk session after 11 minutes: %v", err)
		}

		// Five codes an hour at most.
		for i := 0; i < 3; i++ {
			c.t = c.t.Add(time.Minute)
			if _, err := a.RequestCode(ctx, person, ""); err != nil {
				t.Fatalf("code %d: %v", i, err)
			}
		}
		c.t = c.t.Add(time.Minute)
		if _, err := a.RequestCode(ctx, person, ""); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Errorf("sixth code in an hour: %v", err)
		}

		// An organisation authorises the person as its agent for one item until a date.
		o, err := a.Register(ctx, audit.System, identity.NewApplicant{Kind: "org", Name: "滨州示例公司", IDNumber: org, Phone: "13805430002", LegalRep: "李四"})
		if err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(time.Hour)
		if _, err := a.RequestCode(ctx, org, ""); err != nil {
			t.Fatal(err)
		}
		orgSess, err := a.SignIn(ctx, org, lastCode(t, db, o.ID), identity.ChannelOnline, "")
		if err != nil {
			t.Fatal(err)
		}
		today := calendar.DateOf(c.t, time.UTC)
		if _, err := a.Authorise(ctx, orgSess, person, []string{"ITEM-1"}, today.AddDays(30), today); err != nil {
			t.Fatal(err)
		}
		if _, err := a.RequestCode(ctx, person, ""); err != nil {
			t.Fatal(err)
		}
		agent, err := a.SignIn(ctx, person, lastCode(t, db, p.ID), identity.ChannelOnline, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := a.ActFor(ctx, agent, o.ID+100, today); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("acting for an organisation without authorisation: %v", err)
		}
		if err := a.ActFor(ctx, agent, o.ID, today); err != nil {
			t.Fatal(err)
		}
		agent, _ = a.Authenticate(ctx, agent.Token)
		if agent.Principal().ID != o.ID {
			t.Fatalf("principal %+v", agent.Principal())
		}
		if err := a.MayApply(ctx, agent, "ITEM-1", today); err != nil {
			t.Error(err)
		}
		if err := a.MayApply(ctx, agent, "ITEM-2", today); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("outside the scope: %v", err)
		}
		if err := a.MayApply(ctx, agent, "ITEM-1", today.AddDays(31)); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("after the end date: %v", err)
		}
	})
}

func TestAuthorisationCovers(t *testing.T) {
	d := calendar.MustDate
	au := identity.Authorisation{Scope: []string{"A", "B"}, EndsOn: d("2026-12-31")}
	if !au.Covers("A", d("2026-12-31")) || au.Covers("A", d("2027-01-01")) || au.Covers("C", d("2026-12-01")) {
		t.Error("scope and end date")
	}
	all := identity.Authorisation{Scope: []string{"*"}, EndsOn: d("2026-12-31")}
	if !all.Covers("anything", d("2026-01-01")) {
		t.Error("* covers every item")
	}
}

// applicants is the accounts service on db with codes to the log (development), on a clock set
// to a Thursday morning.
func applicants(db *store.DB) (*identity.Applicants, *clock) {
	a, c, _ := applicantsWith(db, map[string]notify.Channel{"log": notify.LogChannel{Logger: discard()}}, identity.ApplicantsConfig{DevCodes: true})
	return a, c
}

// applicantsWith is the accounts service on db whose outbox has the given channels, with the
// installation's settings of set (DevCodes, Center, Hotline); codes go to the log only with
// DevCodes.
func applicantsWith(db *store.DB, channels map[string]notify.Channel, set identity.ApplicantsConfig) (*identity.Applicants, *clock, *notify.Outbox) {
	c := &clock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index-key-index-key-index-key-12"))
	outbox := wiring.Must(notify.NewOutbox(notify.Config{DB: db, Now: c.now, Channels: channels, Jobs: jobs.Discard{}, Logger: discard()}))
	set.DB, set.Audit, set.PII, set.Outbox, set.Now = db, wiring.Must(audit.New([]byte("identity-test-key-identity-test-k"), c.now)), pii, outbox, c.now
	set.Location, _ = time.LoadLocation("Asia/Shanghai")
	a, err := identity.NewApplicants(set)
	if err != nil {
		panic(err) // every dependency is given
	}
	return a, c, outbox
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestCodesPerAddress: one client address cannot ask for codes without end, across accounts.
func TestCodesPerAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, _ := applicants(db)
		ctx := context.Background()
		var people []string
		for i := 0; i <= identity.CodesPerAddress; i++ {
			id := complete(fmt.Sprintf("37160219800101%03d", i), ids.IDNumberCheck)
			if _, err := a.Register(ctx, audit.System, identity.NewApplicant{Kind: "person", Name: "某人", IDNumber: id, Phone: "13805430001"}); err != nil {
				t.Fatal(err)
			}
			people = append(people, id)
		}
		for i, id := range people {
			_, err := a.RequestCode(ctx, id, "203.0.113.9")
			if i < identity.CodesPerAddress && err != nil {
				t.Fatalf("code %d: %v", i, err)
			}
			if i == identity.CodesPerAddress && !errs.Is(err, errs.CodeTooManyRequests) {
				t.Errorf("code %d from one address: %v", i, err)
			}
		}
		if _, err := a.RequestCode(ctx, people[len(people)-1], "203.0.113.10"); err != nil {
			t.Errorf("another address: %v", err)
		}
	})
}

// TestCodesAtKiosk: a registered kiosk asks for codes from its own budget, not its address's —
// more numbers than an address may ask for pass, and the website at the same address keeps its
// own — until CodesPerKiosk; each number's limits are the same as anywhere.
func TestCodesAtKiosk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, _ := applicants(db)
		ctx := context.Background()
		const addr = "203.0.113.9"
		for i := range identity.CodesPerKiosk {
			id := complete(fmt.Sprintf("37160219800101%03d", i), ids.IDNumberCheck)
			if _, err := a.RequestCodeAtKiosk(ctx, id, addr, "kiosk-1"); err != nil {
				t.Fatalf("code %d at the kiosk: %v", i+1, err)
			}
		}
		last := complete("37160219800102001", ids.IDNumberCheck)
		if _, err := a.RequestCodeAtKiosk(ctx, last, addr, "kiosk-1"); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Errorf("code %d at one kiosk: %v, want too many", identity.CodesPerKiosk+1, err)
		}
		if _, err := a.RequestCodeAtKiosk(ctx, last, addr, "kiosk-2"); err != nil {
			t.Errorf("another kiosk at the same address: %v", err)
		}
		if _, err := a.RequestCode(ctx, complete("37160219800102002", ids.IDNumberCheck), addr); err != nil {
			t.Errorf("the website at the kiosks' address: %v", err)
		}
		// The number's own interval: a second code for it within the minute is refused at a kiosk too.
		if _, err := a.RequestCodeAtKiosk(ctx, last, addr, "kiosk-3"); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Errorf("a second code for one number within the minute at a kiosk: %v, want too many", err)
		}
	})
}

// TestSecurityCodeRequestSameAnswer: asking for a sign-in code answers alike for an ID number
// with an account and one without — the same answer, the same refusals at the same moments —
// and sends nothing for the one without.
func TestSecurityCodeRequestSameAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, c := applicants(db)
		ctx := context.Background()
		known, unknown := complete("37160219800101001", ids.IDNumberCheck), complete("37160219800101002", ids.IDNumberCheck)
		if _, err := a.Register(ctx, audit.System, identity.NewApplicant{Kind: "person", Name: "某人", IDNumber: known, Phone: "13805430001"}); err != nil {
			t.Fatal(err)
		}
		answer := func(id string) string {
			sent, err := a.RequestCode(ctx, id, "")
			return fmt.Sprintf("%+v %v", sent, err)
		}
		// First code, too soon, then a minute apart until the hour's are spent.
		for i, step := range []time.Duration{0, 0, time.Minute, time.Minute, time.Minute, time.Minute, time.Minute, time.Hour} {
			c.t = c.t.Add(step)
			if k, u := answer(known), answer(unknown); k != u {
				t.Errorf("request %d: known %s, unknown %s", i, k, u)
			}
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications`).Scan(&n); err != nil || n != 6 {
			t.Errorf("%d codes sent (%v), want 6, all to the account", n, err)
		}
		if _, err := a.RequestCode(ctx, "12345", ""); !errs.Is(err, errs.CodeInvalid) {
			t.Errorf("malformed ID number: %v", err)
		}
	})
}

// TestSecurityCodesNotTurnedAgainstOwner (issue 11, findings 8 and 11): a failed sign-in says
// the same whether the number has an account, a live code or neither; and someone asking for
// codes for the owner's number from elsewhere does not use up the owner's own.
func TestSecurityCodesNotTurnedAgainstOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, c := applicants(db)
		ctx := context.Background()
		owner, stranger := complete("37160219800101001", ids.IDNumberCheck), complete("37160219800101002", ids.IDNumberCheck)
		p, err := a.Register(ctx, audit.System, identity.NewApplicant{Kind: "person", Name: "某人", IDNumber: owner, Phone: "13805430001"})
		if err != nil {
			t.Fatal(err)
		}
		answer := func(id string) string {
			_, err := a.SignIn(ctx, id, "000001", identity.ChannelOnline, "192.0.2.1")
			return fmt.Sprint(err)
		}
		noCode, unknown := answer(owner), answer(stranger)
		if _, err := a.RequestCode(ctx, owner, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if code := lastCode(t, db, p.ID); code == "000001" {
			t.Skip("the random code is the guess")
		}
		liveCode := answer(owner)
		if noCode != unknown || liveCode != unknown {
			t.Errorf("failed sign-ins tell accounts apart: no code %q, live code %q, unknown number %q", noCode, liveCode, unknown)
		}

		// The owner signs in on their browser, which is known to the number from then on.
		c.t = c.t.Add(61 * time.Second)
		if _, err := a.RequestCode(ctx, owner, "198.51.100.7"); err != nil {
			t.Fatal(err)
		}
		first, err := a.SignInOnDevice(ctx, owner, lastCode(t, db, p.ID), identity.ChannelOnline, "198.51.100.7", "")
		if err != nil || first.Device == "" {
			t.Fatalf("the owner's sign-in: %+v %v", first.Device, err)
		}

		// A code asked for from elsewhere does not make the owner's own code useless.
		c.t = c.t.Add(61 * time.Second)
		if _, err := a.RequestCode(ctx, owner, "198.51.100.7"); err != nil {
			t.Fatal(err)
		}
		mine := lastCode(t, db, p.ID)
		if _, err := a.RequestCode(ctx, owner, "203.0.113.66"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.SignIn(ctx, owner, mine, identity.ChannelOnline, "198.51.100.7"); err != nil {
			t.Fatalf("the owner's code after someone else asked for one: %v", err)
		}

		// Someone asking for the owner's codes from a dozen addresses spends the number's own
		// bucket: a new browser waits, the owner's known browser does not.
		for i := range 12 {
			_, _ = a.RequestCode(ctx, owner, fmt.Sprintf("192.0.2.%d", i+1))
		}
		c.t = c.t.Add(61 * time.Second)
		if _, err := a.RequestCode(ctx, owner, "198.51.100.99"); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Fatalf("a new browser during the flood: %v, want too many requests", err)
		}
		c.t = c.t.Add(61 * time.Second)
		if _, err := a.RequestCodeOnDevice(ctx, owner, "198.51.100.99", first.Device); err != nil {
			t.Fatalf("the owner's known browser during the flood: %v", err)
		}
		again, err := a.SignInOnDevice(ctx, owner, lastCode(t, db, p.ID), identity.ChannelOnline, "198.51.100.99", first.Device)
		if err != nil || again.Device != first.Device {
			t.Fatalf("the owner's sign-in on the known browser: %v", err)
		}
		// A stranger's made-up token, or the owner's token for another number, helps nobody.
		if _, err := a.RequestCodeOnDevice(ctx, owner, "198.51.100.98", first.Device+"x"); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Errorf("a made-up device token passed the number's limit: %v", err)
		}
	})
}

// TestNewApplicantsRefusesMissingDependencies: the accounts service without the outbox that sends
// its codes is refused, by name.
func TestNewApplicantsRefusesMissingDependencies(t *testing.T) {
	pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index-key-index-key-index-key-12"))
	_, err := identity.NewApplicants(identity.ApplicantsConfig{DB: &store.DB{}, Audit: wiring.Must(audit.New([]byte("identity-test-key-identity-test-k"), time.Now)),
		PII: pii, Now: time.Now, Location: time.UTC})
	if names, ok := wiring.Missing(err); !ok || len(names) != 1 || names[0] != "Outbox" {
		t.Fatalf("err = %v", err)
	}
}

// TestFailedCodeRequestsCostNothing: only a request that sends a code (or, for a number without
// an account, answers as if it did) spends the limits. Malformed numbers — more than the
// address's whole budget — and a request whose code could not be written leave the address
// and the number their tries; a number asked for too soon does not cost the address one; the
// limits themselves still hold.
func TestFailedCodeRequestsCostNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, _ := applicants(db)
		ctx := context.Background()
		const addr = "203.0.113.9"
		for i := 0; i <= identity.CodesPerAddress; i++ {
			if _, err := a.RequestCode(ctx, fmt.Sprintf("3716021980%02d", i), addr); !errs.Is(err, errs.CodeInvalid) {
				t.Fatalf("malformed number %d: %v, want it refused as such", i, err)
			}
			if _, err := a.RequestCodeAtKiosk(ctx, "3716021980", addr, "kiosk-1"); !errs.Is(err, errs.CodeInvalid) {
				t.Fatalf("malformed number %d at a kiosk: %v", i, err)
			}
		}
		person := complete("37160219800101001", ids.IDNumberCheck)
		ap, err := a.Register(ctx, audit.System, identity.NewApplicant{Kind: "person", Name: "张三", IDNumber: person, Phone: "13805430001"})
		if err != nil {
			t.Fatal(err)
		}
		// The code cannot be written (the outbox is away): an error, and nothing spent.
		if _, err := db.ExecContext(ctx, `ALTER TABLE notifications RENAME TO notifications_away`); err != nil {
			t.Fatal(err)
		}
		if _, err := a.RequestCode(ctx, person, addr); err == nil {
			t.Fatal("a code that could not be written was answered as sent")
		}
		if _, err := db.ExecContext(ctx, `ALTER TABLE notifications_away RENAME TO notifications`); err != nil {
			t.Fatal(err)
		}
		if _, err := a.RequestCode(ctx, person, addr); err != nil {
			t.Fatalf("after failed requests, the first code: %v", err)
		}
		if lastCode(t, db, ap.ID) == "" {
			t.Fatal("no code sent")
		}
		if _, err := a.RequestCode(ctx, person, addr); !errs.Is(err, errs.CodeTooManyRequests) { // the number's minute
			t.Fatalf("a second code within the minute: %v", err)
		}
		// The address had its whole budget: one spent on the sent code, none on the refusals.
		for i := 1; i < identity.CodesPerAddress; i++ {
			if _, err := a.RequestCode(ctx, complete(fmt.Sprintf("37160219800102%03d", i), ids.IDNumberCheck), addr); err != nil {
				t.Fatalf("code %d from the address: %v", i+1, err)
			}
		}
		if _, err := a.RequestCode(ctx, complete("37160219800103001", ids.IDNumberCheck), addr); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Errorf("code %d from one address: %v, want too many", identity.CodesPerAddress+1, err)
		}
	})
}

// TestCodeRequestSaysWhatIsWrongWithTheNumber: a number of the wrong length is told its length;
// 18 characters with a wrong one are told to check each (the last is a check digit) — not "须为
// 18 位" to someone who typed 18; full-width digits, as a phone's Chinese keyboard types them, are
// the same number.
func TestCodeRequestSaysWhatIsWrongWithTheNumber(t *testing.T) {
	db := storetest.SQLite(t)
	a, _ := applicants(db)
	ctx := context.Background()
	person := complete("37160219800101001", ids.IDNumberCheck)
	if _, err := a.Register(ctx, audit.System, identity.NewApplicant{Kind: "person", Name: "张三", IDNumber: person, Phone: "13805430001"}); err != nil {
		t.Fatal(err)
	}
	wrong := person[:17] + map[bool]string{true: "1", false: "2"}[person[17] != '1']
	for typed, want := range map[string]string{
		"3716021980":  "您输入了 10 位",
		wrong:         "逐位核对",
		person + "00": "您输入了 20 位",
	} {
		_, err := a.RequestCode(ctx, typed, "203.0.113.10")
		if de, ok := errs.As(err); !ok || len(de.Fields) == 0 || de.Fields[0].Field != "id_number" || !strings.Contains(de.Fields[0].Message, want) {
			t.Errorf("%s: %v, want id_number saying %q", typed, err, want)
		}
	}
	fullWidth := width.Widen.String(person)
	if _, err := a.RequestCode(ctx, fullWidth, "203.0.113.10"); err != nil {
		t.Fatalf("the number in full-width digits: %v", err)
	}
	if lastCode(t, db, 1) == "" {
		t.Fatal("no code sent for the number typed in full-width digits")
	}
}
