package pdfdoc

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"banhao/catalog"
	"banhao/errs"
)

// listCols are the columns of a published list (清单) on A4 portrait: 174 mm.
var listCols = []struct {
	head string
	w    float64
}{{"序号", 10}, {"事项名称", 54}, {"实施部门", 36}, {"承诺时限", 19}, {"到现场", 15}, {"通办范围", 18}, {"咨询电话", 22}}

func listCells(n int, it catalog.Item) []string {
	tb := it.TongbanName()
	if tb == "" {
		tb = "—"
	}
	phone := it.ConsultPhone
	if phone == "" {
		phone = "—"
	}
	return []string{strconv.Itoa(n), it.Name, it.Department.Name, it.PromisedLimit.String(), fmt.Sprintf("%d 次", it.Visits), tb, phone}
}

// ItemList prints a region's published list (实施清单 or “一次办好”清单): its title, count and
// 公布日期 (date, in words), then a table of the items whose header repeats on every page.
func ItemList(w io.Writer, title, date string, items []catalog.Item, at time.Time) (err error) {
	defer errs.Wrap(&err, "pdfdoc.ItemList")
	d := newDoc(title, title+" · 公布日期 "+date, at)
	d.AddPage()
	d.heading(title, 16)
	d.SetFont(family, "", 10)
	d.SetX(marginL)
	d.text(contentW, 6, fmt.Sprintf("共 %d 项　公布日期：%s", len(items), date), "C")
	d.Ln(3)

	cols := make([]column, len(listCols))
	head := make([]string, len(listCols))
	for i, c := range listCols {
		cols[i], head[i] = column{w: c.w, align: "L"}, c.head
	}
	headCols := make([]column, len(cols))
	for i, c := range cols {
		headCols[i] = column{w: c.w, align: "C", fill: true}
	}
	const size, lh = 8.5, 4.4
	header := func() {
		d.SetFont(family, "", size)
		d.SetFillColor(225, 232, 245)
		d.tableRow(headCols, head, lh)
	}
	header()
	if len(items) == 0 {
		d.SetFont(family, "", 10)
		d.Ln(4)
		d.SetX(marginL)
		d.text(contentW, 6, "本清单暂无事项。", "C")
	}
	for i, it := range items {
		cells := listCells(i+1, it)
		d.SetFont(family, "", size)
		n := 1
		for j, c := range cols {
			n = max(n, len(d.lines(cells[j], c.w)))
		}
		if d.GetY()+float64(n)*lh+1.6 > d.bottom() {
			d.AddPage()
			header()
			d.SetFont(family, "", size)
		}
		d.tableRow(cols, cells, lh)
	}
	return d.Output(w)
}
