package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"banhao/audit"
	"banhao/errs"
	"banhao/store"
)

// ImportResult counts what an import did.
type ImportResult struct {
	Items              int `json:"items"`
	Created            int `json:"created"`
	Updated            int `json:"updated"`
	Unchanged          int `json:"unchanged"`
	DepartmentsCreated int `json:"departments_created"`
	SectionsCreated    int `json:"sections_created"`
	Bundles            int `json:"bundles"`
}

// Import applies a parsed file all-or-nothing: every row is checked first and every bad row is
// reported (*ImportError); only a clean file is written, in one transaction.
//
// A department may be named by code or, as in public listing files, by name; an unknown one is
// created (a generated code when the file gives only a name). Unchanged items make no version.
func (s *Service) Import(ctx context.Context, by audit.Actor, f *File) (_ ImportResult, err error) {
	defer errs.Wrap(&err, "catalog.Import")
	var res ImportResult
	var rowErrs []RowError

	deptByCode, deptByName, secByCode, err := s.existingRefs(ctx)
	if err != nil {
		return res, err
	}
	// Sections and departments declared in the file.
	for i := range f.Sections {
		sec := &f.Sections[i]
		if sec.Status == "" {
			sec.Status = "active"
		}
		if err := validateSection(*sec); err != nil {
			rowErrs = append(rowErrs, fieldRowErrors(err, sheetOr(f, sheetSections, "sections"), f.sectionRows[i])...)
		}
		secByCode[sec.Code] = true
	}
	for i := range f.Departments {
		d := &f.Departments[i]
		if d.Status == "" {
			d.Status = "active"
		}
		if err := validateDepartment(*d); err != nil {
			rowErrs = append(rowErrs, fieldRowErrors(err, sheetOr(f, sheetDepts, "departments"), f.deptRows[i])...)
		}
		if other, ok := deptByName[d.Name]; ok && other != d.Code {
			rowErrs = append(rowErrs, RowError{Sheet: sheetOr(f, sheetDepts, "departments"), Row: f.deptRows[i], Column: "name",
				Message: fmt.Sprintf("部门名称 %q 已被部门 %s 使用", d.Name, other)})
		}
		deptByCode[d.Code] = d.Name
		deptByName[d.Name] = d.Code
	}

	// Items: resolve references, then the consistency rules; collect everything.
	var newDepts []Department
	var newSecs []Section
	seen := map[string]int{}
	for k := range f.Items {
		it := &f.Items[k]
		it.Normalize()
		if first, dup := seen[it.Code]; dup && it.Code != "" {
			re := f.locate(k, "code")
			re.Message = fmt.Sprintf("实施编码 %q 与第 %d 行重复", it.Code, f.pos[first].row)
			rowErrs = append(rowErrs, re)
		}
		seen[it.Code] = k
		if it.Department.Code != "" || it.Department.Name != "" {
			code, created, err := resolveDepartment(it.Department, deptByCode, deptByName)
			if err != nil {
				re := f.locate(k, "department")
				re.Message = err.Error()
				rowErrs = append(rowErrs, re)
			} else {
				if created != nil {
					newDepts = append(newDepts, *created)
				}
				it.Department = Ref{Code: code}
			}
		}
		if c := it.Section.Code; c != "" && !secByCode[c] {
			if it.Section.Name == "" {
				re := f.locate(k, "section")
				re.Message = fmt.Sprintf("版块 %q 不存在", c)
				rowErrs = append(rowErrs, re)
			} else {
				newSecs = append(newSecs, Section{Code: c, Name: it.Section.Name, Status: "active", Sort: 100})
				secByCode[c] = true
			}
		}
		it.Section.Name = ""
		if err := Validate(it, it.Status); err != nil {
			for _, fe := range fieldErrors(err) {
				re := f.locate(k, fe.Field)
				re.Message = fe.Message
				rowErrs = append(rowErrs, re)
			}
		}
	}
	if len(rowErrs) > 0 {
		sortRowErrors(rowErrs)
		return res, &ImportError{Rows: rowErrs}
	}

	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		for i := range f.Sections {
			if err := s.putSection(ctx, tx, by, &f.Sections[i]); err != nil {
				return rowFailure(err, sheetOr(f, sheetSections, "sections"), f.sectionRows[i])
			}
		}
		for i := range newSecs {
			if err := s.putSection(ctx, tx, by, &newSecs[i]); err != nil {
				return err
			}
		}
		for i := range f.Departments {
			if err := s.putDepartment(ctx, tx, by, &f.Departments[i]); err != nil {
				return rowFailure(err, sheetOr(f, sheetDepts, "departments"), f.deptRows[i])
			}
		}
		for i := range newDepts {
			if err := s.putDepartment(ctx, tx, by, &newDepts[i]); err != nil {
				return err
			}
		}
		// Standards before the items derived from them: a derived item is checked against its
		// standard's published version, which the same file may bring.
		order := make([]int, 0, len(f.Items))
		for pass := range 2 {
			for k := range f.Items {
				if (f.Items[k].StandardCode == "") == (pass == 0) {
					order = append(order, k)
				}
			}
		}
		for _, k := range order {
			_, outcome, err := s.putItem(ctx, tx, by, f.Items[k], f.Items[k].Status)
			if err != nil {
				if fe := fieldErrors(err); len(fe) > 0 {
					re := f.locate(k, fe[0].Field)
					re.Message = fe[0].Message
					return &ImportError{Rows: []RowError{re}}
				}
				return fmt.Errorf("item %s: %w", f.Items[k].Code, err)
			}
			switch outcome {
			case putCreated:
				res.Created++
			case putUpdated:
				res.Updated++
			default:
				res.Unchanged++
			}
		}
		for i := range f.Bundles {
			b := f.Bundles[i]
			if b.Status == "" {
				b.Status = StatusDraft
			}
			if _, _, err := s.putBundle(ctx, tx, by, b, b.Status); err != nil {
				return rowFailure(err, sheetOr(f, sheetBundles, "bundles"), f.bundleRows[i])
			}
			res.Bundles++
		}
		res.Items = len(f.Items)
		res.DepartmentsCreated, res.SectionsCreated = len(newDepts), len(newSecs)
		return s.audit.Record(ctx, tx, by, "catalog.import", "catalog", f.format, nil, res)
	})
	s.invalidate()
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

func sheetOr(f *File, sheet, jsonName string) string {
	switch f.format {
	case "json":
		return jsonName
	case "xlsx":
		return sheet
	}
	return ""
}

func (s *Service) existingRefs(ctx context.Context) (deptByCode, deptByName map[string]string, secByCode map[string]bool, err error) {
	deptByCode, deptByName, secByCode = map[string]string{}, map[string]string{}, map[string]bool{}
	rows, err := s.db.QueryContext(ctx, `SELECT code, name FROM departments`)
	if err != nil {
		return nil, nil, nil, err
	}
	for rows.Next() {
		var c, n string
		if err := rows.Scan(&c, &n); err != nil {
			rows.Close()
			return nil, nil, nil, err
		}
		deptByCode[c], deptByName[n] = n, c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("catalog references: %w", err)
	}
	rows, err = s.db.QueryContext(ctx, `SELECT code FROM sections`)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, nil, nil, err
		}
		secByCode[c] = true
	}
	return deptByCode, deptByName, secByCode, rows.Err()
}

// resolveDepartment finds the department an import row means: by code, then by name; an
// unknown one is created, with a code derived from its name when the row has none.
func resolveDepartment(ref Ref, byCode, byName map[string]string) (string, *Department, error) {
	if _, ok := byCode[ref.Code]; ok && ref.Code != "" {
		return ref.Code, nil, nil
	}
	if code, ok := byName[ref.Code]; ok && ref.Code != "" { // a listing file puts the name in the department column
		return code, nil, nil
	}
	if code, ok := byName[ref.Name]; ok && ref.Name != "" {
		return code, nil, nil
	}
	name := ref.Name
	if name == "" {
		name = ref.Code
	}
	code := ref.Code
	if code == "" || code == name || !simpleCodeRe.MatchString(code) {
		code = GeneratedDepartmentCode(name)
	}
	if other, ok := byCode[code]; ok {
		return "", nil, fmt.Errorf("部门编码 %s 已属于 %q", code, other)
	}
	d := &Department{Code: code, Name: name, Status: "active"}
	if err := validateDepartment(*d); err != nil {
		return "", nil, fmt.Errorf("无法创建部门 %q：%v", name, err)
	}
	byCode[code], byName[name] = name, code
	return code, d, nil
}

// GeneratedDepartmentCode is the stable code given to a department known only by name.
func GeneratedDepartmentCode(name string) string {
	h := sha256.Sum256([]byte(strings.TrimSpace(name)))
	return "D" + strings.ToUpper(hex.EncodeToString(h[:5]))
}

func fieldErrors(err error) []errs.FieldError {
	if e, ok := errs.As(err); ok {
		if len(e.Fields) > 0 {
			return e.Fields
		}
		return []errs.FieldError{{Field: "-", Message: e.Message}}
	}
	return nil
}

func fieldRowErrors(err error, sheet string, row int) []RowError {
	var out []RowError
	for _, fe := range fieldErrors(err) {
		out = append(out, RowError{Sheet: sheet, Row: row, Column: fe.Field, Message: fe.Message})
	}
	return out
}

func rowFailure(err error, sheet string, row int) error {
	if rows := fieldRowErrors(err, sheet, row); len(rows) > 0 {
		return &ImportError{Rows: rows}
	}
	return err
}

// Export returns the whole catalog: every section and department, and every item in its newest
// version (drafts and retired ones too, with their status).
func (s *Service) Export(ctx context.Context) (_ *File, err error) {
	defer errs.Wrap(&err, "catalog.Export")
	f := &File{}
	if f.Sections, err = s.AllSections(ctx); err != nil {
		return nil, err
	}
	if f.Departments, err = s.AllDepartments(ctx); err != nil {
		return nil, err
	}
	secName, deptName := map[string]string{}, map[string]string{}
	for i := range f.Sections {
		f.Sections[i].ItemCount = 0
		secName[f.Sections[i].Code] = f.Sections[i].Name
	}
	for i := range f.Departments {
		f.Departments[i].ItemCount = 0
		deptName[f.Departments[i].Code] = f.Departments[i].Name
	}
	if f.Bundles, err = s.allBundles(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT v.doc FROM items i JOIN item_versions v ON v.code = i.code AND v.version = i.latest_version ORDER BY i.code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var it Item
		if err := json.Unmarshal([]byte(doc), &it); err != nil {
			return nil, err
		}
		it.legacy()
		it.Version = 0
		it.Department.Name = deptName[it.Department.Code]
		it.Section.Name = secName[it.Section.Code]
		f.Items = append(f.Items, it)
	}
	return f, rows.Err()
}
