package web

import (
	"net/http"

	"banhao/catalog"
)

// Life-event themes (主题服务): browse items and bundles without typing.
func (s *Server) registerThemes() {
	s.handle("GET", "/api/v1/themes", API, public, s.apiThemes)
	s.handle("GET", "/api/v1/themes/{code}", API, public, s.apiTheme)
	s.handle("GET", "/themes", Page, public, s.pageThemes)
	s.handle("GET", "/themes/{code}", Page, public, s.pageTheme)
}

func (s *Server) apiThemes(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Catalog.ThemeCounts(r.Context())
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, map[string]any{"themes": list})
}

func (s *Server) apiTheme(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Catalog.Theme(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	bundles := make([]map[string]any, 0, len(t.Bundles))
	for _, b := range t.Bundles {
		bundles = append(bundles, bundleSummary(b))
	}
	return s.writeJSON(w, 200, map[string]any{"code": t.Code, "name": t.Name, "for": t.For, "items": t.Items, "bundles": bundles})
}

// themeGroups splits the themes into the persons' and the companies' lists.
func themeGroups(list []catalog.ThemeCount) (person, company []catalog.ThemeCount) {
	for _, t := range list {
		if t.For == "company" {
			company = append(company, t)
		} else {
			person = append(person, t)
		}
	}
	return person, company
}

func (s *Server) pageThemes(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Catalog.ThemeCounts(r.Context())
	if err != nil {
		return err
	}
	person, company := themeGroups(list)
	return s.render(w, r, "themes", "按主题办事", map[string]any{"Person": person, "Company": company})
}

func (s *Server) pageTheme(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Catalog.Theme(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.render(w, r, "theme", t.Name, t)
}
