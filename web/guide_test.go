package web_test

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/identity"
	"banhao/pdfdoc"
	"banhao/web"
)

// TestGuideMaterialsInPlainWords: the materials' 必需 column is a plain tag (never "必需：必需" on a
// phone), and an item done entirely online asks for materials to upload, in electronic form,
// while an item done at the window asks for originals to bring.
func TestGuideMaterialsInPlainWords(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	seen := map[bool]bool{}
	for _, name := range []string{"企业设立登记", "个体工商户设立登记", "建筑工程施工许可证核发", "药品零售企业经营许可"} {
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
	h := newHarness(t, demoSQLite(t))
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
	if strings.Contains(page, "要带的材料") || !strings.Contains(page, "需要提交的材料（网上提交）") || strings.Contains(page, "原件 1 份") ||
		!strings.Contains(page, "电子版（网上提交）") {
		t.Errorf("the materials of an item needing no visit are not to be brought: %s", page)
	}
	if !strings.Contains(page, "3个工作日，由20个工作日压缩至3个工作日，力争1个工作日办结") {
		t.Errorf("the guide of 企业投资项目核准 does not say 力争1个工作日办结: %s", page)
	}
	if strings.Contains(page, "须到以下中心办理") || !strings.Contains(page, "不必到现场办理") {
		t.Errorf("在哪里办 of an item needing no visit: %s", page)
	}
}

// TestGuideFollowsTheMode: a 告知承诺 guide (食品经营许可, the district's fire check) says it is
// approved on the spot on the commitment, the post-check within 20 working days and what a false
// commitment means, and neither promises 5 个工作日 as its limit nor an inspection before approval;
// the 秒批 and 即办 guides' steps are the system's and the authorised window's, never the
// department approver's 审核办结.
// …and a 告知承诺 guide says, under its title, which cases its commitment path covers.
func TestGuideFollowsTheMode(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	page := func(name string) string {
		resp := h.do(t, "GET", "/items/"+url.PathEscape(h.itemNamed(t, name)), web.Page, nil, nil, "")
		b, _ := io.ReadAll(resp.Body)
		return visible(string(b))
	}
	for _, name := range []string{"食品经营许可", "公众聚集场所投入使用、营业前消防安全检查"} {
		p := page(name)
		for _, want := range []string{"办理时限 当场审批（依承诺当即审批通过） 审批后 20 个工作日内事后核查", "撤销审批决定", "信用记录", "依承诺审批", "事后核查 — 20个工作日"} {
			if !strings.Contains(p, want) {
				t.Errorf("%s's guide lacks %q: %s", name, want, p)
			}
		}
		for _, bad := range []string{"办理时限 5个工作日", "需现场勘验", "审核办结", "部门审批人员"} {
			if strings.Contains(p, bad) {
				t.Errorf("%s's guide says %q: %s", name, bad, p)
			}
		}
	}
	// The commitment path's scope, at the top of each 告知承诺 guide, under its title.
	for name, scope := range map[string]string{"食品经营许可": "告知承诺适用范围：仅限从事预包装食品销售（含冷藏冷冻）的低风险经营者",
		"公众聚集场所投入使用、营业前消防安全检查": "告知承诺适用范围：仅限已依法通过消防验收或备案的公众聚集场所"} {
		p := strings.ReplaceAll(page(name), "： ", "：") // the label and the scope are two elements
		if i := strings.Index(p, scope); i < 0 || i > strings.Index(p, "怎么办") || !strings.Contains(p, "其他情形按一般程序审批") {
			t.Errorf("%s's guide does not say the scope of its commitment path at the top (%q): %s", name, scope, p)
		}
	}
	// a case the rules hand over waits for a person: the guide promises days, not 当场/即办
	if p := page("城乡居民基本养老保险参保登记"); !strings.Contains(p, "系统按规则自动审批；不符合规则的转部门人工审核（3个工作日）") ||
		!strings.Contains(p, "转人工审核的 3个工作日") || strings.Contains(p, "当场办结") || strings.Contains(p, "人工审核（即办）") || strings.Contains(p, "部门审批人员") {
		t.Errorf("the 秒批 guide's steps: %s", p)
	}
	if p := page("住房公积金提取（购买住房）"); !strings.Contains(p, "首席代表 / 授权窗口当场办结") || strings.Contains(p, "部门审批人员") {
		t.Errorf("the 即办 guide's steps: %s", p)
	}
}

// TestPromiseNoteInTheEditor: the admin gives an item its 时限承诺说明 in the editor (one too long
// is named by its label, what was typed stays); the guide shows it after the limit.
func TestPromiseNoteInTheEditor(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.sessions[identity.Admin]
	form := url.Values{"csrf": {admin.CSRF}, "code": {"NOTE-1"}, "name": {"提速测试事项"}, "type": {"行政许可"}, "department": {"XZSP"},
		"legal_limit_value": {"20"}, "legal_limit_unit": {"working_day"}, "promised_limit_value": {"3"}, "promised_limit_unit": {"working_day"},
		"visits": {"0"}, "online_depth": {"3"}, "action": {"publish"}, "promise_note": {strings.Repeat("力争", 60)}}
	post := func() (int, string) {
		resp := h.do(t, "POST", "/admin/items", web.Page, &admin, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, page := post(); st != 400 || !strings.Contains(page, "时限承诺说明须为一句话") ||
		!strings.Contains(page, `id="promise_note"`) || !strings.Contains(page, strings.Repeat("力争", 60)) {
		t.Fatalf("a note too long: %d; want 400 naming 时限承诺说明 and keeping it: %s", st, visible(page))
	}
	form.Set("promise_note", "由20个工作日压缩至3个工作日，力争1个工作日办结")
	if st, page := post(); st != 303 {
		t.Fatalf("good form: %d %s", st, visible(page))
	}
	it, err := h.cat.Item(context.Background(), "NOTE-1")
	if err != nil || it.PromiseNote != "由20个工作日压缩至3个工作日，力争1个工作日办结" {
		t.Fatalf("saved: %q %v", it.PromiseNote, err)
	}
	resp := h.do(t, "GET", "/items/NOTE-1", web.Page, nil, nil, "")
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(visible(string(b)), "3个工作日，由20个工作日压缩至3个工作日，力争1个工作日办结") {
		t.Errorf("the guide does not show the note: %s", visible(string(b)))
	}
}
