package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"banhao/app"
	"banhao/audit"
	"banhao/catalog"
	"banhao/identity"
	"banhao/store/storetest"
	"banhao/web"
)

// An installation names itself from its settings: its pages and its printed documents carry
// its name, address and hotline, and nothing of the demo center.
func TestInstallationNamesItself(t *testing.T) {
	const name, address, hotline = "示例县政务服务中心", "示例县人民路 1 号", "0000-7654321"
	h := wireWith(t, storetest.SQLite(t), t.TempDir(), app.Settings{Center: name, Address: address, Hotline: hotline})
	ctx := context.Background()
	if _, err := h.cat.PutDepartment(ctx, audit.System, catalog.Department{Code: "XZSP", Name: "示例县行政审批服务局"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.cat.PutSection(ctx, audit.System, catalog.Section{Code: "S01", Name: "商事服务", Sort: 10}); err != nil {
		t.Fatal(err)
	}
	it := catalog.Item{Code: "T-1", Name: "食品经营许可", Type: "行政许可", Department: catalog.Ref{Code: "XZSP"}, Section: catalog.Ref{Code: "S01"},
		LegalLimit: catalog.Limit{Value: 20, Unit: catalog.WorkingDay}, PromisedLimit: catalog.Limit{Value: 5, Unit: catalog.WorkingDay},
		OnlineDepth: 4, Materials: []catalog.Material{{ID: "m1", Name: "申请书", Required: true}}}
	if _, err := h.cat.PutItem(ctx, audit.System, it, catalog.StatusPublished); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{"/", "/items/T-1", "/items?q=" + url.QueryEscape("没有这个事项"), "/kiosk"} {
		resp := h.do(t, "GET", path, web.Page, nil, nil, "")
		b, _ := io.ReadAll(resp.Body)
		page := string(b)
		if resp.StatusCode != 200 || !strings.Contains(page, "<title>") || !strings.Contains(page, name) || !strings.Contains(page, hotline) {
			t.Errorf("%s: %d, the page lacks the center's name or hotline", path, resp.StatusCode)
		}
		if strings.Contains(page, "滨州") || strings.Contains(page, "拨打 12345") {
			t.Errorf("%s still shows the demo center or the default hotline", path)
		}
		if path == "/" && !strings.Contains(page, address) {
			t.Errorf("the footer lacks the address %q", address)
		}
	}

	for _, path := range []string{"/items/T-1/notice.pdf", "/guidebook.pdf"} {
		resp := h.do(t, "GET", path, web.Page, nil, nil, "")
		pdf, _ := io.ReadAll(resp.Body)
		text := pdfBytesToText(t, pdf)
		if resp.StatusCode != 200 || !strings.Contains(text, name) || strings.Contains(text, "滨州") {
			t.Errorf("%s: %d, the document names %.300q", path, resp.StatusCode, text)
		}
	}
}

// Without an SMS gateway and outside development, citizens cannot sign in by code: the sign-in
// pages say so before anyone types, the code requests are refused with the same words, and no
// code is made.
func TestSignInClosedWithoutSMS(t *testing.T) {
	db := storetest.SQLite(t)
	h := wireWith(t, db, t.TempDir(), app.Settings{Hotline: "0000-7654321"}) // no SMS gateway, not in development
	ctx := context.Background()
	const id = "11010519491231002X"
	if _, err := h.people.Register(ctx, audit.System, identity.NewApplicant{Kind: "person", Name: "王五", IDNumber: id, Phone: "13805430009"}); err != nil {
		t.Fatal(err)
	}
	closed := h.people.SignInClosed()
	if !strings.Contains(closed, "0000-7654321") {
		t.Fatalf("the closed message names no hotline: %q", closed)
	}

	for path, form := range map[string]string{"/my/login": `name="id_number"`, "/kiosk": `id="kiosk-form"`} {
		resp := h.do(t, "GET", path, web.Page, nil, nil, "")
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(b), `id="sign-in-closed"`) || !strings.Contains(string(b), closed) {
			t.Errorf("%s: %d, does not say that sign-in is closed", path, resp.StatusCode)
		}
		if strings.Contains(string(b), form) {
			t.Errorf("%s still offers the number field", path)
		}
	}

	resp := h.do(t, "POST", "/api/v1/applicant/code", web.API, nil, strings.NewReader(`{"id_number":"`+id+`"}`), "application/json")
	var problem struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&problem); err != nil || resp.StatusCode != http.StatusForbidden || problem.Code != "forbidden" || problem.Detail != closed {
		t.Errorf("API code request: %d %+v %v", resp.StatusCode, problem, err)
	}
	for _, path := range []string{"/my/code", "/kiosk/code"} {
		resp := h.do(t, "POST", path, web.Page, nil, strings.NewReader(url.Values{"id_number": {id}}.Encode()), "application/x-www-form-urlencoded")
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusForbidden || strings.Count(string(b), closed) != 1 {
			t.Errorf("%s: %d, want 403 saying %q once", path, resp.StatusCode, closed)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM applicant_codes) + (SELECT COUNT(*) FROM notifications)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("closed sign-in made %d codes or messages (%v)", n, err)
	}

	// The same installation in development: the form is back and a code is made.
	h = wireWith(t, db, t.TempDir(), app.Settings{Hotline: "0000-7654321", DevCodes: true})
	resp = h.do(t, "GET", "/my/login", web.Page, nil, nil, "")
	if b, _ := io.ReadAll(resp.Body); strings.Contains(string(b), "sign-in-closed") || !strings.Contains(string(b), `name="id_number"`) {
		t.Error("development: /my/login is still closed")
	}
	ap, _ := h.people.ByIDNumber(ctx, id)
	if code := h.freshCode(t, id); len(code) != 6 || h.lastCode(t, ap.ID) != code {
		t.Errorf("development: code %q", code)
	}
}
