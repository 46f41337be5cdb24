package pdfdoc_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"banhao/catalog"
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

func TestNoticeHasItemAndEveryMaterial(t *testing.T) {
	t.Parallel()
	it := demoCatalog(t)[0]
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
	items := demoCatalog(t)[:12]
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

// fullySpecified is an item with everything a guide has (the demo's 58 common items).
func fullySpecified(it catalog.Item) bool {
	return it.LegalBasis != "" && it.PromisedLimit.IsSet() && it.LegalLimit.IsSet() && len(it.Materials) >= 2 &&
		len(it.Steps) >= 2 && it.Where != "" && it.Hours != ""
}

var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

// TestNoticeFitsOnePage: the 一次性告知单 of every demo item — the fully specified ones and the
// district items with their long names — is one A4 page that ends with the center as issuer,
// the date and the seal area; its conditions read whole.
func TestNoticeFitsOnePage(t *testing.T) {
	t.Parallel()
	n := 0
	for _, it := range demoCatalog(t) {
		full := fullySpecified(it)
		if full {
			n++
		}
		var buf bytes.Buffer
		if err := pdfdoc.Notice(&buf, it, "滨州市政务服务中心", "http://127.0.0.1:8080/items/"+it.Code, printedAt); err != nil {
			t.Fatal(err)
		}
		if pages := len(pageObject.FindAll(buf.Bytes(), -1)); pages != 1 {
			t.Errorf("the notice of %s has %d pages, want 1", it.Name, pages)
		}
		if dir := os.Getenv("BANHAO_SCREENSHOTS"); dir != "" && len([]rune(it.Name)) > 80 {
			os.WriteFile(filepath.Join(dir, "notice-long-"+it.Code[len(it.Code)-4:]+".pdf"), buf.Bytes(), 0o600)
		}
		if !full { // one page: the seal and the date, drawn last, are on it (read back below for the rest)
			continue
		}
		text := strings.Join(strings.Fields(pdfText(t, buf.Bytes())), "")
		for _, want := range []string{"滨州市政务服务中心（盖章）", "2026年11月25日", strings.Join(strings.Fields(it.Conditions), "")} {
			if !strings.Contains(text, want) {
				t.Errorf("the notice of %s lacks %q", it.Name, want)
			}
		}
	}
	if n < 40 {
		t.Fatalf("%d fully specified demo items, want at least 40", n)
	}
}

// TestNoticeSaysAnyCenterForCitywideItems: a 全市通办 item's notice names its center and says
// that any center of the city accepts it; an item of one region names only its place.
func TestNoticeSaysAnyCenterForCitywideItems(t *testing.T) {
	t.Parallel()
	it := demoCatalog(t)[0]
	it.Where, it.Tongban = "滨州市政务服务中心一楼综合窗口", "city"
	var buf bytes.Buffer
	if err := pdfdoc.Notice(&buf, it, "滨州市政务服务中心", "http://127.0.0.1:8080/items/"+it.Code, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdfText(t, buf.Bytes())), "")
	if !strings.Contains(text, "滨州市政务服务中心一楼综合窗口；全市任一政务服务中心均可受理") {
		t.Errorf("the 全市通办 notice does not say any center accepts it: %s", text)
	}
	if got := pdfdoc.WhereText(catalog.Item{Where: "彭李街道便民服务中心"}); got != "彭李街道便民服务中心" {
		t.Errorf("an item of one region: 办理地点 %q", got)
	}
}
