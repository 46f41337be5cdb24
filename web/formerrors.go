package web

import (
	"fmt"
	"html"
	"html/template"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"banhao/errs"
)

// Field errors as a person reads them. A domain error names the fields at fault by keys made for
// programs ("applicant.phone", "materials[0].file_id", "caller.name"; problem+json keeps them);
// a page names them by the labels its form shows. Each form page declares its labels in one
// formFields table next to its handler, and renders what it gets back through one form value:
// the values as typed, a summary of the errors at the top (template "error-summary", each
// linking to its field) and each error next to its field (template "field-error", with
// aria-invalid and aria-describedby from form.Attrs). A key the table lacks is named 此项, never
// shown as it is (the form walk test fails on 此项).

// formField is one field of a page form: the id of its input and its label as the form shows it.
type formField struct{ ID, Label string }

// formFields maps the keys a form's errors use to its fields.
type formFields map[string]formField

// unlabelled is what a field error is called whose key the form does not know.
const unlabelled = "此项"

// humanKey is a key made of words for people (a material's name "营业执照", "设立登记 · 章程"),
// not for programs: it is its own label.
var humanKey = regexp.MustCompile(`^[^A-Za-z_\[\]]*\p{Han}[^A-Za-z_\[\]]*$`)

// indexSuffix matches a trailing "[3]" of a key ("missing[0]").
var indexSuffix = regexp.MustCompile(`\[[0-9]+\]$`)

// lookup finds key's field: the key itself, else the key without its last part, so that one
// entry for "materials[0]" names "materials[0].file_id" too.
func (ff formFields) lookup(key string) (formField, bool) {
	for key != "" {
		if f, ok := ff[key]; ok {
			return f, true
		}
		if i := strings.LastIndexByte(key, '.'); i > 0 {
			key = key[:i]
			continue
		}
		if loc := indexSuffix.FindStringIndex(key); loc != nil && loc[0] > 0 {
			key = key[:loc[0]]
			continue
		}
		break
	}
	return formField{}, false
}

// with is ff and more (a form's fixed fields and those of the item shown).
func (ff formFields) with(more formFields) formFields {
	out := make(formFields, len(ff)+len(more))
	for k, v := range ff {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// formError is one error as a page shows it: Label and ID are empty for a problem of the whole
// form (a conflict).
type formError struct{ ID, Label, Message string }

// form is what a form page shows: the values typed and, after a failed post, the errors.
type form struct {
	Values url.Values
	Errors []formError
}

// newForm is the form of values with the problems of err named by fields: an invalid input
// gives one error per field at fault (each message once), any other domain error one error of
// the whole form. A nil err gives a form without errors.
func newForm(values url.Values, fields formFields, err error) *form {
	if values == nil {
		values = url.Values{}
	}
	f := &form{Values: values}
	if err == nil {
		return f
	}
	e, ok := errs.As(err)
	if !ok {
		e, _ = domainError(err)
	}
	if len(e.Fields) == 0 {
		f.Errors = []formError{{Message: e.Message}}
		return f
	}
	f.add(fields, e.Fields...)
	return f
}

// add records field errors, each named by fields; a message already shown for the same field is
// not repeated.
func (f *form) add(fields formFields, fes ...errs.FieldError) {
	for _, fe := range fes {
		fld, ok := fields.lookup(fe.Field)
		switch {
		case ok:
		case humanKey.MatchString(fe.Field): // a material's name, say: already words
			fld = formField{Label: fe.Field}
		default:
			fld = formField{Label: unlabelled}
		}
		e := formError{ID: fld.ID, Label: fld.Label, Message: fe.Message}
		dup := false
		for _, x := range f.Errors {
			dup = dup || (x.ID == e.ID && x.Label == e.Label && x.Message == e.Message)
		}
		if !dup {
			f.Errors = append(f.Errors, e)
		}
	}
}

// Fixable reports whether some error names a field the person can correct; a problem of the
// whole form alone (a conflict: the item is not accepted at this center, say) is not announced
// as something to correct ("未能提交", not "请修改以下 1 处").
func (f *form) Fixable() bool {
	if f == nil {
		return false
	}
	for _, e := range f.Errors {
		if e.ID != "" || e.Label != "" {
			return true
		}
	}
	return false
}

// Get is the value typed into the field named name.
func (f *form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Has reports whether the field named name was sent with the value v (a ticked checkbox, a
// chosen option among several).
func (f *form) Has(name, v string) bool {
	if f == nil {
		return false
	}
	for _, x := range f.Values[name] {
		if x == v {
			return true
		}
	}
	return false
}

// Failed reports whether the form shows errors.
func (f *form) Failed() bool { return f != nil && len(f.Errors) > 0 }

// Error is the error shown next to the input with this id (its messages joined), or nil.
func (f *form) Error(id string) *formError {
	if f == nil || id == "" {
		return nil
	}
	var msgs []string
	for _, e := range f.Errors {
		if e.ID == id {
			msgs = append(msgs, e.Message)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return &formError{ID: id, Message: strings.Join(msgs, "；")}
}

// Attrs marks the input with this id as invalid and points to its error, when it has one.
func (f *form) Attrs(id string) template.HTMLAttr {
	if f.Error(id) == nil {
		return ""
	}
	id = html.EscapeString(id)
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + id + `-error"`)
}

// errorPageLabels names the fields of an error that reaches the error page rather than its form
// (a form posted from elsewhere, an old tab): the domain's keys, by what they mean.
var errorPageLabels = formFields{
	"applicant.name": {Label: "申请人名称"}, "applicant.id_number": {Label: "证件号码"}, "applicant.phone": {Label: "联系电话"},
	"applicant.type": {Label: "申请人类型"}, "caller.name": {Label: "来电人"}, "caller.phone": {Label: "来电号码"},
	"category": {Label: "类别"}, "content": {Label: "诉求内容"}, "text": {Label: "内容"}, "satisfaction": {Label: "满意度"},
	"department": {Label: "部门"}, "phone": {Label: "手机号"}, "id_number": {Label: "证件号码"}, "name": {Label: "名称"},
	"code": {Label: "编码"}, "reason": {Label: "理由"}, "basis": {Label: "法律依据"}, "days": {Label: "天数"},
	"decision": {Label: "决定"}, "method": {Label: "出件方式"}, "tracking_number": {Label: "快递单号"}, "missing": {Label: "补正材料"},
	"materials": {Label: "材料"}, "deferred": {Label: "容缺材料"}, "service": {Label: "排队业务"}, "priority": {Label: "绿色通道"},
	"date": {Label: "日期"}, "slot": {Label: "时段"}, "level": {Label: "评价"}, "comment": {Label: "评价内容"},
	"scope": {Label: "授权事项"}, "ends_on": {Label: "授权截止日期"}, "agent_id_number": {Label: "代办人身份证号"},
	"file": {Label: "文件"}, "kind": {Label: "类型"}, "username": {Label: "用户名"}, "password": {Label: "密码"}, "role": {Label: "角色"},
	"originals": {Label: "原件核验"}, "originals_checked": {Label: "原件核验"}, "batch": {Label: "寄送批次或快递单号"}, "ids": {Label: "流转单"},
}

// rowKey is the key of an error in one row of an imported file: "days[3].kind" (the calendar's
// days, from 0), "rows[5].holder_id" (certificates, by the file's line).
var rowKey = regexp.MustCompile(`^(days|rows)\[([0-9]+)\](?:\.(\w+))?$`)

// rowErrors is err with each error of a file's row under the key "file", its message saying
// the row and the column in words (columns: the file's column names for people), so that an
// import form names the file at fault and where in it.
func rowErrors(err error, columns map[string]string) error {
	e, ok := errs.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make([]errs.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		out.Fields[i] = f
		m := rowKey.FindStringSubmatch(f.Field)
		if m == nil {
			continue
		}
		row, _ := strconv.Atoi(m[2])
		if m[1] == "days" {
			row++
		}
		where := fmt.Sprintf("第 %d 行", row)
		if col := columns[m[3]]; col != "" {
			where += "「" + col + "」"
		}
		out.Fields[i] = errs.FieldError{Field: "file", Message: where + "：" + f.Message}
	}
	return &out
}
