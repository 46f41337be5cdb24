// Package pdfdoc renders the center's printed documents as PDF: the one-time complete notice
// (一次性告知单) of an item and the whole catalog as a guide book. One TrueType font covering
// CJK and Latin (WenQuanYi Micro Hei, Apache-2.0; see fonts/README.md) is embedded in the binary
// and subset into each PDF, so the text prints and is selectable and searchable; each notice
// carries a QR code back to its web page.
package pdfdoc

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

	"banhao/catalog"
)

//go:embed fonts/WenQuanYiMicroHei.ttf
var cjkFont []byte

const family = "cjk"

// doc is a page-A4 document with the CJK font and a footer.
type doc struct {
	*fpdf.Fpdf
	footer string
}

func newDoc(title, footer string, at time.Time) *doc {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(family, "", cjkFont)
	f.SetTitle(title, true)
	f.SetCreator("办好 banhao", true)
	f.SetCreationDate(at)
	f.SetModificationDate(at)
	f.SetMargins(18, 16, 18)
	f.SetAutoPageBreak(true, 18)
	d := &doc{Fpdf: f, footer: footer}
	f.SetFooterFunc(func() {
		f.SetY(-13)
		f.SetFont(family, "", 8)
		f.SetTextColor(110, 110, 110)
		f.CellFormat(0, 5, fmt.Sprintf("%s    第 %d 页", d.footer, f.PageNo()), "", 0, "C", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	return d
}

func (d *doc) heading(text string, size float64) {
	d.SetFont(family, "", size)
	d.MultiCell(0, size*0.55, text, "", "C", false)
	d.Ln(2)
}

// row writes a labelled field that wraps within the page.
func (d *doc) row(label, value string) {
	if strings.TrimSpace(value) == "" {
		value = "—"
	}
	d.SetFont(family, "", 10)
	x, y := d.GetX(), d.GetY()
	d.SetFillColor(240, 244, 250)
	lines := d.SplitText(value, 132)
	h := float64(len(lines)) * 6
	if h < 6 {
		h = 6
	}
	if y+h > 279-18 {
		d.AddPage()
		x, y = d.GetX(), d.GetY()
	}
	d.CellFormat(42, h, label, "1", 0, "L", true, 0, "")
	d.SetXY(x+42, y)
	d.MultiCell(132, 6, value, "1", "L", false)
}

func (d *doc) section(title string) {
	d.Ln(3)
	d.SetFont(family, "", 12)
	d.SetTextColor(20, 60, 140)
	d.CellFormat(0, 8, title, "B", 1, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.Ln(1)
}

func (d *doc) qr(url string, x, y, size float64) error {
	png, err := qrcode.Encode(url, qrcode.Medium, 256)
	if err != nil {
		return fmt.Errorf("qr: %w", err)
	}
	name := "qr-" + url
	d.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	d.ImageOptions(name, x, y, size, size, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	return nil
}

// materialTable lists the materials with what the applicant must bring.
func (d *doc) materialTable(ms []catalog.Material) {
	d.SetFont(family, "", 9)
	d.SetFillColor(225, 232, 245)
	widths := []float64{10, 76, 20, 30, 38}
	for i, h := range []string{"序号", "材料名称", "是否必需", "容缺 / 来源", "份数与形式"} {
		d.CellFormat(widths[i], 7, h, "1", 0, "C", true, 0, "")
	}
	d.Ln(-1)
	for i, m := range ms {
		req := "否"
		if m.Required {
			req = "是"
		}
		src := SourceName(m)
		if m.Deferrable {
			src = "可容缺后补；" + src
		}
		copies := fmt.Sprintf("原件%d份", m.Originals)
		if m.Copies > 0 {
			copies += fmt.Sprintf("，复印件%d份", m.Copies)
		}
		if m.Source != catalog.SourceApplicant {
			copies = "免提交（数据共享）"
		}
		cells := []string{fmt.Sprint(i + 1), m.Name, req, src, copies}
		// Row height: the tallest wrapped cell.
		lines := 1
		for j, c := range cells {
			if n := len(d.SplitText(c, widths[j]-2)); n > lines {
				lines = n
			}
		}
		h := float64(lines) * 5
		if d.GetY()+h > 279-18 {
			d.AddPage()
		}
		x, y := d.GetX(), d.GetY()
		for j, c := range cells {
			d.SetXY(x, y)
			d.Rect(x, y, widths[j], h, "D")
			d.MultiCell(widths[j], 5, c, "", "L", false)
			x += widths[j]
		}
		d.SetXY(18, y+h)
	}
}

// SourceName says where a material comes from, for people.
func SourceName(m catalog.Material) string {
	switch m.Source {
	case catalog.SourceCertificate:
		return "电子证照：" + m.CertificateType
	case catalog.SourceShared:
		return "共享数据获取"
	}
	return "申请人提供"
}

// Notice writes the 一次性告知单 of an item: everything needed to get it done in one visit.
// guideURL is where the QR code points.
func Notice(w io.Writer, it catalog.Item, centerName, guideURL string, at time.Time) error {
	d := newDoc(it.Name+" 一次性告知单", centerName+" · "+it.Code, at)
	d.AddPage()
	d.heading(centerName, 11)
	d.heading("一次性告知单", 20)
	d.heading(it.Name, 15)
	if err := d.qr(guideURL, 170, 14, 24); err != nil {
		return err
	}
	d.SetFont(family, "", 8)
	d.SetXY(160, 38)
	d.CellFormat(44, 4, "扫码查看办事指南", "", 1, "C", false, 0, "")
	d.SetXY(18, 56)

	d.section("一、事项信息")
	d.row("实施编码", it.Code)
	d.row("事项类型", it.Type)
	d.row("实施部门", it.Department.Name)
	d.row("设定依据", it.LegalBasis)
	d.row("受理条件", it.Conditions)
	d.row("法定 / 承诺时限", fmt.Sprintf("法定 %s；承诺 %s", it.LegalLimit, it.PromisedLimit))
	visits := fmt.Sprintf("%d 次", it.Visits)
	if it.Visits > 0 && it.VisitsReason != "" {
		visits += "（" + it.VisitsReason + "）"
	}
	d.row("到现场次数", visits)
	fee := "不收费"
	if it.Fee.Charged {
		fee = it.Fee.Standard + "；依据：" + it.Fee.Basis
	}
	d.row("收费", fee)

	d.section("二、申请材料")
	d.materialTable(it.Materials)

	d.section("三、办理流程")
	for i, s := range it.Steps {
		d.row(fmt.Sprintf("%d. %s", i+1, s.Name), s.Limit.String()+"  "+s.Actor)
	}

	d.section("四、办理地点与咨询")
	d.row("办理地点", it.Where)
	d.row("办理时间", it.Hours)
	d.row("咨询电话", it.ConsultPhone)
	d.row("投诉电话", it.ComplaintPhone)
	methods := make([]string, 0, len(it.DeliveryMethods))
	for _, m := range it.DeliveryMethods {
		methods = append(methods, catalog.DeliveryNames[m])
	}
	d.row("出件方式", strings.Join(methods, "、"))

	d.Ln(4)
	d.SetFont(family, "", 9)
	d.MultiCell(0, 5, "本告知单所列材料为办理本事项的全部材料。申请人按本告知单备齐材料后，窗口不得要求补充本告知单以外的材料。"+
		"可容缺后补的材料缺少时可先行受理，申请人须签署承诺书并在约定期限内补齐。", "", "L", false)
	d.Ln(2)
	d.MultiCell(0, 5, fmt.Sprintf("告知日期：%s（版本 %d）", at.Format("2006年01月02日"), it.Version), "", "R", false)
	return d.Output(w)
}

// GuideBook writes the whole published catalog as one printable book: a table of contents by
// section, then one guide per item.
func GuideBook(w io.Writer, items []catalog.Item, centerName string, at time.Time) error {
	d := newDoc(centerName+" 办事指南汇编", centerName+" 办事指南汇编", at)
	d.AddPage()
	d.Ln(60)
	d.heading(centerName, 16)
	d.heading("政务服务事项办事指南汇编", 24)
	d.Ln(10)
	d.heading(fmt.Sprintf("共 %d 项 · %s", len(items), at.Format("2006年01月")), 12)

	d.AddPage()
	d.heading("目录", 16)
	d.SetFont(family, "", 9)
	lastSection := "\x00"
	for i, it := range items {
		if it.Section.Name != lastSection {
			lastSection = it.Section.Name
			d.SetFont(family, "", 11)
			name := lastSection
			if name == "" {
				name = "其他"
			}
			d.CellFormat(0, 7, name, "", 1, "L", false, 0, "")
			d.SetFont(family, "", 9)
		}
		d.CellFormat(0, 5, fmt.Sprintf("  %d. %s（%s）", i+1, it.Name, it.Department.Name), "", 1, "L", false, 0, "")
	}
	for i, it := range items {
		d.AddPage()
		d.heading(fmt.Sprintf("%d. %s", i+1, it.Name), 14)
		d.row("实施编码", it.Code)
		d.row("实施部门", it.Department.Name)
		d.row("事项类型", it.Type)
		d.row("时限", fmt.Sprintf("法定 %s；承诺 %s", it.LegalLimit, it.PromisedLimit))
		d.row("到现场次数", fmt.Sprint(it.Visits))
		d.row("受理条件", it.Conditions)
		d.row("设定依据", it.LegalBasis)
		d.section("申请材料")
		d.materialTable(it.Materials)
		d.section("办理流程")
		for j, s := range it.Steps {
			d.row(fmt.Sprintf("%d. %s", j+1, s.Name), s.Limit.String())
		}
		d.row("办理地点", it.Where)
		d.row("咨询电话", it.ConsultPhone)
	}
	return d.Output(w)
}

// Letter is an official notice to an applicant: a title, the addressee, paragraphs, a table of
// facts, an optional list, a signature block and a QR code to its verification page.
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
	Closing   []string
	Signature []string
	Issuer    string
	IssuedOn  string
	VerifyURL string
	VerifyTip string
}

// WriteLetter renders a Letter.
func WriteLetter(w io.Writer, l Letter, at time.Time) error {
	d := newDoc(l.Title, l.Center+" · "+l.Number, at)
	d.AddPage()
	if l.VerifyURL != "" {
		if err := d.qr(l.VerifyURL, 170, 14, 24); err != nil {
			return err
		}
		d.SetFont(family, "", 7)
		d.SetXY(158, 38)
		d.CellFormat(48, 4, l.VerifyTip, "", 1, "C", false, 0, "")
	}
	d.SetXY(18, 16)
	d.heading(l.Center, 11)
	d.heading(l.Title, 20)
	d.SetFont(family, "", 10)
	d.CellFormat(0, 6, l.Number, "", 1, "C", false, 0, "")
	d.Ln(6)
	d.SetFont(family, "", 11)
	d.MultiCell(0, 7, l.To+"：", "", "L", false)
	for _, p := range l.Body {
		d.MultiCell(0, 7, "　　"+p, "", "L", false)
	}
	d.Ln(2)
	for _, f := range l.Facts {
		d.row(f[0], f[1])
	}
	if len(l.List) > 0 {
		d.section(l.ListTitle)
		d.SetFont(family, "", 9)
		d.SetFillColor(225, 232, 245)
		width := 174 / float64(len(l.ListHead))
		for _, h := range l.ListHead {
			d.CellFormat(width, 7, h, "1", 0, "C", true, 0, "")
		}
		d.Ln(-1)
		for _, r := range l.List {
			lines := 1
			for _, c := range r {
				if n := len(d.SplitText(c, width-2)); n > lines {
					lines = n
				}
			}
			h := float64(lines) * 5
			x, y := d.GetX(), d.GetY()
			for _, c := range r {
				d.SetXY(x, y)
				d.Rect(x, y, width, h, "D")
				d.MultiCell(width, 5, c, "", "L", false)
				x += width
			}
			d.SetXY(18, y+h)
		}
	}
	d.Ln(4)
	d.SetFont(family, "", 10)
	for _, p := range l.Closing {
		d.MultiCell(0, 6, "　　"+p, "", "L", false)
	}
	d.Ln(6)
	for _, s := range l.Signature {
		d.CellFormat(0, 8, s, "", 1, "L", false, 0, "")
	}
	d.Ln(6)
	d.SetFont(family, "", 11)
	d.CellFormat(0, 7, l.Issuer+"（盖章）", "", 1, "R", false, 0, "")
	d.CellFormat(0, 7, l.IssuedOn, "", 1, "R", false, 0, "")
	return d.Output(w)
}
