package pdfdoc

import (
	"io"
	"time"

	"banhao/errs"
)

// Certificate is the printable form of an e-certificate (电子证照): a certificate, not a letter.
type Certificate struct {
	Center        string      // the printing center, in the footer
	Title         string      // the certificate type: 营业执照, 食品经营许可证…
	Number        string      // 证照编号
	Holder        string      // 持证主体
	HolderIDLabel string      // 公民身份号码 or 统一社会信用代码
	HolderID      string      // masked for a person by the caller
	Fields        [][2]string // the type's own fields, in order
	Validity      string      // 有效期限
	Status        string      // 有效, 已注销…
	Issuer        string      // 发证机关
	IssuedOn      string      // 发证日期, as printed
	Identifier    string      // 电子证照标识 (GB/T 36904)
	VerifyURL     string      // the public verification page the QR code opens
	Note          string      // a closing remark
	// Void marks a certificate no longer valid ("已撤销（作废）", "已过期"): printed large across every
	// page and under the title, and no seal — the printout must not pass for a valid one.
	Void string
}

// WriteCertificate renders a certificate: framed, its type as the title, the holder and the
// type's fields in a table, the issuer with the date in a seal area, the identifier and a QR
// code to its verification page.
func WriteCertificate(w io.Writer, c Certificate, at time.Time) (err error) {
	defer errs.Wrap(&err, "pdfdoc.WriteCertificate")
	d := newDoc(c.Title+" "+c.Number, c.Title+" · "+c.Number, at)
	d.footerY = -15.5        // inside the frame
	d.SetHeaderFunc(func() { // a double frame on every page
		d.SetDrawColor(150, 40, 40)
		d.SetLineWidth(1.2)
		d.Rect(7, 7, pageW-14, pageH-14, "D")
		d.SetLineWidth(0.3)
		d.Rect(9.5, 9.5, pageW-19, pageH-19, "D")
		d.SetLineWidth(0.2)
		d.SetDrawColor(0, 0, 0)
		if c.Void != "" {
			d.voidMark(c.Void)
		}
		d.SetXY(marginL, marginT+2)
	})
	d.AddPage()
	d.SetTextColor(150, 40, 40)
	d.heading("电子证照打印件", 10)
	d.Ln(4)
	d.heading(c.Title, 26)
	d.SetTextColor(0, 0, 0)
	d.Ln(1)
	d.heading("证照编号："+c.Number, 10.5)
	if c.Void != "" {
		d.Ln(2)
		d.SetTextColor(200, 0, 0)
		d.heading(c.Void, 18)
		d.SetTextColor(0, 0, 0)
	}
	d.Ln(6)

	d.rowSize, d.rowLH = 11, 6.5
	d.row("持证主体", c.Holder)
	d.row(c.HolderIDLabel, c.HolderID)
	for _, f := range c.Fields {
		d.row(f[0], f[1])
	}
	d.row("有效期限", c.Validity)
	d.row("证照状态", c.Status)
	d.row("发证机关", c.Issuer)
	d.row("发证日期", c.IssuedOn)
	d.rowSize, d.rowLH = 9.5, 5

	if c.Note != "" {
		d.Ln(4)
		d.SetFont(family, "", 9.5)
		d.SetX(marginL)
		d.text(contentW, 5.5, "　　"+c.Note, "L")
	}

	// The foot: QR code, identifier and verification address at the left; issuer, date, seal at
	// the right.
	const qrSize, leftW = 30.0, 84.0
	d.SetFont(family, "", 8)
	idLines := d.lines("电子证照标识："+c.Identifier, leftW)
	urlLines := d.lines("核验地址："+c.VerifyURL, leftW)
	need := qrSize + 2 + float64(len(idLines)+len(urlLines))*4
	if d.GetY()+8+max(need, 44) > d.bottom() {
		d.AddPage()
	}
	d.Ln(8)
	top := d.GetY()
	if err := d.qr(c.VerifyURL, marginL+2, top, qrSize); err != nil {
		return err
	}
	d.SetXY(marginL+qrSize+4, top+4)
	d.SetFont(family, "", 8.5)
	d.text(leftW-qrSize-4, 4.5, "扫描二维码核验证照真伪及当前状态", "L")
	d.SetXY(marginL, top+qrSize+2)
	d.SetFont(family, "", 8)
	d.text(leftW, 4, "电子证照标识："+c.Identifier, "L")
	d.SetX(marginL)
	d.text(leftW, 4, "核验地址："+c.VerifyURL, "L")
	d.SetX(marginL)
	d.text(leftW, 4, "打印："+c.Center+" "+at.Format("2006年01月02日"), "L")
	if c.Void == "" { // a void certificate carries no seal
		leftEnd, leftPage := d.GetY(), d.PageNo()
		d.SetY(top)
		d.seal(c.Issuer, c.IssuedOn)
		if d.PageNo() == leftPage {
			d.SetY(max(d.GetY(), leftEnd))
		}
	}
	return d.Output(w)
}

// voidMark writes text large, red and half transparent across the middle of the page.
func (d *doc) voidMark(text string) {
	const size = 54.0
	d.SetFont(family, "", size)
	w := d.GetStringWidth(text)
	cx, cy := pageW/2, pageH/2
	d.SetAlpha(0.35, "Normal")
	d.SetTextColor(200, 0, 0)
	d.TransformBegin()
	d.TransformRotate(35, cx, cy)
	d.Text(cx-w/2, cy+size*0.35/2, text)
	d.TransformEnd()
	d.SetTextColor(0, 0, 0)
	d.SetAlpha(1, "Normal")
}
