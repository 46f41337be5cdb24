package catalog

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"banhao/errs"
)

// ListTitle is a published list's title: the region's name and the list's (滨州市沾化区“一次办好”事项清单).
func ListTitle(regionName, kind string) string { return regionName + ListTitles[kind] }

// ListDate is a list's 公布日期 in words, in the center's time zone ("2026年11月25日"; "—"
// for an empty list).
func ListDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("2006年1月2日")
}

// ListHeader is the column row of a published list, in the spreadsheet and the PDF.
var ListHeader = []string{"序号", "事项名称", "事项类型", "实施部门", "承诺时限", "到现场次数", "网办深度", "通办范围", "办理地点", "咨询电话", "实施编码"}

// ListRow is one item's row of a published list.
func ListRow(n int, it Item) []string {
	tb := it.TongbanName()
	if tb == "" {
		tb = "—"
	}
	return []string{strconv.Itoa(n), it.Name, it.Type, it.Department.Name, it.PromisedLimit.String(), fmt.Sprintf("%d 次", it.Visits),
		fmt.Sprintf("%d 级", it.OnlineDepth), tb, it.Where, it.ConsultPhone, it.Code}
}

// ListExcel writes a published list as a workbook: the title, its count and 公布日期, then one
// row per item under ListHeader.
func ListExcel(l PublishedList, title, date string) (_ []byte, err error) {
	defer errs.Wrap(&err, "catalog.ListExcel")
	f := excelize.NewFile()
	defer f.Close()
	sheet := "清单"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	if err := f.SetCellValue(sheet, "A1", title); err != nil {
		return nil, err
	}
	if err := f.SetCellValue(sheet, "A2", fmt.Sprintf("共 %d 项　公布日期：%s", l.Count, date)); err != nil {
		return nil, err
	}
	head := make([]any, len(ListHeader))
	for i, h := range ListHeader {
		head[i] = h
	}
	if err := f.SetSheetRow(sheet, "A3", &head); err != nil {
		return nil, err
	}
	for i, it := range l.Items {
		cells := ListRow(i+1, it)
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
		}
		row[0] = i + 1
		cell, _ := excelize.CoordinatesToCellName(1, i+4)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return nil, err
		}
	}
	_ = f.SetColWidth(sheet, "A", "A", 6)
	_ = f.SetColWidth(sheet, "B", "B", 40)
	_ = f.SetColWidth(sheet, "C", "H", 12)
	_ = f.SetColWidth(sheet, "I", "I", 40)
	_ = f.SetColWidth(sheet, "J", "K", 20)
	_ = f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
