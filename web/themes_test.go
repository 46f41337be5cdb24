package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/identity"
	"banhao/web"
)

// Searching in everyday words returns the bundles with the items; themes list their items and
// bundles; a search that finds nothing offers the closest items and themes.
func TestSearchWordsAndThemes(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	res := decode[catalog.Result](t, h.do(t, "GET", "/api/v1/items?q="+url.QueryEscape("开公司"), web.API, nil, nil, ""))
	if len(res.Items) == 0 || res.Items[0].Name != "企业设立登记" || !slices.ContainsFunc(res.Bundles, func(b catalog.BundleSummary) bool { return b.Code == "KBQY" }) {
		t.Fatalf("开公司: %+v", res)
	}
	themes := decode[struct{ Themes []catalog.ThemeCount }](t, h.do(t, "GET", "/api/v1/themes", web.API, nil, nil, ""))
	if len(themes.Themes) != len(catalog.Themes) {
		t.Fatalf("%d themes, want %d", len(themes.Themes), len(catalog.Themes))
	}
	for _, th := range themes.Themes {
		if th.Items == 0 {
			t.Errorf("theme %s (%s) lists no item", th.Code, th.Name)
		}
	}
	birth := decode[struct {
		Name    string
		Items   []catalog.Summary
		Bundles []struct{ Code string }
	}](t, h.do(t, "GET", "/api/v1/themes/birth", web.API, nil, nil, ""))
	if birth.Name != "生育收养" || !slices.ContainsFunc(birth.Items, func(s catalog.Summary) bool { return s.Name == "出生登记" }) ||
		!slices.ContainsFunc(birth.Bundles, func(b struct{ Code string }) bool { return b.Code == "XSECS" }) {
		t.Fatalf("theme birth: %+v", birth)
	}
	if resp := h.do(t, "GET", "/api/v1/themes/nothing", web.API, nil, nil, ""); resp.StatusCode != 404 {
		t.Fatalf("unknown theme: %d", resp.StatusCode)
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/themes", []string{"个人办事", "企业办事", "生育收养", "身后事", "设立变更", `href="/themes/birth"`}},
		{"/themes/birth", []string{"出生登记", "新生儿出生一件事", `href="/themes"`}},
		{"/items?q=" + url.QueryEscape("给孩子上户口"), []string{"出生登记", "新生儿出生一件事"}},
		{"/items?q=" + url.QueryEscape("zzqx不存在的事"), []string{"您可能要找", "按主题找", `href="/themes/`}},
		{"/", []string{`href="/themes"`, "退休养老"}},
	} {
		resp := h.do(t, "GET", tc.path, web.Page, nil, nil, "")
		b, _ := io.ReadAll(resp.Body)
		for _, w := range tc.want {
			if resp.StatusCode != 200 || !strings.Contains(string(b), w) {
				t.Errorf("%s: %d, page lacks %q", tc.path, resp.StatusCode, w)
			}
		}
	}
}

// The admin edits an item's keywords and themes; a bad keyword is named and what was typed stays.
func TestAdminEditsKeywordsAndThemes(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.sessions[identity.Admin]
	long := strings.Repeat("很长", 11)
	form := url.Values{"csrf": {admin.CSRF}, "code": {"WORDS-1"}, "name": {"表单事项"}, "type": {"行政许可"}, "department": {"XZSP"},
		"legal_limit_value": {"5"}, "legal_limit_unit": {"working_day"}, "promised_limit_value": {"3"}, "promised_limit_unit": {"working_day"},
		"visits": {"0"}, "online_depth": {"4"}, "action": {"publish"}, "keywords": {"办证、" + long}, "themes": {"housing", "tax"}}
	resp := h.do(t, "POST", "/admin/items", web.Page, &admin, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	page, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(page), "超过 20 字") || !strings.Contains(string(page), "办证、"+long) ||
		!strings.Contains(string(page), `value="tax" checked`) {
		t.Fatalf("bad keyword: %d; want 400 naming it and keeping what was typed", resp.StatusCode)
	}
	form.Set("keywords", "办证、查房子")
	if resp := h.do(t, "POST", "/admin/items", web.Page, &admin, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"); resp.StatusCode != 303 {
		t.Fatalf("good form: %d", resp.StatusCode)
	}
	it, err := h.cat.Item(context.Background(), "WORDS-1")
	if err != nil || !slices.Equal(it.Keywords, []string{"办证", "查房子"}) || !slices.Equal(it.Themes, []string{"housing", "tax"}) {
		t.Fatalf("saved: %v %v %v", it.Keywords, it.Themes, err)
	}
	if res, _ := h.cat.Search(context.Background(), catalog.Query{Q: "查房子"}); len(res.Items) == 0 {
		t.Fatal("the new keyword finds nothing")
	}
	// The bundle editor's own fields.
	edit := h.do(t, "GET", "/admin/bundles/edit?code=KBQY", web.Page, &admin, nil, "")
	if b, _ := io.ReadAll(edit.Body); !strings.Contains(string(b), "开公司") || !strings.Contains(string(b), `value="company_setup" checked`) {
		t.Fatal("the bundle editor does not show the bundle's words")
	}
	b, _ := h.cat.Bundle(t.Context(), "KBQY")
	b.Keywords, b.Themes = nil, nil
	rawb, _ := json.Marshal(b)
	raw := string(rawb)
	bf := url.Values{"csrf": {admin.CSRF}, "bundle": {raw}, "action": {"publish"}, "word_fields": {"1"}, "keywords": {"开个公司"}, "themes": {"nope"}}
	resp = h.do(t, "POST", "/admin/bundles", web.Page, &admin, strings.NewReader(bf.Encode()), "application/x-www-form-urlencoded")
	if page, _ := io.ReadAll(resp.Body); resp.StatusCode != 400 || !strings.Contains(string(page), "主题“nope”不存在") || !strings.Contains(string(page), `value="开个公司"`) {
		t.Fatalf("bad bundle theme: %d", resp.StatusCode)
	}
	bf["themes"] = []string{"company_setup"}
	if resp := h.do(t, "POST", "/admin/bundles", web.Page, &admin, strings.NewReader(bf.Encode()), "application/x-www-form-urlencoded"); resp.StatusCode != 303 {
		t.Fatalf("good bundle: %d", resp.StatusCode)
	}
	if b, _ := h.cat.Bundle(t.Context(), "KBQY"); !slices.Equal(b.Keywords, []string{"开个公司"}) || !slices.Equal(b.Themes, []string{"company_setup"}) {
		t.Fatalf("bundle words: %v %v", b.Keywords, b.Themes)
	}
}
