package web

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"banhao/audit"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
	"banhao/store"
)

//go:embed openapi.json
var openAPI []byte

// importLimit is the body of a catalog import: the file and its multipart envelope.
var importLimit = maxBody(catalog.MaxImportSize + partOverhead + pageBody)

func (s *Server) registerAPI() {
	admin := roles(identity.Admin)
	audited := roles(identity.Admin, identity.Auditor)

	s.handle("GET", "/healthz", API, public, s.healthz)
	s.handle("GET", "/readyz", API, public, s.readyz)
	s.handle("GET", "/api/v1/openapi.json", API, public, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		_, err := w.Write(openAPI)
		return err
	})

	s.handle("POST", "/api/v1/login", API, public, s.apiLogin)
	s.handle("POST", "/api/v1/logout", API, staff, s.apiLogout)
	s.handle("GET", "/api/v1/me", API, staff, s.apiMe)
	s.handle("GET", "/api/v1/users", API, admin, s.apiUsers)
	s.handle("POST", "/api/v1/users", API, admin, s.apiAddUser)
	s.handle("PUT", "/api/v1/users/{username}", API, admin, s.apiPutUser)

	s.handle("GET", "/api/v1/sections", API, public, s.apiSections)
	s.handle("POST", "/api/v1/sections", API, admin, s.apiCreateSection)
	s.handle("PUT", "/api/v1/sections/{code}", API, admin, s.apiPutSection)
	s.handle("GET", "/api/v1/departments", API, public, s.apiDepartments)
	s.handle("POST", "/api/v1/departments", API, admin, s.apiCreateDepartment)
	s.handle("PUT", "/api/v1/departments/{code}", API, admin, s.apiPutDepartment)
	s.handle("GET", "/api/v1/items", API, public, s.apiItems)
	s.handle("GET", "/api/v1/items/{code}", API, public, s.apiItem)
	s.handle("PUT", "/api/v1/items/{code}", API, admin, s.apiPutItem)
	s.handle("POST", "/api/v1/items/{code}/publish", API, admin, s.apiPublish)
	s.handle("POST", "/api/v1/items/{code}/retire", API, admin, s.apiRetire)
	s.handle("GET", "/api/v1/items/{code}/versions", API, staff, s.apiVersions)
	s.handle("GET", "/api/v1/items/{code}/versions/{version}", API, staff, s.apiVersion)
	s.handle("POST", "/api/v1/catalog/import", API, admin, s.apiImport, importLimit)
	s.handle("GET", "/api/v1/catalog/export", API, admin, s.apiExport)

	s.handle("GET", "/api/v1/audit", API, audited, s.apiAudit)
	s.handle("GET", "/api/v1/audit/verify", API, audited, s.apiAuditVerify)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return s.writeJSON(w, 200, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the database answers and its schema is current; otherwise 503
// saying which (the database's own error goes to the log: it names hosts and users).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		s.Logger.Warn("readyz: database unavailable", "err", err)
		w.Header().Set("Retry-After", "5")
		return s.writeJSON(w, 503, map[string]string{"status": "database unavailable", "reason": store.Reason(err)})
	}
	cur, latest, err := s.DB.SchemaVersion(r.Context())
	if err != nil || cur < latest {
		return s.writeJSON(w, 503, map[string]any{"status": "schema not migrated", "version": cur, "latest": latest})
	}
	select {
	case <-s.shutdown:
		return s.writeJSON(w, 503, map[string]string{"status": "shutting down"})
	default:
	}
	return s.writeJSON(w, 200, map[string]any{"status": "ready", "schema_version": cur})
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
		// Device is the known-device token of an earlier sign-in (the answer's "device"): an
		// integration that keeps it is not held up by a guess at its name from elsewhere.
		Device string `json:"device"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var v errs.Validation
	v.Check(in.Username != "", "username", "请输入用户名")
	v.Check(in.Password != "", "password", "请输入密码")
	if err := v.Err(); err != nil {
		return err
	}
	sess, err := s.Identity.LoginOnDevice(r.Context(), in.Username, in.Password, clientAddr(r), identity.KindAPI, in.Device)
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, map[string]any{"token": sess.Token, "expires_at": sess.ExpiresAt, "role": sess.User.Role, "device": sess.Device})
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request) error {
	sess, _ := session(r)
	if err := s.Identity.Logout(r.Context(), sess.Token); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	sess, _ := session(r)
	return s.writeJSON(w, 200, sess.User)
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.Identity.Users(r.Context())
	if err != nil {
		return err
	}
	if us == nil {
		us = []identity.User{}
	}
	return s.writeJSON(w, 200, map[string]any{"users": us})
}

func (s *Server) apiAddUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username    string `json:"username"`
		DisplayName string `json:"display_name"`
		Password    string `json:"password"`
		Role        string `json:"role"`
		Department  string `json:"department"`
		Center      string `json:"center"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := s.Identity.AddUser(r.Context(), actor(r), identity.NewUser{Username: in.Username, DisplayName: in.DisplayName,
		Password: in.Password, Role: identity.Role(in.Role), Department: in.Department, Center: in.Center})
	if err != nil {
		return err
	}
	return s.writeJSON(w, 201, u)
}

// apiPutUser edits an account: the document is the account's editable fields as a whole, with
// an optional new password.
func (s *Server) apiPutUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		DisplayName string `json:"display_name"`
		Role        string `json:"role"`
		Department  string `json:"department"`
		Center      string `json:"center"`
		Disabled    bool   `json:"disabled"`
		Password    string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := s.Identity.UpdateUser(r.Context(), actor(r), r.PathValue("username"), identity.UserEdit{DisplayName: in.DisplayName,
		Role: identity.Role(in.Role), Department: in.Department, Center: in.Center, Disabled: in.Disabled, Password: in.Password})
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, u)
}

func (s *Server) apiSections(w http.ResponseWriter, r *http.Request) error {
	secs, err := s.Catalog.Sections(r.Context())
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(secs))
	for _, sec := range secs {
		out = append(out, map[string]any{"code": sec.Code, "name": sec.Name, "item_count": sec.ItemCount, "description": sec.Description})
	}
	return s.writeJSON(w, 200, map[string]any{"sections": out})
}

func (s *Server) apiCreateSection(w http.ResponseWriter, r *http.Request) error {
	var in catalog.Section
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if _, err := s.Catalog.Section(r.Context(), in.Code); err == nil {
		return errs.Conflict(fmt.Sprintf("版块 %s 已存在；修改请用 PUT /api/v1/sections/%s", in.Code, in.Code))
	}
	sec, err := s.Catalog.PutSection(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, 201, sec)
}

func (s *Server) apiPutSection(w http.ResponseWriter, r *http.Request) error {
	var in catalog.Section
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Code != "" && in.Code != r.PathValue("code") {
		return errs.Invalid("code", "请求体中的编码与地址中的编码不一致")
	}
	in.Code = r.PathValue("code")
	sec, err := s.Catalog.PutSection(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, sec)
}

func (s *Server) apiDepartments(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.Catalog.Departments(r.Context())
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ds))
	for _, d := range ds {
		out = append(out, map[string]any{"code": d.Code, "name": d.Name, "credit_code": d.CreditCode, "item_count": d.ItemCount})
	}
	return s.writeJSON(w, 200, map[string]any{"departments": out})
}

func (s *Server) apiCreateDepartment(w http.ResponseWriter, r *http.Request) error {
	var in catalog.Department
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if _, err := s.Catalog.Department(r.Context(), in.Code); err == nil {
		return errs.Conflict(fmt.Sprintf("部门 %s 已存在；修改请用 PUT /api/v1/departments/%s", in.Code, in.Code))
	}
	d, err := s.Catalog.PutDepartment(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, 201, d)
}

func (s *Server) apiPutDepartment(w http.ResponseWriter, r *http.Request) error {
	var in catalog.Department
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Code != "" && in.Code != r.PathValue("code") {
		return errs.Invalid("code", "请求体中的编码与地址中的编码不一致")
	}
	in.Code = r.PathValue("code")
	d, err := s.Catalog.PutDepartment(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, d)
}

// intParam reads a non-negative integer query parameter, naming it when it is bad.
func intParam(r *http.Request, name string, def, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, errs.Invalid(name, "须为非负整数")
	}
	if max > 0 && n > max {
		return 0, errs.Invalid(name, fmt.Sprintf("不能超过 %d", max))
	}
	return n, nil
}

// pageParams reads limit (default def, at most max) and offset, naming the one that is bad.
func pageParams(r *http.Request, def, max int) (limit, offset int, err error) {
	if limit, err = intParam(r, "limit", def, max); err != nil {
		return 0, 0, err
	}
	offset, err = intParam(r, "offset", 0, 0)
	return limit, offset, err
}

func catalogQuery(r *http.Request) (catalog.Query, error) {
	q := r.URL.Query()
	limit, offset, err := pageParams(r, 20, catalog.MaxPage)
	if err != nil {
		return catalog.Query{}, err
	}
	return catalog.Query{Q: q.Get("q"), Section: q.Get("section"), Department: q.Get("department"), Type: q.Get("type"),
		HandlingMode: q.Get("handling_mode"), ReformMode: q.Get("reform_mode"), Limit: limit, Offset: offset}, nil
}

func (s *Server) apiItems(w http.ResponseWriter, r *http.Request) error {
	q, err := catalogQuery(r)
	if err != nil {
		return err
	}
	res, err := s.Catalog.Search(r.Context(), q)
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, res)
}

func (s *Server) apiItem(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Catalog.Item(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	if sess, ok := session(r); !ok || sess.User.Role != identity.Admin {
		it = it.Public() // 秒批 examples: personal data masked for all but the catalog's editors
	}
	return s.writeJSON(w, 200, it)
}

// apiPutItem creates or replaces an item as a new version. "status" defaults to published;
// "draft" keeps the change out of public view.
func (s *Server) apiPutItem(w http.ResponseWriter, r *http.Request) error {
	var in catalog.Item
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	code := r.PathValue("code")
	if in.Code != "" && in.Code != code {
		return errs.Invalid("code", "请求体中的实施编码与地址中的编码不一致")
	}
	in.Code = code
	it, err := s.Catalog.PutItem(r.Context(), actor(r), in, in.Status)
	if err != nil {
		return err
	}
	status := 200
	if it.Version == 1 {
		status = 201
	}
	return s.writeJSON(w, status, it)
}

func (s *Server) apiPublish(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Catalog.Publish(r.Context(), actor(r), r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, it)
}

func (s *Server) apiRetire(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Catalog.Retire(r.Context(), actor(r), r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, it)
}

func (s *Server) apiVersions(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.Catalog.Versions(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, map[string]any{"versions": vs})
}

func (s *Server) apiVersion(w http.ResponseWriter, r *http.Request) error {
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 {
		return errs.Invalid("version", "版本号须为正整数")
	}
	it, err := s.Catalog.ItemVersion(r.Context(), r.PathValue("code"), v)
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, it)
}

// importFile takes the uploaded catalog from a multipart field "file" or from the raw body
// (format from ?format= or the file name).
func importFile(w http.ResponseWriter, r *http.Request) (string, io.Reader, error) {
	if isMultipart(r) { // serve has parsed the form
		f, h, err := formFile(r, "file")
		if err != nil {
			return "", nil, err
		}
		if f == nil {
			return "", nil, errs.Invalid("file", "请选择要导入的文件")
		}
		format, err := catalog.Format(h.Filename)
		if err != nil {
			return "", nil, err
		}
		return format, f, nil
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		return "", nil, errs.Invalid("format", "请用 ?format=csv|xlsx|json 指明文件类型，或以 multipart 上传文件")
	}
	if _, err := catalog.Format("x." + format); err != nil {
		return "", nil, err
	}
	return format, r.Body, nil
}

func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) error {
	format, body, err := importFile(w, r)
	if err != nil {
		return err
	}
	f, err := catalog.Parse(format, body)
	if err != nil {
		return err
	}
	res, err := s.Catalog.Import(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, res)
}

var exportTypes = map[string]string{
	"csv": "text/csv; charset=utf-8", "json": "application/json",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) error {
	return s.export(w, r, r.URL.Query().Get("format"))
}

func (s *Server) export(w http.ResponseWriter, r *http.Request, format string) error {
	if format == "" {
		format = "xlsx"
	}
	if _, ok := exportTypes[format]; !ok {
		return errs.Invalid("format", "导出格式须为 csv、xlsx 或 json")
	}
	f, err := s.Catalog.Export(r.Context())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := catalog.Write(format, &buf, f, s.Now()); err != nil {
		return err
	}
	if err := s.audited(r, "catalog.export", "catalog", format); err != nil {
		return err
	}
	name := "catalog-" + s.Now().Format("20060102") + "." + format
	w.Header().Set("Content-Type", exportTypes[format])
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	limit, offset, err := pageParams(r, 100, 500)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	es, err := s.Audit.List(r.Context(), s.DB, audit.Query{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Actor: q.Get("actor"), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	if es == nil {
		es = []audit.Entry{}
	}
	return s.writeJSON(w, 200, map[string]any{"entries": es})
}

func (s *Server) apiAuditVerify(w http.ResponseWriter, r *http.Request) error {
	started := time.Now()
	n, err := s.Audit.Verify(r.Context(), s.DB)
	out := map[string]any{"intact": err == nil, "entries": n, "checked_in_ms": time.Since(started).Milliseconds()}
	if err != nil {
		var b *audit.Broken
		if !errors.As(err, &b) {
			return err
		}
		out["broken_at"], out["reason"] = b.Seq, b.Reason
	}
	return s.writeJSON(w, 200, out)
}
