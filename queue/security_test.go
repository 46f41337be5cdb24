package queue_test

import (
	"context"
	"testing"
	"time"

	"banhao/demo"
	"banhao/errs"
	"banhao/queue"
	"banhao/store"
	"banhao/store/storetest"
)

// TestSecurityTicketBudgets: anonymous tickets from one address stop after the burst and come
// back with time; another address, a registered kiosk and staff are not affected; a made-up
// device key is refused; a green ticket by age needs a trusted ID.
func TestSecurityTicketBudgets(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		in := queue.IssueInput{Service: demo.ServiceCode("A")}
		for i := range queue.AnonymousBudget.Burst {
			if _, err := e.q.Issue(ctx, anon, in); err != nil {
				t.Fatalf("anonymous ticket %d: %v", i+1, err)
			}
		}
		_, err := e.q.Issue(ctx, anon, in)
		if ee, ok := errs.As(err); !ok || ee.Code != errs.CodeTooManyRequests || ee.RetryAfter <= 0 {
			t.Fatalf("after the burst: %v, want too many requests with a retry time", err)
		}
		if _, err := e.q.Issue(ctx, queue.Requester{Actor: kiosk, Addr: "192.0.2.2"}, in); err != nil {
			t.Errorf("another address: %v", err)
		}
		atKiosk := queue.Requester{Actor: kiosk, Addr: "192.0.2.1", DeviceKey: e.enroll(t, queue.KioskDevice, "")}
		for i := range 50 {
			if _, err := e.q.Issue(ctx, atKiosk, in); err != nil {
				t.Fatalf("kiosk ticket %d: %v", i+1, err)
			}
		}
		for i := range 5 {
			if _, err := e.q.Issue(ctx, guide, in); err != nil {
				t.Fatalf("staff ticket %d: %v", i+1, err)
			}
		}
		if _, err := e.q.Issue(ctx, queue.Requester{Actor: kiosk, DeviceKey: "made-up"}, in); code(err) != errs.CodeUnauthorized {
			t.Errorf("a made-up device key: %v", err)
		}
		e.clk.add(queue.AnonymousBudget.Every)
		if _, err := e.q.Issue(ctx, anon, in); err != nil {
			t.Errorf("after %v: %v", queue.AnonymousBudget.Every, err)
		}

		old := queue.IssueInput{Service: demo.ServiceCode("B"), IDNumber: "110101195001010017", Priority: "green"}
		e.clk.add(time.Hour)
		if _, err := e.q.Issue(ctx, anon, old); code(err) != errs.CodeForbidden {
			t.Errorf("anonymous green with a 1950 ID: %v", err)
		}
		pad := queue.Requester{Actor: kiosk, Addr: "192.0.2.3", DeviceKey: e.enroll(t, queue.PadDevice, "1")}
		if _, err := e.q.Issue(ctx, pad, old); code(err) != errs.CodeForbidden {
			t.Errorf("a rating pad is no card reader: %v", err)
		}
		if tk, err := e.q.Issue(ctx, atKiosk, old); err != nil || tk.Priority != queue.Green {
			t.Errorf("kiosk card reader, 1950 ID: %+v %v", tk, err)
		}
		young := old
		young.IDNumber = demo.CitizenID
		if _, err := e.q.Issue(ctx, atKiosk, young); code(err) != errs.CodeForbidden {
			t.Errorf("kiosk, a 1985 ID: %v", err)
		}
		if tk, err := e.q.Issue(ctx, queue.Requester{Actor: kiosk, Applicant: true}, old); err != nil || tk.Priority != queue.Green {
			t.Errorf("signed-in applicant at the kiosk, 1950: %+v %v", tk, err)
		}
	})
}

// TestTicketSourceIsWhoTookIt: a ticket says how it was taken by who asked, not by what the
// request claims: a registered kiosk's (or a signed-in applicant's at the kiosk, or one from the
// kiosk's own page) is "kiosk", an anonymous API one without a device is "phone" whatever it
// sends; only staff give "window".
func TestTicketSourceIsWhoTookIt(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		svc := demo.ServiceCode("A")
		atKiosk := queue.Requester{Actor: kiosk, Addr: "192.0.2.1", DeviceKey: e.enroll(t, queue.KioskDevice, "")}
		for _, c := range []struct {
			name string
			req  queue.Requester
			in   queue.IssueInput
			want string
		}{
			{"anonymous", anon, queue.IssueInput{Service: svc}, "phone"},
			{"anonymous claiming a kiosk", anon, queue.IssueInput{Service: svc, Source: "kiosk"}, "phone"},
			{"the kiosk's own page", queue.Requester{Actor: kiosk, Addr: "192.0.2.9", KioskPage: true}, queue.IssueInput{Service: svc, Source: "kiosk"}, "kiosk"},
			{"the phone page", queue.Requester{Actor: kiosk, Addr: "192.0.2.9", KioskPage: true}, queue.IssueInput{Service: svc, Source: "phone"}, "phone"},
			{"a page claiming a window", queue.Requester{Actor: kiosk, Addr: "192.0.2.9", KioskPage: true}, queue.IssueInput{Service: svc, Source: "window"}, "phone"},
			{"anonymous claiming a window", anon, queue.IssueInput{Service: svc, Source: "window"}, "phone"},
			{"registered kiosk", atKiosk, queue.IssueInput{Service: svc}, "kiosk"},
			{"registered kiosk claiming a phone", atKiosk, queue.IssueInput{Service: svc, Source: "phone"}, "kiosk"},
			{"applicant at the kiosk", queue.Requester{Actor: kiosk, Applicant: true}, queue.IssueInput{Service: svc}, "kiosk"},
			{"staff at the window", guide, queue.IssueInput{Service: svc, Source: "window"}, "window"},
		} {
			tk, err := e.q.Issue(ctx, c.req, c.in)
			if err != nil || tk.Source != c.want {
				t.Errorf("%s: %q %v, want %q", c.name, tk.Source, err, c.want)
			}
		}
	})
}
