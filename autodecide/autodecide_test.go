package autodecide

import (
	"strings"
	"testing"

	"banhao/calendar"
	"banhao/ids"
)

// id makes a valid ID number from an area code and a birth date (YYYYMMDD).
func id(area, birth string) string {
	s := area + birth + "123"
	c, _ := ids.IDNumberCheck(s)
	return s + string(c)
}

func pension() Set {
	return Set{
		Fields: []Field{{Key: "student", Label: "是否在校学生", Type: Bool}, {Key: "employee_insured", Label: "是否已参加职工基本养老保险", Type: Bool}},
		Rules: []Rule{
			{Name: "年满16周岁", Expr: `applicant.kind == "person" && applicant.age >= 16`, Message: "申请人未满16周岁"},
			{Name: "非在校学生", Expr: `!form.student`, Message: "在校学生不参加城乡居民养老保险"},
			{Name: "未参加职工养老保险", Expr: `!form.employee_insured`, Message: "已参加职工基本养老保险的不能重复参保"},
			{Name: "本市户籍或持居住证", Expr: `applicant.region startsWith "3716" || has_cert("居住证")`, Message: "户籍不在本市且无有效居住证"},
		},
		Examples: []Example{
			{Name: "本市成年居民", Form: map[string]any{"student": "否", "employee_insured": false}, Applicant: ExampleApplicant{IDNumber: id("371602", "19800101")}, Expect: Approve},
			{Name: "15岁", Form: map[string]any{"student": false, "employee_insured": false}, Applicant: ExampleApplicant{IDNumber: id("371602", "20100601")}, Date: "2026-05-31", Expect: Manual, Failed: []string{"年满16周岁"}},
		},
	}
}

func TestPensionRules(t *testing.T) {
	p, probs := Compile(pension())
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	day := calendar.MustDate("2026-11-26")
	cases := []struct {
		name   string
		in     Input
		want   string
		failed string
	}{
		{"adult local", Input{Form: map[string]any{"student": "否", "employee_insured": "否"}, Kind: "person", IDNumber: id("371602", "19700101"), Date: day}, Approve, ""},
		{"16 today", Input{Form: map[string]any{"student": false, "employee_insured": false}, Kind: "person", IDNumber: id("371602", "20101126"), Date: day}, Approve, ""},
		{"16 tomorrow", Input{Form: map[string]any{"student": false, "employee_insured": false}, Kind: "person", IDNumber: id("371602", "20101127"), Date: day}, Manual, "「年满16周岁」申请人未满16周岁"},
		{"outsider with 居住证", Input{Form: map[string]any{"student": false, "employee_insured": false}, Kind: "person", IDNumber: id("110101", "19700101"), Date: day,
			Certs: []Cert{{Type: "居住证", Valid: true}}}, Approve, ""},
		{"outsider with expired 居住证, insured", Input{Form: map[string]any{"student": false, "employee_insured": "是"}, Kind: "person", IDNumber: id("110101", "19700101"), Date: day,
			Certs: []Cert{{Type: "居住证", Valid: false}}}, Manual, "「未参加职工养老保险」已参加职工基本养老保险的不能重复参保；「本市户籍或持居住证」户籍不在本市且无有效居住证"},
		{"field missing", Input{Form: map[string]any{"student": false}, Kind: "person", IDNumber: id("371602", "19700101"), Date: day}, Manual, "「是否已参加职工基本养老保险」未填写或填写有误"},
		{"organisation", Input{Form: map[string]any{"student": false, "employee_insured": false}, Kind: "organization", IDNumber: "91371600MA3C0000X0", Date: day}, Manual, "「年满16周岁」申请人未满16周岁"},
	}
	for _, c := range cases {
		r, err := p.Evaluate(c.in)
		if err != nil {
			t.Fatal(c.name, err)
		}
		if r.Outcome != c.want || (c.failed != "" && FailureText(r.Failed) != c.failed) {
			t.Errorf("%s: %+v, want %s %s", c.name, r, c.want, c.failed)
		}
		if r.Outcome == Approve && (len(r.Passed) != 4 || !strings.HasPrefix(r.Text(), "秒批通过，符合规则：「年满16周岁」")) {
			t.Errorf("%s: the approval names every rule: %s", c.name, r.Text())
		}
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Set)
		want string
	}{
		{"unknown form field", func(s *Set) { s.Rules[1].Expr = "!form.studnet" }, "规则「非在校学生」用到了未定义的表单字段 form.studnet"},
		{"unknown applicant attribute", func(s *Set) { s.Rules[0].Expr = "applicant.birthday > 16" }, "规则「年满16周岁」用到了不存在的申请人信息 applicant.birthday"},
		{"unknown function", func(s *Set) { s.Rules[3].Expr = `has_certificate("居住证")` }, "规则「本市户籍或持居住证」用到了不存在的函数 has_certificate()"},
		{"unknown name", func(s *Set) { s.Rules[3].Expr = `residence == "本市"` }, "规则「本市户籍或持居住证」用到了未知的名称 residence"},
		{"type error", func(s *Set) { s.Rules[0].Expr = `applicant.age >= "16"` }, "规则「年满16周岁」的条件有误"},
		{"not a condition", func(s *Set) { s.Rules[0].Expr = `applicant.age` }, "规则「年满16周岁」的条件有误：条件的结果须为真/假"},
		{"syntax", func(s *Set) { s.Rules[0].Expr = `applicant.age >=` }, "规则「年满16周岁」的条件有误"},
		{"no message", func(s *Set) { s.Rules[2].Message = "" }, "规则「未参加职工养老保险」须写明不符合时的说明"},
		{"example disagrees", func(s *Set) { s.Examples[1].Expect = Approve }, "示例「15岁」预期秒批通过，规则给出转人工（「年满16周岁」申请人未满16周岁）"},
		{"example's failed rules", func(s *Set) { s.Examples[1].Failed = []string{"非在校学生"} }, "示例「15岁」预期不符合的规则为「非在校学生」，实际为「年满16周岁」"},
		{"bad field type", func(s *Set) { s.Fields[0].Type = "date" }, "表单字段“student”的类型须为"},
		{"no rules", func(s *Set) { s.Rules = nil; s.Examples = nil }, "秒批事项须至少有一条规则"},
	}
	for _, c := range cases {
		s := pension()
		c.edit(&s)
		_, probs := Compile(s)
		var msgs []string
		for _, p := range probs {
			msgs = append(msgs, p.Message)
		}
		if !strings.Contains(strings.Join(msgs, "\n"), c.want) {
			t.Errorf("%s: %q, want %q", c.name, msgs, c.want)
		}
	}
}

func TestLetAndPredicates(t *testing.T) {
	s := Set{Rules: []Rule{{Name: "持有有效营业执照", Expr: `let n = len(filter(certs, .valid && .type == "营业执照")); n > 0`, Message: "无有效营业执照"},
		{Name: "企业", Expr: `applicant.org_type in ["企业", "个体工商户"]`, Message: "申请人须为企业或个体工商户"}}}
	p, probs := Compile(s)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	r, _ := p.Evaluate(Input{Kind: "organization", IDNumber: "92371600MA3C0000X0", Certs: []Cert{{Type: "营业执照", Valid: true}}})
	if r.Outcome != Approve {
		t.Fatal(r)
	}
}

func TestAgeAndOrgType(t *testing.T) {
	if a := Age(calendar.MustDate("2000-02-29"), calendar.MustDate("2016-02-28")); a != 15 {
		t.Error(a)
	}
	if a := Age(calendar.MustDate("2000-02-29"), calendar.MustDate("2016-03-01")); a != 16 {
		t.Error(a)
	}
	a := ApplicantOf("person", id("371602", "19800101"), calendar.MustDate("2026-11-26"))
	if a.Age != 46 || a.Region != "371602" || a.Gender != "男" {
		t.Error(a)
	}
	if OrgType("12371600XXXXXXXXXX") != "事业单位" || OrgType("91371600") != "企业" {
		t.Error("org type")
	}
}

// BenchmarkEvaluate is the rules' cost at intake: one compiled program, one application.
func BenchmarkEvaluate(b *testing.B) {
	p, probs := Compile(pension())
	if len(probs) > 0 {
		b.Fatal(probs)
	}
	in := Input{Form: map[string]any{"student": "否", "employee_insured": "否"}, Kind: "person", IDNumber: id("110101", "19700101"), Date: calendar.MustDate("2026-11-26"),
		Certs: []Cert{{Type: "居住证", Valid: true}}}
	b.ReportAllocs()
	for b.Loop() {
		if r, _ := p.Evaluate(in); r.Outcome != Approve {
			b.Fatal(r)
		}
	}
}

// BenchmarkIntake is what intake does per case: find the item version's compiled program in
// the cache (by the set's JSON) and evaluate it.
func BenchmarkIntake(b *testing.B) {
	set := pension()
	in := Input{Form: map[string]any{"student": "否", "employee_insured": "否"}, Kind: "person", IDNumber: id("110101", "19700101"), Date: calendar.MustDate("2026-11-26"),
		Certs: []Cert{{Type: "居住证", Valid: true}}}
	b.ReportAllocs()
	for b.Loop() {
		p, probs := Cached(&set)
		if p == nil {
			b.Fatal(probs)
		}
		if r, _ := p.Evaluate(in); r.Outcome != Approve {
			b.Fatal(r)
		}
	}
}

// BenchmarkCompile is the cost of a cache miss: compiling and checking a set with its examples.
func BenchmarkCompile(b *testing.B) {
	set := pension()
	for b.Loop() {
		if p, probs := Compile(set); p == nil {
			b.Fatal(probs)
		}
	}
}

// TestMaskedExamples: the public sees the stored examples with their personal data masked —
// the ID number as 3716**********1234, a name field's answer as 张*, a phone by its shape —
// and everything else (rules, fields, expectations, certificates) whole; the set itself is
// left unchanged for the editor.
func TestMaskedExamples(t *testing.T) {
	set := Set{
		Fields: []Field{{Key: "holder", Label: "持卡人姓名", Type: Text}, {Key: "tel", Label: "电话", Type: Text}, {Key: "student", Label: "在校学生", Type: Bool}},
		Rules:  []Rule{{Name: "成年", Expr: "applicant.age >= 16", Message: "未成年"}},
		Examples: []Example{{Name: "本市成年居民", Form: map[string]any{"holder": "张三丰", "tel": "13805431234", "student": false},
			Applicant: ExampleApplicant{IDNumber: "371602198503150024"}, Certs: []Cert{{Type: "居民身份证", Valid: true}}, Expect: Approve}},
	}
	m := set.Masked()
	ex := m.Examples[0]
	if ex.Applicant.IDNumber != "3716**********0024" || ex.Form["holder"] != "张**" || ex.Form["tel"] != "138****1234" || ex.Form["student"] != false {
		t.Errorf("masked: %+v", ex)
	}
	if ex.Expect != Approve || len(ex.Certs) != 1 || len(m.Rules) != 1 || ex.Name != "本市成年居民" {
		t.Errorf("masked too much: %+v", m)
	}
	if set.Examples[0].Applicant.IDNumber != "371602198503150024" || set.Examples[0].Form["holder"] != "张三丰" {
		t.Errorf("the stored set was changed: %+v", set.Examples[0])
	}
}

func TestCheckAnswers(t *testing.T) {
	s := Set{Fields: []Field{{Key: "student", Label: "是否在校学生", Type: Bool}, {Key: "years", Label: "缴费年限", Type: Number}, {Key: "note", Label: "说明", Type: Text}}}
	got := s.CheckAnswers(map[string]any{"student": "maybe", "years": "十年", "note": ""}, false)
	if len(got) != 2 || got[0].Key != "student" || got[0].Message != "是否在校学生请选择“是”或“否”" || got[1].Key != "years" || got[1].Message != "缴费年限须为数字" {
		t.Errorf("wrong answers at the window: %+v", got)
	}
	if got := s.CheckAnswers(map[string]any{"student": "否"}, false); len(got) != 0 {
		t.Errorf("answers left out at the window are for a person: %+v", got)
	}
	got = s.CheckAnswers(map[string]any{"student": "是", "years": " "}, true)
	if len(got) != 2 || got[0].Key != "years" || got[0].Message != "请填写缴费年限" || got[1].Key != "note" {
		t.Errorf("answers left out online: %+v", got)
	}
	if got := s.CheckAnswers(map[string]any{"student": true, "years": 15.0, "note": "无"}, true); len(got) != 0 {
		t.Errorf("good answers: %+v", got)
	}
}
