package web

import (
	"bytes"
	"fmt"
	"net/http"

	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
	"banhao/network"
	"banhao/pdfdoc"
)

// The published lists (清单标准全域统一): every region's implementing list and its 一次办好 list,
// as pages, Excel and PDF, each with its count and 公布日期; the city's standard items and the
// implementing items derived from them for the counties.
func (s *Server) registerLists() {
	admin := roles(identity.Admin)
	s.handle("GET", "/lists", Page, public, s.pageLists)
	s.handle("GET", "/lists/{region_code}", Page, public, s.pageList)
	s.handle("GET", "/lists/{region_code}/list.xlsx", Page, public, s.pageListExcel)
	s.handle("GET", "/lists/{region_code}/list.pdf", Page, public, s.pageListPDF)
	s.handle("GET", "/api/v1/lists/{region_code}", API, public, s.apiList)
	s.handle("POST", "/api/v1/items/{code}/derive", API, admin, s.apiDerive)
	s.handle("GET", "/api/v1/items/{code}/derived", API, staff, s.apiDerived)
	s.handle("GET", "/admin/items/{code}/derive", Page, admin, s.pageDeriveForm)
	s.handle("POST", "/admin/items/{code}/derive", Page, admin, s.pageDerive, maxBody(formBody))
}

// listRegion is a region offered by the picker with its two counts.
type listRegion struct {
	Code, Name, FullName string
	All, Once            int
}

// listRegions are the city and every county, the city first, each with its full name.
func (s *Server) listRegions(r *http.Request) ([]listRegion, map[string]listRegion, error) {
	regions, err := s.Network.Regions(r.Context())
	if err != nil {
		return nil, nil, err
	}
	byCode := map[string]network.Region{}
	for _, g := range regions {
		byCode[g.Code] = g
	}
	var out []listRegion
	all := map[string]listRegion{}
	for _, g := range regions {
		if g.Level != network.City && g.Level != network.County {
			continue
		}
		full := g.Name
		if p, ok := byCode[g.Parent]; ok && g.Level == network.County && p.Level == network.City {
			full = p.Name + g.Name
		}
		lr := listRegion{Code: g.Code, Name: g.Name, FullName: full}
		all[g.Code] = lr
		out = append(out, lr)
	}
	return out, all, nil
}

func listKind(r *http.Request) (string, error) {
	switch k := r.URL.Query().Get("kind"); k {
	case "", catalog.ListAll:
		return catalog.ListAll, nil
	case catalog.ListOnce:
		return k, nil
	}
	return "", errs.Invalid("kind", "清单须为实施清单（all）或“一次办好”清单（once）")
}

func (s *Server) pageLists(w http.ResponseWriter, r *http.Request) error {
	list, _, err := s.listRegions(r)
	if err != nil {
		return err
	}
	for i := range list {
		a, err := s.Catalog.RegionList(r.Context(), list[i].Code, catalog.ListAll)
		if err != nil {
			return err
		}
		list[i].All = a.Count
		for _, it := range a.Items {
			if catalog.OnceOnly(it) {
				list[i].Once++
			}
		}
	}
	return s.render(w, r, "lists", "公布清单", list)
}

// regionList reads the list a request names: its region (the city or a county) and kind.
func (s *Server) regionList(r *http.Request) (catalog.PublishedList, listRegion, error) {
	kind, err := listKind(r)
	if err != nil {
		return catalog.PublishedList{}, listRegion{}, err
	}
	_, all, err := s.listRegions(r)
	if err != nil {
		return catalog.PublishedList{}, listRegion{}, err
	}
	reg, ok := all[r.PathValue("region_code")]
	if !ok {
		return catalog.PublishedList{}, reg, errs.NotFound("市、县级区划", r.PathValue("region_code"))
	}
	l, err := s.Catalog.RegionList(r.Context(), reg.Code, kind)
	return l, reg, err
}

func (s *Server) pageList(w http.ResponseWriter, r *http.Request) error {
	// The picker's form names the region in the query: go to its address.
	if to := r.URL.Query().Get("region"); to != "" && to != r.PathValue("region_code") {
		_, all, err := s.listRegions(r)
		if err != nil {
			return err
		}
		kind, err := listKind(r)
		if err != nil {
			return err
		}
		if reg, ok := all[to]; ok {
			http.Redirect(w, r, "/lists/"+reg.Code+"?kind="+kind, http.StatusSeeOther)
			return nil
		}
		return errs.NotFound("市、县级区划", to)
	}
	l, reg, err := s.regionList(r)
	if err != nil {
		return err
	}
	regions, _, err := s.listRegions(r)
	if err != nil {
		return err
	}
	title := catalog.ListTitle(reg.FullName, l.Kind)
	return s.render(w, r, "list", title, map[string]any{
		"List": l, "Region": reg, "Regions": regions, "Title": title, "Date": catalog.ListDate(l.Date, s.loc()),
		"Once": l.Kind == catalog.ListOnce, "Kind": l.Kind,
	})
}

func (s *Server) pageListExcel(w http.ResponseWriter, r *http.Request) error {
	l, reg, err := s.regionList(r)
	if err != nil {
		return err
	}
	b, err := catalog.ListExcel(l, catalog.ListTitle(reg.FullName, l.Kind), catalog.ListDate(l.Date, s.loc()))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	name := catalog.ListTitle(reg.FullName, l.Kind) + ".xlsx"
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="list-%s-%s.xlsx"; filename*=UTF-8''%s`, reg.Code, l.Kind, pctEncode(name)))
	_, err = w.Write(b)
	return err
}

func (s *Server) pageListPDF(w http.ResponseWriter, r *http.Request) error {
	l, reg, err := s.regionList(r)
	if err != nil {
		return err
	}
	title := catalog.ListTitle(reg.FullName, l.Kind)
	var buf bytes.Buffer
	if err := pdfdoc.ItemList(&buf, title, catalog.ListDate(l.Date, s.loc()), l.Items, s.Now().In(s.loc())); err != nil {
		return err
	}
	return writePDF(w, r, buf.Bytes(), fmt.Sprintf("list-%s-%s.pdf", reg.Code, l.Kind), title+".pdf")
}

// apiList is a region's published list: its count, 公布日期 and the items' summaries.
func (s *Server) apiList(w http.ResponseWriter, r *http.Request) error {
	l, reg, err := s.regionList(r)
	if err != nil {
		return err
	}
	items := make([]catalog.Summary, 0, len(l.Items))
	for _, it := range l.Items {
		items = append(items, catalog.Summary{Code: it.Code, Name: it.Name, Type: it.Type, Department: it.Department, Section: it.Section,
			PromisedLimit: it.PromisedLimit, Visits: it.Visits, OnlineDepth: it.OnlineDepth, HandlingMode: it.HandlingMode, ReformMode: it.ReformMode})
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{
		"region_code": reg.Code, "region_name": reg.FullName, "kind": l.Kind, "title": catalog.ListTitle(reg.FullName, l.Kind),
		"count": l.Count, "date": catalog.ListDate(l.Date, s.loc()), "published_at": l.Date, "items": items,
	})
}

func (s *Server) apiDerive(w http.ResponseWriter, r *http.Request) error {
	var in catalog.Local
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	it, err := s.Catalog.Derive(r.Context(), actor(r), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusCreated, it)
}

func (s *Server) apiDerived(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Catalog.Derived(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"standard_code": r.PathValue("code"), "items": list})
}
