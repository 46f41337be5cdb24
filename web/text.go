package web

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"banhao/errs"
)

// Text that reaches the capabilities is valid UTF-8 without control characters other than tab
// and line breaks: a NUL or an invalid byte stored from a form shows up later in a PDF, an Excel
// export, a log or another system as garbage or worse. A posted form is checked once, where the
// router parses it (readForm); a JSON body once, where it is decoded (decodeJSON). Refusing is
// clearer than cleaning: the person sees what was wrong and types it again.

// badText reports whether s is not valid UTF-8 or holds a control character other than \t \r \n.
func badText(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\t' && r != '\r' && r != '\n'
	}) >= 0
}

// errBadText is the answer to such text (400).
func errBadText(field string) error {
	e := &errs.Error{Code: errs.CodeInvalid, Message: "提交的内容含有无法识别的字符或控制字符，请删去后重新填写"}
	if field != "" {
		e.Fields = []errs.FieldError{{Field: field, Message: "含有无法识别的字符或控制字符"}}
	}
	return e
}

// checkFormText refuses a parsed form whose names or values (the urlencoded body, a multipart
// form's values) are bad text.
func checkFormText(r *http.Request) error {
	for k, vs := range r.PostForm {
		if badText(k) {
			return errBadText("")
		}
		for _, v := range vs {
			if badText(v) {
				return errBadText("")
			}
		}
	}
	return nil
}

// checkJSONText walks a decoded JSON value for bad text in any string (struct fields by their
// JSON names, slices, maps and their keys); it answers the first field at fault.
func checkJSONText(v any) error {
	return walkText(reflect.ValueOf(v), "body", 0)
}

func walkText(v reflect.Value, path string, depth int) error {
	if depth > 32 || !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		if badText(v.String()) {
			return errBadText(path)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return walkText(v.Elem(), path, depth+1)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			p := name
			if f.Anonymous {
				p = path
			} else if path != "body" {
				p = path + "." + name
			}
			if err := walkText(v.Field(i), p, depth+1); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // []byte: raw bytes, not text
		}
		for i := range v.Len() {
			if err := walkText(v.Index(i), path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := it.Key()
			if k.Kind() == reflect.String && badText(k.String()) {
				return errBadText(path)
			}
			p := path + "." + k.String()
			if path == "body" {
				p = k.String()
			}
			if err := walkText(it.Value(), p, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}
