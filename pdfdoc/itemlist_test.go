package pdfdoc_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"banhao/pdfdoc"
)

// TestItemListKeepsEveryCharacter: the whole demo catalog printed as a published list: its
// title, count and 公布日期 on the first page, the header on every page, and every item's name,
// department and limit come back from the PDF whole — no character lost where a cell wraps.
func TestItemListKeepsEveryCharacter(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	items := demoCatalog(t)
	var buf bytes.Buffer
	if err := pdfdoc.ItemList(&buf, "滨州市政务服务事项实施清单", "2026年11月25日", items, printedAt); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "list.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	flat := strings.Join(strings.Fields(text), "")
	if !strings.Contains(text, "共 "+strconv.Itoa(len(items))+" 项") || !strings.Contains(text, "公布日期：2026年11月25日") {
		t.Errorf("first page: %.200q", text)
	}
	pages := strings.Count(text, "\f")
	if n := strings.Count(flat, "序号事项名称实施部门"); n != pages || pages < 2 {
		t.Errorf("the header is on %d of %d pages", n, pages)
	}
	for _, it := range items {
		for _, s := range []string{it.Name, it.Department.Name, it.PromisedLimit.String()} {
			if s != "" && !strings.Contains(flat, strings.Join(strings.Fields(s), "")) {
				t.Errorf("%s: %q does not come back whole", it.Code, s)
			}
		}
	}
}
