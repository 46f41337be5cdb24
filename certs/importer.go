package certs

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"banhao/audit"
	"banhao/calendar"
	"banhao/errs"
	"banhao/store"
)

// MaxImport is the largest import file (bytes); MaxImportRows the most certificates in one file.
const (
	MaxImport     = 32 << 20
	MaxImportRows = 100_000
)

// CSVColumns are the columns of a certificate CSV, in the header's words (English or Chinese).
var CSVColumns = [][2]string{
	{"type", "证照类型"}, {"number", "证照编号"}, {"holder_name", "持证主体"}, {"holder_id", "持证主体代码"},
	{"issuer_code", "发证机关代码"}, {"issuer_name", "发证机关"}, {"issued_on", "发证日期"}, {"expires_on", "有效期至"},
}

// ParseCSV reads certificates from CSV with a header row naming the columns (any order; a UTF-8
// BOM is skipped). Every bad cell is reported with its row and column.
func ParseCSV(data []byte) ([]Input, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, errs.Invalid("file", "CSV 文件为空或无法读取")
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		for _, c := range CSVColumns {
			if h == c[0] || h == c[1] {
				col[c[0]] = i
			}
		}
	}
	var v errs.Validation
	for _, c := range CSVColumns[:6] {
		if _, ok := col[c[0]]; !ok && c[0] != "number" {
			v.Add("header", fmt.Sprintf("缺少列 %s（%s）", c[0], c[1]))
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out []Input
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			v.Add(fmt.Sprintf("rows[%d]", line), "CSV 格式错误："+err.Error())
			break
		}
		cell := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		if len(out) >= MaxImportRows {
			v.Add("file", fmt.Sprintf("一次最多导入 %d 条证照", MaxImportRows))
			break
		}
		in := Input{Type: cell("type"), Number: cell("number"), HolderName: cell("holder_name"), HolderID: cell("holder_id"),
			IssuerCode: cell("issuer_code"), IssuerName: cell("issuer_name")}
		for _, d := range []struct {
			name string
			to   **calendar.Date
		}{{"issued_on", &in.IssuedOn}, {"expires_on", &in.ExpiresOn}} {
			if s := cell(d.name); s != "" {
				day, err := calendar.ParseDate(s)
				if err != nil {
					v.Add(fmt.Sprintf("rows[%d].%s", line, d.name), err.Error())
					continue
				}
				*d.to = &day
			}
		}
		out = append(out, in)
	}
	return out, v.Err()
}

// ParseJSON reads {"certificates":[…]} or a bare array of certificates.
func ParseJSON(data []byte) ([]Input, error) {
	var wrapped struct {
		Certificates []Input `json:"certificates"`
	}
	trimmed := bytes.TrimSpace(data)
	var err error
	if len(trimmed) > 0 && trimmed[0] == '[' {
		err = json.Unmarshal(trimmed, &wrapped.Certificates)
	} else {
		err = json.Unmarshal(trimmed, &wrapped)
	}
	if err != nil {
		return nil, errs.Invalid("file", "JSON 无法解析："+err.Error())
	}
	if len(wrapped.Certificates) > MaxImportRows {
		return nil, errs.Invalid("file", fmt.Sprintf("一次最多导入 %d 条证照", MaxImportRows))
	}
	return wrapped.Certificates, nil
}

// Import adds existing certificates from a file ("csv" or "json"), all or nothing: one bad row
// and nothing is written, with every error named by row and field.
func (s *Service) Import(ctx context.Context, by audit.Actor, format string, data []byte) (_ int, err error) {
	defer errs.Wrap(&err, "certs.Import")
	if len(data) > MaxImport {
		return 0, &errs.Error{Code: errs.CodeTooLarge, Message: fmt.Sprintf("导入文件最大 %d MB", MaxImport>>20)}
	}
	var ins []Input
	switch format {
	case "csv":
		ins, err = ParseCSV(data)
	case "json":
		ins, err = ParseJSON(data)
	default:
		return 0, errs.Invalid("format", "导入格式须为 csv 或 json")
	}
	if err != nil {
		return 0, err
	}
	if len(ins) == 0 {
		return 0, errs.Invalid("file", "文件中没有证照")
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		types := map[string]Type{}
		var v errs.Validation
		for i := range ins {
			at := fmt.Sprintf("rows[%d].", i+1)
			name := strings.TrimSpace(ins[i].Type)
			t, ok := types[name]
			if !ok {
				if t, err = typeOf(ctx, tx, name); err != nil {
					v.Add(at+"type", "没有这种证照类型："+name)
					continue
				}
				types[name] = t
			}
			s.check(t, &ins[i], at, &v)
		}
		if err := v.Err(); err != nil {
			return err
		}
		for i, in := range ins {
			if _, err := s.insert(ctx, tx, types[strings.TrimSpace(in.Type)], in, "import"); err != nil {
				if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
					return errs.Invalid(fmt.Sprintf("rows[%d].number", i+1), e.Message)
				}
				return err
			}
		}
		return s.audit.Record(ctx, tx, by, "certificate.import", "certificate", format, nil, map[string]int{"count": len(ins)})
	})
	if err != nil {
		return 0, err
	}
	return len(ins), nil
}
