package catalog

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"banhao/errs"
)

// goodItem is a complete, publishable item; each rule test breaks one thing.
func goodItem() Item {
	return Item{
		Code: "A370001-371600000000-000-X-1-00", Name: "企业设立登记", Type: "行政许可", Department: Ref{Code: "XZSP"},
		LegalLimit: Limit{20, WorkingDay}, PromisedLimit: Limit{5, WorkingDay}, Visits: 1, VisitsReason: "需现场核验原件", OnlineDepth: 3,
		Materials: []Material{
			{ID: "m1", Name: "申请书", Required: true, Source: SourceApplicant},
			{ID: "m2", Name: "住所证明", Required: true, Deferrable: true, Source: SourceApplicant},
			{ID: "m3", Name: "营业执照", Required: false, Source: SourceCertificate, CertificateType: "营业执照"},
		},
		Steps: []Step{{Name: "受理", Limit: Limit{0, Immediate}}, {Name: "审查", Limit: Limit{4, WorkingDay}}, {Name: "决定", Limit: Limit{1, WorkingDay}}},
	}
}

func TestValidateRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status string
		change func(*Item)
		field  string // the field the error must name; "" = valid
	}{
		{"complete item is valid", StatusPublished, func(*Item) {}, ""},
		{"promised limit above legal limit", StatusPublished, func(it *Item) { it.PromisedLimit = Limit{25, WorkingDay} }, "promised_limit"},
		{"promised and legal in different day units", StatusPublished, func(it *Item) { it.PromisedLimit = Limit{5, NaturalDay} }, "promised_limit"},
		{"即办 promised limit under a day limit is fine", StatusPublished, func(it *Item) {
			it.PromisedLimit = Limit{0, Immediate}
			it.Steps = nil
		}, ""},
		{"即办件 needs an immediate limit", StatusPublished, func(it *Item) { it.Handling = "immediate" }, "promised_limit"},
		{"immediate limit with days", StatusPublished, func(it *Item) { it.PromisedLimit = Limit{2, Immediate} }, "promised_limit.value"},
		{"unknown unit", StatusPublished, func(it *Item) { it.LegalLimit = Limit{5, "week"} }, "legal_limit.unit"},
		{"published item needs limits", StatusPublished, func(it *Item) { it.LegalLimit = Limit{} }, "legal_limit"},
		{"draft may have no limits", StatusDraft, func(it *Item) { it.LegalLimit, it.PromisedLimit, it.Steps = Limit{}, Limit{}, nil }, ""},
		{"online depth 4 means zero visits", StatusPublished, func(it *Item) { it.OnlineDepth = 4 }, "visits"},
		{"online depth out of range", StatusPublished, func(it *Item) { it.OnlineDepth = 5 }, "online_depth"},
		{"visits need a reason", StatusPublished, func(it *Item) { it.VisitsReason = "" }, "visits_reason"},
		{"steps exceed the promised limit", StatusPublished, func(it *Item) { it.Steps[1].Limit = Limit{5, WorkingDay} }, "steps"},
		{"step in another unit", StatusPublished, func(it *Item) { it.Steps[1].Limit = Limit{2, NaturalDay} }, "steps[1].limit"},
		{"deferrable material as the only required one", StatusPublished, func(it *Item) { it.Materials[0].Required = false }, "materials"},
		{"deferrable but optional", StatusPublished, func(it *Item) { it.Materials[2].Deferrable = true }, "materials[2].deferrable"},
		{"duplicate material id", StatusPublished, func(it *Item) { it.Materials[1].ID = "m1" }, "materials[1].id"},
		{"certificate source needs a type", StatusPublished, func(it *Item) { it.Materials[2].CertificateType = "" }, "materials[2].certificate_type"},
		{"unknown source", StatusPublished, func(it *Item) { it.Materials[0].Source = "email" }, "materials[0].source"},
		{"charged fee needs a basis", StatusPublished, func(it *Item) { it.Fee.Charged = true }, "fee.basis"},
		{"unknown type", StatusPublished, func(it *Item) { it.Type = "行政处罚" }, "type"},
		{"empty name", StatusPublished, func(it *Item) { it.Name = "" }, "name"},
		{"bad code", StatusPublished, func(it *Item) { it.Code = "有 空格" }, "code"},
		{"no department", StatusPublished, func(it *Item) { it.Department = Ref{} }, "department"},
		{"bad delivery method", StatusPublished, func(it *Item) { it.DeliveryMethods = []string{"fax"} }, "delivery_methods"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			it := goodItem()
			tc.change(&it)
			it.Normalize()
			err := Validate(&it, tc.status)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			e, ok := errs.As(err)
			if !ok || e.Code != errs.CodeInvalid {
				t.Fatalf("want an invalid error naming %s, got %v", tc.field, err)
			}
			for _, f := range e.Fields {
				if f.Field == tc.field {
					if f.Message == "" {
						t.Fatalf("error for %s has no message", tc.field)
					}
					return
				}
			}
			t.Fatalf("error %v does not name field %s", err, tc.field)
		})
	}
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	it := goodItem()
	it.Name, it.Type, it.OnlineDepth = "", "x", 9
	err := Validate(&it, StatusPublished)
	e, _ := errs.As(err)
	if e == nil || len(e.Fields) < 3 {
		t.Fatalf("want ≥3 field errors at once, got %v", err)
	}
}

func TestRefAcceptsCodeOrObject(t *testing.T) {
	t.Parallel()
	var a, b struct{ D Ref }
	if err := json.Unmarshal([]byte(`{"D":"XZSP"}`), &a); err != nil || a.D.Code != "XZSP" {
		t.Fatalf("plain code: %+v %v", a, err)
	}
	if err := json.Unmarshal([]byte(`{"D":{"code":"XZSP","name":"审批局"}}`), &b); err != nil || b.D.Name != "审批局" {
		t.Fatalf("object: %+v %v", b, err)
	}
}

func TestRegionFromCode(t *testing.T) {
	t.Parallel()
	if got := RegionFromCode("511A0138000000-511602000000-000-115113010833722043-1-00"); got != "511602000000" {
		t.Fatalf("RegionFromCode = %q", got)
	}
	if got := RegionFromCode("E-000004-001-11511301008778386B"); got != "" {
		t.Fatalf("RegionFromCode of a code without area = %q, want empty", got)
	}
}

func TestSearchIndexSubstring(t *testing.T) {
	t.Parallel()
	idx := testIndex([]string{"企业设立登记", "住房公积金提取（购买住房）", "不动产转移登记（存量房买卖）"})
	for q, want := range map[string]int{"公积金": 1, "登记": 2, "存量房": 1, "c-企业": 1, "": 3, "护照": 0} {
		if got := idx.search(Query{Q: q}).Total; got != want {
			t.Errorf("search %q: %d hits, want %d", q, got, want)
		}
	}
	page := idx.search(Query{Limit: 2, Offset: 2})
	if page.Total != 3 || len(page.Items) != 1 {
		t.Errorf("offset 2 limit 2: total %d items %d, want 3 and 1", page.Total, len(page.Items))
	}
}

// testIndex is a snapshot of items named names (codes "C-" + name), without keywords.
func testIndex(names []string) *index {
	idx := &index{}
	for i, n := range names {
		idx.entries = append(idx.entries, entry{sum: Summary{Code: "C-" + n, Name: n, Type: "公共服务"}})
		d := newDoc(n, "C-"+n, nil, nil, "", "")
		d.entry = i
		idx.docs = append(idx.docs, d)
		idx.all = append(idx.all, int32(i))
	}
	idx.grams = buildGrams(idx.docs)
	return idx
}

func TestKeywordsAndThemesAreChecked(t *testing.T) {
	t.Parallel()
	it := Item{Code: "C-1", Name: "企业设立登记", Type: "行政许可", Department: Ref{Code: "XZSP"},
		Keywords: []string{"营业执照", "开公司、注册公司", "营业执照", strings.Repeat("长", MaxKeywordLen+1)},
		Themes:   []string{"company_setup", "no_such_theme"}}
	err := Validate(&it, StatusDraft)
	e, ok := errs.As(err)
	if !ok {
		t.Fatalf("Validate = %v, want field errors", err)
	}
	var msgs []string
	for _, f := range e.Fields {
		if f.Field == "keywords" || f.Field == "themes" {
			msgs = append(msgs, f.Field+": "+f.Message)
		}
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"含有逗号、顿号或分号", "“营业执照”重复", "超过 20 字", "主题“no_such_theme”不存在"} {
		if !strings.Contains(all, want) {
			t.Errorf("no error %q among:\n%s", want, all)
		}
	}
	it.Keywords, it.Themes = SplitKeywords(" 营业执照、开公司, 注册公司；"), ThemeCodes("设立变更, employment")
	if err := Validate(&it, StatusDraft); err != nil {
		t.Fatalf("clean words refused: %v", err)
	}
	if !slices.Equal(it.Keywords, []string{"营业执照", "开公司", "注册公司"}) || !slices.Equal(it.Themes, []string{"company_setup", "employment"}) {
		t.Fatalf("split: %v %v", it.Keywords, it.Themes)
	}
}

// TestSearchIgnoresControlCharacters: finding 1 — the index joins name and code with NUL, so a
// NUL in the query matched every item; control characters are dropped before matching, and a
// query of control characters alone is the empty query (the list in public order).
func TestSearchIgnoresControlCharacters(t *testing.T) {
	t.Parallel()
	idx := testIndex([]string{"企业设立登记", "住房公积金提取（购买住房）", "不动产转移登记（存量房买卖）"})
	if got := idx.search(Query{Q: "公积\x00金"}); got.Total != 1 || got.Items[0].Name != "住房公积金提取（购买住房）" {
		t.Errorf("公积\\x00金: %+v", got.Items)
	}
	if a, b := idx.search(Query{Q: "\x00\x01"}), idx.search(Query{}); a.Total != b.Total || len(a.Suggestions) > 0 {
		t.Errorf("control characters alone: %d hits (%d suggestions), the empty query %d", a.Total, len(a.Suggestions), b.Total)
	}
}
