package web

import (
	"net/http"
	"strconv"
	"strings"

	"banhao/cases"
	"banhao/errs"
	"banhao/identity"
)

// 材料流转 and 收件核验 (issue 15) on the web: a center's hand-offs of paper (/office/transfers,
// GET /api/v1/transfers, POST /api/v1/transfers/{id}/send|receive), the originals' sign-off at
// intake (the window's 原件已核验 boxes) and on the case page (POST /cases/{number}/originals,
// POST /api/v1/cases/{number}/originals). The rules are the case service's (cases/transfers.go).
func (s *Server) registerTransfers() {
	viewers, clerk := roles(identity.Clerk, identity.HallManager, identity.Admin, identity.Supervisor), roles(identity.Clerk)
	s.handle("GET", "/api/v1/transfers", API, viewers, s.apiTransfers)
	s.handle("POST", "/api/v1/transfers/{id}/send", API, clerk, s.apiSendTransfer)
	s.handle("POST", "/api/v1/transfers/{id}/receive", API, clerk, s.apiReceiveTransfer)
	s.handle("POST", "/api/v1/cases/{number}/originals", API, clerk, s.apiCheckOriginals)
	s.handle("GET", "/office/transfers", Page, viewers, func(w http.ResponseWriter, r *http.Request) error {
		return s.transfersPage(w, r, http.StatusOK, newForm(nil, nil, nil), "")
	})
	s.handle("POST", "/office/transfers/send", Page, clerk, s.pageSendTransfers)
	s.handle("POST", "/office/transfers/{id}/receive", Page, clerk, s.pageReceiveTransfer)
}

func transferID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFound("流转单", r.PathValue("id"))
	}
	return id, nil
}

func (s *Server) apiTransfers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	list, err := s.Cases.Transfers(r.Context(), actor(r), cases.TransferQuery{Center: q.Get("center"), Status: q.Get("status")})
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"transfers": list})
}

func (s *Server) apiSendTransfer(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Batch string `json:"batch"`
	}
	if err := decodeJSON(w, r, &in); err != nil { // the body first: one too large is 413 whatever the id
		return err
	}
	id, err := transferID(r)
	if err != nil {
		return err
	}
	out, err := s.Cases.SendTransfers(r.Context(), actor(r), []int64{id}, in.Batch)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, out[0])
}

func (s *Server) apiReceiveTransfer(w http.ResponseWriter, r *http.Request) error {
	id, err := transferID(r)
	if err != nil {
		return err
	}
	t, err := s.Cases.ReceiveTransfer(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, t)
}

func (s *Server) apiCheckOriginals(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Materials []string `json:"materials"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.Cases.CheckOriginals(r.Context(), actor(r), r.PathValue("number"), in.Materials)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, c)
}

// transferFields name the send form's fields.
var transferFields = formFields{"batch": {"batch", "寄送批次或快递单号"}, "ids": {"send-ids", "要寄出的流转单"}}

// transfersPage is a center's paper hand-offs: 待寄出 (ticked and sent in one batch), 待签收 (each
// signed for), 在途 (sent from here, not yet signed for there) and those done. Which center is
// the case service's to say (a clerk's own; an admin or supervisor picks one).
func (s *Server) transfersPage(w http.ResponseWriter, r *http.Request, status int, f *form, flash string) error {
	by := actor(r)
	v, err := s.Cases.CenterTransfersOf(r.Context(), by, r.URL.Query().Get("center"))
	if err != nil {
		return err
	}
	return s.renderStatus(w, r, status, "office/transfers", "材料流转", map[string]any{"Center": v.Center.Code, "CenterName": v.Center.Name,
		"Centers": v.Centers, "PickCenter": len(v.Centers) > 0, "ToSend": v.ToSend, "Later": v.Later, "ToReceive": v.ToReceive,
		"InTransit": v.InTransit, "Done": v.Done, "Form": f, "Flash": flash, "MayConfirm": identity.Role(by.Role) == identity.Clerk})
}

func (s *Server) pageSendTransfers(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	var ids []int64
	for _, v := range f["id"] {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	sent, err := s.Cases.SendTransfers(r.Context(), actor(r), ids, f.Get("batch"))
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 && !errs.Is(err, errs.CodeNotFound) {
			fm := newForm(f, transferFields, err)
			if e, ok := errs.As(err); ok && len(e.Fields) == 0 {
				fm = newForm(f, transferFields, errs.Invalid("ids", e.Message)) // a refusal of the batch: said at the list
			}
			return s.transfersPage(w, r, st, fm, "")
		}
		return err
	}
	return s.transfersPage(w, r, http.StatusOK, newForm(nil, nil, nil), "已确认寄出 "+strconv.Itoa(len(sent))+" 份（批次/单号："+sent[0].Batch+"）")
}

func (s *Server) pageReceiveTransfer(w http.ResponseWriter, r *http.Request) error {
	id, err := transferID(r)
	if err != nil {
		return err
	}
	t, err := s.Cases.ReceiveTransfer(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return s.transfersPage(w, r, http.StatusOK, newForm(nil, nil, nil), "已签收：办件 "+t.Case+" 的"+t.KindName+"（寄自"+t.FromName+"）")
}
