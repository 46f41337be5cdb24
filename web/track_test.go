package web_test

import (
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/web"
)

// TestTrackReadsTheNumberAsTyped: /track and its API read a number typed with full-width
// dashes, spaces or a full-width last four; the last four stay in their box; "12" is a field
// error next to the field, the same on the page and in the API; a decided case not yet handed
// over shows the ways to collect it.
func TestTrackReadsTheNumberAsTyped(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	number := h.decidedCase(t)
	last4 := demo.CitizenPhone[len(demo.CitizenPhone)-4:]
	page := func(q url.Values) string {
		t.Helper()
		resp := h.do(t, "GET", "/track?"+q.Encode(), web.Page, nil, nil, "")
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	typed := " " + strings.ReplaceAll(number, "-", "－ ") + " "
	fullLast4 := strings.Map(func(r rune) rune { return r - '0' + '０' }, last4)
	body := page(url.Values{"number": {typed}, "phone4": {fullLast4}})
	if !strings.Contains(body, `id="progress"`) || strings.Contains(body, "未找到") {
		t.Fatalf("%q with full-width digits was not found", typed)
	}
	if !regexp.MustCompile(`name="number" value="` + number + `"`).MatchString(body) {
		t.Error("the number box does not show the number as read")
	}
	if !strings.Contains(body, `name="phone4" value="`+last4+`"`) {
		t.Error("the last four digits were cleared after the search")
	}
	if !strings.Contains(body, "可选领取方式") {
		t.Error("a decided case does not say how it can be collected")
	}
	if resp := h.do(t, "GET", "/api/v1/track?"+url.Values{"number": {typed}, "phone4": {last4}}.Encode(), web.API, nil, nil, ""); resp.StatusCode != 200 {
		t.Fatalf("API with a full-width number: %d", resp.StatusCode)
	}

	body = page(url.Values{"number": {number}, "phone4": {"12"}})
	if strings.Contains(body, "未找到") || !regexp.MustCompile(`aria-describedby="phone4-error"><span class="field-error" id="phone4-error">手机号后四位须为 4 位数字</span>`).MatchString(body) {
		t.Fatalf("two digits: the page does not name the field next to it:\n%s", body)
	}
	resp := h.do(t, "GET", "/api/v1/track?number="+url.QueryEscape(number)+"&phone4=12", web.API, nil, nil, "")
	p := decode[struct {
		Errors []struct{ Field, Message string }
	}](t, resp)
	if resp.StatusCode != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "phone4" || p.Errors[0].Message != "手机号后四位须为 4 位数字" {
		t.Fatalf("API with two digits: %d %+v", resp.StatusCode, p)
	}
}
