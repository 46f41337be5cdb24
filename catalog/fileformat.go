package catalog

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"banhao/errs"
	"banhao/network"
)

// File is a catalog as read from or written to a file (CSV, Excel or JSON).
type File struct {
	Sections    []Section
	Departments []Department
	Items       []Item
	Bundles     []Bundle  // JSON and Excel carry bundles; a CSV file holds items only
	pos         []itemPos // where each item came from, to name rows in errors
	sectionRows []int
	deptRows    []int
	bundleRows  []int
	format      string
}

type itemPos struct {
	sheet    string
	row      int
	matRows  []int // Excel: the row of each material on the materials sheet
	stepRows []int
}

// RowError names one bad cell of an import: the sheet (Excel) or file, the row, the column
// and the rule it broke.
type RowError struct {
	Sheet   string `json:"sheet,omitempty"`
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

func (e RowError) String() string {
	loc := fmt.Sprintf("第 %d 行", e.Row)
	if e.Sheet != "" {
		loc = e.Sheet + " " + loc
	}
	return fmt.Sprintf("%s，列 %s：%s", loc, e.Column, e.Message)
}

// ImportError lists every bad row of a file that was not imported.
type ImportError struct{ Rows []RowError }

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "导入失败：%d 处错误，未导入任何内容", len(e.Rows))
	for i, r := range e.Rows {
		if i == 20 {
			fmt.Fprintf(&b, "\n…另有 %d 处", len(e.Rows)-20)
			break
		}
		b.WriteString("\n  " + r.String())
	}
	return b.String()
}

// AsDomain turns the row errors into a validation error whose fields name row and column.
func (e *ImportError) AsDomain() *errs.Error {
	out := &errs.Error{Code: errs.CodeInvalid, Message: fmt.Sprintf("导入失败：%d 处错误，未导入任何内容", len(e.Rows))}
	for _, r := range e.Rows {
		field := fmt.Sprintf("row %d: %s", r.Row, r.Column)
		if r.Sheet != "" {
			field = r.Sheet + " " + field
		}
		out.Fields = append(out.Fields, errs.FieldError{Field: field, Message: r.Message})
	}
	return out
}

// Sheet names of the Excel workbook.
const (
	sheetItems     = "事项"
	sheetMaterials = "材料"
	sheetSteps     = "环节"
	sheetDepts     = "部门"
	sheetSections  = "版块"
	sheetBundles   = "一件事"
)

// column binds one tabular column to an item field. field is the path Validate reports.
type column struct {
	key, label, field string
	get               func(*Item) string
	set               func(*Item, string) error
}

func textCol(key, label, field string, p func(*Item) *string) column {
	return column{key: key, label: label, field: field,
		get: func(it *Item) string { return *p(it) },
		set: func(it *Item, v string) error { *p(it) = v; return nil }}
}

func intCol(key, label, field string, p func(*Item) *int) column {
	return column{key: key, label: label, field: field,
		get: func(it *Item) string { return strconv.Itoa(*p(it)) },
		set: func(it *Item, v string) (err error) { *p(it), err = parseInt(v); return err }}
}

func boolCol(key, label, field string, p func(*Item) *bool) column {
	return column{key: key, label: label, field: field,
		get: func(it *Item) string { return strconv.FormatBool(*p(it)) },
		set: func(it *Item, v string) (err error) { *p(it), err = parseBool(v); return err }}
}

// itemColumns is the item sheet (and the CSV file), in order.
var itemColumns = []column{
	textCol("code", "实施编码", "code", func(i *Item) *string { return &i.Code }),
	textCol("name", "事项名称", "name", func(i *Item) *string { return &i.Name }),
	textCol("type", "事项类型", "type", func(i *Item) *string { return &i.Type }),
	textCol("status", "状态", "status", func(i *Item) *string { return &i.Status }),
	textCol("department", "实施部门编码", "department", func(i *Item) *string { return &i.Department.Code }),
	textCol("department_name", "实施部门", "department", func(i *Item) *string { return &i.Department.Name }),
	textCol("section", "版块编码", "section", func(i *Item) *string { return &i.Section.Code }),
	textCol("section_name", "版块", "section", func(i *Item) *string { return &i.Section.Name }),
	textCol("region_code", "区划代码", "region_code", func(i *Item) *string { return &i.RegionCode }),
	textCol("group", "事项分组", "group", func(i *Item) *string { return &i.Group }),
	{key: "keywords", label: "关键词（别名/俗称）", field: "keywords",
		get: func(it *Item) string { return strings.Join(it.Keywords, "、") },
		set: func(it *Item, v string) error { it.Keywords = SplitKeywords(v); return nil }},
	{key: "themes", label: "主题", field: "themes",
		get: func(it *Item) string { return strings.Join(it.Themes, ",") },
		set: func(it *Item, v string) error { it.Themes = ThemeCodes(v); return nil }},
	textCol("legal_basis", "设定依据", "legal_basis", func(i *Item) *string { return &i.LegalBasis }),
	textCol("conditions", "受理条件", "conditions", func(i *Item) *string { return &i.Conditions }),
	textCol("handling", "办件类型", "handling", func(i *Item) *string { return &i.Handling }),
	intCol("legal_limit_value", "法定时限", "legal_limit.value", func(i *Item) *int { return &i.LegalLimit.Value }),
	textCol("legal_limit_unit", "法定时限单位", "legal_limit.unit", func(i *Item) *string { return &i.LegalLimit.Unit }),
	intCol("promised_limit_value", "承诺时限", "promised_limit.value", func(i *Item) *int { return &i.PromisedLimit.Value }),
	textCol("promised_limit_unit", "承诺时限单位", "promised_limit.unit", func(i *Item) *string { return &i.PromisedLimit.Unit }),
	textCol("promise_note", "时限承诺说明", "promise_note", func(i *Item) *string { return &i.PromiseNote }),
	intCol("visits", "到现场次数", "visits", func(i *Item) *int { return &i.Visits }),
	textCol("visits_reason", "到现场理由", "visits_reason", func(i *Item) *string { return &i.VisitsReason }),
	intCol("online_depth", "网办深度", "online_depth", func(i *Item) *int { return &i.OnlineDepth }),
	boolCol("fee_charged", "是否收费", "fee.charged", func(i *Item) *bool { return &i.Fee.Charged }),
	textCol("fee_standard", "收费标准", "fee.standard", func(i *Item) *string { return &i.Fee.Standard }),
	textCol("fee_basis", "收费依据", "fee.basis", func(i *Item) *string { return &i.Fee.Basis }),
	textCol("deferred_policy", "容缺逾期处理", "deferred_policy", func(i *Item) *string { return &i.DeferredPolicy }),
	boolCol("extension_allowed", "允许延期", "extension_allowed", func(i *Item) *bool { return &i.ExtensionAllowed }),
	boolCol("special_procedures_allowed", "允许特别程序", "special_procedures_allowed", func(i *Item) *bool { return &i.SpecialProceduresAllowed }),
	{key: "tongban", label: "通办范围", field: "tongban",
		get: func(it *Item) string { return it.Tongban },
		set: func(it *Item, v string) error {
			if t, ok := network.ParseTongban(v); ok {
				it.Tongban = t
				return nil
			}
			if b, err := parseBool(v); err == nil { // the old 全市通办 column (citywide): 是/否
				it.Tongban = map[bool]string{true: network.TongbanCity, false: network.TongbanNone}[b]
				return nil
			}
			return fmt.Errorf("%q 不是通办范围：可填 全市通办（city）、全省通办（province）、跨省通办（national）或留空", v)
		}},
	textCol("level", "行使层级", "level", func(i *Item) *string { return &i.Level }),
	{key: "handling_mode", label: "办理方式", field: "handling_mode",
		get: func(it *Item) string { return it.HandlingMode },
		set: func(it *Item, v string) error {
			if m, ok := ParseHandlingMode(v); ok {
				it.HandlingMode = m
				return nil
			}
			return fmt.Errorf("“%s”不是办理方式：可填 审批、即办、秒批、告知承诺、备案（或其英文代码），留空为审批", Excerpt(v))
		}},
	{key: "reform_mode", label: "证照分离改革方式", field: "reform_mode",
		get: func(it *Item) string { return it.ReformMode },
		set: func(it *Item, v string) error {
			if m, ok := ParseReformMode(v); ok {
				it.ReformMode = m
				return nil
			}
			return fmt.Errorf("“%s”不是证照分离改革方式：可填 直接取消审批、审批改为备案、实行告知承诺、优化审批服务（或其英文代码），或留空", Excerpt(v))
		}},
	textCol("commitment", "承诺书", "commitment", func(i *Item) *string { return &i.Commitment }),
	textCol("commitment_scope", "告知承诺适用范围", "commitment_scope", func(i *Item) *string { return &i.CommitmentScope }),
	intCol("post_check_days", "事后核查时限", "post_check_days", func(i *Item) *int { return &i.PostCheckDays }),
	textCol("result_type", "结果类型", "result_type", func(i *Item) *string { return &i.ResultType }),
	textCol("result_name", "结果名称", "result_name", func(i *Item) *string { return &i.ResultName }),
	textCol("result_certificate_type", "结果证照类型", "result_certificate_type", func(i *Item) *string { return &i.ResultCertificate }),
	{key: "delivery_methods", label: "出件方式", field: "delivery_methods",
		get: func(it *Item) string { return strings.Join(it.DeliveryMethods, ",") },
		set: func(it *Item, v string) error { it.DeliveryMethods = splitList(v); return nil }},
	textCol("where", "办理地点", "where", func(i *Item) *string { return &i.Where }),
	textCol("hours", "办理时间", "hours", func(i *Item) *string { return &i.Hours }),
	textCol("consult_phone", "咨询电话", "consult_phone", func(i *Item) *string { return &i.ConsultPhone }),
	textCol("complaint_phone", "投诉电话", "complaint_phone", func(i *Item) *string { return &i.ComplaintPhone }),
	// The standard item an implementing item derives from (清单标准全域统一, derive.go); an import
	// that leaves the column out keeps what each item had.
	textCol("standard_code", "标准事项编码", "standard_code", func(i *Item) *string { return &i.StandardCode }),
}

// CSV has no second sheet, so materials and steps travel as JSON in one cell each.
var csvExtraColumns = []column{
	{key: "materials", label: "申请材料(JSON)", field: "materials",
		get: func(it *Item) string { b, _ := json.Marshal(it.Materials); return string(b) },
		set: func(it *Item, v string) error { return unmarshalCell(v, &it.Materials) }},
	{key: "steps", label: "办理环节(JSON)", field: "steps",
		get: func(it *Item) string { b, _ := json.Marshal(it.Steps); return string(b) },
		set: func(it *Item, v string) error { return unmarshalCell(v, &it.Steps) }},
}

// Column aliases: the public listing format of shared/data/real-district-items.csv.
var headerAliases = map[string]string{"item_code": "code", "task_type_name": "type", "area_code": "region_code", "citywide": "tongban"}

// typeCodes maps the national item-type codes to names (task_type in listing files).
var typeCodes = map[string]string{"1": "行政许可", "5": "行政给付", "7": "行政确认", "8": "行政奖励", "9": "行政裁决", "10": "其他行政权力", "20": "公共服务"}

func unmarshalCell(v string, dst any) error {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(v))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("不是有效的 JSON 列表：%v", err)
	}
	return nil
}

func parseInt(v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%q 不是整数", v)
	}
	return n, nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "false", "0", "否", "n", "no":
		return false, nil
	case "true", "1", "是", "y", "yes":
		return true, nil
	}
	return false, fmt.Errorf("%q 不是 是/否（true/false）", v)
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '，' || r == ';' || r == '、' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// headerKey turns "name（事项名称）" into "name".
func headerKey(h string) string {
	h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	if i := strings.IndexAny(h, "（("); i > 0 {
		h = h[:i]
	}
	return strings.ToLower(strings.TrimSpace(h))
}

// Format returns the file format for a file name: csv, xlsx or json.
func Format(name string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".csv":
		return "csv", nil
	case ".xlsx":
		return "xlsx", nil
	case ".json":
		return "json", nil
	default:
		return "", errs.Invalid("file", fmt.Sprintf("不支持的文件类型 %q：须为 .csv、.xlsx 或 .json", ext))
	}
}

// MaxImportSize bounds what an import reads (and what an Excel file may unpack to, ×4).
const MaxImportSize = 32 << 20

// Parse reads a catalog file of format. It fails with *ImportError on bad rows.
func Parse(format string, r io.Reader) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxImportSize {
		return nil, &errs.Error{Code: errs.CodeTooLarge, Message: fmt.Sprintf("文件超过 %d MiB", MaxImportSize>>20)}
	}
	switch format {
	case "csv":
		return ParseCSV(data)
	case "xlsx":
		return ParseXLSX(data)
	case "json":
		return ParseJSON(data)
	}
	return nil, errs.Invalid("file", "不支持的文件类型："+format)
}

// table is one sheet: a header and data rows (row numbers as a spreadsheet shows them).
type table struct {
	name   string
	header map[string]int
	rows   [][]string
	first  int // spreadsheet row number of rows[0]
}

func (t *table) cell(row []string, key string) (string, bool) {
	i, ok := t.header[key]
	if !ok {
		return "", false
	}
	if i < len(row) {
		return strings.TrimSpace(row[i]), true
	}
	return "", true
}

// newTable reads a sheet; an item sheet also takes the column names of public listing files.
func newTable(name string, records [][]string, itemSheet bool) *table {
	t := &table{name: name, header: map[string]int{}, first: 2}
	if len(records) == 0 {
		return t
	}
	for i, h := range records[0] {
		k := headerKey(h)
		if a, ok := headerAliases[k]; ok && itemSheet {
			k = a
		}
		if k != "" {
			if _, dup := t.header[k]; !dup {
				t.header[k] = i
			}
		}
	}
	t.rows = records[1:]
	return t
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// ParseCSV reads the one-sheet item list: our export format, or a public listing file such as
// shared/data/real-district-items.csv.
func ParseCSV(data []byte) (*File, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	var records [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			row := 0
			if errors.As(err, &pe) {
				row = pe.StartLine
			}
			return nil, &ImportError{Rows: []RowError{{Row: row, Column: "-", Message: "CSV 格式错误：" + err.Error()}}}
		}
		for i := range rec {
			rec[i] = csvUnguard(rec[i])
		}
		records = append(records, rec)
	}
	f := &File{format: "csv"}
	t := newTable("", records, true)
	var rowErrs []RowError
	cols := append(append([]column{}, itemColumns...), csvExtraColumns...)
	rowErrs = append(rowErrs, requireColumns(t, "code", "name")...)
	if len(rowErrs) > 0 {
		return nil, &ImportError{Rows: rowErrs}
	}
	for i, row := range t.rows {
		if blank(row) {
			continue
		}
		it, errsOfRow := readItemRow(t, row, t.first+i, cols)
		rowErrs = append(rowErrs, errsOfRow...)
		f.Items = append(f.Items, it)
		f.pos = append(f.pos, itemPos{row: t.first + i})
	}
	if len(rowErrs) > 0 {
		return nil, &ImportError{Rows: rowErrs}
	}
	if len(f.Items) == 0 {
		return nil, &ImportError{Rows: []RowError{{Row: 1, Column: "-", Message: "文件中没有事项"}}}
	}
	return f, nil
}

func requireColumns(t *table, keys ...string) []RowError {
	var out []RowError
	for _, k := range keys {
		if _, ok := t.header[k]; !ok {
			out = append(out, RowError{Sheet: t.name, Row: 1, Column: k, Message: "缺少必需的列 " + k})
		}
	}
	return out
}

func readItemRow(t *table, row []string, n int, cols []column) (Item, []RowError) {
	var it Item
	var out []RowError
	for _, c := range cols {
		v, ok := t.cell(row, c.key)
		if !ok {
			continue
		}
		if err := c.set(&it, v); err != nil {
			out = append(out, RowError{Sheet: t.name, Row: n, Column: c.key, Message: err.Error()})
		}
	}
	if it.Type == "" {
		if v, _ := t.cell(row, "task_type"); v != "" {
			it.Type = typeCodes[v]
		}
	}
	// A listing file names the department in its own column; resolved against the catalog on import.
	if _, hasName := t.header["department_name"]; !hasName && it.Department.Code != "" {
		it.Department.Name = it.Department.Code
	}
	if it.Status == "" {
		it.Status = StatusDraft
	}
	return it, out
}

// ParseXLSX reads the workbook written by WriteXLSX; the 事项 sheet alone is enough.
func ParseXLSX(data []byte) (f *File, err error) {
	defer func() { // a malformed workbook must be an error, never a crash of the server
		if p := recover(); p != nil {
			f, err = nil, &ImportError{Rows: []RowError{{Row: 0, Column: "-", Message: fmt.Sprintf("Excel 文件无法读取：%v", p)}}}
		}
	}()
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxImportSize * 4, UnzipXMLSizeLimit: MaxImportSize})
	if err != nil {
		return nil, &ImportError{Rows: []RowError{{Row: 0, Column: "-", Message: "不是有效的 Excel (.xlsx) 文件：" + err.Error()}}}
	}
	defer wb.Close()
	read := func(name string) (*table, bool, error) {
		if idx, _ := wb.GetSheetIndex(name); idx < 0 {
			return newTable(name, nil, false), false, nil
		}
		rows, err := wb.GetRows(name)
		if err != nil { // the workbook names a sheet it does not hold, or the sheet is unreadable
			return nil, false, &ImportError{Rows: []RowError{{Row: 0, Column: "-", Message: "Excel 工作表“" + name + "”无法读取：" + err.Error()}}}
		}
		return newTable(name, rows, name == sheetItems), true, nil
	}
	f = &File{format: "xlsx"}
	var rowErrs []RowError
	items, ok, err := read(sheetItems)
	if err != nil {
		return nil, err
	}
	if !ok {
		first := wb.GetSheetName(0) // a one-sheet listing: take the first sheet
		rows, err := wb.GetRows(first)
		if err != nil {
			return nil, &ImportError{Rows: []RowError{{Row: 0, Column: "-", Message: "Excel 文件无法读取：" + err.Error()}}}
		}
		items = newTable(first, rows, true)
	}
	if errs := requireColumns(items, "code", "name"); len(errs) > 0 {
		return nil, &ImportError{Rows: errs}
	}
	byCode := map[string]int{}
	for i, row := range items.rows {
		if blank(row) {
			continue
		}
		n := items.first + i
		it, e := readItemRow(items, row, n, itemColumns)
		rowErrs = append(rowErrs, e...)
		if _, dup := byCode[it.Code]; !dup {
			byCode[it.Code] = len(f.Items)
		}
		f.Items = append(f.Items, it)
		f.pos = append(f.pos, itemPos{sheet: items.name, row: n})
	}

	mats, _, err := read(sheetMaterials)
	if err != nil {
		return nil, err
	}
	for i, row := range mats.rows {
		if blank(row) {
			continue
		}
		n := mats.first + i
		code, _ := mats.cell(row, "item_code")
		k, ok := byCode[code]
		if !ok {
			rowErrs = append(rowErrs, RowError{Sheet: mats.name, Row: n, Column: "item_code", Message: fmt.Sprintf("事项 %q 不在「事项」表中", code)})
			continue
		}
		var m Material
		get := func(key string) string { v, _ := mats.cell(row, key); return v }
		m.ID, m.Name, m.Source, m.CertificateType, m.Form = get("id"), get("name"), get("source"), get("certificate_type"), get("form")
		m.Sample, m.Note = get("sample"), get("note")
		for key, dst := range map[string]*bool{"required": &m.Required, "deferrable": &m.Deferrable} {
			b, err := parseBool(get(key))
			if err != nil {
				rowErrs = append(rowErrs, RowError{Sheet: mats.name, Row: n, Column: key, Message: err.Error()})
			}
			*dst = b
		}
		for key, dst := range map[string]*int{"originals": &m.Originals, "copies": &m.Copies} {
			v, err := parseInt(get(key))
			if err != nil {
				rowErrs = append(rowErrs, RowError{Sheet: mats.name, Row: n, Column: key, Message: err.Error()})
			}
			*dst = v
		}
		f.Items[k].Materials = append(f.Items[k].Materials, m)
		f.pos[k].matRows = append(f.pos[k].matRows, n)
	}

	steps, _, err := read(sheetSteps)
	if err != nil {
		return nil, err
	}
	for i, row := range steps.rows {
		if blank(row) {
			continue
		}
		n := steps.first + i
		code, _ := steps.cell(row, "item_code")
		k, ok := byCode[code]
		if !ok {
			rowErrs = append(rowErrs, RowError{Sheet: steps.name, Row: n, Column: "item_code", Message: fmt.Sprintf("事项 %q 不在「事项」表中", code)})
			continue
		}
		get := func(key string) string { v, _ := steps.cell(row, key); return v }
		s := Step{Name: get("name"), Actor: get("actor"), Limit: Limit{Unit: get("limit_unit")}}
		v, err := parseInt(get("limit_value"))
		if err != nil {
			rowErrs = append(rowErrs, RowError{Sheet: steps.name, Row: n, Column: "limit_value", Message: err.Error()})
		}
		s.Limit.Value = v
		f.Items[k].Steps = append(f.Items[k].Steps, s)
		f.pos[k].stepRows = append(f.pos[k].stepRows, n)
	}

	depts, _, err := read(sheetDepts)
	if err != nil {
		return nil, err
	}
	for i, row := range depts.rows {
		if blank(row) {
			continue
		}
		get := func(key string) string { v, _ := depts.cell(row, key); return v }
		f.Departments = append(f.Departments, Department{Code: get("code"), Name: get("name"), CreditCode: get("credit_code"),
			RegionCode: get("region_code"), Kind: get("kind"), Phone: get("phone"), Status: get("status")})
		f.deptRows = append(f.deptRows, depts.first+i)
	}
	secs, _, err := read(sheetSections)
	if err != nil {
		return nil, err
	}
	for i, row := range secs.rows {
		if blank(row) {
			continue
		}
		get := func(key string) string { v, _ := secs.cell(row, key); return v }
		sort, err := parseInt(get("sort"))
		if err != nil {
			rowErrs = append(rowErrs, RowError{Sheet: secs.name, Row: secs.first + i, Column: "sort", Message: err.Error()})
		}
		f.Sections = append(f.Sections, Section{Code: get("code"), Name: get("name"), Description: get("description"), Sort: sort, Status: get("status")})
		f.sectionRows = append(f.sectionRows, secs.first+i)
	}
	bundles, _, err := read(sheetBundles)
	if err != nil {
		return nil, err
	}
	for i, row := range bundles.rows {
		if blank(row) {
			continue
		}
		n := bundles.first + i
		get := func(key string) string { v, _ := bundles.cell(row, key); return v }
		b := Bundle{Code: get("code"), Name: get("name"), Description: get("description"), Status: get("status"), PromisedLimit: Limit{Unit: get("promised_limit_unit")},
			Keywords: SplitKeywords(get("keywords")), Themes: ThemeCodes(get("themes"))}
		var perr error
		if b.PromisedLimit.Value, perr = parseInt(get("promised_limit_value")); perr != nil {
			rowErrs = append(rowErrs, RowError{Sheet: bundles.name, Row: n, Column: "promised_limit_value", Message: perr.Error()})
		}
		if b.Deferrable, perr = parseBool(get("deferrable")); perr != nil {
			rowErrs = append(rowErrs, RowError{Sheet: bundles.name, Row: n, Column: "deferrable", Message: perr.Error()})
		}
		if perr = unmarshalCell(get("stages"), &b.Stages); perr != nil {
			rowErrs = append(rowErrs, RowError{Sheet: bundles.name, Row: n, Column: "stages", Message: perr.Error()})
		}
		if perr = unmarshalCell(get("form"), &b.Form); perr != nil {
			rowErrs = append(rowErrs, RowError{Sheet: bundles.name, Row: n, Column: "form", Message: perr.Error()})
		}
		f.Bundles = append(f.Bundles, b)
		f.bundleRows = append(f.bundleRows, n)
	}
	if len(rowErrs) > 0 {
		return nil, &ImportError{Rows: rowErrs}
	}
	if len(f.Items) == 0 && len(f.Departments) == 0 && len(f.Sections) == 0 {
		return nil, &ImportError{Rows: []RowError{{Sheet: items.name, Row: 1, Column: "-", Message: "文件中没有事项"}}}
	}
	return f, nil
}

// jsonFile is the JSON catalog format.
type jsonFile struct {
	Format      string       `json:"format"`
	ExportedAt  time.Time    `json:"exported_at,omitzero"`
	Sections    []Section    `json:"sections"`
	Departments []Department `json:"departments"`
	Items       []Item       `json:"items"`
	Bundles     []Bundle     `json:"bundles,omitempty"`
}

// ParseJSON reads the JSON catalog format (unknown fields are errors, to catch typos).
func ParseJSON(data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var jf jsonFile
	if err := dec.Decode(&jf); err != nil {
		return nil, &ImportError{Rows: []RowError{{Sheet: "json", Row: 0, Column: "-", Message: "不是有效的目录 JSON：" + err.Error()}}}
	}
	f := &File{format: "json", Sections: jf.Sections, Departments: jf.Departments, Items: jf.Items, Bundles: jf.Bundles}
	for i := range f.Items {
		if f.Items[i].Status == "" {
			f.Items[i].Status = StatusDraft
		}
		f.pos = append(f.pos, itemPos{sheet: "items", row: i + 1})
	}
	for i := range f.Departments {
		f.deptRows = append(f.deptRows, i+1)
	}
	for i := range f.Sections {
		f.sectionRows = append(f.sectionRows, i+1)
	}
	for i := range f.Bundles {
		f.bundleRows = append(f.bundleRows, i+1)
	}
	if len(f.Items) == 0 && len(f.Departments) == 0 && len(f.Sections) == 0 {
		return nil, &ImportError{Rows: []RowError{{Sheet: "json", Row: 0, Column: "-", Message: "文件中没有事项"}}}
	}
	return f, nil
}

// locate maps a validation field of item k to the cell that holds it.
func (f *File) locate(k int, field string) RowError {
	p := f.pos[k]
	re := RowError{Sheet: p.sheet, Row: p.row, Column: field}
	if f.format == "json" {
		return re
	}
	// materials[2].id → the materials sheet (Excel) or the materials cell (CSV)
	for _, list := range []struct {
		prefix, sheet string
		rows          []int
	}{{"materials", sheetMaterials, p.matRows}, {"steps", sheetSteps, p.stepRows}} {
		if !strings.HasPrefix(field, list.prefix) {
			continue
		}
		if f.format == "csv" {
			re.Column = list.prefix
			return re
		}
		var i int
		var rest string
		if n, _ := fmt.Sscanf(field, list.prefix+"[%d]", &i); n == 1 {
			if j := strings.Index(field, "]."); j > 0 {
				rest = field[j+2:]
			}
			if i < len(list.rows) {
				re.Sheet, re.Row, re.Column = list.sheet, list.rows[i], rest
				if rest == "limit.value" || rest == "limit.unit" {
					re.Column = strings.ReplaceAll(rest, ".", "_")
				}
			}
		}
		return re
	}
	for _, c := range itemColumns {
		if c.field == field || strings.HasPrefix(c.field, field+".") {
			re.Column = c.key
			return re
		}
	}
	return re
}

// formulaStart are the first characters that make spreadsheet software read a cell as a
// formula (OWASP "CSV injection"): =HYPERLINK(…) in a keyword must stay text.
const formulaStart = "=+-@\t\r"

// csvGuard neutralises a cell that would start a formula by prefixing a single quote, which
// spreadsheets show as text and hide. A cell already starting with quotes before such a
// character gets one more, so that csvUnguard, which takes exactly one off on import, gives
// back every exported value unchanged.
func csvGuard(v string) string {
	if formulaLike(v) {
		return "'" + v
	}
	return v
}

func csvUnguard(v string) string {
	if len(v) >= 2 && v[0] == '\'' && formulaLike(v[1:]) {
		return v[1:]
	}
	return v
}

// formulaLike: v, after any leading single quotes, starts with a formula character.
func formulaLike(v string) bool {
	t := strings.TrimLeft(v, "'")
	return t != "" && strings.IndexByte(formulaStart, t[0]) >= 0
}

// WriteCSV writes the items as one CSV sheet (materials and steps as JSON cells); a cell that
// would start a formula is written with a leading single quote (csvGuard).
func WriteCSV(w io.Writer, f *File) (err error) {
	defer errs.Wrap(&err, "catalog.WriteCSV")
	cw := csv.NewWriter(w)
	cols := append(append([]column{}, itemColumns...), csvExtraColumns...)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.key
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for i := range f.Items {
		rec := make([]string, len(cols))
		for j, c := range cols {
			rec[j] = csvGuard(c.get(&f.Items[i]))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes the workbook: items, materials, steps, departments and sections.
func WriteXLSX(w io.Writer, f *File) (err error) {
	defer errs.Wrap(&err, "catalog.WriteXLSX")
	wb := excelize.NewFile()
	defer wb.Close()
	if err := wb.SetSheetName("Sheet1", sheetItems); err != nil {
		return err
	}
	for _, name := range []string{sheetMaterials, sheetSteps, sheetDepts, sheetSections, sheetBundles} {
		if _, err := wb.NewSheet(name); err != nil {
			return err
		}
	}
	write := func(sheet string, header []string, rows [][]any) error {
		sw, err := wb.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		h := make([]any, len(header))
		for i, v := range header {
			h[i] = v
		}
		if err := sw.SetRow("A1", h); err != nil {
			return err
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, r); err != nil {
				return err
			}
		}
		return sw.Flush()
	}
	header := make([]string, len(itemColumns))
	for i, c := range itemColumns {
		header[i] = c.key + "（" + c.label + "）"
	}
	var itemRows, matRows, stepRows [][]any
	for i := range f.Items {
		it := &f.Items[i]
		r := make([]any, len(itemColumns))
		for j, c := range itemColumns {
			r[j] = c.get(it)
		}
		itemRows = append(itemRows, r)
		for _, m := range it.Materials {
			matRows = append(matRows, []any{it.Code, m.ID, m.Name, strconv.FormatBool(m.Required), strconv.FormatBool(m.Deferrable), m.Source,
				m.CertificateType, m.Form, strconv.Itoa(m.Originals), strconv.Itoa(m.Copies), m.Sample, m.Note})
		}
		for _, s := range it.Steps {
			stepRows = append(stepRows, []any{it.Code, s.Name, strconv.Itoa(s.Limit.Value), s.Limit.Unit, s.Actor})
		}
	}
	if err := write(sheetItems, header, itemRows); err != nil {
		return err
	}
	if err := write(sheetMaterials, []string{"item_code（实施编码）", "id（材料编号）", "name（材料名称）", "required（必需）", "deferrable（容缺可后补）",
		"source（来源）", "certificate_type（证照类型）", "form（形式）", "originals（原件份数）", "copies（复印件份数）", "sample（样表）", "note（备注）"}, matRows); err != nil {
		return err
	}
	if err := write(sheetSteps, []string{"item_code（实施编码）", "name（环节）", "limit_value（时限）", "limit_unit（时限单位）", "actor（办理人员）"}, stepRows); err != nil {
		return err
	}
	var deptRows, secRows [][]any
	for _, d := range f.Departments {
		deptRows = append(deptRows, []any{d.Code, d.Name, d.CreditCode, d.RegionCode, d.Phone, d.Status, d.Kind})
	}
	for _, s := range f.Sections {
		secRows = append(secRows, []any{s.Code, s.Name, s.Description, strconv.Itoa(s.Sort), s.Status})
	}
	if err := write(sheetDepts, []string{"code（部门编码）", "name（部门名称）", "credit_code（统一社会信用代码）", "region_code（区划代码）", "phone（电话）", "status（状态）", "kind（部门类别）"}, deptRows); err != nil {
		return err
	}
	if err := write(sheetSections, []string{"code（版块编码）", "name（版块名称）", "description（说明）", "sort（排序）", "status（状态）"}, secRows); err != nil {
		return err
	}
	var bundleRows [][]any
	for _, b := range f.Bundles {
		stages, _ := json.Marshal(b.Stages)
		form, _ := json.Marshal(b.Form)
		bundleRows = append(bundleRows, []any{b.Code, b.Name, b.Description, b.Status, strconv.Itoa(b.PromisedLimit.Value), b.PromisedLimit.Unit,
			strconv.FormatBool(b.Deferrable), string(stages), string(form), strings.Join(b.Keywords, "、"), strings.Join(b.Themes, ",")})
	}
	if err := write(sheetBundles, []string{"code（一件事编码）", "name（名称）", "description（说明）", "status（状态）", "promised_limit_value（承诺时限）",
		"promised_limit_unit（时限单位）", "deferrable（允许容缺）", "stages（阶段与事项，JSON）", "form（一表申请表单，JSON）",
		"keywords（关键词（别名/俗称））", "themes（主题）"}, bundleRows); err != nil {
		return err
	}
	return wb.Write(w)
}

// WriteJSON writes the JSON catalog format.
func WriteJSON(w io.Writer, f *File, at time.Time) (err error) {
	defer errs.Wrap(&err, "catalog.WriteJSON")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	items := f.Items
	if items == nil {
		items = []Item{}
	}
	return enc.Encode(jsonFile{Format: "banhao-catalog/1", ExportedAt: at.UTC(), Sections: f.Sections, Departments: f.Departments, Items: items, Bundles: f.Bundles})
}

// Write writes f in format.
func Write(format string, w io.Writer, f *File, at time.Time) (err error) {
	defer errs.Wrap(&err, "catalog.Write")
	switch format {
	case "csv":
		return WriteCSV(w, f)
	case "xlsx":
		return WriteXLSX(w, f)
	case "json":
		return WriteJSON(w, f, at)
	}
	return errs.Invalid("file", "不支持的文件类型："+format)
}

func sortRowErrors(rows []RowError) {
	sort.SliceStable(rows, func(a, b int) bool {
		if rows[a].Sheet != rows[b].Sheet {
			return rows[a].Sheet < rows[b].Sheet
		}
		return rows[a].Row < rows[b].Row
	})
}
