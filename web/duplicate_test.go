package web_test

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"banhao/catalog"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// unemploymentAt registers at the window of sess's center, accepted, a 失业保险金申领 of the demo
// citizen decided by 沾化区 (made under 沾化区's own implementing item) and returns its number.
func (h *harness) unemploymentAt(t *testing.T, sess identity.Session, token string) string {
	t.Helper()
	benefit := h.itemNamed(t, "失业保险金申领")
	it, err := h.cat.Item(context.Background(), benefit)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"item": {benefit}, "token": {token}, "applicant_type": {"person"}, "applicant_name": {demo.CitizenName},
		"applicant_id_number": {demo.CitizenID}, "applicant_phone": {"13805431234"}, "action": {"accept"}, "deciding_region": {"371603000000"}}
	files := map[string]string{}
	for _, m := range it.Materials {
		if m.Source != catalog.SourceShared {
			files["file_"+m.ID] = onePDF
		}
	}
	resp, body := h.postPage(t, sess, "/window/cases", form, files)
	if resp.StatusCode != 303 {
		t.Fatalf("intake: %d %s", resp.StatusCode, visible(body))
	}
	return strings.TrimPrefix(resp.Header.Get("Location"), "/cases/")
}

// TestWindowWarnsOfAnOpenCaseElsewhere (全市通办): the demo citizen's 失业保险金申领 was accepted at
// 彭李街道 (decided by 沾化区, under its own implementing item); when 沾化区's clerk starts the
// same item for the same person, the intake page names that case, where it was accepted and
// its status — a warning only: the clerk may still accept. Another person gets no warning, nor
// does the citizen once the case is decided. The look-up is on the citizen's data-access list.
func TestWindowWarnsOfAnOpenCaseElsewhere(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		benefit := url.QueryEscape(h.itemNamed(t, "失业保险金申领"))
		first := h.unemploymentAt(t, h.staffSession(t, "clerk_pengli"), "dup-1")
		zhanhua := h.staffSession(t, "clerk_zhanhua")
		if page := h.raw(t, "/window/new?item="+benefit+"&applicant_id_number="+demo.CitizenID, zhanhua); strings.Contains(page, `id="duplicate-warning"`) {
			t.Errorf("a look-up on a GET (a link from anywhere could make a clerk look)")
		}
		page := h.openCheck(t, zhanhua, h.itemNamed(t, "失业保险金申领"), demo.CitizenID)
		i := strings.Index(page, `id="duplicate-warning"`)
		if i < 0 {
			t.Fatalf("no warning of the open case %s", first)
		}
		warning := visible(page[i:min(len(page), i+800)])
		for _, want := range []string{"重复申请提示", first, "彭李街道便民服务中心", "已受理", "失业保险金申领"} {
			if !strings.Contains(warning, want) {
				t.Errorf("the warning lacks %q: %s", want, warning)
			}
		}
		if page := h.openCheck(t, zhanhua, h.itemNamed(t, "失业保险金申领"), "11010519491231002X"); strings.Contains(page, `id="duplicate-warning"`) {
			t.Errorf("a warning for another applicant")
		}
		if page := h.openCheck(t, zhanhua, h.itemNamed(t, "社会保障卡申领"), demo.CitizenID); strings.Contains(page, `id="duplicate-warning"`) {
			t.Errorf("a warning for another item")
		}
		var reads int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM data_access WHERE purpose = ?`, "重复申请核对").Scan(&reads); err != nil || reads != 3 {
			t.Errorf("the look-ups on the data-access lists, found or not: %d rows (%v), want 3", reads, err)
		}
		h.openCheck(t, zhanhua, h.itemNamed(t, "失业保险金申领"), demo.CitizenID) // again today: once a day per clerk and item
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM data_access WHERE purpose = ?`, "重复申请核对").Scan(&reads); err != nil || reads != 3 {
			t.Errorf("the same look-up again today: %d rows (%v), want 3", reads, err)
		}
		// not a block: the clerk accepts all the same
		second := h.unemploymentAt(t, zhanhua, "dup-2")
		if second == first {
			t.Fatalf("the second application is the first case")
		}
		approver := h.staffSession(t, "approver_sbzx_zhanhua")
		for _, n := range []string{first, second} {
			if resp := h.do(t, "POST", "/api/v1/cases/"+n+"/decide", web.API, &approver, strings.NewReader(`{"decision":"approved"}`), "application/json"); resp.StatusCode != 200 {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("decide %s: %d %s", n, resp.StatusCode, b)
			}
		}
		if page := h.openCheck(t, zhanhua, h.itemNamed(t, "失业保险金申领"), demo.CitizenID); strings.Contains(page, `id="duplicate-warning"`) {
			t.Errorf("a warning once both cases are decided")
		}
	})
}

// TestBrowserDuplicateWarningAsTyped: the warning appears on the intake page as soon as the
// clerk has typed the number, before 受理 is pressed.
func TestBrowserDuplicateWarningAsTyped(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	first := h.unemploymentAt(t, h.staffSession(t, "clerk_pengli"), "dup-b")
	if err := chromedp.Do(ctx, signIn(h, "clerk_zhanhua"), chromedp.Navigate(h.ts.URL+"/window/new?item="+url.QueryEscape(h.itemNamed(t, "失业保险金申领"))),
		chromedp.WaitVisible(chromedp.CSS(`#applicant_id_number`))); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#duplicate-warning').length`)); n != 0 {
		t.Fatalf("a warning before a number was typed")
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#applicant_id_number`), demo.CitizenID+"\t"),
		chromedp.WaitVisible(chromedp.CSS(`#duplicate-warning`))); err != nil {
		t.Fatal(err)
	}
	if s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#duplicate-warning`))); !strings.Contains(s, first) || !strings.Contains(s, "彭李街道便民服务中心") {
		t.Errorf("the warning: %q", s)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#do-accept:not([disabled])').length`)); n != 1 {
		t.Errorf("受理 is not offered with the warning shown")
	}
}

// openCheck is the intake page's look-up of the applicant's open cases as the number is typed
// (a POST with the form's CSRF token), as the page receives it.
func (h *harness) openCheck(t *testing.T, sess identity.Session, item, id string) string {
	t.Helper()
	resp, body := h.postPage(t, sess, "/window/open-check", url.Values{"item": {item}, "applicant_id_number": {id}}, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("open-case look-up: %d %s", resp.StatusCode, visible(body))
	}
	return body
}

// TestOpenCaseLookUpIsNoSearchTool: the open-case look-up is made only at a center that accepts
// the item, only by a clerk, and a clerk's look-ups are limited with a clear message.
func TestOpenCaseLookUpIsNoSearchTool(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		number := h.unemploymentAt(t, h.staffSession(t, "clerk_pengli"), "dup-s")
		pengli := h.staffSession(t, "clerk_pengli")
		// the case number links to the case for a clerk who may open it (彭李街道 accepted it) …
		if page := h.openCheck(t, pengli, h.itemNamed(t, "失业保险金申领"), demo.CitizenID); !strings.Contains(page, `<a href="/cases/`+number+`">`+number+`</a>`) {
			t.Errorf("no link to the case at the center that accepted it: %s", page)
		}
		// … not for one who may not (沾化区 decides it but neither accepted nor hands it out)
		if page := h.openCheck(t, h.staffSession(t, "clerk_zhanhua"), h.itemNamed(t, "失业保险金申领"), demo.CitizenID); !strings.Contains(page, number) || strings.Contains(page, `href="/cases/`+number) {
			t.Errorf("a link to a case 沾化区's clerk may not open, or no warning: %s", page)
		}
		if page := h.openCheck(t, pengli, h.zhanhuaLand(t), demo.CitizenID); !strings.Contains(visible(page), "本中心不受理该事项，不查询申请人的在办件") {
			t.Errorf("a look-up for an item 彭李街道 does not accept: %s", visible(page))
		}
		if resp, _ := h.postPage(t, h.staffSession(t, "supervisor"), "/window/open-check", url.Values{"item": {h.itemNamed(t, "失业保险金申领")}, "applicant_id_number": {demo.CitizenID}}, nil); resp.StatusCode != 403 {
			t.Errorf("a supervisor's look-up: %d, want 403", resp.StatusCode)
		}
		benefit := h.itemNamed(t, "失业保险金申领")
		var last string
		for range 10 { // one look-up above: the 11th
			last = visible(h.openCheck(t, pengli, benefit, demo.CitizenID))
		}
		if !strings.Contains(last, "在办件查询过于频繁") || strings.Contains(last, "重复申请提示") {
			t.Errorf("the 11th look-up in a row: %s", last)
		}
	})
}
