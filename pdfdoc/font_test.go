package pdfdoc_test

import (
	"testing"

	"golang.org/x/image/font/sfnt"

	"banhao/demo"
	"banhao/pdfdoc"
)

// TestFontCoversEverythingWePrint guards against boxes on paper: text extraction succeeds even
// when the font has no glyph, so check the glyphs themselves — ASCII, CJK punctuation, and every
// character of the demo catalog.
func TestFontCoversEverythingWePrint(t *testing.T) {
	t.Parallel()
	f, err := sfnt.Parse(pdfdoc.CJKFont)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	need := map[rune]bool{}
	for r := rune(0x20); r < 0x7f; r++ {
		need[r] = true
	}
	for _, r := range "（）《》〔〕、，。；：“”–—·　第页共项个工作日自然即办" {
		need[r] = true
	}
	cat, err := demo.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range cat.Items {
		text := it.Name + it.Code + it.LegalBasis + it.Conditions + it.Where + it.Hours + it.Fee.Standard + it.Fee.Basis
		for _, m := range it.Materials {
			text += m.Name + m.Note + pdfdoc.SourceName(m)
		}
		for _, r := range text {
			need[r] = true
		}
	}
	var missing []rune
	for r := range need {
		if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("the embedded font has no glyph for %d characters we print, e.g. %q", len(missing), string(missing[:min(len(missing), 20)]))
	}
}
