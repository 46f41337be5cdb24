package catalog

import (
	"fmt"
	"strings"
	"testing"

	"banhao/errs"
)

func companyForm() BundleForm {
	all := []string{"A1", "Z7", "G9"}
	return BundleForm{Fields: []FormField{
		{Key: "company_name", Label: "企业名称", Type: "text", Required: true, Items: all, Feeds: []string{"name", "company", "taxpayer_name"}},
		{Key: "credit_code", Label: "统一社会信用代码", Type: "credit_code", Items: []string{"Z7", "G9"}},
		{Key: "legal_id", Label: "法定代表人身份证号", Type: "id_number", Required: true, Items: all},
		{Key: "phone", Label: "联系电话", Type: "phone", Required: true, Items: all},
		{Key: "capital", Label: "注册资本（万元）", Type: "number", Items: []string{"A1"}, Min: ptr(0.0)},
		{Key: "kind", Label: "企业类型", Type: "choice", Items: []string{"A1"}, Options: []string{"有限责任公司", "股份有限公司"}},
		{Key: "start", Label: "成立日期", Type: "date", Items: []string{"A1"}},
		{Key: "address", Label: "住所", Type: "address", Required: true, Items: all},
	}}
}

func ptr[T any](v T) *T { return &v }

func TestValidateFormNamesEveryBadField(t *testing.T) {
	t.Parallel()
	good := map[string]string{"company_name": "滨州某某科技有限公司", "credit_code": "91350100M000100Y43", "legal_id": "11010519491231002X",
		"phone": "13805431234", "capital": "100", "kind": "有限责任公司", "start": "2026-11-26", "address": "滨州市黄河五路391号"}
	if err := ValidateForm(companyForm(), good); err != nil {
		t.Fatalf("good form: %v", err)
	}
	bad := map[string]string{"company_name": "", "credit_code": "91350100M000100Y44", "legal_id": "110105194912310021",
		"phone": "12345", "capital": "-3", "kind": "合伙", "start": "2026-02-30", "address": "滨州", "nickname": "x"}
	err := ValidateForm(companyForm(), bad)
	e, ok := errs.As(err)
	if !ok {
		t.Fatalf("bad form accepted: %v", err)
	}
	named := map[string]string{}
	for _, f := range e.Fields {
		named[f.Field] = f.Message
	}
	for _, f := range []string{"company_name", "credit_code", "legal_id", "phone", "capital", "kind", "start", "address", "nickname"} {
		if named["form."+f] == "" {
			t.Errorf("no error for form.%s (got %v)", f, named)
		}
	}
	if !strings.Contains(named["form.credit_code"], "统一社会信用代码") || !strings.Contains(named["form.legal_id"], "身份证") {
		t.Errorf("messages do not say what is wrong: %v", named)
	}
}

func TestItemFormFeedsEachItemOnce(t *testing.T) {
	t.Parallel()
	vals := map[string]string{"company_name": "滨州某某科技有限公司", "legal_id": "11010519491231002X", "phone": "13805431234", "address": "滨州市黄河五路391号"}
	z7 := ItemForm(companyForm(), vals, "Z7")
	if z7["company"] != "滨州某某科技有限公司" || z7["legal_id"] == "" || z7["capital"] != "" {
		t.Fatalf("seal carving gets %v", z7)
	}
}

func TestValidateBundle(t *testing.T) {
	t.Parallel()
	b := Bundle{Code: "KBQY", Name: "开办企业", Stages: []Stage{{Name: "一", Items: []string{"A1", "Z7", "G9"}}},
		PromisedLimit: Limit{3, WorkingDay}, Form: companyForm()}
	if err := ValidateBundle(&b, StatusPublished); err != nil {
		t.Fatal(err)
	}
	b.Form.Fields = append(b.Form.Fields, FormField{Key: "phone", Label: "电话", Type: "phone", Items: []string{"X9"}})
	b.Stages = append(b.Stages, Stage{Name: "二", Items: []string{"A1"}})
	e, _ := errs.As(ValidateBundle(&b, StatusPublished))
	if e == nil || len(e.Fields) < 3 {
		t.Fatalf("duplicate field, unknown item and repeated item not all reported: %v", e)
	}
}

// BenchmarkValidateForm60 validates a 60-field merged form (target < 1 ms).
func BenchmarkValidateForm60(b *testing.B) {
	types := []string{"text", "number", "date", "id_number", "credit_code", "phone", "address", "choice"}
	samples := map[string]string{"text": "滨州某某科技有限公司", "number": "120.5", "date": "2026-11-26", "id_number": "11010519491231002X",
		"credit_code": "91350100M000100Y43", "phone": "13805431234", "address": "滨州市黄河五路391号", "choice": "是"}
	var form BundleForm
	vals := map[string]string{}
	for i := range 60 {
		ty := types[i%len(types)]
		key := fmt.Sprintf("f%02d", i)
		form.Fields = append(form.Fields, FormField{Key: key, Label: key, Type: ty, Required: true, Items: []string{"A"}, Options: []string{"是", "否"}})
		vals[key] = samples[ty]
	}
	for b.Loop() {
		if err := ValidateForm(form, vals); err != nil {
			b.Fatal(err)
		}
	}
}
