package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/demo"
	"banhao/identity"
	"banhao/queue"
	"banhao/store"
	"banhao/web"
)

var certBox = regexp.MustCompile(`name="(cert_[^"]+)" value="([^"]+)" checked`)

// applyForm signs the demo citizen in and opens the online form of the item named: the
// session, the form's path and its page.
func (h *harness) applyForm(t *testing.T, item string) (identity.ApplicantSession, string, string) {
	t.Helper()
	me := h.citizenSession(t)
	apply := "/my/apply/" + url.PathEscape(h.itemNamed(t, item))
	_, page := h.citizenDo(t, me, "GET", apply, nil)
	return me, apply, page
}

// applyWith posts an application form as the applicant in sess, each required upload a small PDF
// and each certificate offered kept ticked, with extra headers (a kiosk's device key).
func (h *harness) applyWith(t *testing.T, sess identity.ApplicantSession, path, page string, form url.Values, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	form.Set("csrf", sess.CSRF)
	for _, m := range certBox.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for field, name := range pdfFor(requiredFiles(page)) {
		fw, _ := mw.CreateFormFile(field, name)
		fw.Write([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", h.ts.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	req.AddCookie(&http.Cookie{Name: "banhao_citizen", Value: sess.Token})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// submittedCase is the case a successful application redirected to.
func (h *harness) submittedCase(t *testing.T) func(*http.Response, string) cases.Case {
	return func(resp *http.Response, page string) cases.Case {
		t.Helper()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != 303 || !strings.Contains(loc, "/cases/") {
			t.Fatalf("submit: %d %q %s", resp.StatusCode, loc, page)
		}
		number := strings.SplitN(loc[strings.LastIndex(loc, "/")+1:], "?", 2)[0]
		c, err := h.cases.Get(context.Background(), audit.System, number)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

// TestOnlineApplicationRouted: the online form of a 全市通办 item decided by the counties offers
// 审批地 with the applicant's county (by their ID number) preselected and 出件地; submitted as
// preselected the case is 滨城区's 人社局's, not the city's, its result collected at 滨城区's center
// (出件地 not chosen: where it is decided); another county and a township center chosen are kept; a region without the item's kind of department is said on the form.
func TestOnlineApplicationRouted(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		me := h.citizenSession(t) // demo.CitizenID: 371602…, 滨城区
		apply := "/my/apply/" + url.PathEscape(h.itemNamed(t, "社会保障卡申领"))
		resp, page := h.citizenDo(t, me, "GET", apply, nil)
		if resp.StatusCode != 200 || !strings.Contains(page, `<option value="371602000000" data-dept="滨城区人力资源和社会保障局" data-region="滨城区"`) ||
			!strings.Contains(page, ` selected>滨城区 · 滨城区人力资源和社会保障局</option>`) ||
			!strings.Contains(page, `<span id="apply-dept">滨城区人力资源和社会保障局</span>`) ||
			!strings.Contains(page, `id="delivery_center"`) || !strings.Contains(page, `value="mail"`) ||
			!strings.Contains(page, `<option value="" selected>审批地的政务服务中心（默认）</option>`) {
			t.Fatalf("online form without 审批地 preselected by ID number or 出件地: %d\n%s", resp.StatusCode, page)
		}
		c := h.submittedCase(t)(h.applyWith(t, me, apply, page, url.Values{"action": {"submit"}, "token": {"r1"}, "deciding_region": {"371602000000"}}, nil))
		if c.AcceptedCenter != demo.CenterCode || c.DecidingRegion != "371602000000" || c.Department.Code != "RSJ-371602" ||
			c.DeliveryCenter != "ZWFW-371602" || c.DeliveryChosen || len(c.Transfers) != 0 { // 出件地 not chosen: where it is decided, nothing travels
			t.Fatalf("online 滨城区 resident: accepted %s deciding %s department %s delivery %s", c.AcceptedCenter, c.DecidingRegion, c.Department.Code, c.DeliveryCenter)
		}
		c = h.submittedCase(t)(h.applyWith(t, me, apply, page, url.Values{"action": {"submit"}, "token": {"r2"}}, nil))
		if c.DecidingRegion != "371602000000" || c.Department.Code != "RSJ-371602" {
			t.Fatalf("nothing chosen (an old form): deciding %s department %s", c.DecidingRegion, c.Department.Code)
		}
		c = h.submittedCase(t)(h.applyWith(t, me, apply, page, url.Values{"action": {"submit"}, "token": {"r3"},
			"deciding_region": {"371603000000"}, "delivery_center": {demo.PengliCenter}}, nil))
		if c.DecidingRegion != "371603000000" || c.Department.Code != "RSJ-371603" || c.DeliveryCenter != demo.PengliCenter || !c.DeliveryChosen ||
			len(c.Transfers) != 1 || c.Transfers[0].Kind != cases.TransferResult || c.Transfers[0].From != "ZWFW-371603" || c.Transfers[0].To != demo.PengliCenter {
			t.Fatalf("沾化区 and 彭李街道 chosen: deciding %s department %s delivery %s", c.DecidingRegion, c.Department.Code, c.DeliveryCenter)
		}
		resp, page = h.applyWith(t, me, apply, page, url.Values{"action": {"submit"}, "token": {"r4"}, "delivery_center": {"NOWHERE"}, "deciding_region": {"371603000000"}}, nil)
		if resp.StatusCode != 400 || !strings.Contains(page, "出件地（领取结果）") || !strings.Contains(page, `href="#delivery_center"`) {
			t.Fatalf("an unknown 出件地: %d, want the field named by its label\n%s", resp.StatusCode, page)
		}
		if !strings.Contains(page, `<span id="apply-dept">沾化区人力资源和社会保障局</span>`) {
			t.Errorf("the form shown again with 沾化区 chosen does not name 沾化区's department as the one deciding")
		}

		_, page = h.citizenDo(t, me, "GET", "/my/apply/"+url.PathEscape(h.itemNamed(t, "失业保险金申领")), nil)
		if !strings.Contains(page, `id="route-fallback"`) || !strings.Contains(page, "滨城区、惠民县、阳信县、无棣县、博兴县、邹平市未设该类部门，由滨州市社会保险事业中心审批") {
			t.Fatalf("the fallback to the city not said before submit:\n%s", page)
		}
	})
}

// TestKioskApplicationAcceptedAtItsCenter: an application made at a kiosk registered in the
// 彭李街道 hall is accepted by the 彭李街道 center, its result handed out there by default (its paper
// result sent there from 滨城区's center, which decides).
func TestKioskApplicationAcceptedAtItsCenter(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		d, err := h.queue.EnrollDevice(ctx, audit.System, queue.Device{Kind: queue.KioskDevice, Hall: "pengli", Name: "彭李街道1号自助终端"})
		if err != nil {
			t.Fatal(err)
		}
		key := map[string]string{"X-Device-Key": d.Key}
		sess, err := h.people.SignIn(ctx, demo.CitizenID, h.freshCode(t, demo.CitizenID), identity.ChannelKiosk, "")
		if err != nil {
			t.Fatal(err)
		}
		apply := "/kiosk/apply/" + url.PathEscape(h.itemNamed(t, "社会保障卡申领"))
		req, _ := http.NewRequest("GET", h.ts.URL+apply, nil)
		req.Header.Set("X-Device-Key", d.Key)
		req.AddCookie(&http.Cookie{Name: "banhao_citizen", Value: sess.Token})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(b)
		if !strings.Contains(page, "彭李街道便民服务中心（自助终端）") {
			t.Fatalf("the kiosk's form does not name its center as 受理地:\n%s", page)
		}
		c := h.submittedCase(t)(h.applyWith(t, sess, apply, page, url.Values{"action": {"submit"}, "token": {"k1"}}, key))
		if c.AcceptedCenter != demo.PengliCenter || c.DeliveryCenter != demo.PengliCenter || c.DecidingRegion != "371602000000" || c.Channel != "kiosk" ||
			len(c.Transfers) != 1 || c.Transfers[0].Kind != cases.TransferResult || c.Transfers[0].To != demo.PengliCenter { // the result travels to the kiosk's center
			t.Fatalf("kiosk at 彭李街道: accepted %s delivery %s deciding %s channel %s", c.AcceptedCenter, c.DeliveryCenter, c.DecidingRegion, c.Channel)
		}
		c = h.submittedCase(t)(h.applyWith(t, sess, apply, page, url.Values{"action": {"submit"}, "token": {"k2"}}, nil))
		if c.AcceptedCenter != demo.CenterCode {
			t.Fatalf("a browser that is no registered kiosk: accepted %s, want the main center", c.AcceptedCenter)
		}
	})
}

// pageOf reads a page as sess.
func (h *harness) pageOf(t *testing.T, sess identity.Session, path string) (int, string) {
	t.Helper()
	resp := h.do(t, "GET", path, web.Page, &sess, nil, "")
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestWindowPickerMarksItemsNotAcceptedHere: at the 彭李街道 center the item picker offers a city
// item that is not 通办 (every center of the city accepts it, the city decides) and a 全市通办 item
// with 受理此事项.
func TestWindowPickerMarksItemsNotAcceptedHere(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.staffSession(t, "clerk_pengli")
	food := h.itemNamed(t, "食品经营许可")
	_, page := h.pageOf(t, clerk, "/window?q="+url.QueryEscape("食品经营许可"))
	if strings.Contains(page, `id="not-here-`+food+`"`) || !strings.Contains(page, `class="button intake-link" href="/window/new?item=`+food+`"`) {
		t.Fatalf("a non-通办 city item at a township center is not offered:\n%s", page)
	}
	// 社会保障卡申领, each county deciding: 滨城区's implementing item at a 滨城区 township's window
	card, ok, err := h.cat.ImplementingItem(context.Background(), h.itemNamed(t, "社会保障卡申领"), "371602000000")
	if err != nil || !ok {
		t.Fatalf("滨城区's 社会保障卡申领: %v", err)
	}
	_, page = h.pageOf(t, clerk, "/window?q="+url.QueryEscape("社会保障卡申领"))
	if strings.Contains(page, `id="not-here-`+card.Code+`"`) || !strings.Contains(page, `class="button intake-link" href="/window/new?item=`+card.Code+`"`) {
		t.Fatalf("a 全市通办 item marked as not accepted here:\n%s", page)
	}
	main := h.sessions[identity.Clerk] // the city center's clerk
	if _, page = h.pageOf(t, main, "/window?q="+url.QueryEscape("食品经营许可")); strings.Contains(page, "不可在本中心受理") {
		t.Fatalf("the city center marks its own item")
	}
}

// TestIntakeSaysTheRouteBeforeSubmit: the window's 审批地 defaults to the applicant's ID number
// (an option, not the clerk's county silently) and says which regions lack the item's kind of
// department, so the city decides.
func TestIntakeSaysTheRouteBeforeSubmit(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.staffSession(t, "clerk_pengli")
	_, page := h.pageOf(t, clerk, "/window/new?item="+url.QueryEscape(h.itemNamed(t, "失业保险金申领")))
	for _, want := range []string{` selected>按申请人证件号码所属区县（默认）</option>`, `id="route-fallback"`,
		"滨城区、惠民县、阳信县、无棣县、博兴县、邹平市未设该类部门，由滨州市社会保险事业中心审批", "惠民县（未设该类部门，由滨州市社会保险事业中心审批）",
		"沾化区（沾化区社会保险事业中心审批，承诺时限3个工作日）", "号码不属本市的由滨城区审批"} {
		if !strings.Contains(page, want) {
			t.Errorf("intake lacks %s", want)
		}
	}
	_, page = h.pageOf(t, clerk, "/window/new?item="+url.QueryEscape(h.itemNamed(t, "社会保障卡申领")))
	if strings.Contains(page, `id="route-fallback"`) {
		t.Error("a fallback said where every county has the department")
	}
}

// staffAt adds an account of role at center and signs it in.
func (h *harness) staffAt(t *testing.T, username string, role identity.Role, center string) identity.Session {
	t.Helper()
	ctx := context.Background()
	if _, err := h.ids.AddUser(ctx, audit.System, identity.NewUser{Username: username, DisplayName: username, Password: "correct-horse-9",
		Role: role, Center: center}); err != nil {
		t.Fatal(err)
	}
	sess, err := h.ids.Login(ctx, username, "correct-horse-9", "127.0.0.1", identity.KindWeb)
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// TestScopesOfTheNetworkPages: a county admin's /admin/network shows its county's subtree only;
// a township clerk's pages carry their own center's name in the header, not the city center's;
// the /items department filter lists only departments with items to find (no empty county
// departments).
func TestScopesOfTheNetworkPages(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.staffSession(t, "admin_zhanhua") // the demo's 沾化区 admin
	_, page := h.pageOf(t, admin, "/admin/network")
	if !strings.Contains(page, `id="network-scope"`) || !strings.Contains(page, "沾化区政务服务中心") {
		t.Fatalf("a county admin's network page:\n%s", page)
	}
	for _, other := range []string{"滨城区政务服务中心", "彭李街道便民服务中心", demo.CenterName, "371602000000"} {
		if strings.Contains(page, other) {
			t.Errorf("沾化区's admin sees %s", other)
		}
	}
	if _, page = h.pageOf(t, h.sessions[identity.Admin], "/admin/network"); !strings.Contains(page, "彭李街道便民服务中心") || strings.Contains(page, `id="network-scope"`) {
		t.Error("the city's admin does not see the whole network")
	}

	clerk := h.staffSession(t, "clerk_pengli")
	_, page = h.pageOf(t, clerk, "/window")
	if !strings.Contains(page, `<a class="brand" href="/">办好 · 彭李街道便民服务中心</a>`) {
		t.Errorf("a township clerk's header does not name their center:\n%.600s", page)
	}
	if _, page = h.pageOf(t, h.sessions[identity.Clerk], "/window"); !strings.Contains(page, "办好 · "+demo.CenterName) {
		t.Error("the city center's clerk lost the installation's name")
	}

	resp := h.do(t, "GET", "/items", web.Page, nil, nil, "")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	filter := string(b)
	if i := strings.Index(filter, `name="department"`); i >= 0 {
		filter = filter[i : i+strings.Index(filter[i:], "</select>")]
	}
	if strings.Contains(filter, "沾化区公安局") || strings.Contains(filter, `value="RSJ-371602"`) || !strings.Contains(filter, `value="RSJ"`) {
		t.Errorf("the /items department filter: %s", filter)
	}
}
