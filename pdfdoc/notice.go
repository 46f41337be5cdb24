package pdfdoc

import (
	"fmt"
	"io"
	"strings"
	"time"

	"banhao/catalog"
	"banhao/errs"
	"banhao/network"
)

// anywhere says, per 通办范围, which centers accept an item besides the one its guide names.
var anywhere = map[string]string{
	network.TongbanCity:     "全市任一政务服务中心均可受理",
	network.TongbanProvince: "全省任一政务服务中心均可受理",
	network.TongbanNational: "全国异地均可受理",
}

// WhereText is the item's 办理地点 as the printed papers give it: the place its guide names
// and, for an item accepted anywhere in the city (全市通办) or beyond, that any center will do.
func WhereText(it catalog.Item) string {
	more := anywhere[it.Tongban]
	switch {
	case more == "":
		return it.Where
	case it.Where == "":
		return more
	}
	return it.Where + "；" + more
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

// materialRows are the rows of the materials table: number, name, required, source, copies.
// online: the item is done entirely online (全程网办), so materials are uploaded, not brought.
func materialRows(ms []catalog.Material, online bool) [][]string {
	rows := make([][]string, 0, len(ms))
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
		if m.Originals == 0 && m.Copies == 0 {
			copies = "电子版（网上提交）"
		}
		if online {
			copies = "上传电子版"
		}
		if m.Source != catalog.SourceApplicant {
			copies = "免提交（数据共享）"
		}
		rows = append(rows, []string{fmt.Sprint(i + 1), m.Name, req, src, copies})
	}
	return rows
}

// materialTable lists the materials with what the applicant must bring.
func (d *doc) materialTable(ms []catalog.Material, online bool) {
	d.table([]float64{11, 70, 14, 45, 34}, []string{"序号", "材料名称", "必需", "容缺 / 来源", "份数与形式"}, materialRows(ms, online))
}

// FullyOnline: an item done without coming (到现场 0 次) and entirely online (全程网办).
func FullyOnline(it catalog.Item) bool { return it.Visits == 0 && it.OnlineDepth == 4 }

// stepsText is the procedure on one line: 1. 受理（即办，综合窗口）→ 2. …
func stepsText(steps []catalog.Step, withActor bool) string {
	parts := make([]string, 0, len(steps))
	for i, s := range steps {
		detail := s.Limit.String()
		if withActor && s.Actor != "" {
			detail += "，" + s.Actor
		}
		parts = append(parts, fmt.Sprintf("%d. %s（%s）", i+1, s.Name, detail))
	}
	return strings.Join(parts, " → ")
}

// limits writes the item's limits as its mode has them (catalog.Item.LimitWords): the legal
// limit and the mode, then the 办理时限 — for 告知承诺 当场审批 with the post-check and what a false
// commitment means, never the department's review limit as if it applied to everyone.
func limits(d *doc, it catalog.Item) {
	if it.HandlingMode == catalog.ModeCommitment {
		d.pair("法定时限", it.LegalLimit.String(), "办理方式", it.HandlingModeName())
		d.row("办理时限", it.LimitWords()+"；"+it.PostCheckWords())
		d.row("告知承诺", fmt.Sprintf("签署告知承诺书后当场审批，审批前不到现场勘验；部门在审批后 %d 个工作日内事后核查。%s。%s。",
			it.PostCheckDays, catalog.FalseCommitment, it.CommitmentFallback()))
		return
	}
	if it.PromiseNote != "" || it.HandlingMode == catalog.ModeRules || it.HandlingMode == catalog.ModeImmediate {
		d.pair("法定时限", it.LegalLimit.String(), "办理方式", it.HandlingModeName())
		d.row("承诺时限", it.LimitWords())
		return
	}
	d.pair("法定时限", it.LegalLimit.String(), "承诺时限", it.PromisedLimit.String())
}

func feeText(it catalog.Item) string {
	if !it.Fee.Charged {
		return "不收费"
	}
	return it.Fee.Standard + "；依据：" + it.Fee.Basis
}

func visitsText(it catalog.Item) string {
	v := fmt.Sprintf("%d 次", it.Visits)
	if it.Visits > 0 && it.VisitsReason != "" {
		v += "（" + it.VisitsReason + "）"
	}
	return v
}

func deliveryText(it catalog.Item) string {
	methods := make([]string, 0, len(it.DeliveryMethods))
	for _, m := range it.DeliveryMethods {
		methods = append(methods, catalog.DeliveryNames[m])
	}
	return strings.Join(methods, "、")
}

// Notice writes the 一次性告知单 of an item: everything needed to get it done in one visit, on
// one A4 page for a typical item, issued by the center with the date and a seal area.
// guideURL is where the QR code points. When the page would spill (a very long name, many
// materials), the spacing is tightened so that the seal and the date stay on the page.
func Notice(w io.Writer, it catalog.Item, centerName, guideURL string, at time.Time) (err error) {
	defer errs.Wrap(&err, "pdfdoc.Notice")
	var d *doc
	for _, tight := range []bool{false, true} {
		var err error
		if d, err = notice(it, centerName, guideURL, at, tight); err != nil {
			return err
		}
		if d.PageNo() == 1 {
			break
		}
	}
	return d.Output(w)
}

func notice(it catalog.Item, centerName, guideURL string, at time.Time, tight bool) (*doc, error) {
	d := newDoc(it.Name+" 一次性告知单", fmt.Sprintf("%s · %s · 指南版本 %d", centerName, it.Code, it.Version), at)
	gap := 1.0
	if tight {
		d.rowSize, d.rowLH, d.tableLH, d.sectionGap, gap = 9, 4.4, 4.4, 0.5, 0.4
	}
	d.AddPage()
	under, err := d.qrCorner(guideURL, "扫码查看办事指南")
	if err != nil {
		return nil, err
	}
	d.SetY(marginT)
	d.heading(centerName, 11)
	d.heading("一次性告知单", 19)
	d.heading(it.Name, 13.5)
	d.SetY(max(d.GetY(), under))
	d.inset = 0

	d.section("一、事项信息")
	d.row("实施编码", it.Code)
	d.pair("事项类型", it.Type, "实施部门", it.Department.Name)
	d.row("设定依据", it.LegalBasis)
	d.row("受理条件", it.Conditions)
	limits(d, it)
	d.pair("到现场次数", visitsText(it), "收费", feeText(it))
	d.row("办理结果", it.ResultName)

	if FullyOnline(it) {
		d.section("二、需要上传的材料")
	} else {
		d.section("二、申请材料")
	}
	d.materialTable(it.Materials, FullyOnline(it))

	d.section("三、办理流程、地点与咨询")
	d.row("办理流程", stepsText(it.GuideSteps(), true))
	d.row("办理地点", WhereText(it))
	d.row("办理时间", it.Hours)
	d.pair("咨询电话", it.ConsultPhone, "投诉电话", it.ComplaintPhone)
	d.row("出件方式", deliveryText(it))

	d.Ln(3 * gap)
	d.SetFont(family, "", 9)
	d.SetX(marginL)
	d.text(contentW, 4.8, "　　本告知单所列材料为办理本事项的全部材料。申请人按本告知单备齐材料后，窗口不得要求补充本告知单以外的材料。"+
		"可容缺后补的材料缺少时可先行受理，申请人须签署承诺书并在约定期限内补齐。", "L")
	d.Ln(gap)
	d.seal(centerName, at.Format("2006年01月02日"))
	return d, nil
}
