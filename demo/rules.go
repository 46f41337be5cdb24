package demo

import "banhao/autodecide"

// rules are the 秒批 rules of the demo's rules items (issue 16), with the examples they are
// checked against when the catalog is loaded. 城乡居民基本养老保险参保登记: a resident of the
// city aged 16 or over, not a student, not already in the employees' pension scheme, whose
// identity card the certificate library holds, is registered at once; anyone else goes to the
// 社保中心's approver with the rule that failed.
var rules = map[string]*autodecide.Set{
	"C0043": {
		Fields: []autodecide.Field{
			{Key: "student", Label: "是否为在校学生", Type: autodecide.Bool},
			{Key: "employee_insured", Label: "是否已参加职工基本养老保险", Type: autodecide.Bool},
		},
		Rules: []autodecide.Rule{
			{Name: "年满16周岁", Expr: `applicant.kind == "person" && applicant.age >= 16`, Message: "按身份证号码计算，申请人未满16周岁"},
			{Name: "非在校学生", Expr: `!form.student`, Message: "在校学生不参加城乡居民基本养老保险"},
			{Name: "未参加职工基本养老保险", Expr: `!form.employee_insured`, Message: "已参加职工基本养老保险的，不能重复参保"},
			{Name: "本市户籍或持有居住证", Expr: `applicant.region startsWith "3716" || has_cert("居住证")`, Message: "户籍不在本市，且没有有效的居住证"},
			{Name: "居民身份证有效", Expr: `has_cert("居民身份证")`, Message: "电子证照库中没有申请人有效的居民身份证，须人工核验证件"},
		},
		Examples: []autodecide.Example{
			{Name: "本市成年居民", Form: map[string]any{"student": false, "employee_insured": false},
				Applicant: autodecide.ExampleApplicant{IDNumber: completeID("37160219850315002")},
				Certs:     []autodecide.Cert{{Type: "居民身份证", Valid: true}}, Date: "2026-11-26", Expect: autodecide.Approve},
			{Name: "未满16周岁", Form: map[string]any{"student": false, "employee_insured": false},
				Applicant: autodecide.ExampleApplicant{IDNumber: completeID("37160220101127002")},
				Certs:     []autodecide.Cert{{Type: "居民身份证", Valid: true}}, Date: "2026-11-26", Expect: autodecide.Manual, Failed: []string{"年满16周岁"}},
			{Name: "已参加职工养老保险", Form: map[string]any{"student": "否", "employee_insured": "是"},
				Applicant: autodecide.ExampleApplicant{IDNumber: completeID("37160219850315002")},
				Certs:     []autodecide.Cert{{Type: "居民身份证", Valid: true}}, Date: "2026-11-26", Expect: autodecide.Manual, Failed: []string{"未参加职工基本养老保险"}},
			{Name: "外地户籍、身份证未入库", Form: map[string]any{"student": false, "employee_insured": false},
				Applicant: autodecide.ExampleApplicant{IDNumber: completeID("11010119850315002")},
				Date:      "2026-11-26", Expect: autodecide.Manual, Failed: []string{"本市户籍或持有居住证", "居民身份证有效"}},
		},
	},
}
