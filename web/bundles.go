package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
)

func (s *Server) registerBundles() {
	s.handle("GET", "/api/v1/bundles", API, public, s.apiBundles)
	s.handle("GET", "/api/v1/bundles/{code}", API, public, s.apiBundle)
	s.handle("PUT", "/api/v1/bundles/{code}", API, roles(identity.Admin), s.apiPutBundle)
	s.handle("GET", "/bundles", Page, public, s.pageBundles)
	s.handle("GET", "/bundles/{code}", Page, public, s.pageBundle)
	s.registerBundleAdmin()
}

// bundleSummary is the list form of API.md: code, name, items, promised_limit.
func bundleSummary(b catalog.Bundle) map[string]any {
	return map[string]any{"code": b.Code, "name": b.Name, "description": b.Description, "items": b.Items(),
		"promised_limit": b.PromisedLimit, "stages": b.Stages, "version": b.Version}
}

func (s *Server) apiBundles(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Catalog.Bundles(r.Context())
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(list))
	for _, b := range list {
		out = append(out, bundleSummary(b))
	}
	return s.writeJSON(w, 200, map[string]any{"bundles": out})
}

func (s *Server) apiBundle(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Catalog.Bundle(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	out := bundleSummary(b)
	out["form"], out["deferrable"] = b.Form, b.Deferrable
	return s.writeJSON(w, 200, out)
}

func (s *Server) apiPutBundle(w http.ResponseWriter, r *http.Request) error {
	var in catalog.Bundle
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Code != "" && in.Code != r.PathValue("code") {
		return errs.Invalid("code", "请求体中的编码与地址中的编码不一致")
	}
	in.Code = r.PathValue("code")
	b, err := s.Catalog.PutBundle(r.Context(), actor(r), in, in.Status)
	if err != nil {
		return err
	}
	status := 200
	if b.Version == 1 {
		status = 201
	}
	return s.writeJSON(w, status, b)
}

func (s *Server) pageBundles(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Catalog.Bundles(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, "bundles", "一件事一次办", list)
}

func (s *Server) pageBundle(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Catalog.Bundle(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	names := map[string]catalog.Item{}
	for _, code := range b.Items() {
		if it, err := s.Catalog.Item(r.Context(), code); err == nil {
			names[code] = it
		}
	}
	return s.render(w, r, "bundle", b.Name, map[string]any{"Bundle": b, "Items": names})
}

func (s *Server) registerBundleAdmin() {
	admin := roles(identity.Admin)
	s.handle("GET", "/admin/bundles", Page, admin, s.adminBundles)
	s.handle("GET", "/admin/bundles/edit", Page, admin, s.adminBundleEdit)
	s.handle("POST", "/admin/bundles", Page, admin, s.adminBundleSave, maxBody(formBody))
}

func (s *Server) adminBundles(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Catalog.AllBundles(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, "admin/bundles", "一件事管理", list)
}

const newBundleJSON = `{
  "code": "",
  "name": "",
  "description": "",
  "stages": [{"name": "并联办理", "items": ["事项实施编码", "事项实施编码"]}],
  "promised_limit": {"value": 5, "unit": "working_day"},
  "deferrable": false,
  "form": {"fields": [{"key": "applicant_name", "label": "申请人", "type": "text", "required": true, "items": ["事项实施编码"]}]}
}`

func (s *Server) adminBundleEdit(w http.ResponseWriter, r *http.Request) error {
	text := newBundleJSON
	var keywords, themes []string
	if code := r.URL.Query().Get("code"); code != "" {
		b, err := s.Catalog.LatestBundle(r.Context(), code)
		if err != nil {
			return err
		}
		b.Version, b.UpdatedAt, b.Status = 0, time.Time{}, ""
		keywords, themes = b.Keywords, b.Themes
		b.Keywords, b.Themes = nil, nil // edited in their own fields
		out, _ := json.MarshalIndent(b, "", "  ")
		text = string(out)
	}
	return s.render(w, r, "admin/bundle_edit", "编辑一件事", map[string]any{"Text": text, "Keywords": keywords, "SelectedThemes": themes,
		"Themes": catalog.Themes, "Form": newForm(nil, nil, nil)})
}

// bundleEditFields are the bundle editor's fields: the words above, and the definition (JSON),
// whose errors say where in it in words (bundlePlace).
var bundleEditFields = formFields{"keywords": {"keywords", "关键词（别名/俗称）"}, "themes": {"themes", "主题"}, "bundle": {"bundle", "一件事定义"}}

// bundlePartNames name the parts of a bundle's definition.
var bundlePartNames = map[string]string{"code": "编码", "name": "名称", "status": "状态", "stages": "阶段", "items": "事项",
	"promised_limit": "承诺时限", "unit": "单位", "value": "天数", "form": "表单", "fields": "字段", "key": "字段名", "label": "标签",
	"type": "类型", "feeds": "对应材料", "options": "选项", "description": "说明", "deferrable": "容缺"}

var bundlePart = regexp.MustCompile(`^(\w+)(?:\[([0-9]+)\])?$`)

// bundlePlace says where in a bundle's definition a key points, in words: "stages[0].items[1]"
// is "第 1 个阶段 · 第 2 个事项"; "" when a part has no name.
func bundlePlace(key string) string {
	var out []string
	for _, part := range strings.Split(key, ".") {
		m := bundlePart.FindStringSubmatch(part)
		if m == nil || bundlePartNames[m[1]] == "" {
			return ""
		}
		if m[2] != "" {
			n, _ := strconv.Atoi(m[2])
			out = append(out, fmt.Sprintf("第 %d 个%s", n+1, bundlePartNames[m[1]]))
		} else {
			out = append(out, bundlePartNames[m[1]])
		}
	}
	return strings.Join(out, " · ")
}

// bundleEditErrors puts the errors within a bundle's definition under the field "bundle", each
// message after its place in words.
func bundleEditErrors(err error) error {
	e, ok := errs.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make([]errs.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		out.Fields[i] = f
		if _, known := bundleEditFields[f.Field]; known {
			continue
		}
		msg := f.Message
		if place := bundlePlace(f.Field); place != "" {
			msg = place + "：" + msg
		}
		out.Fields[i] = errs.FieldError{Field: "bundle", Message: msg}
	}
	return &out
}

// adminBundleSave stores the edited bundle; on any error the page shows every problem and
// keeps the text as typed.
func (s *Server) adminBundleSave(w http.ResponseWriter, r *http.Request) error {
	text := r.PostFormValue("bundle")
	status := catalog.StatusPublished
	if r.PostFormValue("action") == "draft" {
		status = catalog.StatusDraft
	}
	keywords, themes := catalog.SplitKeywords(r.PostFormValue("keywords")), r.PostForm["themes"]
	var b catalog.Bundle
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	err := dec.Decode(&b)
	if err != nil {
		err = errs.Invalid("bundle", "JSON 无法解析："+err.Error())
	} else {
		if r.PostFormValue("word_fields") == "1" { // the editor's own fields above the JSON
			b.Keywords, b.Themes = keywords, themes
		}
		_, err = s.Catalog.PutBundle(r.Context(), actor(r), b, status)
	}
	if err != nil {
		_, st := s.errorStatus(w, r, err)
		if st >= 500 {
			return err
		}
		return s.renderStatus(w, r, st, "admin/bundle_edit", "编辑一件事", map[string]any{"Text": text, "Form": newForm(r.PostForm, bundleEditFields, bundleEditErrors(err)),
			"Keywords": keywords, "SelectedThemes": themes, "Themes": catalog.Themes})
	}
	http.Redirect(w, r, "/admin/bundles", http.StatusSeeOther)
	return nil
}
