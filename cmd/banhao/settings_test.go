package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"banhao/app"
	"banhao/audit"
	"banhao/demo"
	"banhao/identity"
)

// clearSettings starts a test from an installation that has set nothing.
func clearSettings(t *testing.T) {
	for _, k := range []string{"BANHAO_CENTER_NAME", "BANHAO_CENTER_ADDRESS", "BANHAO_CENTER_HOTLINE", "BANHAO_DEV_CODES", "BANHAO_SMS_URL", "BANHAO_PUBLIC_URL", "BANHAO_SECRET"} {
		t.Setenv(k, "")
	}
}

func TestReadSettings(t *testing.T) {
	clearSettings(t)
	if s := readSettings(false); s.Center != "政务服务中心" || s.Hotline != "12345" || s.Address != "" || s.CenterSet || s.DevCodes {
		t.Errorf("nothing set: %+v", s)
	}
	if s := readSettings(true); s.Center != demo.CenterName || s.Address != demo.CenterAddress || s.Hotline != demo.CenterHotline || !s.DevCodes {
		t.Errorf("the demo: %+v", s)
	}
	t.Setenv("BANHAO_CENTER_NAME", "示例县政务服务中心")
	t.Setenv("BANHAO_CENTER_HOTLINE", "0000-7654321")
	t.Setenv("BANHAO_DEV_CODES", "1")
	if s := readSettings(false); s.Center != "示例县政务服务中心" || s.Hotline != "0000-7654321" || !s.CenterSet || !s.DevCodes {
		t.Errorf("set: %+v", s)
	}
	if s := readSettings(true); s.Center != "示例县政务服务中心" || s.Address != demo.CenterAddress {
		t.Errorf("the demo keeps what is set and fills the rest: %+v", s)
	}
	t.Setenv("BANHAO_DEV_CODES", "true") // only 1 turns codes in the log on: anything else keeps them off
	if s := readSettings(false); s.DevCodes {
		t.Error("BANHAO_DEV_CODES=true")
	}
}

// TestCodesWiredToSMS: with BANHAO_SMS_URL a code is texted through the gateway, signed with the
// configured center's name; without it (and not in development) code requests are refused.
func TestCodesWiredToSMS(t *testing.T) {
	clearSettings(t)
	t.Setenv("BANHAO_CENTER_NAME", "示例县政务服务中心")
	texts := make(chan string, 4)
	gw := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		texts <- string(b)
	}))
	defer gw.Close()
	ctx := context.Background()
	const id = "11010519491231002X"
	open := func(dsn string) *app.App {
		a, err := openApp(ctx, dsn, true, newLogger(io.Discard), readSettings(false))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.DB.Close() })
		if _, err := a.Applicants.Register(ctx, audit.System, identity.NewApplicant{Kind: "person", Name: "王五", IDNumber: id, Phone: "13805430009"}); err != nil {
			t.Fatal(err)
		}
		return a
	}

	closed := open("sqlite:" + filepath.Join(t.TempDir(), "closed.db"))
	if _, err := closed.Applicants.RequestCode(ctx, id, ""); err == nil || !strings.Contains(err.Error(), "尚未开通短信验证码") {
		t.Errorf("no gateway: %v", err)
	}

	t.Setenv("BANHAO_SMS_URL", gw.URL)
	a := open("sqlite:" + filepath.Join(t.TempDir(), "sms.db"))
	if _, err := a.Applicants.RequestCode(ctx, id, ""); err != nil {
		t.Fatal(err)
	}
	var channel string
	if err := a.DB.QueryRowContext(ctx, `SELECT channel FROM notifications`).Scan(&channel); err != nil || channel != "sms" {
		t.Fatalf("the code's message: %q %v", channel, err)
	}
	// The server's job sends it.
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer a.Stop(ctx)
	select {
	case text := <-texts:
		if !strings.Contains(text, `"phone":"13805430009"`) || !regexp.MustCompile(`【示例县政务服务中心】您的登录验证码为 \d{6}`).MatchString(text) {
			t.Errorf("the gateway got %s", text)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing reached the gateway")
	}
}

// serveFor starts `serve` with args on a free port and returns its address and its log; the
// server stops when the test ends.
func serveFor(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int, 1)
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--db", "sqlite:" + filepath.Join(t.TempDir(), "b.DB")}, args...)
	go func() { done <- run(ctx, args, strings.NewReader(""), &out, &errOut) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(2 * time.Minute): // slow under -race on 2 cores
			t.Error("serve did not stop")
		}
	})
	addr := regexp.MustCompile(`listening on (http://[0-9.:]+)`)
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			return m[1], &errOut
		}
	}
	t.Fatalf("server did not start: %s %s", out.String(), errOut.String())
	return "", nil
}

func fetch(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// An installation that has set nothing is told so at start, names itself neutrally, and lets
// no citizen sign in by code (and logs no code).
func TestServeWithoutSettings(t *testing.T) {
	clearSettings(t)
	base, log := serveFor(t)
	for _, want := range []string{"BANHAO_CENTER_NAME is not set", "no SMS gateway (BANHAO_SMS_URL is not set)", "BANHAO_PUBLIC_URL is not set"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the start log lacks %q: %s", want, log.String())
		}
	}
	st, page := fetch(t, "GET", base+"/my/login", "")
	if st != 200 || !strings.Contains(page, "<title>申请人登录 · 政务服务中心</title>") || !strings.Contains(page, "本中心尚未开通短信验证码，暂不能在线登录，请到窗口办理或拨打 12345") ||
		strings.Contains(page, "滨州") {
		t.Errorf("/my/login: %d %s", st, page)
	}
	if st, body := fetch(t, "POST", base+"/api/v1/applicant/code", `{"id_number":"`+demo.CitizenID+`"}`); st != 403 || !strings.Contains(body, "尚未开通短信验证码") {
		t.Errorf("code request: %d %s", st, body)
	}
	if strings.Contains(log.String(), "验证码为") {
		t.Errorf("a code reached the log: %s", log.String())
	}
}

// The demo is a development installation: it names itself after the demo center and prints
// sign-in codes to the log, and the printed code signs in.
func TestServeDemoCodesInLog(t *testing.T) {
	clearSettings(t)
	t.Setenv("BANHAO_LOG_LEVEL", "info")
	base, log := serveFor(t, "--demo")
	if !strings.Contains(log.String(), "citizens' sign-in codes are written to this log") || strings.Contains(log.String(), "BANHAO_CENTER_NAME is not set") {
		t.Errorf("the demo's start log: %s", log.String())
	}
	if st, page := fetch(t, "GET", base+"/my/login", ""); st != 200 || !strings.Contains(page, demo.CenterName) || strings.Contains(page, "sign-in-closed") {
		t.Errorf("/my/login: %d %s", st, page)
	}
	if st, body := fetch(t, "POST", base+"/api/v1/applicant/code", `{"id_number":"`+demo.CitizenID+`"}`); st != 200 {
		t.Fatalf("code request: %d %s", st, body)
	}
	code := regexp.MustCompile(`【` + demo.CenterName + `】您的登录验证码为 (\d{6})`)
	var m []string
	for deadline := time.Now().Add(20 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		m = code.FindStringSubmatch(log.String())
	}
	if m == nil {
		t.Fatalf("no code in the log: %s", log.String())
	}
	if st, body := fetch(t, "POST", base+"/api/v1/applicant/session", `{"id_number":"`+demo.CitizenID+`","code":"`+m[1]+`"}`); st != 200 {
		t.Errorf("sign-in with the logged code: %d %s", st, body)
	}
}
