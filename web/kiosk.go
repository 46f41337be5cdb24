package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"banhao/cases"
	"banhao/errs"
	"banhao/identity"
	"banhao/queue"
)

// The 24-hour self-service kiosk (24小时自助服务区): full screen, large text, an on-screen
// keypad. The ID card reader "types" the number into the focused field (manual entry works the
// same); a one-time code to the account's phone completes the sign-in. The session lasts ten
// minutes, and the page clears everything after KioskIdle without a touch.

func (s *Server) registerKiosk() {
	s.handle("GET", "/kiosk", Page, public, s.pageKiosk)
	s.handle("POST", "/kiosk/code", Page, public, s.pageKioskCode)
	s.handle("POST", "/kiosk/login", Page, public, s.pageKioskLogin)
	s.handle("POST", "/kiosk/logout", Page, citizen, s.pageMyLogout)
	s.handle("GET", "/kiosk/home", Page, citizen, s.pageKioskHome)
	s.handle("GET", "/kiosk/cases/{number}", Page, citizen, s.pageMyCase)
	s.handle("GET", "/kiosk/cases/{number}/notices/{kind}", Page, citizen, s.pageKioskCaseNotice)
	s.handle("GET", "/kiosk/cases/{number}/notices/{kind}/pdf", Page, citizen, s.pageKioskCaseNoticePDF)
	s.handle("GET", "/kiosk/certificates/{id}", Page, citizen, s.pageMyCertificate)
	s.handle("GET", "/kiosk/certificates/{id}/print", Page, citizen, s.pageKioskCertificatePrint)
	s.handle("GET", "/kiosk/certificates/{id}/pdf", Page, citizen, s.pageMyCertificatePDF)
	s.handle("GET", "/kiosk/items", Page, citizen, s.pageKioskItems)
	s.handle("GET", "/kiosk/apply/{code}", Page, citizen, s.pageMyApply)
	s.handle("POST", "/kiosk/apply/{code}", Page, citizen, s.pageMyApplyPost, uploads(formFiles))
	s.handle("GET", "/kiosk/ticket", Page, citizen, s.pageKioskTicket)
	s.handle("POST", "/kiosk/ticket", Page, citizen, s.pageKioskTicketPost)
	s.registerKioskFind()
	// Any other kiosk address: the kiosk's own "not found" page (its frame, its way home, its idle
	// timeout), never a bare text page that a terminal without an address bar cannot leave.
	s.handle("GET", "/kiosk/", Page, public, func(http.ResponseWriter, *http.Request) error { return errs.NotFound("页面", "") })
}

// atKiosk: the request is for a kiosk page (its layout, its inline documents).
func atKiosk(r *http.Request) bool {
	return r.URL.Path == "/kiosk" || strings.HasPrefix(r.URL.Path, "/kiosk/")
}

// writePDF sends a document to an applicant or the staff: at the kiosk inline, for its print
// frame, and never kept (a public terminal must not leave a person's papers in its downloads or
// its cache); elsewhere as a download named per RFC 6266.
func writePDF(w http.ResponseWriter, r *http.Request, b []byte, asciiName, name string) error {
	disposition := "attachment"
	if atKiosk(r) {
		disposition = "inline"
		w.Header().Set("Cache-Control", "no-store")
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, disposition, safeFileName(asciiName), pctEncode(name)))
	_, err := w.Write(b)
	return err
}

// kioskNext is where a sign-in started from a guide continues (its 在线申请): a kiosk page only.
func kioskNext(r *http.Request) string {
	return localPathUnder(r.FormValue("next"), "/kiosk", "")
}

func (s *Server) pageKiosk(w http.ResponseWriter, r *http.Request) error {
	if sess, err := s.authenticateCitizen(r, Page); err == nil && sess.Channel == identity.ChannelKiosk {
		http.Redirect(w, r, localPath(kioskNext(r), "/kiosk/home"), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, "kiosk/start", "自助服务", map[string]any{"Expired": r.URL.Query().Get("expired") != "", "Next": kioskNext(r)})
}

// pageKioskCode asks for a sign-in code. A registered kiosk (its device key, as for its tickets)
// spends its own code budget, any other browser its address's. The answer is the same whether or
// not the number has an account; a refusal (a limit, a malformed number) stays on the ID step
// with the number kept, so nobody waits at the code step for a text that was never sent.
func (s *Server) pageKioskCode(w http.ResponseWriter, r *http.Request) error {
	id := identity.NormalizeID(r.PostForm.Get("id_number"))
	kiosk, err := s.registeredKiosk(r)
	var sent identity.CodeSent
	if err == nil {
		if kiosk != "" {
			sent, err = s.Applicants.RequestCodeAtKiosk(r.Context(), id, clientAddr(r), kiosk)
		} else {
			sent, err = s.Applicants.RequestCode(r.Context(), id, clientAddr(r))
		}
	}
	if err != nil {
		e, st := s.errorStatus(w, r, err)
		return s.renderStatus(w, r, st, "kiosk/start", "自助服务", map[string]any{"ID": id, "Error": e.Message,
			"Refused": errs.Is(err, errs.CodeTooManyRequests), "Next": kioskNext(r)})
	}
	return s.render(w, r, "kiosk/start", "自助服务", map[string]any{"ID": id, "Sent": sent, "Minutes": sent.ExpiresIn / 60,
		"CodeStep": true, "Next": kioskNext(r)})
}

// registeredKiosk is the device ID of the registered kiosk whose key the request presents (the
// X-Device-Key header or the device cookie), or "" for any other browser. A key that is unknown
// or revoked is refused, as at /kiosk/take: a kiosk that lost its registration should be noticed.
func (s *Server) registeredKiosk(r *http.Request) (string, error) {
	key := deviceKey(r)
	if key == "" {
		return "", nil
	}
	d, err := s.Queue.DeviceByKey(r.Context(), key)
	if err != nil || d.Kind != queue.KioskDevice {
		return "", err
	}
	return d.ID, nil
}

// kioskCenter is the center of the registered kiosk whose key the request presents (its hall's
// center), "" for any other browser or a hall of no center (the main center's).
func (s *Server) kioskCenter(r *http.Request) string {
	key := deviceKey(r)
	if key == "" {
		return ""
	}
	d, err := s.Queue.DeviceByKey(r.Context(), key)
	if err != nil || d.Kind != queue.KioskDevice {
		return ""
	}
	h, err := s.Queue.HallByID(r.Context(), d.Hall)
	if err != nil {
		return ""
	}
	return h.Center
}

func (s *Server) pageKioskLogin(w http.ResponseWriter, r *http.Request) error {
	id := identity.NormalizeID(r.PostForm.Get("id_number"))
	sess, err := s.Applicants.SignIn(r.Context(), id, r.PostForm.Get("code"), identity.ChannelKiosk, clientAddr(r))
	if err != nil {
		e, st := s.errorStatus(w, r, err)
		return s.renderStatus(w, r, st, "kiosk/start", "自助服务", map[string]any{"ID": id, "Error": e.Message, "CodeStep": true,
			"Next": kioskNext(r)})
	}
	s.setCitizenCookie(w, r, sess)
	http.Redirect(w, r, localPath(kioskNext(r), "/kiosk/home"), http.StatusSeeOther)
	return nil
}

func (s *Server) pageKioskHome(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	a, err := s.loadAccount(r.Context(), sess, false)
	if err != nil {
		return err
	}
	// The ticket just taken is named by its ID; the page shows the number the queue has for it.
	ticket := ""
	if id := r.URL.Query().Get("ticket"); id != "" {
		if t, err := s.Queue.Get(r.Context(), id, ""); err == nil {
			ticket = t.Number
		}
	}
	return s.render(w, r, "kiosk/home", "自助服务", map[string]any{"A": a, "Ticket": ticket})
}

// pageKioskItems was the signed-in applicant's item finder; finding an item is open to everyone
// now (sections and themes as tiles), and its guide offers 在线申请 when signed in.
func (s *Server) pageKioskItems(w http.ResponseWriter, r *http.Request) error {
	to := "/kiosk/find"
	if sec := r.URL.Query().Get("section"); sec != "" {
		to = "/kiosk/sections/" + url.PathEscape(sec)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// pageKioskTicket is the signed-in applicant's ticket screen: the same lines as anyone's, taken
// with the account's phone and ID.
func (s *Server) pageKioskTicket(w http.ResponseWriter, r *http.Request) error {
	return s.renderKioskTake(w, r, http.StatusOK, "/kiosk/ticket", nil)
}

// pageKioskTicketPost takes a ticket with the account's phone (for the "almost your turn"
// reminder) and ID (绿色通道 for 60+ is decided by the queue from it).
func (s *Server) pageKioskTicketPost(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	in := queue.IssueInput{Service: r.PostForm.Get("service"), Phone: sess.Applicant.Phone, Source: "kiosk", Key: "kiosk-" + r.PostForm.Get("token")}
	if sess.Applicant.Kind == identity.PersonApplicant {
		in.IDNumber = sess.Applicant.IDNumber
		if r.PostForm.Get("elderly") != "" {
			in.Priority = "green"
		}
	}
	// At the kiosk the ID is the account's (not typed), so it counts for the green channel.
	t, err := s.Queue.Issue(r.Context(), queue.Requester{Actor: citizenActor(sess), Applicant: sess.Channel == identity.ChannelKiosk,
		Addr: clientAddr(r), KioskPage: true}, in)
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.renderKioskTake(w, r, st, "/kiosk/ticket", err)
		}
		return err
	}
	http.Redirect(w, r, "/kiosk/tickets/"+url.PathEscape(t.ID), http.StatusSeeOther)
	return nil
}

// The kiosk prints a citizen's papers from its own page: the document in a frame (inline, never
// a download left on the terminal's disk, never cached) and a button that prints the frame.

// pageKioskCertificatePrint shows one of the applicant's certificates, ready to print.
func (s *Server) pageKioskCertificatePrint(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	c, err := s.Certs.OwnBy(r.Context(), sess, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, r, "kiosk/print", c.Type, map[string]any{"Heading": c.Type + " · " + c.Number,
		"Src": "/kiosk/certificates/" + url.PathEscape(c.ID) + "/pdf", "Back": "/kiosk/home#my-certificates"})
}

// pageKioskCaseNotice shows a notice of the applicant's own case (受理、补正、不予受理、办结),
// ready to print.
func (s *Server) pageKioskCaseNotice(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	c, err := s.Cases.OwnBy(r.Context(), sess, r.PathValue("number"))
	if err != nil {
		return err
	}
	kind := cases.NoticeKind(r.PathValue("kind"))
	if !slices.Contains(cases.NoticesFor(c), kind) {
		return errs.NotFound("通知书", "")
	}
	base := "/kiosk/cases/" + url.PathEscape(c.Number)
	return s.render(w, r, "kiosk/print", cases.NoticeTitles[kind], map[string]any{"Heading": cases.NoticeTitles[kind] + " · " + c.Number,
		"Src": base + "/notices/" + url.PathEscape(string(kind)) + "/pdf", "Back": base})
}

// pageKioskCaseNoticePDF is that notice for the kiosk's frame.
func (s *Server) pageKioskCaseNoticePDF(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	c, err := s.Cases.OwnBy(r.Context(), sess, r.PathValue("number"))
	if err != nil {
		return err
	}
	return s.writeNotice(w, r, citizenActor(sess), c.Number, cases.NoticeKind(r.PathValue("kind")))
}
