// Package pdfdoc renders the center's printed documents as PDF: the one-time complete notice
// (一次性告知单) of an item, the whole catalog as a guide book, the notices of a case (letters)
// and certificates. One TrueType font covering CJK and Latin (WenQuanYi Micro Hei, Apache-2.0;
// see fonts/README.md) is embedded in the binary and subset into each PDF, so the text prints and
// is selectable and searchable; each document carries a QR code to its web or verification page.
//
// Every piece of text goes through one line breaker (breakLines in wrap.go), through text for
// paragraphs and tableRow for bordered tables, so no document loses a character at a wrap.
package pdfdoc

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"time"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

//go:embed fonts/WenQuanYiMicroHei.ttf
var cjkFont []byte

const family = "cjk"

// The page: A4 portrait, in millimetres.
const (
	pageW    = 210.0
	pageH    = 297.0
	marginL  = 18.0
	marginR  = 18.0
	marginT  = 16.0
	marginB  = 18.0
	contentW = pageW - marginL - marginR
)

// doc is an A4 document with the CJK font and a running footer.
type doc struct {
	*fpdf.Fpdf
	footer string
	// inset narrows headings on both sides while a QR code occupies the top right corner.
	inset float64
	// rowSize and rowLH are the font size and line height of labelled rows.
	rowSize, rowLH float64
	// tableLH is the line height of tables; sectionGap the space around section titles (in mm,
	// before 2 and after 1.5 times it). A notice that would spill tightens both.
	tableLH, sectionGap float64
	// footerY is where the running footer sits, from the bottom of the page.
	footerY float64
}

func newDoc(title, footer string, at time.Time) *doc {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(family, "", cjkFont)
	f.SetTitle(title, true)
	f.SetCreator("办好 banhao", true)
	f.SetCreationDate(at)
	f.SetModificationDate(at)
	f.SetMargins(marginL, marginT, marginR)
	f.SetAutoPageBreak(true, marginB)
	d := &doc{Fpdf: f, footer: footer, rowSize: 9.5, rowLH: 5, tableLH: 5, sectionGap: 1, footerY: -13}
	f.SetFooterFunc(func() {
		f.SetY(d.footerY)
		f.SetFont(family, "", 8)
		f.SetTextColor(110, 110, 110)
		f.SetX(marginL)
		page := fmt.Sprintf("    第 %d 页", f.PageNo())
		f.CellFormat(contentW, 5, d.fit(d.footer, contentW-2-f.GetStringWidth(page))+page, "", 0, "C", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	return d
}

// bottom is the lowest y text may reach on a page.
func (d *doc) bottom() float64 { return pageH - marginB }

// fit shortens s with an ellipsis to fit width w (for the one-line running footer only; the
// full text is in the body).
func (d *doc) fit(s string, w float64) string {
	if d.GetStringWidth(s) <= w {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && d.GetStringWidth(string(rs)+"…") > w {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// lines wraps text for a cell of width w in the current font, the cell's inner margins taken off.
func (d *doc) lines(text string, w float64) []string {
	return breakLines(text, w-2*d.GetCellMargin(), d.GetStringWidth)
}

// text writes wrapped text in a column of width w starting at the current position, lh per
// line, continuing on a new page at the bottom of one.
func (d *doc) text(w, lh float64, s, align string) {
	x := d.GetX()
	for _, l := range d.lines(s, w) {
		if d.GetY()+lh > d.bottom() {
			d.AddPage()
		}
		d.SetX(x)
		d.CellFormat(w, lh, l, "", 2, align, false, 0, "")
	}
}

// heading writes a centred title of the given size, wrapped between the insets.
func (d *doc) heading(s string, size float64) {
	d.SetFont(family, "", size)
	d.SetX(marginL + d.inset)
	d.text(contentW-2*d.inset, size*0.5, s, "C")
	d.Ln(1.5)
}

// section starts a titled part of a document.
func (d *doc) section(title string) {
	if d.GetY()+20 > d.bottom() { // no title alone at the foot of a page
		d.AddPage()
	}
	d.Ln(2 * d.sectionGap)
	d.SetFont(family, "", 11)
	d.SetTextColor(20, 60, 140)
	d.SetX(marginL)
	d.text(contentW, 6.5, title, "L")
	d.SetDrawColor(20, 60, 140)
	d.Line(marginL, d.GetY(), marginL+contentW, d.GetY())
	d.SetDrawColor(0, 0, 0)
	d.SetTextColor(0, 0, 0)
	d.Ln(1.5 * d.sectionGap)
}

// column is one column of a table.
type column struct {
	w     float64
	align string
	fill  bool // shaded (a label or a header)
}

// tableRow writes one row of a bordered table at the left margin: every cell wraps in its
// column, the row is as tall as its tallest cell, a row that fits on a page is kept together,
// and a taller one continues on the next page.
func (d *doc) tableRow(cols []column, cells []string, lh float64) {
	wrapped := make([][]string, len(cols))
	n := 1
	for j, c := range cols {
		wrapped[j] = d.lines(cells[j], c.w)
		n = max(n, len(wrapped[j]))
	}
	const pad = 0.8 // above and below the text of a cell
	perPage := int((d.bottom() - marginT - 2*pad) / lh)
	fresh := false
	for start := 0; start < n; {
		left := n - start
		room := int(math.Floor((d.bottom() - d.GetY() - 2*pad + 1e-6) / lh))
		if !fresh && left > room && (start == 0 && left <= perPage || room < 2) {
			d.AddPage()
			fresh = true
			continue
		}
		k := max(1, min(left, room))
		y, x := d.GetY(), marginL
		h := float64(k)*lh + 2*pad
		for j, c := range cols {
			style := "D"
			if c.fill {
				style = "FD"
			}
			d.Rect(x, y, c.w, h, style)
			for i := start; i < start+k && i < len(wrapped[j]); i++ {
				d.SetXY(x, y+pad+float64(i-start)*lh)
				d.CellFormat(c.w, lh, wrapped[j][i], "", 0, c.align, false, 0, "")
			}
			x += c.w
		}
		d.SetXY(marginL, y+h)
		start += k
		fresh = false
		if start < n {
			d.AddPage()
			fresh = true
		}
	}
}

// labelCols is a two-column table of labelled values (label 40 mm, shaded).
var labelCols = []column{{w: 38, align: "L", fill: true}, {w: contentW - 38, align: "L"}}

// row writes a labelled value.
func (d *doc) row(label, value string) {
	if value == "" {
		value = "—"
	}
	d.SetFont(family, "", d.rowSize)
	d.SetFillColor(240, 244, 250)
	d.tableRow(labelCols, []string{label, value}, d.rowLH)
}

// pairCols holds two labelled values side by side.
var pairCols = []column{{w: 38, align: "L", fill: true}, {w: 49, align: "L"}, {w: 38, align: "L", fill: true}, {w: 49, align: "L"}}

// pair writes two short labelled values on one row, or on two rows when either needs more
// than a line in half the width.
func (d *doc) pair(l1, v1, l2, v2 string) {
	if v1 == "" {
		v1 = "—"
	}
	if v2 == "" {
		v2 = "—"
	}
	d.SetFont(family, "", d.rowSize)
	if len(d.lines(v1, pairCols[1].w)) > 1 || len(d.lines(v2, pairCols[3].w)) > 1 {
		d.row(l1, v1)
		d.row(l2, v2)
		return
	}
	d.SetFillColor(240, 244, 250)
	d.tableRow(pairCols, []string{l1, v1, l2, v2}, d.rowLH)
}

// table writes a header row and rows in columns of the given widths.
func (d *doc) table(widths []float64, head []string, rows [][]string) {
	cols := make([]column, len(widths))
	for i, w := range widths {
		cols[i] = column{w: w, align: "C", fill: true}
	}
	d.SetFont(family, "", 9)
	d.SetFillColor(225, 232, 245)
	if d.GetY()+20 > d.bottom() { // a header needs a row under it
		d.AddPage()
	}
	d.tableRow(cols, head, d.tableLH)
	for i := range cols {
		cols[i].align, cols[i].fill = "L", false
	}
	for _, r := range rows {
		cells := make([]string, len(cols))
		copy(cells, r)
		d.tableRow(cols, cells, d.tableLH)
	}
}

// qr draws a QR code of url. When no code can hold url (longer than a QR code takes) the
// document is printed without it rather than not at all: a notice or a certificate matters more
// than its code. (web bounds the addresses it passes: baseURL.)
func (d *doc) qr(url string, x, y, size float64) error {
	png, err := qrcode.Encode(url, qrcode.Medium, 256)
	if err != nil {
		return nil
	}
	name := "qr-" + url
	d.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	d.ImageOptions(name, x, y, size, size, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	return nil
}

// qrCorner puts a QR code in the top right corner of the first page with a tip under it, and
// narrows the headings so they stay clear of it. It returns the y under the tip.
func (d *doc) qrCorner(url, tip string) (float64, error) {
	const size, x = 24.0, pageW - marginR - 24
	if err := d.qr(url, x, marginT-2, size); err != nil {
		return 0, err
	}
	d.SetFont(family, "", 7)
	d.SetXY(x-5, marginT-2+size)
	d.text(size+10, 3.2, tip, "C")
	d.inset = size + 6
	return d.GetY(), nil
}

// seal writes the issuer and the date at the right, in a dashed circle where the seal goes.
func (d *doc) seal(issuer, date string) {
	const w, r = 80.0, 19.0
	d.SetFont(family, "", 11)
	ls := append(d.lines(issuer+"（盖章）", w), d.lines(date, w)...)
	h := float64(len(ls)) * 7
	if d.GetY()+max(h, 2*r)+4 > d.bottom() {
		d.AddPage()
	}
	x := marginL + contentW - w
	y := d.GetY() + max(0, r-h/2)
	cx, cy := x+w/2, y+h/2
	d.SetDrawColor(200, 90, 90)
	d.SetDashPattern([]float64{1.2, 1.2}, 0)
	d.Circle(cx, cy, r, "D")
	d.SetDashPattern(nil, 0)
	d.SetDrawColor(0, 0, 0)
	d.SetXY(x, y)
	for _, l := range ls {
		d.CellFormat(w, 7, l, "", 2, "C", false, 0, "")
	}
	d.SetXY(marginL, max(d.GetY(), cy+r)+2)
}
