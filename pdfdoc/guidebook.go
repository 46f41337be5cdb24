package pdfdoc

import (
	"fmt"
	"io"
	"slices"
	"time"

	"banhao/catalog"
	"banhao/errs"
)

// The table of contents: one line per section and per item, each with its page number and a
// link to its page. The contents are laid out first, their pages reserved, the guides written
// (so every item's page is known), and then the contents written into the reserved pages.

const (
	tocTitleH   = 16.0 // the "目录" title on the first contents page
	tocNumW     = 14.0 // the page number column
	tocSection  = 11.0 // font sizes
	tocItem     = 9.5
	tocSectionH = 7.5 // line heights
	tocItemH    = 5.2
)

// tocEntry is one line (or a few wrapped lines) of the contents.
type tocEntry struct {
	section bool
	lines   []string
	item    int // the item it points to (a section points to its first item)
	y       float64
}

func sectionTitle(it catalog.Item) string {
	if it.Section.Name == "" {
		return "其他"
	}
	return it.Section.Name
}

// bySection groups the items by section, the sections in the order they first appear, the
// items of a section in the order given.
func bySection(items []catalog.Item) []catalog.Item {
	first := map[string]int{}
	for i, it := range items {
		if _, ok := first[sectionTitle(it)]; !ok {
			first[sectionTitle(it)] = i
		}
	}
	out := slices.Clone(items)
	slices.SortStableFunc(out, func(a, b catalog.Item) int { return first[sectionTitle(a)] - first[sectionTitle(b)] })
	return out
}

// tocLayout lays out the contents and returns them page by page.
func (d *doc) tocLayout(items []catalog.Item) [][]tocEntry {
	var pages [][]tocEntry
	var page []tocEntry
	y := marginT + tocTitleH
	add := func(e tocEntry, size, lh, gap float64) {
		d.SetFont(family, "", size)
		e.lines = d.lines(e.lines[0], contentW-tocNumW)
		h := float64(len(e.lines))*lh + gap
		if y+h > d.bottom() {
			pages, page, y = append(pages, page), nil, marginT
		}
		e.y = y + gap
		page = append(page, e)
		y += h
	}
	last := "\x00"
	for i, it := range items {
		if s := sectionTitle(it); s != last {
			last = s
			add(tocEntry{section: true, lines: []string{s}, item: i}, tocSection, tocSectionH, 2)
		}
		add(tocEntry{lines: []string{fmt.Sprintf("%d. %s（%s）", i+1, it.Name, it.Department.Name)}, item: i}, tocItem, tocItemH, 0)
	}
	return append(pages, page)
}

// GuideBook writes the whole published catalog as one printable book: a cover, a table of
// contents with page numbers and links, then one guide per item; the PDF outline has a bookmark
// per section and per item.
func GuideBook(w io.Writer, items []catalog.Item, centerName string, at time.Time) (err error) {
	defer errs.Wrap(&err, "pdfdoc.GuideBook")
	items = bySection(items)
	d := newDoc(centerName+" 办事指南汇编", centerName+" 办事指南汇编", at)
	d.AddPage()
	d.SetY(80)
	d.heading(centerName, 16)
	d.Ln(2)
	d.heading("政务服务事项办事指南汇编", 24)
	d.Ln(10)
	d.heading(fmt.Sprintf("共 %d 项 · %s", len(items), at.Format("2006年01月")), 12)

	toc := d.tocLayout(items)
	firstTOC := d.PageNo() + 1
	for i := range toc {
		d.AddPage()
		if i == 0 {
			d.Bookmark("目录", 0, marginT)
		}
	}

	pages := make([]int, len(items))
	links := make([]int, len(items))
	last := "\x00"
	for i, it := range items {
		d.AddPage()
		if s := sectionTitle(it); s != last {
			last = s
			d.Bookmark(s, 0, marginT)
		}
		d.Bookmark(fmt.Sprintf("%d. %s", i+1, it.Name), 1, marginT)
		pages[i], links[i] = d.PageNo(), d.AddLink()
		d.SetLink(links[i], marginT, pages[i])
		d.guide(i, it)
	}
	end := d.PageNo()

	for p, entries := range toc {
		d.SetPage(firstTOC + p)
		if p == 0 {
			d.SetY(marginT)
			d.heading("目录", 16)
		}
		for _, e := range entries {
			size, lh := tocItem, tocItemH
			if e.section {
				size, lh = tocSection, tocSectionH
			}
			d.SetFont(family, "", size)
			y := e.y
			for _, l := range e.lines {
				d.SetXY(marginL, y)
				d.CellFormat(contentW-tocNumW, lh, l, "", 0, "L", false, 0, "")
				y += lh
			}
			// Dot leaders from the end of the last line to the page number.
			from := marginL + d.GetCellMargin() + d.GetStringWidth(e.lines[len(e.lines)-1]) + 2
			to := marginL + contentW - tocNumW + 2
			if to > from {
				d.SetDrawColor(150, 150, 150)
				d.SetDashPattern([]float64{0.3, 1.2}, 0)
				d.Line(from, y-lh/2+0.8, to, y-lh/2+0.8)
				d.SetDashPattern(nil, 0)
				d.SetDrawColor(0, 0, 0)
			}
			d.SetXY(marginL+contentW-tocNumW, y-lh)
			d.CellFormat(tocNumW, lh, fmt.Sprint(pages[e.item]), "", 0, "R", false, 0, "")
			d.Link(marginL, e.y, contentW, y-e.y, links[e.item])
		}
	}
	d.SetPage(end)
	return d.Output(w)
}

// guide writes the guide of one item, starting at the top of a page.
func (d *doc) guide(i int, it catalog.Item) {
	d.heading(fmt.Sprintf("%d. %s", i+1, it.Name), 14)
	d.Ln(1)
	d.row("实施编码", it.Code)
	d.pair("实施部门", it.Department.Name, "事项类型", it.Type)
	limits(d, it)
	d.pair("到现场次数", visitsText(it), "收费", feeText(it))
	d.row("受理条件", it.Conditions)
	d.row("设定依据", it.LegalBasis)
	d.row("办理结果", it.ResultName)
	d.section("申请材料")
	d.materialTable(it.Materials, FullyOnline(it))
	d.section("办理流程、地点与咨询")
	d.row("办理流程", stepsText(it.GuideSteps(), true))
	d.row("办理地点", WhereText(it))
	d.row("办理时间", it.Hours)
	d.pair("咨询电话", it.ConsultPhone, "投诉电话", it.ComplaintPhone)
}
