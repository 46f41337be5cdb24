package web_test

import (
	"banhao/web"
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/demo"
)

// TestOnlineRulesResultSentElectronically (秒批 online): the demo citizen (of age) applies online
// for 城乡居民基本养老保险参保登记 leaving 出件地 at its default, which the form names as 电子送达:
// approved by the rules, the case is delivered electronically at once — /my shows the result
// to download (the 办结通知书), says nothing is to be collected at a window, and the text message
// says so. One who chose a center for paper gets the case decided, waiting there.
func TestOnlineRulesResultSentElectronically(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	me, apply, page := h.applyForm(t, "城乡居民基本养老保险参保登记")
	if !strings.Contains(page, `<option value="" selected>电子送达：在“我的办事”查看、下载（默认）</option>`) ||
		!strings.Contains(visible(page), "无需到窗口领取") {
		t.Fatalf("the online form does not offer electronic delivery by default:\n%s", visible(page))
	}
	answers := url.Values{"action": {"submit"}, "token": {"e1"}, "rf_student": {"否"}, "rf_employee_insured": {"否"}}
	c := h.submittedCase(t)(h.applyWith(t, me, apply, page, answers, nil))
	if c.Status != cases.Delivered || c.DeliveryMethod != "electronic" {
		t.Fatalf("online 秒批 approved: %s delivered %q, want delivered electronically", c.Status, c.DeliveryMethod)
	}
	_, mine := h.citizenDo(t, me, "GET", "/my/cases/"+c.Number, nil)
	text := visible(mine)
	for _, want := range []string{"电子送达", "无需到窗口领取", "办结通知书（PDF）"} {
		if !strings.Contains(text, want) {
			t.Errorf("/my does not show %q: %s", want, text)
		}
	}
	if !strings.Contains(mine, `href="/my/cases/`+c.Number+`/notices/decision.pdf"`) {
		t.Errorf("/my offers no 办结通知书 to download: %s", text)
	}
	if strings.Contains(mine, `id="route-delivery"`) && !strings.Contains(mine, `id="route-delivery">电子送达`) {
		t.Errorf("/my names a center as 出件地 of a result sent electronically: %s", text)
	}
	// as the applicant lands on it after submitting: finished, no texts promised ahead
	if _, landed := h.citizenDo(t, me, "GET", "/my/cases/"+c.Number+"?submitted=1", nil); !strings.Contains(visible(landed), "已办结，结果见下") ||
		strings.Contains(visible(landed), "都会短信通知您") {
		t.Errorf("/my after submitting a case decided at once: %s", visible(landed))
	}
	// the public tracking page says the same, and promises no more texts of a finished case
	resp := h.do(t, "GET", "/track?number="+c.Number+"&phone4="+demo.CitizenPhone[len(demo.CitizenPhone)-4:], web.Page, nil, nil, "")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	track := string(b)
	if !strings.Contains(track, `id="track-delivery">电子送达`) || strings.Contains(visible(track), "办结时会短信通知您") {
		t.Errorf("/track of a result sent electronically: %s", visible(track))
	}
	for _, never := range []string{"综合窗口", "领取地点", "请领取"} {
		if strings.Contains(text, never) {
			t.Errorf("/my still says %q: %s", never, text)
		}
	}
	var sms string
	if err := h.db.QueryRowContext(context.Background(), `SELECT body FROM notifications WHERE recipient = ? AND body LIKE '%已办结%'`,
		"case:"+c.Number).Scan(&sms); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sms, "参保信息已电子送达，请登录网上办事大厅“我的办事”查看、下载") || strings.Contains(sms, "领取地点") {
		t.Errorf("the decision's text: %s", sms)
	}

	// Paper chosen: collected at the center chosen, named there.
	answers.Set("token", "e2")
	answers.Set("delivery_center", demo.PengliCenter)
	c = h.submittedCase(t)(h.applyWith(t, me, apply, page, answers, nil))
	if c.Status != cases.Decided || c.DeliveryMethod != "" {
		t.Fatalf("paper chosen: %s delivered %q, want decided, to be collected", c.Status, c.DeliveryMethod)
	}
	// The paper result travels from the deciding center to 彭李街道 first: /my says so, and 请领取
	// only once 彭李街道 signs for it (TestDeliveryWaitsForThePaperResultThroughThePages).
	_, mine = h.citizenDo(t, me, "GET", "/my/cases/"+c.Number, nil)
	if text := visible(mine); !strings.Contains(text, "正在送往"+c.DeliveryCenterName) || strings.Contains(text, "请领取") {
		t.Errorf("paper chosen: /my does not say the result is on its way to %s: %s", c.DeliveryCenterName, text)
	}
}
