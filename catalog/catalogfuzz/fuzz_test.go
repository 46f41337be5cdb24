// Package catalogfuzz fuzzes the catalog importers. It links only the parsers, not the database
// engines, so that coverage-guided fuzzing runs at full speed.
package catalogfuzz_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"banhao/catalog"
)

// The importers face files from anywhere: whatever the bytes, they return a catalog or row
// errors, never panic, and what they accept survives being written and read again.

// sample is a small catalog touching every column and sheet.
func sample() *catalog.File {
	it := catalog.Item{Code: "A370001-371600000000-000-X-1-00", Name: "企业设立登记", Type: "行政许可", Status: "published",
		Department: catalog.Ref{Code: "XZSP", Name: "行政审批服务局"}, Section: catalog.Ref{Code: "S01", Name: "商事服务"},
		LegalLimit: catalog.Limit{Value: 15, Unit: "working_day"}, PromisedLimit: catalog.Limit{Value: 1, Unit: "working_day"},
		Visits: 1, VisitsReason: "核验原件", OnlineDepth: 3, Fee: catalog.Fee{Charged: true, Standard: "10元", Basis: "文件"},
		HandlingMode: "commitment", ReformMode: "commitment",
		DeliveryMethods: []string{"window", "mail"}, Keywords: []string{"营业执照", "开公司"}, Themes: []string{"company_setup"},
		Materials: []catalog.Material{{ID: "m1", Name: "申请书", Required: true, Source: "applicant", Originals: 1},
			{ID: "m2", Name: "营业执照", Source: "certificate", CertificateType: "营业执照", Deferrable: true}},
		Steps: []catalog.Step{{Name: "受理", Limit: catalog.Limit{Unit: "immediate"}}, {Name: "决定", Limit: catalog.Limit{Value: 1, Unit: "working_day"}}}}
	other := it
	other.Code, other.Name, other.Materials, other.Steps = "C-2", "公积金提取", nil, nil
	return &catalog.File{Items: []catalog.Item{it, other},
		Sections:    []catalog.Section{{Code: "S01", Name: "商事服务", Sort: 10}},
		Departments: []catalog.Department{{Code: "XZSP", Name: "行政审批服务局"}}}
}

func seedFile(f *testing.F, format string) {
	cat := sample()
	var buf bytes.Buffer
	if err := catalog.Write(format, &buf, cat, time.Time{}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
}

func checkParsed(t *testing.T, format string, parsed *catalog.File, err error) {
	if err != nil {
		if _, ok := err.(*catalog.ImportError); !ok {
			t.Fatalf("parse error is %T (%v), want *ImportError", err, err)
		}
		return
	}
	for i := range parsed.Items {
		it := parsed.Items[i]
		it.Normalize()
		_ = catalog.Validate(&it, it.Status)
	}
	var buf bytes.Buffer
	if err := catalog.Write(format, &buf, parsed, time.Time{}); err != nil {
		t.Fatalf("write back: %v", err)
	}
	if format == "csv" { // no written cell starts a spreadsheet formula
		recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
		if err != nil {
			t.Fatalf("the written CSV does not read: %v", err)
		}
		for _, rec := range recs {
			for _, cell := range rec {
				if cell != "" && strings.ContainsAny(cell[:1], "=+-@\t\r") {
					t.Fatalf("written cell starts a formula: %q", cell)
				}
			}
		}
	}
	again, err := catalog.Parse(format, &buf)
	if err != nil && len(parsed.Items) > 0 {
		t.Fatalf("re-reading what was written: %v", err)
	}
	if err == nil && len(again.Items) != len(parsed.Items) {
		t.Fatalf("round trip: %d items became %d", len(parsed.Items), len(again.Items))
	}
	if err == nil && format == "csv" { // and what was written reads back the same
		for i := range again.Items {
			a, b := parsed.Items[i], again.Items[i]
			if a.Name != b.Name || a.LegalBasis != b.LegalBasis || !slices.Equal(a.Keywords, b.Keywords) {
				t.Fatalf("round trip: %q %q %q became %q %q %q", a.Name, a.LegalBasis, a.Keywords, b.Name, b.LegalBasis, b.Keywords)
			}
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	seedFile(f, "csv")
	if b, err := os.ReadFile("../../demo/real-district-items.csv"); err == nil {
		f.Add(b[:4000])
	}
	f.Add([]byte("code,name\n\"unterminated,x\n"))
	f.Add([]byte("\ufeffcode,name,visits\nA,名称,notanumber\n"))
	f.Add([]byte("code,name,keywords,legal_basis\n-1,\"=HYPERLINK(\"\"//e.x\"\")\",@a、+b,'=c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parsed, err := catalog.ParseCSV(data)
		checkParsed(t, "csv", parsed, err)
	})
}

func FuzzParseJSON(f *testing.F) {
	seedFile(f, "json")
	f.Add([]byte(`{"items":[{"code":"A","name":"x","department":"D","materials":[{"id":"m1"}]}]}`))
	f.Add([]byte(`{"items":[{"code":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		parsed, err := catalog.ParseJSON(data)
		checkParsed(t, "json", parsed, err)
	})
}

func FuzzParseXLSX(f *testing.F) {
	seedFile(f, "xlsx")
	f.Add([]byte("PK\x03\x04not really a zip"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parsed, err := catalog.ParseXLSX(data)
		checkParsed(t, "xlsx", parsed, err)
	})
}
