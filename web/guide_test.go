package web_test

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/pdfdoc"
	"banhao/store/storetest"
	"banhao/web"
)

// TestGuideMaterialsInPlainWords: the materials' 必需 column is a plain tag (never "必需：必需" on a
// phone), and an item done entirely online asks for materials to upload, in electronic form,
// while an item done at the window asks for originals to bring.
func TestGuideMaterialsInPlainWords(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t))
	seen := map[bool]bool{}
	for _, name := range []string{"企业设立登记", "个体工商户设立登记", "建筑工程施工许可证核发", "食品经营许可"} {
		it, err := h.cat.Item(context.Background(), h.itemNamed(t, name))
		if err != nil {
			t.Fatal(err)
		}
		online := pdfdoc.FullyOnline(it)
		seen[online] = true
		resp := h.do(t, "GET", "/items/"+url.PathEscape(it.Code), web.Page, nil, nil, "")
		b, _ := io.ReadAll(resp.Body)
		body := string(b)
		if strings.Contains(body, `data-label="必需"`) || !strings.Contains(body, `<span class="badge">必需</span>`) {
			t.Errorf("%s: the 必需 column is not a plain tag", name)
		}
		upload, bring := strings.Contains(body, "需要上传的材料"), strings.Contains(body, "要带的材料")
		if online != upload || online == bring {
			t.Errorf("%s (全程网办 %v): heading says upload %v, bring %v", name, online, upload, bring)
		}
		if online && (strings.Contains(body, "原件 1 份") || !strings.Contains(body, "上传扫描件或照片")) {
			t.Errorf("%s is done online but asks for paper originals", name)
		}
	}
	if !seen[true] || !seen[false] {
		t.Fatalf("the items tried cover online %v, want both kinds", seen)
	}
}

// TestGuideOfAnItemWithoutVisitsSaysNoVisit: an item that needs no visit but is not done fully
// online (企业投资项目核准: applied for online, the result posted) does not call itself 全程网办,
// and its 在哪里办 does not say the applicant must go to a center.
func TestGuideOfAnItemWithoutVisitsSaysNoVisit(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t))
	it, err := h.cat.Item(context.Background(), h.itemNamed(t, "企业投资项目核准"))
	if err != nil {
		t.Fatal(err)
	}
	if it.Visits != 0 || it.OnlineDepth == 4 || it.Tongban != "" {
		t.Fatalf("the demo's 企业投资项目核准 is no longer the case tried: visits %d, depth %d, 通办 %q", it.Visits, it.OnlineDepth, it.Tongban)
	}
	resp := h.do(t, "GET", "/items/"+url.PathEscape(it.Code), web.Page, nil, nil, "")
	b, _ := io.ReadAll(resp.Body)
	page := visible(string(b))
	if strings.Contains(page, "全程网办") || !strings.Contains(page, "不用跑（网上申请，结果邮寄送达）") {
		t.Errorf("到现场 of an item not done fully online: %s", page)
	}
	if strings.Contains(page, "要带的材料") || !strings.Contains(page, "需要提交的材料（网上提交，原件邮寄）") {
		t.Errorf("the materials of an item needing no visit are not to be brought: %s", page)
	}
	if strings.Contains(page, "须到以下中心办理") || !strings.Contains(page, "不必到现场办理") {
		t.Errorf("在哪里办 of an item needing no visit: %s", page)
	}
}
