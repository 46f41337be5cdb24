package pdfdoc

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/image/font/sfnt"

	"banhao/catalog"
)

// The property behind "papers that lose nothing": whatever text goes into whatever field of
// whatever document — long Chinese, long Latin, one unbroken Latin token longer than a line,
// mixed with digits and punctuation — every character of it comes back from pdftotext, in
// order (whitespace aside).

// documentKinds are every kind of document the system prints, with how each is rendered from
// random text. A kind returns the PDF and the field values it printed.
var documentKinds = []struct {
	name   string
	render func(g *gen) ([]byte, []string, error)
}{
	{"一次性告知单", renderNotice},
	{"办事指南汇编", renderGuideBook},
	{"受理通知书", letterKind(false, false, false)},
	{"容缺受理通知书", letterKind(true, true, true)},
	{"补齐补正告知书", letterKind(false, true, false)},
	{"不予受理通知书", letterKind(true, false, false)},
	{"办结通知书", letterKind(true, false, false)},
	{"一件事办件通知书（所含事项清单）", letterKind(true, true, false)},
	{"电子证照", renderCertificate},
}

func TestEveryCharacterComesBack(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("BANHAO_TEST_BROWSER") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	alphabet := printable(t)
	cases := 20
	if testing.Short() {
		cases = 3
	}
	for k, kind := range documentKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			for c := range cases {
				g := &gen{rng: rand.New(rand.NewPCG(uint64(k), uint64(c))), alphabet: alphabet}
				pdf, fields, err := kind.render(g)
				if err != nil {
					t.Fatalf("case %d: %v", c, err)
				}
				if dir := os.Getenv("BANHAO_PDF_SAMPLES"); dir != "" && c < 2 { // to look at
					os.WriteFile(filepath.Join(dir, fmt.Sprintf("random-%d-%d.pdf", k, c)), pdf, 0o644)
				}
				text := squeeze(extract(t, pdf))
				for _, f := range fields {
					if want := squeeze(f); !strings.Contains(text, want) {
						t.Errorf("case %d: %s lost or reordered characters of the field %q: %s", c, kind.name, want, divergence(text, want))
						if dir := os.Getenv("BANHAO_PDF_SAMPLES"); dir != "" { // keep it to look at
							os.WriteFile(filepath.Join(dir, fmt.Sprintf("failed-%d-%d.pdf", k, c)), pdf, 0o644)
						}
						return
					}
				}
			}
		})
	}
}

// printable is the alphabet of the random text: the CJK characters, CJK punctuation, ASCII,
// Latin-1 letters and full-width forms the embedded font has glyphs for (no emoji, BMP only).
func printable(t *testing.T) map[string][]rune {
	f, err := sfnt.Parse(cjkFont)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	has := func(r rune) bool {
		g, err := f.GlyphIndex(&buf, r)
		return err == nil && g != 0
	}
	set := func(rs []rune) []rune {
		var out []rune
		for _, r := range rs {
			if has(r) && !unicode.IsSpace(r) {
				out = append(out, r)
			}
		}
		return out
	}
	span := func(from, to rune) []rune {
		var rs []rune
		for r := from; r <= to; r++ {
			rs = append(rs, r)
		}
		return rs
	}
	return map[string][]rune{
		"cjk":    set(span(0x4E00, 0x9FA5)),
		"punct":  set([]rune("，。、；：？！（）「」『』《》〈〉【】〔〕“”‘’…—·％＿")),
		"ascii":  set(span(0x21, 0x7E)),
		"word":   set([]rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")),
		"latin1": set(span(0xC0, 0xFF)),
		"wide":   set(span(0xFF01, 0xFF5E)),
	}
}

// gen makes random text.
type gen struct {
	rng      *rand.Rand
	alphabet map[string][]rune
}

func (g *gen) pick(class string) rune {
	rs := g.alphabet[class]
	return rs[g.rng.IntN(len(rs))]
}

// text is a random string of up to max characters of one of several shapes.
func (g *gen) text(max int) string {
	n := 1 + g.rng.IntN(max)
	var b strings.Builder
	switch g.rng.IntN(5) {
	case 0: // Chinese prose
		for i := range n {
			if i%7 == 6 {
				b.WriteRune(g.pick("punct"))
			} else {
				b.WriteRune(g.pick("cjk"))
			}
		}
	case 1: // Latin words
		for b.Len() < n {
			for range 1 + g.rng.IntN(12) {
				b.WriteRune(g.pick("word"))
			}
			b.WriteByte(' ')
		}
	case 2: // one unbroken Latin token (a URL, a code) longer than any line
		for range n + 120 {
			b.WriteRune(g.pick("ascii"))
		}
	case 3: // mixed: Chinese, numbers, Latin, punctuation, spaces
		classes := []string{"cjk", "cjk", "cjk", "punct", "ascii", "word", "word", "latin1", "wide"}
		for range n {
			if g.rng.IntN(12) == 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(g.pick(classes[g.rng.IntN(len(classes))]))
		}
	default: // short
		for range 1 + g.rng.IntN(6) {
			b.WriteRune(g.pick("cjk"))
		}
	}
	return b.String()
}

// record keeps the values it hands out: the fields the document must print.
type record struct {
	g      *gen
	fields []string
}

func (r *record) text(max int) string {
	s := r.g.text(max)
	r.fields = append(r.fields, s)
	return s
}

// randomItem is an item with random text in every field a document prints; the guide book also
// prints the section.
func randomItem(r *record, section bool) catalog.Item {
	it := catalog.Item{Code: r.text(80), Name: r.text(60), Type: r.text(10), Department: catalog.Ref{Name: r.text(40)},
		LegalBasis: r.text(300), Conditions: r.text(400),
		LegalLimit: catalog.Limit{Value: 20, Unit: catalog.WorkingDay}, PromisedLimit: catalog.Limit{Value: 5, Unit: catalog.NaturalDay},
		Visits: 1, VisitsReason: r.text(60), Fee: catalog.Fee{Charged: true, Standard: r.text(80), Basis: r.text(120)},
		ResultName: r.text(40), DeliveryMethods: []string{"window", "mail"},
		Where: r.text(150), Hours: r.text(80), ConsultPhone: r.text(30), ComplaintPhone: r.text(30), Version: 3}
	for i := range 1 + r.g.rng.IntN(6) {
		m := catalog.Material{Name: r.text(120), Required: i%2 == 0, Originals: 1, Copies: 2, Deferrable: i == 1, Source: catalog.SourceApplicant}
		if i == 2 {
			m.Source, m.CertificateType = catalog.SourceCertificate, r.text(40)
		}
		it.Materials = append(it.Materials, m)
	}
	for range 1 + r.g.rng.IntN(4) {
		it.Steps = append(it.Steps, catalog.Step{Name: r.text(40), Actor: r.text(30), Limit: catalog.Limit{Value: 2, Unit: catalog.WorkingDay}})
	}
	if section {
		it.Section.Name = r.text(20)
	}
	return it
}

var at = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func renderNotice(g *gen) ([]byte, []string, error) {
	r := &record{g: g}
	it := randomItem(r, false)
	center := r.text(40)
	var buf bytes.Buffer
	err := Notice(&buf, it, center, "http://127.0.0.1:8080/items/x", at)
	return buf.Bytes(), r.fields, err
}

func renderGuideBook(g *gen) ([]byte, []string, error) {
	r := &record{g: g}
	var items []catalog.Item
	for range 1 + g.rng.IntN(3) {
		items = append(items, randomItem(r, true))
	}
	center := r.text(40)
	var buf bytes.Buffer
	err := GuideBook(&buf, items, center, at)
	return buf.Bytes(), r.fields, err
}

// letterKind renders a Letter shaped as one notice kind: with facts, with a list, with a
// signature block.
func letterKind(facts, list, signature bool) func(g *gen) ([]byte, []string, error) {
	return func(g *gen) ([]byte, []string, error) {
		r := &record{g: g}
		l := Letter{Center: r.text(40), Title: r.text(20), Number: r.text(40), To: r.text(60),
			Issuer: r.text(40), IssuedOn: r.text(14), VerifyURL: "http://127.0.0.1:8080/api/v1/verify/ABC", VerifyTip: r.text(30)}
		for range 1 + g.rng.IntN(2) {
			l.Body = append(l.Body, r.text(300))
		}
		if facts {
			for range 2 + g.rng.IntN(6) {
				l.Facts = append(l.Facts, [2]string{r.text(12), r.text(200)})
			}
		}
		if list {
			l.ListTitle = r.text(30)
			cols := 3
			for i := range cols {
				l.ListHead = append(l.ListHead, r.text(12))
				l.ListWeights = append(l.ListWeights, float64(1+i%2*4))
			}
			for range 1 + g.rng.IntN(5) {
				row := make([]string, cols)
				for i := range row {
					row[i] = r.text(80)
				}
				l.List = append(l.List, row)
			}
		}
		for range 1 + g.rng.IntN(3) {
			l.Closing = append(l.Closing, r.text(200))
		}
		if signature {
			l.Signature = []string{r.text(60)}
		}
		var buf bytes.Buffer
		err := WriteLetter(&buf, l, at)
		return buf.Bytes(), r.fields, err
	}
}

func renderCertificate(g *gen) ([]byte, []string, error) {
	r := &record{g: g}
	c := Certificate{Center: r.text(40), Title: r.text(20), Number: r.text(40), Holder: r.text(60), HolderIDLabel: r.text(10),
		HolderID: r.text(30), Validity: r.text(40), Status: r.text(8), Issuer: r.text(40), IssuedOn: r.text(14),
		Identifier: r.text(80), VerifyURL: "http://127.0.0.1:8080/api/v1/verify/" + fmt.Sprint(g.rng.Int()), Note: r.text(200)}
	for range g.rng.IntN(12) {
		c.Fields = append(c.Fields, [2]string{r.text(12), r.text(150)})
	}
	var buf bytes.Buffer
	err := WriteCertificate(&buf, c, at)
	return buf.Bytes(), r.fields, err
}

// extract runs pdftotext on a PDF in content-stream order (-raw): the order in which the
// document draws its text, which is what the code controls; the default reading-order analysis
// of pdftotext may interleave the lines of side-by-side table cells. The running footer is left
// out (cropped): it repeats, shortened, what the body prints in full, and it sits between the
// two halves of a field that continues on the next page.
func extract(t *testing.T, pdf []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	const mmToPt = 72 / 25.4
	body := fmt.Sprintf("%.0f", (pageH-marginB+1.5)*mmToPt)
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", "-x", "0", "-y", "0", "-W", "600", "-H", body, p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// divergence shows where the longest printed prefix of want stops matching.
func divergence(text, want string) string {
	w := []rune(want)
	n := 0
	for n < len(w) && strings.Contains(text, string(w[:n+1])) {
		n++
	}
	at := strings.Index(text, string(w[:n])) + len(string(w[:n]))
	return fmt.Sprintf("the first %d of %d characters come back, then the field has %q and the text %q", n, len(w),
		string(w[n:min(len(w), n+20)]), []rune(text[at:])[:min(20, len([]rune(text[at:])))])
}

// squeeze removes whitespace.
func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }
