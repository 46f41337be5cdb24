package pdfdoc_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"banhao/pdfdoc"
)

// TestGuideBookContents: the contents of the whole demo catalog's guide book give every item a
// page number, the item's guide really starts on that page, each contents line links to that
// page, and the PDF outline has a bookmark for the contents, each section and each item.
func TestGuideBookContents(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	items := demoCatalog(t)
	var buf bytes.Buffer
	if err := pdfdoc.GuideBook(&buf, items, "滨州市政务服务中心", printedAt); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "book.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	page := func(from, to int, layout bool) string {
		args := []string{"-enc", "UTF-8", "-f", fmt.Sprint(from), "-l", fmt.Sprint(to), path, "-"}
		if layout {
			args = append([]string{"-layout"}, args...)
		}
		out, err := exec.Command("pdftotext", args...).Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		return string(out)
	}

	// The contents follow the cover and run up to the first item's page, the first number they
	// print; read them as laid out: "12. 事项（部门） …… 21".
	pages := len(pageObject.FindAll(buf.Bytes(), -1))
	first := regexp.MustCompile(`\s{2,}(\d+)\s*\n`).FindStringSubmatch(page(2, 2, true))
	if first == nil {
		t.Fatalf("page 2 has no page numbers: %.300q", page(2, 2, true))
	}
	firstItem, _ := strconv.Atoi(first[1])
	tocPages := firstItem - 2
	toc := page(2, 1+tocPages, true)
	if !strings.HasPrefix(strings.TrimSpace(toc), "目录") {
		t.Fatalf("page 2 does not start the contents: %.200q", toc)
	}
	entry := regexp.MustCompile(`(?m)^\s*(\d+)\. (.+?)\s{2,}(\d+)\s*$`)
	printed := map[int]int{} // item number → page printed in the contents
	var numbers []int        // every page number of the contents, in order (sections and items)
	for _, line := range strings.Split(toc, "\n") {
		if m := entry.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			p, _ := strconv.Atoi(m[3])
			printed[n] = p
		}
		if m := regexp.MustCompile(`\s{2,}(\d+)\s*$`).FindStringSubmatch(line); m != nil {
			p, _ := strconv.Atoi(m[1])
			numbers = append(numbers, p)
		}
	}
	if len(printed) < len(items)*9/10 { // a few long names wrap onto a second line
		t.Fatalf("the contents give a page number to %d of %d items", len(printed), len(items))
	}
	if !slices.IsSorted(numbers) || tocPages < 1 || numbers[len(numbers)-1] > pages {
		t.Fatalf("contents page numbers %v… (of %d) out of order or out of the book (%d pages, contents on %d)", numbers[:5], len(numbers), pages, tocPages)
	}
	// Open the stated page of some items: their guide starts there.
	title := regexp.MustCompile(`^\s*(\d+)\. `)
	for n := 1; n <= len(items); n += 23 {
		p, ok := printed[n]
		if !ok {
			continue
		}
		text := strings.TrimSpace(page(p, p, false))
		if m := title.FindStringSubmatch(text); m == nil || m[1] != fmt.Sprint(n) {
			t.Errorf("the contents put item %d on page %d, which starts %.60q", n, p, text)
		}
	}

	// Links: the contents lines link, in order, to the pages they print.
	raw := buf.Bytes()
	var linked []int
	for _, m := range regexp.MustCompile(`/Subtype /Link /Rect \[[^\]]*\] /Border \[0 0 0\] /Dest \[(\d+) 0 R`).FindAllSubmatch(raw, -1) {
		obj, _ := strconv.Atoi(string(m[1]))
		linked = append(linked, (obj-1)/2) // fpdf numbers page n's object 1+2n
	}
	if !slices.Equal(linked, numbers) {
		t.Errorf("the %d contents links go to pages %v…, the contents print %v…", len(linked), linked[:min(8, len(linked))], numbers[:8])
	}

	// The outline: the contents, each section, each item.
	sections := map[string]bool{}
	for _, it := range items {
		sections[it.Section.Name] = true
	}
	if !bytes.Contains(raw, []byte("/Type /Outlines")) || !bytes.Contains(raw, []byte("/Outlines ")) {
		t.Fatal("the guide book has no outline")
	}
	if got, want := bytes.Count(raw, []byte("<</Title ")), 1+len(sections)+len(items); got != want {
		t.Errorf("the outline has %d bookmarks, want %d (contents, %d sections, %d items)", got, want, len(sections), len(items))
	}
}
