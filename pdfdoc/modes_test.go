package pdfdoc_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"banhao/catalog"
	"banhao/pdfdoc"
)

// TestNoticeFollowsTheMode: the 一次性告知单 of a 告知承诺 item (the demo's 食品经营许可) says it is
// approved on the spot on the signed commitment, the post-check within its working days and what
// a false commitment means — no inspection before approval, no department's 审核办结; the one of
// 企业投资项目核准 (no visit) carries its 力争1个工作日办结 and asks for no paper originals.
func TestNoticeFollowsTheMode(t *testing.T) {
	t.Parallel()
	byName := map[string]catalog.Item{}
	for _, it := range demoCatalog(t) {
		byName[it.Name] = it
	}
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	text := func(name string) string {
		it, ok := byName[name]
		if !ok {
			t.Fatalf("no demo item %s", name)
		}
		var buf bytes.Buffer
		if err := pdfdoc.Notice(&buf, it, "滨州市政务服务中心", "http://127.0.0.1:8080/items/"+it.Code, at); err != nil {
			t.Fatal(err)
		}
		if dir := os.Getenv("BANHAO_PDF_OUT"); dir != "" { // to look at it: pdftoppm
			_ = os.WriteFile(dir+"/"+name+".pdf", buf.Bytes(), 0o600)
		}
		return strings.Join(strings.Fields(pdfText(t, buf.Bytes())), "")
	}
	food := text("食品经营许可")
	for _, want := range []string{"当场审批", "审批后20个工作日内事后核查", "撤销审批决定", "信用记录", "依承诺审批", "事后核查（20个工作日"} {
		if !strings.Contains(food, want) {
			t.Errorf("the 告知承诺 notice lacks %q: %s", want, food)
		}
	}
	for _, bad := range []string{"需现场勘验", "审核办结", "部门审批人员"} {
		if strings.Contains(food, bad) {
			t.Errorf("the 告知承诺 notice says %q: %s", bad, food)
		}
	}
	inv := text("企业投资项目核准")
	if !strings.Contains(inv, "力争1个工作日办结") || strings.Contains(inv, "原件1份") || !strings.Contains(inv, "电子版（网上提交）") {
		t.Errorf("the 企业投资项目核准 notice: %s", inv)
	}
}
