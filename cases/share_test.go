package cases_test

import (
	"testing"

	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
)

func TestShareMaterials(t *testing.T) {
	items := []catalog.Item{
		{Code: "A", Materials: []catalog.Material{{ID: "m1", Name: "申请书"}, {ID: "m2", Name: "经办人身份证件", Deferrable: true}, {ID: "m3", Name: "营业执照", Source: catalog.SourceCertificate}}},
		{Code: "B", Materials: []catalog.Material{{ID: "m1", Name: "经办人身份证件", Deferrable: true}, {ID: "m2", Name: "营业执照", Source: catalog.SourceCertificate}, {ID: "m3", Name: "申请书"}}},
		{Code: "C", Materials: []catalog.Material{{ID: "m1", Name: "营业执照"}, {ID: "m2", Name: "登记表", Source: catalog.SourceShared}}},
	}
	refs := map[string][]cases.MaterialRef{
		"A": {{MaterialID: "m1", FileID: "f-a1"}, {MaterialID: "m3", CertificateID: "lic"}},
		"B": {{MaterialID: "m3", FileID: "f-b3"}}, // B's own 申请书 stays B's
	}
	cases.ShareMaterials(items, refs)
	got := map[string]string{}
	for item, rs := range refs {
		for _, r := range rs {
			got[item+"."+r.MaterialID] = r.FileID + r.CertificateID
		}
	}
	want := map[string]string{"A.m1": "f-a1", "A.m3": "lic", "B.m2": "lic", "B.m3": "f-b3"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	// A certificate does not stand for an upload-only material of the same name; nothing is
	// invented for materials nobody supplied.
	for _, k := range []string{"C.m1", "A.m2", "B.m1", "C.m2"} {
		if v, ok := got[k]; ok {
			t.Errorf("%s got %q", k, v)
		}
	}
	due := calendar.MustDate("2026-12-10")
	d := cases.ShareDeferrals(items, refs, []cases.DeferInput{{Item: "A", MaterialID: "m2", Due: due}})
	if len(d) != 2 || d[1].Item != "B" || d[1].MaterialID != "m1" || d[1].Due != due {
		t.Errorf("deferrals %+v", d)
	}
}

// The merged form names, for a material asked again, the item that asks for it first; a material
// asked once, or taken from shared data, is the item's own.
func TestSharedWith(t *testing.T) {
	items := []catalog.Item{
		{Code: "A", Name: "甲", Materials: []catalog.Material{{ID: "m1", Name: "申请书"}, {ID: "m2", Name: "登记表", Source: catalog.SourceShared}}},
		{Code: "B", Name: "乙", Materials: []catalog.Material{{ID: "m1", Name: "身份证"}, {ID: "m3", Name: "申请书"}, {ID: "m4", Name: "登记表", Source: catalog.SourceShared}}},
		{Code: "C", Name: "丙", Materials: []catalog.Material{{ID: "m1", Name: "身份证"}, {ID: "m2", Name: "申请书"}, {ID: "m3", Name: "登记表"}}},
	}
	got := cases.SharedWith(items)
	want := map[string]map[string]string{"B": {"m3": "甲"}, "C": {"m1": "乙", "m2": "甲"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for code, ms := range want {
		if len(got[code]) != len(ms) {
			t.Errorf("%s: got %v, want %v", code, got[code], ms)
		}
		for id, name := range ms {
			if got[code][id] != name {
				t.Errorf("%s.%s shared with %q, want %q", code, id, got[code][id], name)
			}
		}
	}
}
