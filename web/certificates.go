package web

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"banhao/calendar"
	"banhao/certs"
	"banhao/errs"
	"banhao/identity"
	"banhao/pdfdoc"
)

// The certificate library over HTTP: types (public list, admin edits), a staff member's read of
// a certificate for a case (recorded on the holder's list), revocation, bulk import, and the
// admin page. Verification is apiVerify (cases.go), which knows both notices and certificates.

// certImportLimit is the body of a certificate import: the file and its multipart envelope.
var certImportLimit = maxBody(certs.MaxImport + partOverhead + pageBody)

func (s *Server) registerCertificates() {
	s.handle("GET", "/api/v1/certificate-types", API, public, s.apiCertificateTypes)
	s.handle("PUT", "/api/v1/certificate-types/{code}", API, roles(identity.Admin), s.apiSaveCertificateType)
	s.handle("GET", "/api/v1/certificates/{id}", API, roles(identity.Clerk, identity.Approver), s.apiReadCertificate)
	s.handle("POST", "/api/v1/certificates/{id}/revoke", API, roles(identity.Admin, identity.Approver), s.apiRevokeCertificate)
	s.handle("POST", "/api/v1/certificates/import", API, roles(identity.Admin), s.apiImportCertificates, certImportLimit)

	s.handle("GET", "/cases/{number}/certificates/{id}", Page, roles(identity.Clerk, identity.Approver), s.pageCaseCertificate)
	s.handle("GET", "/admin/certificates", Page, roles(identity.Admin), s.pageAdminCertificates)
	s.handle("POST", "/admin/certificates/import", Page, roles(identity.Admin), s.pageAdminCertificatesImport, certImportLimit)
	s.handle("POST", "/admin/certificates/revoke", Page, roles(identity.Admin), s.pageAdminCertificatesRevoke)
}

func (s *Server) apiCertificateTypes(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.Certs.Types(r.Context())
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"types": ts})
}

func (s *Server) apiSaveCertificateType(w http.ResponseWriter, r *http.Request) error {
	var t certs.Type
	if err := decodeJSON(w, r, &t); err != nil {
		return err
	}
	t.Code = r.PathValue("code")
	if err := s.Certs.SaveType(r.Context(), actor(r), t); err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, t)
}

// apiReadCertificate: GET /api/v1/certificates/{id}?case=&purpose= — a read must name the case
// and the purpose, and is recorded on the holder's data-access list.
func (s *Server) apiReadCertificate(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	c, err := s.Cases.ReadCertificate(r.Context(), actor(r), q.Get("case"), r.PathValue("id"), q.Get("purpose"))
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, c)
}

func (s *Server) apiRevokeCertificate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.Certs.Revoke(r.Context(), actor(r), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, c)
}

// apiImportCertificates takes the file as the body: ?format=csv|json, or by Content-Type.
func (s *Server) apiImportCertificates(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		if strings.Contains(r.Header.Get("Content-Type"), "json") {
			format = "json"
		} else {
			format = "csv"
		}
	}
	data, err := io.ReadAll(r.Body) // bounded by the route's limit: over it, 413
	if err != nil {
		return err
	}
	n, err := s.Certs.Import(r.Context(), actor(r), format, data)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"imported": n})
}

// pageCaseCertificate shows a certificate attached to a case to the clerk or approver working
// on it; the read is recorded with the case number.
func (s *Server) pageCaseCertificate(w http.ResponseWriter, r *http.Request) error {
	number := r.PathValue("number")
	cert, err := s.Cases.ReadCertificate(r.Context(), actor(r), number, r.PathValue("id"), "办件审查")
	if err != nil {
		return err
	}
	return s.render(w, r, "certificate", cert.Type, map[string]any{"C": cert, "Case": number})
}

func (s *Server) pageAdminCertificates(w http.ResponseWriter, r *http.Request) error {
	return s.certificatesPage(w, r, http.StatusOK, newForm(nil, nil, nil))
}

// certFormFields are the fields of the import and revoke forms; certColumns name an imported
// file's columns as its header does.
var (
	certFormFields = formFields{"file": {"file", "文件"}, "header": {"file", "文件表头"}, "format": {"file", "文件"},
		"id": {"id", "电子证照标识"}, "reason": {"reason", "注销原因"}}
	certColumns = map[string]string{"type": "证照类型", "number": "证照编号", "holder_name": "持证主体", "holder_id": "持证主体代码",
		"issuer_code": "发证机关代码", "issuer_name": "发证机关", "issued_on": "发证日期", "expires_on": "有效期至"}
)

// certificatesPage is the certificate library's admin page with the form just posted, if any.
func (s *Server) certificatesPage(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	ts, err := s.Certs.Types(r.Context())
	if err != nil {
		return err
	}
	return s.renderStatus(w, r, status, "admin/certificates", "电子证照库", map[string]any{"Types": ts, "Notice": certFlashes.text(r), "Form": f})
}

func (s *Server) pageAdminCertificatesImport(w http.ResponseWriter, r *http.Request) error {
	file, hdr, err := formFile(r, "file")
	if err != nil {
		return err
	}
	if file == nil {
		return s.certificatesPage(w, r, http.StatusBadRequest, newForm(nil, certFormFields, errs.Invalid("file", "请选择要导入的 CSV 或 JSON 文件")))
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, certs.MaxImport+1))
	if err != nil {
		return err
	}
	format := "csv"
	if strings.HasSuffix(strings.ToLower(hdr.Filename), ".json") {
		format = "json"
	}
	n, err := s.Certs.Import(r.Context(), actor(r), format, data)
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.certificatesPage(w, r, st, newForm(nil, certFormFields, rowErrors(err, certColumns)))
		}
		return err
	}
	http.Redirect(w, r, done("/admin/certificates", "imported", n), http.StatusSeeOther)
	return nil
}

func (s *Server) pageAdminCertificatesRevoke(w http.ResponseWriter, r *http.Request) error {
	_, err := s.Certs.Revoke(r.Context(), actor(r), strings.TrimSpace(r.PostForm.Get("id")), r.PostForm.Get("reason"))
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.certificatesPage(w, r, st, newForm(r.PostForm, certFormFields, err))
		}
		return err
	}
	http.Redirect(w, r, done("/admin/certificates", "revoked", -1), http.StatusSeeOther)
	return nil
}

// certificateDoc is the printable certificate: the type as its title, the holder, the type's
// fields, the issuer and date with a seal area, the identifier and a QR code to the public
// verification page. A person's ID number is printed masked (a print may be left at a kiosk).
func certificateDoc(c certs.Certificate, center, verifyURL string, loc *time.Location) pdfdoc.Certificate {
	holderID, idLabel := c.HolderID, "统一社会信用代码"
	if c.HolderKind == certs.Person {
		holderID, idLabel = identity.MaskID(holderID), "公民身份号码"
	}
	validity := cnDate(c.IssuedOn) + " 至 长期"
	if c.ExpiresOn != nil {
		validity = cnDate(c.IssuedOn) + " 至 " + cnDate(*c.ExpiresOn)
	}
	keys := make([]string, 0, len(c.Data))
	for k := range c.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fields := make([][2]string, 0, len(keys))
	for _, k := range keys {
		fields = append(fields, [2]string{k, fmt.Sprint(c.Data[k])})
	}
	doc := pdfdoc.Certificate{Center: center, Title: c.Type, Number: c.Number, Holder: c.HolderName,
		HolderIDLabel: idLabel, HolderID: holderID, Fields: fields, Validity: validity, Status: c.StatusName,
		Issuer: c.IssuerName, IssuedOn: cnDate(c.IssuedOn), Identifier: c.ID, VerifyURL: verifyURL,
		Note: "本电子证照由发证机关签发，与纸质证照具有同等法律效力。扫描左下角二维码或访问核验地址，可核验其真伪和当前状态。"}
	if c.Status == certs.Revoked { // 已撤销 / 已注销: void, never printed as if valid
		doc.Void = c.StatusName + "（作废）"
		when := ""
		if c.RevokedAt != nil {
			when = "于" + cnDate(calendar.DateOf(*c.RevokedAt, loc)) + " "
		}
		doc.Note = "本电子证照已" + when + strings.TrimPrefix(c.StatusName, "已") + "，不再具有法律效力"
		if c.RevokeReason != "" {
			doc.Note += "。原因：" + c.RevokeReason
		}
		doc.Note += "。扫描左下角二维码或访问核验地址，可核验其当前状态。"
	}
	if c.Status == certs.Expired && c.ExpiresOn != nil { // past its term: no longer valid, printed so
		doc.Void = c.StatusName
		doc.Note = "本电子证照有效期至" + cnDate(*c.ExpiresOn) + "，已过期，不再具有法律效力。扫描左下角二维码或访问核验地址，可核验其当前状态。"
	}
	return doc
}

// cnDate prints a date as on paper: 2026年11月25日.
func cnDate(d calendar.Date) string {
	t := d.Time(time.UTC)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}
