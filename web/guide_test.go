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
