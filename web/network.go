package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"banhao/errs"
	"banhao/identity"
	"banhao/network"
)

// The network of centers: the region tree and the centers are public (every guide says where an
// item can be done); changing them is the admin's.
func (s *Server) registerNetwork() {
	admin := roles(identity.Admin)
	s.handle("GET", "/api/v1/regions", API, public, s.apiRegions)
	s.handle("PUT", "/api/v1/regions/{code}", API, admin, s.apiPutRegion)
	s.handle("GET", "/api/v1/centers", API, public, s.apiCenters)
	s.handle("PUT", "/api/v1/centers/{code}", API, admin, s.apiPutCenter)
	s.handle("GET", "/api/v1/items/{code}/centers", API, public, s.apiItemCenters)
	s.handle("GET", "/admin/network", Page, roles(identity.Admin, identity.Supervisor), s.adminNetwork)
}

func (s *Server) apiRegions(w http.ResponseWriter, r *http.Request) error {
	tree, err := s.Network.Tree(r.Context())
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"regions": tree})
}

func (s *Server) apiPutRegion(w http.ResponseWriter, r *http.Request) error {
	var in network.Region
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := samePathCode(r, in.Code); err != nil {
		return err
	}
	in.Code = r.PathValue("code")
	out, err := s.Network.PutRegion(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiCenters(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Network.Centers(r.Context())
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"centers": list})
}

func (s *Server) apiPutCenter(w http.ResponseWriter, r *http.Request) error {
	var in network.Center
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := samePathCode(r, in.Code); err != nil {
		return err
	}
	in.Code = r.PathValue("code")
	out, err := s.Network.PutCenter(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, out)
}

// samePathCode refuses a body that names another object than the address.
func samePathCode(r *http.Request, code string) error {
	if code != "" && code != r.PathValue("code") {
		return errs.Invalid("code", "正文中的编码与地址中的不一致")
	}
	return nil
}

// apiItemCenters: where an item can be done, nearest first from the region ?from= or the
// location ?lat=&lng=, each center with the people waiting in its halls now.
func (s *Server) apiItemCenters(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Catalog.Item(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	from, err := whereFrom(r)
	if err != nil {
		return err
	}
	if from.Region != "" {
		if _, err := s.Network.Region(r.Context(), from.Region); errs.Is(err, errs.CodeNotFound) { // not distances from somewhere else
			return errs.Invalid("from", fmt.Sprintf("区划 %s 不存在，请从 GET /api/v1/regions 中选择", from.Region))
		} else if err != nil {
			return err
		}
	}
	places, err := s.Network.Where(r.Context(), it.Scope(), from)
	if err != nil {
		return err
	}
	if places == nil {
		places = []network.Place{}
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"item": it.Code, "tongban": it.Tongban, "from": from.Region, "centers": places})
}

// whereFrom reads where the applicant starts from: ?from= (a 12-digit area code) or ?lat=&lng=.
func whereFrom(r *http.Request) (network.From, error) {
	q := r.URL.Query()
	var f network.From
	if f.Region = strings.TrimSpace(q.Get("from")); f.Region != "" {
		if err := network.ValidCode(f.Region); err != nil {
			return f, errs.Invalid("from", "from 须为 12 位区划代码")
		}
	}
	lat, lng := strings.TrimSpace(q.Get("lat")), strings.TrimSpace(q.Get("lng"))
	if lat == "" && lng == "" {
		return f, nil
	}
	y, err1 := strconv.ParseFloat(lat, 64)
	x, err2 := strconv.ParseFloat(lng, 64)
	if err1 != nil || err2 != nil || !network.ValidPoint(y, x) {
		return f, errs.Invalid("lat", "位置须为纬度 lat（−90 至 90）和经度 lng（−180 至 180）")
	}
	f.Point = &network.Point{Lat: y, Lng: x}
	return f, nil
}

// whereToGo is the guide's 在哪里办: the centers that accept the item, nearest first from the
// chosen district or the applicant's location, with the people waiting in each now, and the
// districts to choose from. Nil when the installation has one center (the guide's own 去哪里办
// says it all).
type whereToGo struct {
	From    string
	Located bool // ordered from the applicant's location
	Regions []regionOption
	Places  []placeView
}

// placeView is a center on the guide with its distance in words.
type placeView struct {
	network.Place
	Distance string
	Queue    string // the people waiting in its halls now, in words; "" for a center without halls
}

// regionOption is a region in the guide's district chooser, indented by its level.
type regionOption struct {
	Code, Name string
	Depth      int
}

func (s *Server) whereToGo(r *http.Request, scope network.Scope) (*whereToGo, error) {
	centers, err := s.Network.Centers(r.Context())
	if err != nil || len(centers) < 2 {
		return nil, err
	}
	regions, err := s.Network.Regions(r.Context())
	if err != nil {
		return nil, err
	}
	from, err := whereFrom(r)
	if err != nil { // a guide is still shown: in code and region order
		from = network.From{}
	}
	wg := &whereToGo{Located: from.Point != nil}
	for _, reg := range regions {
		if network.Rank(reg.Level) <= network.Rank(network.Township) {
			wg.Regions = append(wg.Regions, regionOption{Code: reg.Code, Name: reg.Name, Depth: max(0, network.Rank(reg.Level)-network.Rank(network.City))})
		}
		if reg.Code == from.Region {
			wg.From = reg.Code
		}
	}
	if wg.From == "" {
		from.Region = ""
	}
	places, err := s.Network.Where(r.Context(), scope, from)
	if err != nil {
		return nil, err
	}
	for _, p := range places {
		v := placeView{Place: p}
		switch d := p.DistanceKM; {
		case d == nil:
		case *d < 0.5 && !wg.Located:
			v.Distance = "就在所选街道（区县）"
		case *d < 1:
			v.Distance = fmt.Sprintf("约 %.0f 米", *d*1000)
		default:
			v.Distance = fmt.Sprintf("约 %.1f 公里", *d)
		}
		switch n := p.Waiting; {
		case n == nil: // a center without a ticketing hall in the system: say so, not nothing
			v.Queue = "该中心未接入取号系统，暂无排队信息"
		case *n == 0:
			v.Queue = "现在无人排队"
		default:
			v.Queue = "现在排队 " + strconv.Itoa(*n) + " 人"
		}
		wg.Places = append(wg.Places, v)
	}
	return wg, nil
}

// adminNetwork shows the regions and centers the account oversees: a county's admin its county
// and townships (what PutRegion and PutCenter let it change), the city's all.
func (s *Server) adminNetwork(w http.ResponseWriter, r *http.Request) error {
	scope, regions, centers, err := s.Network.Overseen(r.Context(), actor(r))
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, reg := range regions {
		names[reg.Code] = reg.Name
	}
	top := 0 // the depth of the first row: a county's page starts at its county
	if scope != "" {
		top = network.Rank(network.LevelOf(scope)) - network.Rank(network.City)
	}
	type row struct {
		network.Region
		Depth   int
		Centers int
	}
	count := map[string]int{}
	for _, c := range centers {
		count[c.RegionCode]++
	}
	rows := make([]row, len(regions))
	for i, reg := range regions {
		rows[i] = row{Region: reg, Depth: max(0, network.Rank(reg.Level)-network.Rank(network.City)-top), Centers: count[reg.Code]}
	}
	sess, _ := session(r)
	return s.render(w, r, "admin/network", "区划与中心", map[string]any{"Regions": rows, "Centers": centers, "RegionNames": names,
		"LevelNames": network.LevelNames, "Scope": names[scope], "CanEdit": sess.User.Role == identity.Admin, "Flash": networkFlashes.text(r)})
}
