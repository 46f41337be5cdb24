package cases_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/pdfdoc"
)

// TestDecisionNoticesSayWhatWasDecided: an approval prints the 办结通知书 with the result to
// collect; a refusal prints the 不予许可（不予办理）决定书 — the title /track shows — with the
// reason and the remedies, and nothing to collect. Read back from the PDF as a person reads it.
func TestDecisionNoticesSayWhatWasDecided(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("no pdftotext")
	}
	ctx := context.Background()
	e := newEnv(t, sqliteWithCatalog(t))
	code := e.itemCode(t, "企业设立登记")
	file := e.upload(t)
	var refs []cases.MaterialRef
	for _, id := range []string{"m1", "m2", "m3", "m4", "m5"} {
		refs = append(refs, cases.MaterialRef{MaterialID: id, FileID: file})
	}
	read := func(decision, reason string) (cases.Case, []cases.NoticeKind, string) {
		c, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs}, "")
		if err != nil {
			t.Fatal(err)
		}
		mustAct(t, e, clerk, c.Number, cases.AcceptInput{})
		c = mustAct(t, e, approver, c.Number, cases.DecisionInput{Decision: decision, Reason: reason})
		kinds := cases.NoticesFor(c)
		n, c, err := e.svc.IssueNotice(ctx, clerk, c.Number, kinds[len(kinds)-1])
		if err != nil {
			t.Fatal(err)
		}
		l, err := e.svc.Letter(ctx, n, c, "滨州市政务服务中心", "http://x/verify/"+n.Code)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := pdfdoc.WriteLetter(&buf, l, e.clk.now()); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), decision+".pdf")
		os.WriteFile(path, buf.Bytes(), 0o600)
		if dir := os.Getenv("BANHAO_SCREENSHOTS"); dir != "" {
			os.WriteFile(filepath.Join(dir, "notice-"+decision+".pdf"), buf.Bytes(), 0o600)
		}
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		return c, kinds, strings.Join(strings.Fields(string(out)), "")
	}

	_, kinds, text := read("approved", "")
	if kinds[len(kinds)-1] != cases.NoticeDecision {
		t.Fatalf("an approved case offers %v", kinds)
	}
	for _, want := range []string{"办结通知书", "准予企业设立登记", "办理结果营业执照", "领取方式", "领取办理结果"} {
		if !strings.Contains(text, want) {
			t.Errorf("approval lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "不予") || strings.Contains(text, "行政复议") {
		t.Errorf("approval speaks of a refusal:\n%s", text)
	}

	c, kinds, text := read("denied", "住所不符合登记要求")
	for _, k := range kinds {
		if k == cases.NoticeDecision {
			t.Fatalf("a refused case offers the 办结通知书: %v", kinds)
		}
	}
	if kinds[len(kinds)-1] != cases.NoticeRefusal {
		t.Fatalf("a refused case offers %v", kinds)
	}
	for _, want := range []string{"不予许可（不予办理）决定书", "决定不予许可（不予办理）", "不予许可理由住所不符合登记要求",
		"六十日内", "向本级人民政府申请行政复议", "六个月内", "提起行政诉讼", c.Number} {
		if !strings.Contains(text, want) {
			t.Errorf("refusal lacks %q:\n%s", want, text)
		}
	}
	for _, wrong := range []string{"办结通知书", "办理结果", "领取办理结果", "营业执照", "准予"} {
		if strings.Contains(text, wrong) {
			t.Errorf("refusal says %q:\n%s", wrong, text)
		}
	}
	// The title is the one /track gives the refusal.
	it, _ := e.svc.ItemOf(ctx, c)
	if p := cases.CitizenProgress(c, it); p.Result == nil || p.Result.Name != cases.NoticeTitles[cases.NoticeRefusal] {
		t.Fatalf("/track names the refusal %+v", p.Result)
	}
	_, verifyCode, _ := strings.Cut(text, "扫码核验真伪")
	if v, err := e.svc.Verify(ctx, verifyCode[:20]); err != nil || v.Title != "不予许可（不予办理）决定书" {
		t.Fatalf("verify: %+v %v", v, err)
	}
}
