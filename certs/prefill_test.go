package certs_test

import (
	"testing"

	"banhao/catalog"
	"banhao/certs"
)

func TestPrefill(t *testing.T) {
	fields := []catalog.FormField{
		{Key: "company_name", Label: "企业名称", Type: "text"},
		{Key: "capital", Label: "注册资本（万元）", Type: "number"},
		{Key: "scope", Label: "经营范围", Type: "text"},
		{Key: "address", Label: "住所", Type: "address"},
		{Key: "legal_name", Label: "法定代表人姓名", Type: "text"},
		{Key: "legal_id", Label: "法定代表人身份证号", Type: "id_number"},
		{Key: "phone", Label: "联系电话", Type: "phone"},
		{Key: "code", Label: "建设单位统一社会信用代码", Type: "credit_code"},
		{Key: "employees", Label: "参保职工人数", Type: "number"},
	}
	lic := certs.Certificate{Type: "营业执照", Status: certs.Valid, Data: map[string]any{"注册资本": "500 万元", "经营范围": "软件开发", "住所": "黄河五路 500 号"}}
	revoked := certs.Certificate{Type: "旧执照", Status: certs.Revoked, Data: map[string]any{"住所": "旧地址"}}
	got := certs.Prefill(fields, certs.Facts{Kind: certs.Org, Name: "黄河科技", IDNumber: "91371600MA3C8HDT02", Phone: "13805430002", LegalRep: "张明",
		Held: []certs.Certificate{revoked, lic}})
	want := map[string]string{"company_name": "黄河科技", "capital": "500", "scope": "软件开发", "address": "黄河五路 500 号", "legal_name": "张明",
		"phone": "13805430002", "code": "91371600MA3C8HDT02"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for _, k := range []string{"legal_id", "employees"} {
		if v, ok := got[k]; ok {
			t.Errorf("%s prefilled with %q from nothing the center holds", k, v)
		}
	}
	// A person's own ID fills an id_number field that is not someone else's.
	p := certs.Prefill([]catalog.FormField{{Key: "buyer_id", Label: "买受人身份证号", Type: "id_number"}, {Key: "legal_id", Label: "法定代表人身份证号", Type: "id_number"}},
		certs.Facts{Kind: certs.Person, IDNumber: "371602198503150024"})
	if p["buyer_id"] != "371602198503150024" || p["legal_id"] != "" {
		t.Errorf("person: %v", p)
	}
}
