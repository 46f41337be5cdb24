package web

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"

	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
	"banhao/queue"
)

// The kiosk without signing in: find an item by touch only (sections and life-event themes as
// tiles, then the items and 一件事 of the chosen tile, a page at a time), read its guide in large
// type, print its 一次性告知单, and take a queue ticket that the kiosk shows (and prints) itself.

// kioskPageSize is how many item tiles one screen shows: 2 × 6 upright, 3 × 4 lying.
const kioskPageSize = 12

func (s *Server) registerKioskFind() {
	s.handle("GET", "/kiosk/find", Page, public, s.pageKioskFind)
	s.handle("GET", "/kiosk/sections", Page, public, s.pageKioskSections)
	s.handle("GET", "/kiosk/sections/{code}", Page, public, s.pageKioskSection)
	s.handle("GET", "/kiosk/themes", Page, public, s.pageKioskThemes)
	s.handle("GET", "/kiosk/themes/{code}", Page, public, s.pageKioskTheme)
	s.handle("GET", "/kiosk/guide/{code}", Page, public, s.pageKioskGuide)
	s.handle("GET", "/kiosk/guide/{code}/notice", Page, public, s.pageKioskNotice)
	s.handle("GET", "/kiosk/guide/{code}/notice.pdf", Page, public, s.pageNotice) // inline at the kiosk (writePDF)
	s.handle("GET", "/kiosk/bundles/{code}", Page, public, s.pageKioskBundle)
	s.handle("GET", "/kiosk/take", Page, public, s.pageKioskTake)
	s.handle("POST", "/kiosk/take", Page, public, s.pageKioskTakePost)
	s.handle("GET", "/kiosk/tickets/{id}", Page, public, s.pageKioskTicketShow)
}

// kioskTile is one large touch target of a list.
type kioskTile struct {
	Href, Name, Sub, Badge string
}

// kioskPaging is one screen of tiles with the links to the screens before and after it.
type kioskPaging struct {
	Tiles       []kioskTile
	Page, Pages int
	Total       int
	Prev, Next  string
}

// kioskPageOf reads ?page= (1 when missing or wrong).
func kioskPageOf(r *http.Request) int {
	if p, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && p > 0 {
		return p
	}
	return 1
}

// paging cuts one screen out of all tiles; base is the list's path.
func paging(all []kioskTile, page int, base string) kioskPaging {
	pages := max(1, (len(all)+kioskPageSize-1)/kioskPageSize)
	page = min(max(page, 1), pages)
	from := (page - 1) * kioskPageSize
	p := kioskPaging{Tiles: all[from:min(from+kioskPageSize, len(all))], Page: page, Pages: pages, Total: len(all)}
	if page > 1 {
		p.Prev = base + "?page=" + strconv.Itoa(page-1)
	}
	if page < pages {
		p.Next = base + "?page=" + strconv.Itoa(page+1)
	}
	return p
}

func itemTile(it catalog.Summary) kioskTile {
	sub := it.Department.Name
	if it.PromisedLimit.IsSet() {
		sub += " · " + it.PromisedLimit.String()
	}
	return kioskTile{Href: "/kiosk/guide/" + url.PathEscape(it.Code), Name: it.Name, Sub: sub}
}

// kioskSignedIn is the applicant signed in at this kiosk, on a page open to everyone.
func (s *Server) kioskSignedIn(r *http.Request) (identity.ApplicantSession, bool) {
	if sess, ok := citizenSession(r); ok {
		return sess, sess.Channel == identity.ChannelKiosk
	}
	if _, err := r.Cookie(citizenCookie); err != nil {
		return identity.ApplicantSession{}, false
	}
	sess, err := s.authenticateCitizen(r, Page)
	return sess, err == nil && sess.Channel == identity.ChannelKiosk
}

func (s *Server) pageKioskFind(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, "kiosk/find", "查找事项", nil)
}

func (s *Server) pageKioskSections(w http.ResponseWriter, r *http.Request) error {
	secs, err := s.Catalog.Sections(r.Context())
	if err != nil {
		return err
	}
	var tiles []kioskTile
	for _, sec := range secs {
		res, err := s.Catalog.Search(r.Context(), catalog.Query{Section: sec.Code, Limit: 1})
		if err != nil {
			return err
		}
		if res.Total == 0 {
			continue
		}
		tiles = append(tiles, kioskTile{Href: "/kiosk/sections/" + url.PathEscape(sec.Code), Name: sec.Name, Sub: fmt.Sprintf("%d 个事项", res.Total)})
	}
	return s.render(w, r, "kiosk/tiles", "按版块查找", map[string]any{"Heading": "请选择办事版块", "ID": "kiosk-sections",
		"Tiles": tiles, "Back": "/kiosk/find"})
}

func (s *Server) pageKioskSection(w http.ResponseWriter, r *http.Request) error {
	sec, err := s.Catalog.Section(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	page := kioskPageOf(r)
	res, err := s.Catalog.Search(r.Context(), catalog.Query{Section: sec.Code, Limit: catalog.MaxPage})
	if err != nil {
		return err
	}
	tiles := make([]kioskTile, 0, len(res.Items))
	for _, it := range res.Items {
		tiles = append(tiles, itemTile(it))
	}
	return s.render(w, r, "kiosk/list", sec.Name, map[string]any{"Heading": sec.Name, "Paging": paging(tiles, page, "/kiosk/sections/"+url.PathEscape(sec.Code)),
		"Back": "/kiosk/sections"})
}

func (s *Server) pageKioskThemes(w http.ResponseWriter, r *http.Request) error {
	who := r.URL.Query().Get("for")
	if who != "company" {
		who = "person"
	}
	var tiles []kioskTile
	for _, t := range catalog.Themes {
		if t.For != who {
			continue
		}
		th, err := s.Catalog.Theme(r.Context(), t.Code)
		if err != nil {
			return err
		}
		sub := "暂无事项"
		if n := len(th.Items) + len(th.Bundles); n > 0 {
			sub = fmt.Sprintf("%d 个事项", n)
		}
		tiles = append(tiles, kioskTile{Href: "/kiosk/themes/" + url.PathEscape(t.Code), Name: t.Name, Sub: sub})
	}
	heading := "个人办事：请选择您要办的事"
	if who == "company" {
		heading = "企业办事：请选择您要办的事"
	}
	return s.render(w, r, "kiosk/tiles", heading, map[string]any{"Heading": heading, "ID": "kiosk-themes", "Tiles": tiles, "Back": "/kiosk/find"})
}

func (s *Server) pageKioskTheme(w http.ResponseWriter, r *http.Request) error {
	th, err := s.Catalog.Theme(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	tiles := make([]kioskTile, 0, len(th.Bundles)+len(th.Items))
	for _, b := range th.Bundles {
		sub := "多个事项一次办"
		if b.PromisedLimit.IsSet() {
			sub += " · " + b.PromisedLimit.String()
		}
		tiles = append(tiles, kioskTile{Href: "/kiosk/bundles/" + url.PathEscape(b.Code), Name: b.Name, Sub: sub, Badge: "一件事"})
	}
	for _, it := range th.Items {
		tiles = append(tiles, itemTile(it))
	}
	return s.render(w, r, "kiosk/list", th.Name, map[string]any{"Heading": th.Name, "Paging": paging(tiles, kioskPageOf(r), "/kiosk/themes/"+url.PathEscape(th.Code)),
		"Back": "/kiosk/themes?for=" + th.For})
}

// kioskLine is the queue line that serves an item's section, with its wait right now.
type kioskLine struct {
	queue.ServiceQueue
	Found bool
}

func (s *Server) kioskLineFor(r *http.Request, section string) kioskLine {
	halls, err := s.Queue.Halls(r.Context())
	if err != nil || len(halls) == 0 {
		return kioskLine{}
	}
	lines, err := s.Queue.Services(r.Context(), halls[0].ID)
	if err != nil {
		return kioskLine{}
	}
	i := slices.IndexFunc(lines, func(q queue.QueueService) bool { return slices.Contains(q.Sections, section) })
	if i < 0 {
		return kioskLine{}
	}
	line := kioskLine{ServiceQueue: queue.ServiceQueue{Code: lines[i].Code, Name: lines[i].Name, Prefix: lines[i].Prefix}, Found: true}
	if b, err := s.Queue.Board(r.Context(), halls[0].ID); err == nil {
		for _, q := range b.Services {
			if q.Code == line.Code {
				line.ServiceQueue = q
			}
		}
	}
	return line
}

// qrDataURL is a QR code of target as an image the page carries itself, or "" when no code can
// hold target (logged): the page then shows no code rather than failing.
func (s *Server) qrDataURL(target string) template.URL {
	png, err := qrcode.Encode(target, qrcode.Medium, 360)
	if err != nil {
		s.Logger.Warn("QR code left out", "err", err, "length", len(target))
		return ""
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}

func (s *Server) pageKioskGuide(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Catalog.Item(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	qr := s.qrDataURL(s.baseURL(r) + "/items/" + url.PathEscape(it.Code))
	data := map[string]any{"Item": it, "Line": s.kioskLineFor(r, it.Section.Code), "QR": qr, "Token": newFormToken(),
		"TakeAction": "/kiosk/take", "Back": "/kiosk/sections/" + url.PathEscape(it.Section.Code)}
	if sess, ok := s.kioskSignedIn(r); ok {
		data["SignedIn"], data["TakeAction"], data["Form"] = true, "/kiosk/ticket", sess.CSRF
	}
	return s.render(w, r, "kiosk/guide", it.Name+" 办事指南", data)
}

// pageKioskNotice shows the 一次性告知单 on the screen with a button that prints it; the kiosk's
// page (and its idle timeout) stays around the document.
func (s *Server) pageKioskNotice(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Catalog.Item(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.render(w, r, "kiosk/notice", it.Name+" 一次性告知单", map[string]any{"Item": it})
}

func (s *Server) pageKioskBundle(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Catalog.Bundle(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	var tiles []kioskTile
	for _, st := range b.Stages {
		for _, code := range st.Items {
			it, err := s.Catalog.Item(r.Context(), code)
			if errs.Is(err, errs.CodeNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			tiles = append(tiles, kioskTile{Href: "/kiosk/guide/" + url.PathEscape(it.Code), Name: it.Name, Sub: it.Department.Name, Badge: st.Name})
		}
	}
	return s.render(w, r, "kiosk/bundle", b.Name, map[string]any{"Bundle": b, "Tiles": tiles})
}

// pageKioskTake lists the hall's lines as large buttons; a signed-in applicant takes the ticket
// with the account (their form goes to /kiosk/ticket).
func (s *Server) pageKioskTake(w http.ResponseWriter, r *http.Request) error {
	if _, ok := s.kioskSignedIn(r); ok {
		http.Redirect(w, r, "/kiosk/ticket", http.StatusSeeOther)
		return nil
	}
	return s.renderKioskTake(w, r, http.StatusOK, "/kiosk/take", nil)
}

func (s *Server) renderKioskTake(w http.ResponseWriter, r *http.Request, status int, action string, err error) error {
	halls, herr := s.Queue.Halls(r.Context())
	if herr != nil {
		return herr
	}
	if len(halls) == 0 {
		return errs.NotFound("服务大厅", "")
	}
	b, berr := s.Queue.Board(r.Context(), halls[0].ID)
	if berr != nil {
		return berr
	}
	data := map[string]any{"Lines": b.Services, "Action": action, "Token": newFormToken()}
	if action == "/kiosk/ticket" {
		sess, _ := citizenSession(r)
		data["Form"] = sess.CSRF
	}
	if err != nil {
		e, _ := s.errorStatus(w, r, err)
		data["Error"] = e
	}
	return s.renderStatus(w, r, status, "kiosk/take", "取号", data)
}

// pageKioskTakePost takes a ticket without signing in. The queue counts it against this kiosk's
// budget when the browser is a registered kiosk (its device cookie), else against the address's.
func (s *Server) pageKioskTakePost(w http.ResponseWriter, r *http.Request) error {
	in := queue.IssueInput{Service: r.PostForm.Get("service"), Source: "kiosk"}
	if tok := r.PostForm.Get("token"); tok != "" {
		in.Key = "kiosk-" + tok // a second tap on the same screen gets the same ticket
	}
	t, err := s.issue(r, in, true)
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.renderKioskTake(w, r, st, "/kiosk/take", err)
		}
		return err
	}
	http.Redirect(w, r, "/kiosk/tickets/"+url.PathEscape(t.ID), http.StatusSeeOther)
	return nil
}

// pageKioskTicketShow is the ticket as the kiosk shows and prints it: number, line, people
// ahead, time, and a QR code that follows the ticket on a phone.
func (s *Server) pageKioskTicketShow(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Queue.Get(r.Context(), r.PathValue("id"), "")
	if err != nil {
		return err
	}
	link := s.baseURL(r) + "/tickets/" + url.PathEscape(t.ID)
	qr := s.qrDataURL(link)
	return s.render(w, r, "kiosk/ticket_show", "您的排队号 "+t.Number, map[string]any{"T": t, "QR": qr, "Link": link})
}
