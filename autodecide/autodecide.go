// Package autodecide is 秒批 (issue 16): an item version's rules over the application's form
// fields, the applicant (age from the ID number, kind, organisation type from the credit code)
// and the certificates they hold, written in expr-lang/expr, compiled and type-checked against
// an environment of Go types when the item is saved, tested there against the examples stored
// with them, and evaluated at intake: approve when every rule holds, otherwise hand the case to
// a person with the failed rules named. Everything here is a plain function: no database.
package autodecide

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"banhao/calendar"
	"banhao/identity"
	"banhao/ids"
)

// Field types of a form field the rules read.
const (
	Text   = "text"
	Number = "number"
	Bool   = "bool"
)

// FieldTypeNames are the field types' names.
var FieldTypeNames = map[string]string{Text: "文字", Number: "数字", Bool: "是/否"}

// Field is a form field the applicant fills in and the rules read as form.<key>.
type Field struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Type  string `json:"type"`
}

// Rule is one condition of approval: its name is what people read (可解释), Expr an expr
// expression that must be true, Message what the approver reads when it is not.
type Rule struct {
	Name    string `json:"name"`
	Expr    string `json:"expr"`
	Message string `json:"message"`
}

// Outcomes of an evaluation.
const (
	Approve = "approve" // every rule holds: the system approves
	Manual  = "manual"  // a rule failed (or a field is missing): a person decides
)

// Example is a stored test of the rules: an application and the outcome it must have.
type Example struct {
	Name      string           `json:"name"`
	Form      map[string]any   `json:"form,omitempty"`
	Applicant ExampleApplicant `json:"applicant"`
	Certs     []Cert           `json:"certs,omitempty"`
	// Date is the day of the evaluation (the age is counted to it); "" is 2026-01-01.
	Date   string `json:"date,omitempty"`
	Expect string `json:"expect"`
	// Failed, when given, are the names of the rules that must fail (in the rules' order).
	Failed []string `json:"failed,omitempty"`
}

// ExampleApplicant is an example's applicant: kind person or organization and ID number or
// credit code.
type ExampleApplicant struct {
	Kind     string `json:"kind,omitempty"`
	IDNumber string `json:"id_number"`
}

// Set is an item version's 秒批 rules: the form fields they read, the rules, the examples.
type Set struct {
	Fields   []Field   `json:"fields,omitempty"`
	Rules    []Rule    `json:"rules"`
	Examples []Example `json:"examples,omitempty"`
}

// Empty reports whether the set has no rule.
func (s *Set) Empty() bool { return s == nil || len(s.Rules) == 0 }

// Applicant is what the rules know of the applicant (applicant.xxx).
type Applicant struct {
	// Kind is person or organization.
	Kind string `expr:"kind"`
	// Age is the person's age in whole years on the day of the evaluation, from the birth date
	// in the ID number (-1 for an organisation).
	Age int `expr:"age"`
	// Gender is 男 or 女 (from the ID number; "" for an organisation).
	Gender string `expr:"gender"`
	// Region is the 6-digit area code of the ID number or credit code (户籍地/登记地).
	Region string `expr:"region"`
	// OrgType is the organisation's type from its credit code (企业, 个体工商户, 农民专业合作社,
	// 机关, 事业单位, 社会团体, 民办非企业单位, 基金会, 其他; "" for a person).
	OrgType string `expr:"org_type"`
}

// Cert is a certificate the applicant holds (certs: list; has_cert("类型")).
type Cert struct {
	Type  string `expr:"type" json:"type"`
	Valid bool   `expr:"valid" json:"valid"`
	// ExpiresOn is YYYY-MM-DD, "" for no expiry.
	ExpiresOn string `expr:"expires_on" json:"expires_on,omitempty"`
}

// Input is one application as the rules see it.
type Input struct {
	// Form is the application's form as decoded from JSON (values may be strings: "12", "是").
	Form      map[string]any
	Kind      string // person or organization
	IDNumber  string // the ID number or credit code
	Certs     []Cert
	Date      calendar.Date
	formError string
}

// Failure is a rule that did not hold (or a form field not filled in: Name is the field's label).
type Failure struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// Result is an evaluation: Approve with the rules that held, or Manual with those that failed.
type Result struct {
	Outcome string    `json:"outcome"`
	Passed  []string  `json:"passed"`
	Failed  []Failure `json:"failed,omitempty"`
}

// Text is the result in words for the timeline: 秒批通过：… or 转人工：….
func (r Result) Text() string {
	if r.Outcome == Approve {
		return "秒批通过，符合规则：" + strings.Join(quoted(r.Passed), "、")
	}
	return "转人工：" + FailureText(r.Failed)
}

// FailureText lists failed rules with their messages: 「年满16周岁」未满16周岁；….
func FailureText(fs []Failure) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = "「" + f.Name + "」" + f.Message
	}
	return strings.Join(parts, "；")
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "「" + n + "」"
	}
	return out
}

// Program is a compiled set: the programs in the rules' order and the environment's type.
type Program struct {
	set      Set
	programs []*vm.Program
	formType reflect.Type
	envType  reflect.Type
	fieldIdx map[string]int
	// readsCerts: a rule reads the applicant's certificates (certs, has_cert): evaluating it is
	// a read of their data, to go on their data-access list.
	readsCerts bool
}

// ReadsCertificates says whether a rule reads the applicant's certificates (certs or has_cert).
func (p *Program) ReadsCertificates() bool { return p.readsCerts }

// certsVisitor notes a use of the certificates' names.
type certsVisitor struct{ found bool }

func (v *certsVisitor) Visit(node *ast.Node) {
	if id, ok := (*node).(*ast.IdentifierNode); ok && (id.Value == "certs" || id.Value == "has_cert") {
		v.found = true
	}
}

// readsCertificates says whether the expression names certs or has_cert.
func readsCertificates(src string) bool {
	tree, err := parser.Parse(src)
	if err != nil {
		return false
	}
	v := &certsVisitor{}
	ast.Walk(&tree.Node, v)
	return v.found
}

// the environment's fixed names, for the error of an unknown one.
var names = []string{"form", "applicant", "certs", "has_cert", "today"}

var keyOK = func(k string) bool {
	if k == "" || len(k) > 40 {
		return false
	}
	for i, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Problem is one thing wrong with a set, under the field key a form shows it at.
type Problem struct {
	Field   string
	Message string
}

// Compile checks a set and compiles its rules against the environment; every problem is
// returned, in Chinese, naming the rule, field or example.
func Compile(set Set) (*Program, []Problem) {
	var probs []Problem
	add := func(field, format string, a ...any) { probs = append(probs, Problem{field, fmt.Sprintf(format, a...)}) }
	if len(set.Rules) == 0 {
		add("rules", "秒批事项须至少有一条规则")
	}
	if len(set.Rules) > 50 {
		add("rules", "秒批规则最多 50 条")
	}
	// The form's struct type: one field per declared form field, named by its key.
	var sf []reflect.StructField
	idx, keys := map[string]int{}, map[string]bool{}
	for i, f := range set.Fields {
		at := fmt.Sprintf("rules.fields[%d]", i)
		switch {
		case !keyOK(f.Key):
			add(at, "表单字段的键“%s”须为 1–40 位字母、数字或 _，以字母开头", excerpt(f.Key))
			continue
		case keys[f.Key]:
			add(at, "表单字段“%s”重复", f.Key)
			continue
		case strings.TrimSpace(f.Label) == "":
			add(at, "表单字段“%s”须有名称（申请人看到的文字）", f.Key)
		}
		keys[f.Key] = true
		t, ok := goType[f.Type]
		if !ok {
			add(at, "表单字段“%s”的类型须为文字（text）、数字（number）或是/否（bool）", f.Key)
			continue
		}
		idx[f.Key] = len(sf)
		sf = append(sf, reflect.StructField{Name: "F" + strconv.Itoa(len(sf)), Type: t, Tag: reflect.StructTag(`expr:"` + f.Key + `"`)})
	}
	formType := reflect.StructOf(sf)
	envType := reflect.StructOf([]reflect.StructField{
		{Name: "Form", Type: formType, Tag: `expr:"form"`},
		{Name: "Applicant", Type: reflect.TypeOf(Applicant{}), Tag: `expr:"applicant"`},
		{Name: "Certs", Type: reflect.TypeOf([]Cert{}), Tag: `expr:"certs"`},
		{Name: "HasCert", Type: reflect.TypeOf(func(string) bool { return false }), Tag: `expr:"has_cert"`},
		{Name: "Today", Type: reflect.TypeOf(""), Tag: `expr:"today"`},
	})
	p := &Program{set: set, formType: formType, envType: envType, fieldIdx: idx}
	env := reflect.New(envType).Elem().Interface()
	seen := map[string]bool{}
	for i, r := range set.Rules {
		at := fmt.Sprintf("rules.rules[%d]", i)
		name := strings.TrimSpace(r.Name)
		switch {
		case name == "":
			add(at, "第 %d 条规则须有名称（办事人员和申请人看到的文字）", i+1)
			name = fmt.Sprintf("第 %d 条", i+1)
		case utf8.RuneCountInString(name) > 40:
			add(at, "规则「%s」的名称不能超过 40 字", excerpt(name))
		case seen[name]:
			add(at, "规则「%s」重复", name)
		}
		seen[name] = true
		if strings.TrimSpace(r.Message) == "" {
			add(at, "规则「%s」须写明不符合时的说明", name)
		}
		if strings.TrimSpace(r.Expr) == "" {
			add(at, "规则「%s」的条件不能为空", name)
			p.programs = append(p.programs, nil)
			continue
		}
		if utf8.RuneCountInString(r.Expr) > 1000 {
			add(at, "规则「%s」的条件不能超过 1000 字", name)
			p.programs = append(p.programs, nil)
			continue
		}
		if msg := unknownNames(r.Expr, idx); msg != "" {
			add(at, "规则「%s」%s", name, msg)
			p.programs = append(p.programs, nil)
			continue
		}
		prog, err := expr.Compile(r.Expr, expr.Env(env), expr.AsBool())
		if err != nil {
			add(at, "规则「%s」的条件有误：%s", name, compileMessage(err))
			p.programs = append(p.programs, nil)
			continue
		}
		p.programs = append(p.programs, prog)
		p.readsCerts = p.readsCerts || readsCertificates(r.Expr)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	for i, ex := range set.Examples {
		at := fmt.Sprintf("rules.examples[%d]", i)
		name := cmpOr(strings.TrimSpace(ex.Name), fmt.Sprintf("第 %d 个", i+1))
		if ex.Expect != Approve && ex.Expect != Manual {
			add(at, "示例「%s」的预期结果须为 approve（秒批通过）或 manual（转人工）", name)
			continue
		}
		in, err := ex.input()
		if err != "" {
			add(at, "示例「%s」%s", name, err)
			continue
		}
		res, rerr := p.Evaluate(in)
		if rerr != nil {
			add(at, "示例「%s」运行出错：%v", name, rerr)
			continue
		}
		if res.Outcome != ex.Expect {
			got := "秒批通过"
			if res.Outcome == Manual {
				got = "转人工（" + FailureText(res.Failed) + "）"
			}
			add(at, "示例「%s」预期%s，规则给出%s", name, OutcomeName(ex.Expect), got)
			continue
		}
		if len(ex.Failed) > 0 {
			var names []string
			for _, f := range res.Failed {
				names = append(names, f.Name)
			}
			if !slices.Equal(names, ex.Failed) {
				add(at, "示例「%s」预期不符合的规则为%s，实际为%s", name, strings.Join(quoted(ex.Failed), "、"), strings.Join(quoted(names), "、"))
			}
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return p, nil
}

// OutcomeName is an outcome in words.
func OutcomeName(o string) string {
	if o == Approve {
		return "秒批通过"
	}
	return "转人工"
}

var goType = map[string]reflect.Type{Text: reflect.TypeOf(""), Number: reflect.TypeOf(float64(0)), Bool: reflect.TypeOf(false)}

// unknownNames walks the expression for names the environment does not have: a form field not
// declared, an applicant attribute or a function that does not exist. "" when all are known
// (or the expression does not parse: the compiler says why).
func unknownNames(src string, fields map[string]int) string {
	tree, err := parser.Parse(src)
	if err != nil {
		return ""
	}
	v := &namesVisitor{fields: fields, bound: map[string]bool{}}
	ast.Walk(&tree.Node, declared(v.bound))
	ast.Walk(&tree.Node, v)
	return v.msg
}

type namesVisitor struct {
	fields map[string]int
	msg    string
	// bound are the names let declares.
	bound map[string]bool
}

// declared gathers the names let declares and (as "name()") the names called.
type declared map[string]bool

func (d declared) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.VariableDeclaratorNode:
		d[n.Name] = true
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			d[id.Value+"()"] = true
		}
	}
}

var applicantNames = map[string]bool{"kind": true, "age": true, "gender": true, "region": true, "org_type": true}

func (v *namesVisitor) Visit(node *ast.Node) {
	if v.msg != "" {
		return
	}
	switch n := (*node).(type) {
	case *ast.MemberNode:
		id, ok := n.Node.(*ast.IdentifierNode)
		prop, isStr := n.Property.(*ast.StringNode)
		if !ok || !isStr {
			return
		}
		switch id.Value {
		case "form":
			if _, ok := v.fields[prop.Value]; !ok {
				v.msg = fmt.Sprintf("用到了未定义的表单字段 form.%s（须先在表单字段中声明）", prop.Value)
			}
		case "applicant":
			if !applicantNames[prop.Value] {
				v.msg = fmt.Sprintf("用到了不存在的申请人信息 applicant.%s（可用：age 年龄、kind 类型、gender 性别、region 地区代码、org_type 单位类型）", prop.Value)
			}
		}
	case *ast.IdentifierNode:
		if v.bound[n.Value+"()"] && !slices.Contains(names, n.Value) && !isBuiltin(n.Value) && !v.bound[n.Value] {
			v.msg = fmt.Sprintf("用到了不存在的函数 %s()（可用：has_cert(\"证照类型\") 及 expr 的内置函数）", n.Value)
			return
		}
		if !slices.Contains(names, n.Value) && !isBuiltin(n.Value) && n.Value != "$env" && !v.bound[n.Value] {
			v.msg = fmt.Sprintf("用到了未知的名称 %s（可用：form、applicant、certs、has_cert、today）", n.Value)
		}
	}
}

func isBuiltin(name string) bool {
	_, ok := builtin.Index[name]
	return ok
}

// compileMessage is the compiler's message without its source excerpt (the rule is named).
func compileMessage(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "\n"); i > 0 {
		msg = msg[:i]
	}
	if strings.Contains(msg, "expected bool") {
		return "条件的结果须为真/假（如 applicant.age >= 16）"
	}
	return msg
}

func excerpt(s string) string {
	if utf8.RuneCountInString(s) > 20 {
		return string([]rune(s)[:20]) + "…"
	}
	return s
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// input is the example as an application.
func (ex Example) input() (Input, string) {
	day := calendar.MakeDate(2026, 1, 1)
	if ex.Date != "" {
		d, err := calendar.ParseDate(ex.Date)
		if err != nil {
			return Input{}, "的日期须为 YYYY-MM-DD"
		}
		day = d
	}
	kind := cmpOr(ex.Applicant.Kind, "person")
	id := strings.ToUpper(strings.TrimSpace(ex.Applicant.IDNumber))
	switch kind {
	case "person":
		if !ids.ValidIDNumber(id) {
			return Input{}, "的申请人身份证号码无效（18 位，校验码须符合 GB 11643）"
		}
	case "organization":
		if !ids.ValidCreditCode(id) {
			return Input{}, "的申请人统一社会信用代码无效"
		}
	default:
		return Input{}, "的申请人类型须为 person（个人）或 organization（单位）"
	}
	return Input{Form: ex.Form, Kind: kind, IDNumber: id, Certs: ex.Certs, Date: day}, ""
}

// ApplicantOf is what the rules know of an applicant on a day.
func ApplicantOf(kind, id string, day calendar.Date) Applicant {
	a := Applicant{Kind: kind, Age: -1}
	if len(id) >= 8 {
		a.Region = id[:6]
		if kind == "organization" {
			a.Region = id[2:8]
		}
	}
	switch kind {
	case "person":
		if len(id) == 18 {
			if birth, err := calendar.ParseDate(id[6:10] + "-" + id[10:12] + "-" + id[12:14]); err == nil {
				a.Age = Age(birth, day)
			}
			if id[16]%2 == 1 {
				a.Gender = "男"
			} else {
				a.Gender = "女"
			}
		}
	case "organization":
		a.OrgType = OrgType(id)
	}
	return a
}

// Age is the age in whole years on day of a person born on birth.
func Age(birth, day calendar.Date) int {
	b, d := birth.String(), day.String() // YYYY-MM-DD
	by, _ := strconv.Atoi(b[:4])
	dy, _ := strconv.Atoi(d[:4])
	age := dy - by
	if d[5:] < b[5:] {
		age--
	}
	return age
}

// OrgType is an organisation's type from the first two characters of its credit code (GB 32100:
// 登记管理部门 and 机构类别).
func OrgType(code string) string {
	if len(code) < 2 {
		return "其他"
	}
	switch code[:2] {
	case "91":
		return "企业"
	case "92":
		return "个体工商户"
	case "93":
		return "农民专业合作社"
	case "11":
		return "机关"
	case "12":
		return "事业单位"
	case "51":
		return "社会团体"
	case "52":
		return "民办非企业单位"
	case "53":
		return "基金会"
	}
	return "其他"
}

// Evaluate runs every rule on one application: Approve with every rule's name when all hold,
// otherwise Manual with each failed rule (a declared form field left empty fails with its label).
func (p *Program) Evaluate(in Input) (Result, error) {
	env := reflect.New(p.envType).Elem()
	form := env.Field(0)
	var missing []Failure
	for _, f := range p.set.Fields {
		i := p.fieldIdx[f.Key]
		v, ok := formValue(in.Form[f.Key], f.Type)
		if !ok {
			missing = append(missing, Failure{Name: f.Label, Message: "未填写或填写有误"})
			continue
		}
		form.Field(i).Set(reflect.ValueOf(v))
	}
	env.Field(1).Set(reflect.ValueOf(ApplicantOf(in.Kind, in.IDNumber, in.Date)))
	certs := in.Certs
	if certs == nil {
		certs = []Cert{}
	}
	env.Field(2).Set(reflect.ValueOf(certs))
	env.Field(3).Set(reflect.ValueOf(func(t string) bool {
		return slices.ContainsFunc(certs, func(c Cert) bool { return c.Type == t && c.Valid })
	}))
	env.Field(4).SetString(in.Date.String())
	res := Result{Outcome: Approve, Passed: []string{}}
	if len(missing) > 0 {
		return Result{Outcome: Manual, Passed: []string{}, Failed: missing}, nil
	}
	e := env.Interface()
	for i, r := range p.set.Rules {
		out, err := expr.Run(p.programs[i], e)
		if err != nil {
			res.Failed = append(res.Failed, Failure{Name: r.Name, Message: r.Message + "（规则运行出错）"})
			continue
		}
		if ok, _ := out.(bool); ok {
			res.Passed = append(res.Passed, r.Name)
		} else {
			res.Failed = append(res.Failed, Failure{Name: r.Name, Message: r.Message})
		}
	}
	if len(res.Failed) > 0 {
		res.Outcome = Manual
	}
	return res, nil
}

// Fields are the set's form fields (for the application forms).
func (p *Program) Fields() []Field { return p.set.Fields }

// formValue reads a form value as the field's type: numbers and 是/否 may come as text.
func formValue(v any, typ string) (any, bool) {
	if v == nil {
		return nil, false
	}
	switch typ {
	case Text:
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		s = strings.TrimSpace(s)
		return s, s != ""
	case Number:
		switch n := v.(type) {
		case float64:
			return n, true
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
			return f, err == nil
		}
	case Bool:
		switch b := v.(type) {
		case bool:
			return b, true
		case string:
			switch strings.TrimSpace(b) {
			case "是", "true", "1", "yes":
				return true, true
			case "否", "false", "0", "no":
				return false, true
			}
		}
	}
	return nil, false
}

// Masked is the set as the public may see it (the guide, the public item API): the rules and
// fields whole, the stored examples' personal data masked — an ID number or credit code as
// 3716**********1234, a phone number as 138****1234, and a name (a field whose key or label says
// 姓名/名称/户名/name) as 张*. Only the item editor, for staff, shows the examples whole.
func (s Set) Masked() Set {
	names := map[string]bool{}
	for _, f := range s.Fields {
		k := strings.ToLower(f.Key)
		if strings.Contains(k, "name") || strings.Contains(f.Label, "姓名") || strings.Contains(f.Label, "名称") || strings.Contains(f.Label, "户名") {
			names[f.Key] = true
		}
	}
	out := s
	out.Examples = make([]Example, len(s.Examples))
	for i, ex := range s.Examples {
		ex.Applicant.IDNumber = identity.MaskID(ex.Applicant.IDNumber)
		if ex.Form != nil {
			form := make(map[string]any, len(ex.Form))
			for k, v := range ex.Form {
				if t, ok := v.(string); ok {
					v = maskText(t, names[k])
				}
				form[k] = v
			}
			ex.Form = form
		}
		out.Examples[i] = ex
	}
	return out
}

// maskText masks one form answer of an example: ID numbers, credit codes and phone numbers by
// their shape, names by their field.
func maskText(t string, name bool) string {
	switch s := strings.TrimSpace(t); {
	case name:
		return identity.MaskName(s)
	case (len(s) == 15 || len(s) == 18) && strings.Trim(s, "0123456789ABCDEFGHJKLMNPQRTUWXYx") == "":
		return identity.MaskID(s) // an ID number or a credit code, by its shape
	case ids.ValidPhone(s):
		return identity.MaskPhone(s)
	}
	return t
}

// Answer is a problem with an application's answer to a rule field that cannot be read: Key the field's key,
// Label its label, Message what the person should do.
type Answer struct {
	Key, Label, Message string
}

// CheckAnswers checks the answers to the set's form fields before an application is taken:
// an answer given must be of its field's type (是/否, a number); with all, every field must be
// answered (online and at the kiosk the applicant answers each; at the window an answer left
// out hands the case to a person, a wrong one never does).
func (s Set) CheckAnswers(form map[string]any, all bool) []Answer {
	var out []Answer
	for _, f := range s.Fields {
		v, given := form[f.Key]
		if str, ok := v.(string); ok && strings.TrimSpace(str) == "" {
			given = false
		}
		if !given || v == nil {
			if all {
				out = append(out, Answer{f.Key, f.Label, "请填写" + f.Label})
			}
			continue
		}
		if _, ok := formValue(v, f.Type); !ok {
			msg := f.Label + "填写有误"
			switch f.Type {
			case Bool:
				msg = f.Label + "请选择“是”或“否”"
			case Number:
				msg = f.Label + "须为数字"
			}
			out = append(out, Answer{f.Key, f.Label, msg})
		}
	}
	return out
}
