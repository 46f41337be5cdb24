package catalog_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"banhao/catalog"
)

// formulaItem carries, in every kind of text column, values a spreadsheet would run as a
// formula (OWASP CSV injection) — and one that already starts with the quote that guards them.
func formulaItem() catalog.Item {
	it := catalog.Item{Code: "F-1", Name: `=HYPERLINK("//e.x","点此领取补贴")`, Type: "行政许可", Status: catalog.StatusDraft,
		Department: catalog.Ref{Code: "XZSP", Name: "+行政审批服务局"}, Section: catalog.Ref{Code: "S01", Name: "@商事服务"},
		Keywords: []string{"@SUM(1)", "营业执照"}, LegalBasis: "-2+3", Conditions: "\t=1+1", VisitsReason: "\r=2",
		Fee: catalog.Fee{Standard: "'=原样的引号", Basis: "''+两个引号"}, Where: "'普通的引号",
		LegalLimit: catalog.Limit{Value: -1, Unit: catalog.WorkingDay}}
	return it
}

// TestCSVExportNeverStartsAFormula: finding 2 — no exported cell begins with = + - @ tab or CR,
// and the import gives back exactly what was exported.
func TestCSVExportNeverStartsAFormula(t *testing.T) {
	t.Parallel()
	want := formulaItem()
	var buf bytes.Buffer
	if err := catalog.WriteCSV(&buf, &catalog.File{Items: []catalog.Item{want}}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		for j, cell := range rec {
			if cell != "" && strings.ContainsAny(cell[:1], "=+-@\t\r") {
				t.Errorf("column %s starts a formula: %q", recs[0][j], cell)
			}
		}
	}
	f, err := catalog.ParseCSV(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got := f.Items[0]
	for _, c := range []struct{ name, got, want string }{
		{"name", got.Name, want.Name}, {"department_name", got.Department.Name, want.Department.Name},
		{"section_name", got.Section.Name, want.Section.Name}, {"legal_basis", got.LegalBasis, want.LegalBasis},
		{"fee_standard", got.Fee.Standard, want.Fee.Standard}, {"fee_basis", got.Fee.Basis, want.Fee.Basis},
		{"where", got.Where, want.Where},
		// The import trims cells, so the leading tab and CR go; what follows comes back.
		{"conditions", got.Conditions, "=1+1"}, {"visits_reason", got.VisitsReason, "=2"},
	} {
		if c.got != c.want {
			t.Errorf("%s came back as %q, want %q", c.name, c.got, c.want)
		}
	}
	if !slices.Equal(got.Keywords, want.Keywords) || got.LegalLimit.Value != -1 {
		t.Errorf("keywords %q limit %d, want %q -1", got.Keywords, got.LegalLimit.Value, want.Keywords)
	}
}

// TestExcelExportWritesText: the workbook holds the same values as text cells, never formulas.
func TestExcelExportWritesText(t *testing.T) {
	t.Parallel()
	want := formulaItem()
	var buf bytes.Buffer
	f := &catalog.File{Items: []catalog.Item{want}, Bundles: []catalog.Bundle{{Code: "B-1", Name: "=1+1", Keywords: []string{"@x"}}}}
	if err := catalog.WriteXLSX(&buf, f); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	for _, sheet := range wb.GetSheetList() {
		rows, err := wb.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			for j := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if fm, _ := wb.GetCellFormula(sheet, cell); fm != "" {
					t.Errorf("%s!%s is the formula %q", sheet, cell, fm)
				}
			}
		}
	}
	if v, _ := wb.GetCellValue("事项", "B2"); v != want.Name {
		t.Errorf("事项!B2 = %q, want the name as text %q", v, want.Name)
	}
	back, err := catalog.ParseXLSX(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if back.Items[0].Name != want.Name || back.Items[0].Fee.Standard != want.Fee.Standard || back.Bundles[0].Name != "=1+1" {
		t.Errorf("xlsx round trip: %q %q %q", back.Items[0].Name, back.Items[0].Fee.Standard, back.Bundles[0].Name)
	}
}

// TestErrorMessagesQuoteLittle: a 300 kB keyword or theme is named by its first characters.
func TestErrorMessagesQuoteLittle(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("长", 100_000)
	it := catalog.Item{Code: "C-1", Name: "企业设立登记", Type: "行政许可", Department: catalog.Ref{Code: "XZSP"},
		Keywords: []string{long, "=HYPERLINK(\"//e.x\")", "+1", "@a", "-b"}, Themes: []string{long}, DeliveryMethods: []string{long}}
	err := catalog.Validate(&it, catalog.StatusDraft)
	if err == nil {
		t.Fatal("Validate accepted the words")
	}
	msg := err.Error()
	if len(msg) > 2000 {
		t.Fatalf("the message has %d bytes: %.200s…", len(msg), msg)
	}
	for _, want := range []string{"关键词“" + strings.Repeat("长", 20) + "…”超过 20 字", "主题“" + strings.Repeat("长", 20) + "…”不存在",
		"关键词“=HYPERLINK(\"//e.x\")”不能以 = + - @ 开头", "关键词“+1”不能以", "关键词“@a”不能以", "关键词“-b”不能以"} {
		if !strings.Contains(msg, want) {
			t.Errorf("no %q in %.300s", want, msg)
		}
	}
	if got := catalog.Excerpt("营业执照"); got != "营业执照" {
		t.Errorf("Excerpt of a short word = %q", got)
	}
}

// TestSearchQueryIsBounded: finding 1 — a query longer than people type is refused naming q;
// control characters go before anything matches.
func TestSearchQueryIsBounded(t *testing.T) {
	t.Parallel()
	if _, err := catalog.CleanQuery(strings.Repeat("营", catalog.MaxQueryLen)); err != nil {
		t.Errorf("%d characters refused: %v", catalog.MaxQueryLen, err)
	}
	_, err := catalog.CleanQuery(strings.Repeat("营", 1_000_000))
	if err == nil || !strings.Contains(err.Error(), "搜索内容不能超过 100 个字") {
		t.Fatalf("a million characters: %v", err)
	}
	for in, want := range map[string]string{"营业\x00执照": "营业执照", "\x00": "", "营业\t执照\r\n": "营业 执照  ", "a\u202eb\u200bc": "abc", "\xff公积金": "公积金"} {
		if got, err := catalog.CleanQuery(in); err != nil || got != want {
			t.Errorf("CleanQuery(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
