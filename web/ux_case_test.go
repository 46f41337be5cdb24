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

	"banhao/calendar"
	"banhao/cases"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// postPage posts a staff form as a browser does (multipart when files are given) and returns
// the response and its body.
func (h *harness) postPage(t *testing.T, sess identity.Session, path string, form url.Values, files map[string]string) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	form.Set("csrf", sess.CSRF)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for field, content := range files {
		fw, _ := mw.CreateFormFile(field, field+".pdf")
		fw.Write([]byte(content))
	}
	mw.Close()
	resp := h.do(t, "POST", path, web.Page, &sess, &body, mw.FormDataContentType())
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (h *harness) caseCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := h.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

const onePDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

// TestWindowRefusalWithoutReasonKeepsTheForm: 不予受理 without a reason registers nothing; the
// form comes back with the error next to 不予受理理由, everything typed, and the scan chosen —
// posting it again with the reason refuses the application with that scan on file.
func TestWindowRefusalWithoutReasonKeepsTheForm(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		clerk := h.sessions[identity.Clerk]
		form := url.Values{"item": {h.itemCode}, "token": {"form-ux-1"}, "applicant_type": {"person"}, "applicant_name": {demo.CitizenName},
			"applicant_id_number": {demo.CitizenID}, "applicant_phone": {"13805431234"}, "basis": {"《行政许可法》第三十二条"}, "action": {"reject"}}
		resp, page := h.postPage(t, clerk, "/window/cases", form, map[string]string{"file_m1": onePDF})
		if resp.StatusCode != 400 {
			t.Fatalf("refusal without a reason: %d, want 400 (the form again)", resp.StatusCode)
		}
		if n := h.caseCount(t); n != 0 {
			t.Fatalf("a refused form registered %d case(s)", n)
		}
		for _, want := range []string{`id="reason-error"`, `href="#reason"`, `aria-describedby="reason-error"`, `value="` + demo.CitizenName + `"`,
			`value="《行政许可法》第三十二条"`, `name="kept_m1"`, `id="kept-m1"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the form after the error lacks %s", want)
			}
		}
		i := strings.Index(page, `name="kept_m1" value="`)
		if i < 0 {
			t.Fatal("the scan chosen is not offered again")
		}
		kept := page[i+len(`name="kept_m1" value="`):]
		kept = kept[:strings.IndexByte(kept, '"')]
		form.Set("kept_m1", kept)
		form.Set("reason", "不属于本机关职权范围")
		resp, _ = h.postPage(t, clerk, "/window/cases", form, nil)
		if resp.StatusCode != 303 {
			t.Fatalf("posted again with the reason: %d, want 303", resp.StatusCode)
		}
		number := strings.TrimPrefix(resp.Header.Get("Location"), "/cases/")
		c, err := h.cases.Get(context.Background(), clerk.User.Actor(), number)
		if err != nil || c.Status != cases.Rejected || len(c.Materials) == 0 || c.Materials[0].FileID != kept {
			t.Fatalf("the refusal: %+v %v", c, err)
		}
		// Someone else's upload cannot be slipped in as a "kept" file.
		other := h.uploadAs(t, &clerk, "x.pdf", onePDF)
		approverFile := other
		_, _ = h.db.ExecContext(context.Background(), `UPDATE files SET created_by = 'approver' WHERE id = ?`, approverFile)
		form.Set("token", "form-ux-2")
		form.Set("kept_m1", approverFile)
		if resp, page := h.postPage(t, clerk, "/window/cases", form, nil); resp.StatusCode != 400 || !strings.Contains(page, "之前选择的文件已失效") {
			t.Fatalf("another's file as kept: %d", resp.StatusCode)
		}
	})
}

// TestWindowRefusesAnotherHoldersCertificate: the ID number typed is the demo citizen's, the
// name is not: the certificate library's 居民身份证 is not attached; the clerk reads both names.
func TestWindowRefusesAnotherHoldersCertificate(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.sessions[identity.Clerk]
	form := url.Values{"item": {h.itemNamed(t, "个体工商户设立登记")}, "token": {"form-ux-3"}, "applicant_type": {"person"}, "applicant_name": {"李四"},
		"applicant_id_number": {demo.CitizenID}, "applicant_phone": {"13805431234"}, "action": {"accept"}}
	resp, page := h.postPage(t, clerk, "/window/cases", form, map[string]string{"file_m1": onePDF, "file_m3": onePDF})
	if resp.StatusCode != 400 || h.caseCount(t) != 0 {
		t.Fatalf("a name that is not the holder's: %d, %d cases", resp.StatusCode, h.caseCount(t))
	}
	for _, want := range []string{`id="applicant_name-error"`, "「李四」", "「" + demo.CitizenName + "」", "居民身份证"} {
		if !strings.Contains(page, want) {
			t.Errorf("the refusal lacks %s: %s", want, page)
		}
	}
	// With the holder's own name the certificate stands for the material, and the case page
	// names it and links to its printable view.
	form.Set("applicant_name", demo.CitizenName)
	form.Set("kept_m1", "")
	resp, _ = h.postPage(t, clerk, "/window/cases", form, map[string]string{"file_m1": onePDF, "file_m3": onePDF})
	if resp.StatusCode != 303 {
		t.Fatalf("with the holder's name: %d", resp.StatusCode)
	}
	number := strings.TrimPrefix(resp.Header.Get("Location"), "/cases/")
	cert, err := h.certs.Usable(context.Background(), demo.CitizenID, "居民身份证")
	if err != nil {
		t.Fatal(err)
	}
	r := h.do(t, "GET", "/cases/"+number, web.Page, &clerk, nil, "")
	b, _ := io.ReadAll(r.Body)
	page = string(b)
	if strings.Contains(page, `href=""`) || strings.Contains(page, "（）") {
		t.Error("the case page shows an empty file link for the certificate")
	}
	for _, want := range []string{"居民身份证 " + cert.Number, `href="/cases/` + number + `/certificates/` + cert.ID + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page lacks %s", want)
		}
	}
}

// TestDecisionFormKeepsTheChoice: 不予 without a reason comes back as 不予, the error next to the
// reason and summarised at the top; the case is still accepted; once refused, the case page says
// 不予许可.
func TestDecisionFormKeepsTheChoice(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		clerk, approver := h.sessions[identity.Clerk], h.sessions[identity.Approver]
		number, _ := h.windowCase(t, h.uploadAs(t, &clerk, "a.pdf", onePDF))
		if _, err := h.cases.Accept(ctx, clerk.User.Actor(), number, cases.AcceptInput{}); err != nil {
			t.Fatal(err)
		}
		resp, page := h.postPage(t, approver, "/cases/"+number+"/decide", url.Values{"decision": {"denied"}, "reason": {"  "}}, nil)
		if resp.StatusCode != 400 {
			t.Fatalf("不予 without a reason: %d", resp.StatusCode)
		}
		for _, want := range []string{`<option value="denied" selected>`, `id="dreason-error"`, `id="error-summary"`, `href="#dreason"`, "不予许可须说明理由"} {
			if !strings.Contains(page, want) {
				t.Errorf("the decision form after the error lacks %s", want)
			}
		}
		resp, page = h.postPage(t, approver, "/cases/"+number+"/suspend", url.Values{"kind": {"suspension"}, "reason": {" "}}, nil)
		if resp.StatusCode != 400 || !strings.Contains(page, `id="sreason-error"`) || !strings.Contains(page, `<option value="suspension" selected>`) {
			t.Errorf("suspend without a reason: %d, error next to 事由: %v", resp.StatusCode, strings.Contains(page, `id="sreason-error"`))
		}
		if c, _ := h.cases.Get(ctx, approver.User.Actor(), number); c.Status != cases.Accepted {
			t.Fatalf("status %s after refused forms", c.Status)
		}
		// the decision in the words of its item's type (企业设立登记 is a 行政许可: cases.DecisionWords)
		if _, err := h.cases.Act(ctx, approver.User.Actor(), number, cases.DecisionInput{Decision: "denied", Reason: "材料不实"}); err != nil {
			t.Fatal(err)
		}
		if page := h.seen(t, "/cases/"+number, approver); !strings.Contains(page, "决定 不予许可") {
			i := strings.Index(page, "决定 ")
			t.Errorf("the case page does not say 不予许可: %.200s", page[max(i, 0):])
		}
	})
}

// TestStaffCasePageListsMaterialsOnce: 待补正 by name; a 容缺 material supplied later once; a
// decided case offers no 释放.
func TestStaffCasePageListsMaterialsOnce(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	clerk, approver := h.sessions[identity.Clerk], h.sessions[identity.Approver]
	file := h.uploadAs(t, &clerk, "a.pdf", onePDF)
	item, _ := h.cat.Item(ctx, h.itemNamed(t, "企业设立登记"))
	var refs []cases.MaterialRef
	for _, id := range []string{"m1", "m2", "m3", "m4"} {
		refs = append(refs, cases.MaterialRef{MaterialID: id, FileID: file})
	}
	applicant := cases.Applicant{Type: "person", Name: demo.CitizenName, IDNumber: demo.CitizenID, Phone: "13805431234"}
	c, _, err := h.cases.Create(ctx, clerk.User.Actor(), cases.CreateInput{Item: item.Code, Applicant: applicant, Materials: refs, Correct: &cases.IntakeCorrection{}}, "")
	if err != nil || c.Status != cases.Correction {
		t.Fatalf("correction: %v %v", c.Status, err)
	}
	page := h.seen(t, "/cases/"+c.Number, clerk)
	if !strings.Contains(page, "待补正：住所使用相关文件") || strings.Contains(page, "待补正：m5") {
		t.Errorf("待补正 does not name the material: %s", page)
	}

	c, _, err = h.cases.Create(ctx, clerk.User.Actor(), cases.CreateInput{Item: item.Code, Applicant: applicant, Materials: refs,
		Accept: &cases.AcceptInput{Deferred: []cases.DeferInput{{MaterialID: "m5", Due: calendar.DateOf(h.srv.Now(), shanghai)}}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.cases.Supply(ctx, clerk.User.Actor(), c.Number, cases.SupplyInput{Materials: []cases.MaterialRef{{MaterialID: "m5", FileID: file}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.cases.Claim(ctx, approver.User.Actor(), c.Number, true); err != nil {
		t.Fatal(err)
	}
	if _, err := h.cases.Decide(ctx, approver.User.Actor(), c.Number, cases.DecisionInput{Decision: "approved"}); err != nil {
		t.Fatal(err)
	}
	r := h.do(t, "GET", "/cases/"+c.Number, web.Page, &approver, nil, "")
	b, _ := io.ReadAll(r.Body)
	raw := string(b)
	if n := strings.Count(visible(raw), "住所使用相关文件"); n != 1 {
		t.Errorf("the 容缺 material supplied later is listed %d times", n)
	}
	if strings.Contains(raw, "do-release") || strings.Contains(raw, "do-claim") {
		t.Error("a decided case offers 认领 or 释放")
	}
	if _, err := h.cases.Claim(ctx, approver.User.Actor(), c.Number, false); err == nil {
		t.Error("a decided case was released")
	}
}

// TestPersonalDataReadListedOncePerDay: a clerk who opens a case three times is on the
// applicant's list once for that case and day, under 综合受理窗口.
func TestPersonalDataReadListedOncePerDay(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk, super := h.sessions[identity.Clerk], h.sessions[identity.Supervisor]
	number, _ := h.windowCase(t, h.uploadAs(t, &clerk, "a.pdf", onePDF))
	for range 3 {
		h.seen(t, "/cases/"+number, clerk)
	}
	h.seen(t, "/cases/"+number, super) // masked: not a read of the full data
	acc, err := h.certs.Accesses(context.Background(), demo.CitizenID, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range acc {
		if a.ObjectType == "personal_data" && a.Case == number {
			n++
			if a.Actor != "clerk" || a.DepartmentName != "综合受理窗口" {
				t.Errorf("read by %s listed under %q", a.Actor, a.DepartmentName)
			}
		}
	}
	if n != 1 {
		t.Fatalf("three views listed %d times, want once", n)
	}
}

// TestRefusalsNameTheirReason: a denied case shows its reason as 不予许可理由 on the staff case
// page and on /track; a case refused at the window shows 不予受理理由 and 法律依据.
func TestRefusalsNameTheirReason(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	clerk, approver := h.sessions[identity.Clerk], h.sessions[identity.Approver]
	file := h.uploadAs(t, &clerk, "a.pdf", onePDF)
	denied, _ := h.windowCase(t, file)
	if _, err := h.cases.Accept(ctx, clerk.User.Actor(), denied, cases.AcceptInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.cases.Decide(ctx, approver.User.Actor(), denied, cases.DecisionInput{Decision: "denied", Reason: "住所不符合登记要求"}); err != nil {
		t.Fatal(err)
	}
	rejected, _ := h.windowCase(t, file)
	if _, err := h.cases.Reject(ctx, clerk.User.Actor(), rejected, cases.RejectInput{Reason: "不属于本机关职权范围", Basis: "《行政许可法》第三十二条"}); err != nil {
		t.Fatal(err)
	}
	track := func(number string) string {
		t.Helper()
		resp := h.do(t, "GET", "/track?number="+url.QueryEscape(number)+"&phone4=1234", web.Page, nil, nil, "")
		b, _ := io.ReadAll(resp.Body)
		return visible(string(b))
	}
	for name, page := range map[string]string{"case page": h.seen(t, "/cases/"+denied, approver), "/track": track(denied)} {
		if !regexp.MustCompile(`不予许可理由[：\s]*住所不符合登记要求`).MatchString(page) {
			t.Errorf("%s of a denied case does not say 不予许可理由:\n%s", name, page)
		}
	}
	for name, page := range map[string]string{"case page": h.seen(t, "/cases/"+rejected, clerk), "/track": track(rejected)} {
		if !regexp.MustCompile(`不予受理理由[：\s]*不属于本机关职权范围`).MatchString(page) || !regexp.MustCompile(`法律依据[：\s]*《行政许可法》第三十二条`).MatchString(page) {
			t.Errorf("%s of a case refused at the window does not say 不予受理理由 and 法律依据:\n%s", name, page)
		}
	}
}

// TestWindowReportsRefusalAndHolderTogether: 不予受理 without a reason, basis or not, and a
// name that is not the certificate holder's come back in one render: both in the summary at
// the top, each next to its field, the form as typed, nothing written.
func TestWindowReportsRefusalAndHolderTogether(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.sessions[identity.Clerk]
	form := url.Values{"item": {h.itemNamed(t, "个体工商户设立登记")}, "token": {"form-ux-4"}, "applicant_type": {"person"}, "applicant_name": {"李四"},
		"applicant_id_number": {demo.CitizenID}, "applicant_phone": {"13805431234"}, "action": {"reject"}, "reason": {" "}, "basis": {"《行政许可法》第三十二条"}}
	resp, page := h.postPage(t, clerk, "/window/cases", form, map[string]string{"file_m1": onePDF, "file_m3": onePDF})
	if resp.StatusCode != 400 || h.caseCount(t) != 0 {
		t.Fatalf("不予受理 without a reason by another name: %d, %d cases", resp.StatusCode, h.caseCount(t))
	}
	for _, want := range []string{`id="error-summary"`, `href="#reason"`, `href="#applicant_name"`, `id="reason-error"`, `id="applicant_name-error"`,
		"不予受理须说明理由", "「李四」", `value="《行政许可法》第三十二条"`, `value="李四"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the refusal lacks %s: %s", want, page)
		}
	}
}

// TestSupplyErrorsNextToTheFile: a 补交 post with a file the center does not take comes back
// with the message next to that material's file input and summarised at the top linking to it;
// the other file chosen is kept and taken with the next post; nothing is written meanwhile.
func TestSupplyErrorsNextToTheFile(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	clerk := h.sessions[identity.Clerk]
	file := h.uploadAs(t, &clerk, "a.pdf", onePDF)
	item, _ := h.cat.Item(ctx, h.itemNamed(t, "企业设立登记"))
	var refs []cases.MaterialRef
	for _, id := range []string{"m1", "m2", "m3"} {
		refs = append(refs, cases.MaterialRef{MaterialID: id, FileID: file})
	}
	applicant := cases.Applicant{Type: "person", Name: demo.CitizenName, IDNumber: demo.CitizenID, Phone: "13805431234"}
	c, _, err := h.cases.Create(ctx, clerk.User.Actor(), cases.CreateInput{Item: item.Code, Applicant: applicant, Materials: refs, Correct: &cases.IntakeCorrection{}}, "")
	if err != nil || c.Status != cases.Correction {
		t.Fatalf("correction: %v %v", c.Status, err)
	}
	resp, page := h.postPage(t, clerk, "/cases/"+c.Number+"/supply", url.Values{}, map[string]string{"file_m4": "just some words, not a scan", "file_m5": onePDF})
	if resp.StatusCode != 400 {
		t.Fatalf("a file of the wrong type: %d", resp.StatusCode)
	}
	for _, want := range []string{`id="error-summary"`, `href="#sup_m4"`, `id="sup_m4-error"`, `aria-describedby="sup_m4-error"`, `name="kept_m5"`, `id="kept-sup-m5"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the refused 补交 lacks %s", want)
		}
	}
	if strings.Contains(page, `id="sup_m5-error"`) {
		t.Error("the good file is marked as an error")
	}
	if got, _ := h.cases.Get(ctx, clerk.User.Actor(), c.Number); len(got.Materials) != 3 || got.Status != cases.Correction {
		t.Fatalf("a refused 补交 wrote: %d materials, %s", len(got.Materials), got.Status)
	}
	kept := regexp.MustCompile(`name="kept_m5" value="([^"]+)"`).FindStringSubmatch(page)
	if kept == nil {
		t.Fatal("no kept file for m5")
	}
	resp, _ = h.postPage(t, clerk, "/cases/"+c.Number+"/supply", url.Values{"kept_m5": {kept[1]}}, map[string]string{"file_m4": onePDF})
	if resp.StatusCode != 303 {
		t.Fatalf("补交 again with the kept file: %d", resp.StatusCode)
	}
	if got, _ := h.cases.Get(ctx, clerk.User.Actor(), c.Number); len(got.Materials) != 5 {
		t.Errorf("after 补交 the case has %d materials, want 5", len(got.Materials))
	}
}
