package cases

import (
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/errs"
)

// TestMissing: what keeps a self-service application from being submitted.
func TestMissing(t *testing.T) {
	t.Parallel()
	form := catalog.Material{ID: "m1", Name: "申请表", Required: true, Source: catalog.SourceApplicant}
	licence := catalog.Material{ID: "m2", Name: "营业执照", Required: true, Source: catalog.SourceCertificate, CertificateType: "营业执照"}
	lease := catalog.Material{ID: "m3", Name: "租赁合同", Required: true, Deferrable: true, Source: catalog.SourceApplicant}
	photo := catalog.Material{ID: "m4", Name: "照片", Source: catalog.SourceApplicant}                 // optional
	record := catalog.Material{ID: "m5", Name: "户籍信息", Required: true, Source: catalog.SourceShared} // from shared data
	all := []catalog.Material{form, licence, lease, photo, record}
	file := func(id string) MaterialRef { return MaterialRef{MaterialID: id, FileID: "f_" + id} }
	cert := func(id string) MaterialRef { return MaterialRef{MaterialID: id, CertificateID: "c_" + id} }
	tests := []struct {
		name string
		in   Supplied
		want string // names of the missing materials, in the guide's order
	}{
		{"nothing given", Supplied{}, "申请表 营业执照 租赁合同"},
		{"every required one as a file", Supplied{Refs: []MaterialRef{file("m1"), file("m2"), file("m3")}}, ""},
		{"a certificate stands for its material", Supplied{Refs: []MaterialRef{file("m1"), cert("m2"), file("m3")}}, ""},
		{"the library fills the certificate", Supplied{Refs: []MaterialRef{file("m1"), file("m3")}, Library: []string{"m2"}}, ""},
		{"容缺 where the item allows it", Supplied{Refs: []MaterialRef{file("m1"), file("m2")}, Deferred: []string{"m3"}}, ""},
		{"容缺 where it does not", Supplied{Refs: []MaterialRef{file("m2"), file("m3")}, Deferred: []string{"m1"}}, "申请表"},
		{"a reference without a file or certificate", Supplied{Refs: []MaterialRef{{MaterialID: "m1"}, file("m2"), file("m3")}}, "申请表"},
		{"an optional material is never missing", Supplied{Refs: []MaterialRef{file("m1"), file("m2"), file("m3")}}, ""},
		{"two missing", Supplied{Refs: []MaterialRef{file("m2")}}, "申请表 租赁合同"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, m := range Missing(all, tc.in) {
				got = append(got, m.Name)
			}
			if strings.Join(got, " ") != tc.want {
				t.Fatalf("missing %q, want %q", strings.Join(got, " "), tc.want)
			}
		})
	}
}

// TestIncompleteErrorNamesEachMaterial: one field per material, by its name, in Chinese.
func TestIncompleteErrorNamesEachMaterial(t *testing.T) {
	t.Parallel()
	if IncompleteError("", nil) != nil {
		t.Fatal("nothing missing is no error")
	}
	err := IncompleteError("", []catalog.Material{
		{ID: "m1", Name: "申请表", Required: true},
		{ID: "m3", Name: "租赁合同", Required: true, Deferrable: true},
		{ID: "m2", Name: "营业执照", Required: true, Source: catalog.SourceCertificate},
	})
	e, ok := errs.As(err)
	if !ok || e.Code != errs.CodeInvalid || len(e.Fields) != 3 {
		t.Fatalf("%v", err)
	}
	if !strings.Contains(e.Message, "申请表、租赁合同、营业执照") {
		t.Errorf("message %q does not name the materials", e.Message)
	}
	for i, want := range []struct{ field, hint string }{{"申请表", "请上传文件"}, {"租赁合同", "容缺后补"}, {"营业执照", "电子证照"}} {
		if e.Fields[i].Field != want.field || !strings.Contains(e.Fields[i].Message, want.hint) {
			t.Errorf("field %d: %+v, want %s with %q", i, e.Fields[i], want.field, want.hint)
		}
	}
	if strings.Contains(e.Fields[0].Message, "容缺") {
		t.Errorf("a material that may not be deferred is offered 容缺: %q", e.Fields[0].Message)
	}
}

// TestWindowIncompleteSaysItStopsAcceptance: the window's refusal has IncompleteError's shape
// (incompleteError, written once) and says it stops the acceptance, with the window's own hints.
func TestWindowIncompleteSaysItStopsAcceptance(t *testing.T) {
	t.Parallel()
	if windowIncomplete(nil) != nil {
		t.Fatal("nothing missing is no error")
	}
	e, ok := errs.As(windowIncomplete([]catalog.Material{{ID: "m1", Name: "申请表", Required: true}, {ID: "m3", Name: "租赁合同", Required: true, Deferrable: true}}))
	if !ok || e.Code != errs.CodeInvalid || e.Message != "缺少 2 项必需材料，不能受理：申请表、租赁合同" || len(e.Fields) != 2 {
		t.Fatalf("%+v", e)
	}
	if f := e.Fields[1]; f.Field != "租赁合同" || f.Message != "必需材料，尚未提交，不能受理：请上传扫描件，或勾选容缺并填写承诺补交日期（材料不齐的，可改为发出补正告知）" {
		t.Errorf("field: %+v", f)
	}
}
