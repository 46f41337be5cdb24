package web

import (
	"net/http"
	"strings"
)

// The network's figures (市县乡): per center and per region, over what the supervisor oversees
// (cases.CenterStats checks the role and the region).

// apiCenterStats: GET /api/v1/stats/centers?from=&to=&region=.
func (s *Server) apiCenterStats(w http.ResponseWriter, r *http.Request) error {
	from, to, err := s.period(r)
	if err != nil {
		return err
	}
	region := strings.TrimSpace(r.URL.Query().Get("region"))
	rows, err := s.Cases.CenterStats(r.Context(), actor(r), from, to, region)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "region": region, "rows": rows})
}
