package web_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/identity"
	"banhao/web"
)

// TestDeferredAcceptanceNotice: the clerk accepts with one deferred material and prints the
// 容缺受理通知书; its text names the item, the material and the commitment date, and the QR
// code's address verifies it without revealing the applicant.
func TestDeferredAcceptanceNotice(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.sessions[identity.Clerk]
	res, _ := h.cat.Search(context.Background(), catalog.Query{Q: "企业设立登记"})
	file := h.uploadPDF(t, &clerk)
	body := fmt.Sprintf(`{"item":%q,"applicant":{"name":"滨州市某某科技有限公司","type":"organization","id_number":"91350100M000100Y43","phone":"13800001111"},
		"materials":[{"material_id":"m1","file_id":%q},{"material_id":"m2","file_id":%q},{"material_id":"m3","file_id":%q},{"material_id":"m4","file_id":%q}]}`,
		res.Items[0].Code, file, file, file, file)
	c := decode[struct{ Number string }](t, h.do(t, "POST", "/api/v1/cases", web.API, &clerk, strings.NewReader(body), "application/json"))
	due := h.srv.Now().In(shanghai).AddDate(0, 0, 0).Format("2006-01-02")
	resp := h.do(t, "POST", "/api/v1/cases/"+c.Number+"/accept", web.API, &clerk,
		strings.NewReader(`{"deferred":[{"material_id":"m5","due":"`+due+`"}]}`), "application/json")
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("accept with a deferred material: %d %s", resp.StatusCode, b)
	}
	if resp := h.do(t, "GET", "/api/v1/cases/"+c.Number+"/notices/rejection", web.API, &clerk, nil, ""); resp.StatusCode != 409 {
		t.Fatalf("rejection notice of an accepted case: %d, want 409", resp.StatusCode)
	}
	resp = h.do(t, "GET", "/api/v1/cases/"+c.Number+"/notices/deferred_acceptance", web.API, &clerk, nil, "")
	pdf, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("notice: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	path := filepath.Join(t.TempDir(), "n.pdf")
	os.WriteFile(path, pdf, 0o600)
	text := pdfToText(t, path)
	y, m, d := 0, 0, 0
	fmt.Sscanf(due, "%d-%d-%d", &y, &m, &d)
	for _, want := range []string{"容缺受理通知书", "企业设立登记", "住所使用相关文件", fmt.Sprintf("%d年%d月%d日", y, m, d), c.Number, "申请人（签字）"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice text lacks %q", want)
		}
	}
	code := regexp.MustCompile(`扫码核验真伪([0-9A-F]{20})`).FindStringSubmatch(text)
	if code == nil {
		t.Fatalf("no verification code printed: %s", text)
	}
	v := decode[struct {
		Valid        bool
		Kind, Holder string
		Issuer       string
	}](t, h.do(t, "GET", "/api/v1/verify/"+code[1], web.API, nil, nil, ""))
	if !v.Valid || v.Kind != "容缺受理通知书" || v.Holder != "滨**" || v.Issuer != "滨州市行政审批服务局" {
		t.Fatalf("verify: %+v", v)
	}
	if resp := h.do(t, "GET", "/api/v1/verify/FFFFFFFFFFFFFFFFFFFF", web.API, nil, nil, ""); resp.StatusCode != 404 {
		t.Fatalf("unknown code: %d", resp.StatusCode)
	}
	// Printing again gives the same code.
	again, _ := io.ReadAll(h.do(t, "GET", "/api/v1/cases/"+c.Number+"/notices/deferred_acceptance", web.API, &clerk, nil, "").Body)
	os.WriteFile(path, again, 0o600)
	if !strings.Contains(pdfToText(t, path), code[1]) {
		t.Fatal("a second print made a new verification code")
	}
}
