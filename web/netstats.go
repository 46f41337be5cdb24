package web

import (
	"net/http"
	"strings"

	"banhao/cases"
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

// centersSheet lays the centers' figures out as a sheet of the /supervise workbook.
func centersSheet(rows []cases.CenterStatsRow) cases.Sheet {
	sh := cases.Sheet{Name: "各中心", Header: []any{"中心 / 区划", "受理", "其中代收外地", "代办外地受理", "按时办结", "超期办结", "按时办结率", "现在排队", "编码"}}
	for _, r := range rows {
		name := r.Name
		if r.Kind == "region" {
			name += "（合计）"
		}
		var waiting any = "—"
		if r.Waiting != nil {
			waiting = *r.Waiting
		}
		sh.Rows = append(sh.Rows, []any{strings.Repeat("　", r.Depth) + name, r.Accepted, r.AcceptedForOthers, r.DecidedForOthers,
			r.OnTime, r.Late, r.OnTimePercent(), waiting, r.Code})
	}
	return sh
}
