package web_test

import (
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/web"
)

// TestSignInCodeTooSoonIsANotice: asking for a second sign-in code within the minute is nothing
// the citizen typed wrong: the page says so in a notice, not in the summary of the form's errors
// nor next to the ID number.
func TestSignInCodeTooSoonIsANotice(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ask := func() (int, string) {
		resp := h.do(t, "POST", "/my/code", web.Page, nil, strings.NewReader(url.Values{"id_number": {demo.CitizenID}}.Encode()),
			"application/x-www-form-urlencoded")
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, _ := ask(); status != 200 {
		t.Fatalf("first code: %d", status)
	}
	status, page := ask()
	if status != 429 {
		t.Fatalf("second code at once: %d, want 429", status)
	}
	if strings.Contains(page, "未提交") || strings.Contains(page, `id="id_number-error"`) {
		t.Errorf("the rate limit is shown as an error of the form: %s", visible(page))
	}
	if !strings.Contains(page, `id="sign-in-notice"`) || !strings.Contains(visible(page), "验证码请求过于频繁") {
		t.Errorf("no notice says to wait: %s", visible(page))
	}
	if !strings.Contains(page, `id="code"`) {
		t.Errorf("the code field is not offered (the first code was sent): %s", visible(page))
	}
}
