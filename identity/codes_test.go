package identity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"banhao/audit"
	"banhao/errs"
	"banhao/identity"
	"banhao/ids"
	"banhao/notify"
	"banhao/store"
	"banhao/store/storetest"
)

// sendAll sends every message the outbox holds, as the notify job would.
func sendAll(t *testing.T, db *store.DB, outbox *notify.Outbox) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT id FROM notifications WHERE sent_at IS NULL ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var pending []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		pending = append(pending, id)
	}
	rows.Close()
	for _, id := range pending {
		if err := outbox.Send(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
}

// gateway is an SMS gateway on a test listener that keeps what it was asked to send.
type gateway struct {
	mu    sync.Mutex
	texts []map[string]string
}

func (g *gateway) ServeHTTP(_ http.ResponseWriter, r *http.Request) {
	var m map[string]string
	_ = json.NewDecoder(r.Body).Decode(&m)
	g.mu.Lock()
	g.texts = append(g.texts, m)
	g.mu.Unlock()
}

// aCode finds a sign-in code in a text or a log.
var aCode = regexp.MustCompile(`验证码为 (\d{6})`)

// Sign-in codes travel by SMS when the installation has a gateway, to the log only in
// development, and otherwise not at all: the request is refused with a message that says what
// to do instead, and no code is made or logged.
func TestCodesBySMSOrInDevelopmentOnly(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		person := complete("37160219800101001", ids.IDNumberCheck)
		var logged bytes.Buffer
		logCh := notify.LogChannel{Logger: slog.New(slog.NewJSONHandler(&logged, nil))}
		count := func(table string) int {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		// No gateway, not in development: closed, and the page can say so before anyone types.
		a, _, outbox := applicantsWith(db, map[string]notify.Channel{"log": logCh}, identity.ApplicantsConfig{Center: "某某县政务服务中心", Hotline: "0000-12345"})
		_, err := a.Register(ctx, audit.System, identity.NewApplicant{Kind: "person", Name: "张三", IDNumber: person, Phone: "13805430001"})
		if err != nil {
			t.Fatal(err)
		}
		closed := a.SignInClosed()
		if !strings.Contains(closed, "尚未开通短信验证码") || !strings.Contains(closed, "0000-12345") {
			t.Errorf("closed sign-in says %q", closed)
		}
		_, err = a.RequestCode(ctx, person, "203.0.113.5")
		if e, ok := errs.As(err); !ok || e.Code != errs.CodeForbidden || e.Message != closed {
			t.Fatalf("a code without SMS outside development: %v, want forbidden with %q", err, closed)
		}
		if _, err := a.RequestCodeAtKiosk(ctx, person, "203.0.113.5", "kiosk-1"); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("a code at a kiosk without SMS: %v", err)
		}
		sendAll(t, db, outbox)
		if n := count("applicant_codes") + count("notifications"); n != 0 || strings.Contains(logged.String(), "验证码") {
			t.Fatalf("closed sign-in made %d codes or messages; log: %s", n, logged.String())
		}

		// Development: the code goes to the log, and it is the one that signs in.
		a, _, outbox = applicantsWith(db, map[string]notify.Channel{"log": logCh}, identity.ApplicantsConfig{Center: "某某县政务服务中心", DevCodes: true})
		if a.SignInClosed() != "" {
			t.Errorf("development: %q", a.SignInClosed())
		}
		if _, err := a.RequestCode(ctx, person, "203.0.113.5"); err != nil {
			t.Fatal(err)
		}
		sendAll(t, db, outbox)
		m := aCode.FindStringSubmatch(logged.String())
		if m == nil || !strings.Contains(logged.String(), "【某某县政务服务中心】您的登录验证码为 "+m[1]) {
			t.Fatalf("development log: %s", logged.String())
		}
		code := m[1]
		if _, err := a.SignIn(ctx, person, code, identity.ChannelOnline, "203.0.113.5"); err != nil {
			t.Errorf("the logged code: %v", err)
		}

		// A gateway: the code is texted to the account's phone and never logged, development or not.
		gw := &gateway{}
		srv := httptest.NewServer(gw)
		defer srv.Close()
		sms := &notify.SMSChannel{Gateway: notify.HTTPGateway{URL: srv.URL}}
		logged.Reset()
		b, _, outbox := applicantsWith(db, map[string]notify.Channel{"log": logCh, "sms": sms}, identity.ApplicantsConfig{Center: "某某县政务服务中心", DevCodes: true})
		sms.Resolve = b.Phone // the channel is only used once b exists
		if b.SignInClosed() != "" {
			t.Errorf("with a gateway: %q", b.SignInClosed())
		}
		if _, err := b.RequestCode(ctx, person, "198.51.100.7"); err != nil {
			t.Fatal(err)
		}
		sendAll(t, db, outbox)
		gw.mu.Lock()
		texts := gw.texts
		gw.mu.Unlock()
		if len(texts) != 1 || texts[0]["phone"] != "13805430001" || !strings.HasPrefix(texts[0]["text"], "【某某县政务服务中心】您的登录验证码为 ") {
			t.Fatalf("gateway received %v", texts)
		}
		if strings.Contains(logged.String(), "验证码") {
			t.Errorf("a code reached the log although a gateway sent it: %s", logged.String())
		}
		if _, err := b.SignIn(ctx, person, aCode.FindStringSubmatch(texts[0]["text"])[1], identity.ChannelOnline, "198.51.100.7"); err != nil {
			t.Errorf("the texted code: %v", err)
		}
	})
}
