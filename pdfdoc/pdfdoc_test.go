package pdfdoc_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"banhao/catalog"
	"banhao/demo"
	"banhao/pdfdoc"
)

// pdfText extracts the text of a PDF with poppler's pdftotext, as a reader's viewer would.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("BANHAO_TEST_BROWSER") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func demoItems(t *testing.T) []catalog.Item {
	t.Helper()
	f, err := demo.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	return f.Items
}

func TestNoticeHasItemAndEveryMaterial(t *testing.T) {
	t.Parallel()
	it := demoItems(t)[0]
	it.Department.Name = "滨州市行政审批服务局"
	var buf bytes.Buffer
	if err := pdfdoc.Notice(&buf, it, "滨州市政务服务中心", "http://127.0.0.1:8080/items/"+it.Code, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 600<<10 {
		t.Errorf("notice is %d KiB; the font should be subset, not embedded whole", buf.Len()>>10)
	}
	text := strings.Join(strings.Fields(pdfText(t, buf.Bytes())), "")
	for _, want := range append([]string{it.Name, "一次性告知单", "滨州市行政审批服务局"}, materialNames(it)...) {
		if !strings.Contains(text, strings.Join(strings.Fields(want), "")) {
			t.Errorf("notice text lacks %q", want)
		}
	}
}

func materialNames(it catalog.Item) []string {
	var out []string
	for _, m := range it.Materials {
		out = append(out, m.Name)
	}
	return out
}

func TestGuideBookHasEveryItem(t *testing.T) {
	t.Parallel()
	items := demoItems(t)[:12]
	var buf bytes.Buffer
	if err := pdfdoc.GuideBook(&buf, items, "滨州市政务服务中心", time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdfText(t, buf.Bytes())), "")
	for _, it := range items {
		if !strings.Contains(text, it.Name) {
			t.Errorf("guide book lacks %q", it.Name)
		}
	}
}
