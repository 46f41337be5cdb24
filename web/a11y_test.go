package web_test

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, vendored unchanged (testdata/axe/README.md).
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// axeViolation is one failed axe rule with the elements it failed on.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeCheck runs axe-core (WCAG 2.x A and AA rules) on the page the browser shows and fails the
// test for every violation of impact "serious" or "critical", naming the rule and the elements.
// The script is evaluated through the DevTools protocol, so the page's CSP does not block it.
func axeCheck(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		t.Fatalf("%s: load axe-core: %v", page, err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']}).then(r => r.violations)`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", page, err)
	}
	for _, v := range vs {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for i, n := range v.Nodes {
			if i == 5 {
				where = append(where, fmt.Sprintf("…and %d more", len(v.Nodes)-5))
				break
			}
			where = append(where, fmt.Sprintf("%v %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " ")))
		}
		t.Errorf("%s: axe %s (%s): %s\n    %s", page, v.ID, v.Impact, v.Help, strings.Join(where, "\n    "))
	}
}

// screenshotAt sets the viewport to w × h, takes a screenshot of the viewport and returns it
// decoded. The PNG is kept under $BANHAO_SCREENSHOTS when set (for people to look at), else in
// the test's temporary directory.
func screenshotAt(t *testing.T, ctx context.Context, w, h int64, name string) image.Image {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h)); err != nil {
		t.Fatal(err)
	}
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := os.Getenv("BANHAO_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%dx%d.png", name, w, h)), buf, 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if b := img.Bounds(); int64(b.Dx()) != w || int64(b.Dy()) != h {
		t.Fatalf("screenshot %s is %d×%d, want %d×%d", name, b.Dx(), b.Dy(), w, h)
	}
	return img
}

// pageFits reports whether the page's content fits the viewport without scrolling, in either
// direction.
func pageFits(t *testing.T, ctx context.Context) (fits bool, scrollW, scrollH, viewW, viewH int) {
	t.Helper()
	dims, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](
		`[document.documentElement.scrollWidth, document.documentElement.scrollHeight, window.innerWidth, window.innerHeight]`))
	if err != nil {
		t.Fatal(err)
	}
	return dims[0] <= dims[2] && dims[1] <= dims[3], dims[0], dims[1], dims[2], dims[3]
}
