package pdfdoc

import (
	"io"
	"slices"
	"time"

	"banhao/errs"
)

// Letter is an official notice to an applicant (受理、容缺受理、补齐补正、不予受理、办结通知书):
// a title, the addressee, paragraphs, a table of facts, an optional list, a signature block, the
// issuer with the date and a seal area, and a QR code to its verification page.
type Letter struct {
	Center    string
	Title     string
	Number    string // document number shown under the title
	To        string
	Body      []string
	Facts     [][2]string
	ListTitle string
	ListHead  []string
	List      [][]string
	// ListWeights are the relative widths of the list's columns; equal when empty.
	ListWeights []float64
	Closing     []string
	Signature   []string
	Issuer      string
	IssuedOn    string
	VerifyURL   string
	VerifyTip   string
}

// WriteLetter renders a Letter.
func WriteLetter(w io.Writer, l Letter, at time.Time) (err error) {
	defer errs.Wrap(&err, "pdfdoc.WriteLetter")
	d := newDoc(l.Title, l.Center+" · "+l.Number, at)
	d.AddPage()
	under := 0.0
	if l.VerifyURL != "" {
		var err error
		if under, err = d.qrCorner(l.VerifyURL, l.VerifyTip); err != nil {
			return err
		}
	}
	d.SetY(marginT)
	d.heading(l.Center, 11)
	d.heading(l.Title, 19)
	d.heading(l.Number, 10)
	d.SetY(max(d.GetY(), under))
	d.inset = 0
	d.Ln(4)
	d.SetFont(family, "", 11)
	d.SetX(marginL)
	d.text(contentW, 7, l.To+"：", "L")
	for _, p := range l.Body {
		d.SetX(marginL)
		d.text(contentW, 7, "　　"+p, "L")
	}
	d.Ln(2)
	for _, f := range l.Facts {
		d.row(f[0], f[1])
	}
	if len(l.List) > 0 && len(l.ListHead) > 0 {
		d.section(l.ListTitle)
		weights, total := l.ListWeights, 0.0
		if len(weights) != len(l.ListHead) {
			weights = slices.Repeat([]float64{1}, len(l.ListHead))
		}
		for _, w := range weights {
			total += w
		}
		widths := make([]float64, len(weights))
		for i, w := range weights {
			widths[i] = contentW * w / total
		}
		d.table(widths, l.ListHead, l.List)
	}
	d.Ln(4)
	d.SetFont(family, "", 10.5)
	for _, p := range l.Closing {
		d.SetX(marginL)
		d.text(contentW, 6.5, "　　"+p, "L")
	}
	d.Ln(5)
	for _, s := range l.Signature {
		d.SetX(marginL)
		d.text(contentW, 8, s, "L")
	}
	d.Ln(4)
	d.seal(l.Issuer, l.IssuedOn)
	return d.Output(w)
}
