package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"banhao/errs"
	"banhao/identity"
	"banhao/network"
)

// The admin's forms of the network (/admin/network): a center (name, region, address, hours,
// phone, location) and a region (code, name, parent), created or edited. What an admin may
// change is network's rule (PutCenter, PutRegion: a county's admin its region and below, audited
// there); the forms offer only the regions the admin oversees.
func (s *Server) registerNetworkAdmin() {
	admin := roles(identity.Admin)
	s.handle("GET", "/admin/network/centers/new", Page, admin, func(w http.ResponseWriter, r *http.Request) error {
		return s.centerForm(w, r, http.StatusOK, newForm(nil, nil, nil), false)
	})
	s.handle("GET", "/admin/network/centers/{code}/edit", Page, admin, s.editCenter)
	s.handle("POST", "/admin/network/centers", Page, admin, s.saveCenter)
	s.handle("GET", "/admin/network/regions/new", Page, admin, func(w http.ResponseWriter, r *http.Request) error {
		return s.regionForm(w, r, http.StatusOK, newForm(nil, nil, nil), false)
	})
	s.handle("GET", "/admin/network/regions/{code}/edit", Page, admin, s.editRegion)
	s.handle("POST", "/admin/network/regions", Page, admin, s.saveRegion)
}

// networkFlashes are the messages after a save.
var networkFlashes = flashes{"center": "服务中心已保存", "region": "区划已保存"}

// centerFields name the center form's fields by their labels (errors from network.ValidateCenter).
var centerFields = formFields{"code": {"code", "中心编码"}, "name": {"name", "中心名称"}, "region_code": {"region_code", "所属区划"},
	"level": {"region_code", "所属区划"}, "address": {"address", "地址"}, "hours": {"hours", "办公时间"}, "phone": {"phone", "电话"},
	"location": {"lat", "位置（纬度、经度）"}}

// regionFields name the region form's fields.
var regionFields = formFields{"code": {"code", "区划代码"}, "name": {"name", "区划名称"}, "parent_code": {"parent_code", "上级区划"},
	"level": {"code", "区划代码"}}

func (s *Server) editCenter(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Network.Center(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	if err := s.mayEditIn(r, c.RegionCode); err != nil {
		return err
	}
	v := map[string][]string{"code": {c.Code}, "name": {c.Name}, "region_code": {c.RegionCode}, "address": {c.Address}, "hours": {c.Hours}, "phone": {c.Phone}}
	if p := c.Location; p != nil {
		v["lat"], v["lng"] = []string{strconv.FormatFloat(p.Lat, 'f', -1, 64)}, []string{strconv.FormatFloat(p.Lng, 'f', -1, 64)}
	}
	return s.centerForm(w, r, http.StatusOK, newForm(v, nil, nil), true)
}

// centerForm shows the center form with the regions the admin oversees to choose from.
func (s *Server) centerForm(w http.ResponseWriter, r *http.Request, status int, f *form, editing bool) error {
	_, regions, _, err := s.Network.Overseen(r.Context(), actor(r))
	if err != nil {
		return err
	}
	title := "新建服务中心"
	if editing {
		title = "修改服务中心：" + f.Get("name")
	}
	return s.renderStatus(w, r, status, "admin/network_center", title, map[string]any{"Title": title, "Form": f, "Editing": editing,
		"Regions": regionOptions(regions)})
}

// regionOptions are regions for a form's select, indented by level, with their level's name.
func regionOptions(regions []network.Region) []regionOption {
	out := make([]regionOption, 0, len(regions))
	top := -1
	for _, reg := range regions {
		if d := network.Rank(reg.Level); top < 0 || d < top {
			top = d
		}
	}
	for _, reg := range regions {
		out = append(out, regionOption{Code: reg.Code, Name: reg.Name + "（" + network.LevelNames[reg.Level] + "）", Depth: network.Rank(reg.Level) - top})
	}
	return out
}

func (s *Server) saveCenter(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	c := network.Center{Code: strings.TrimSpace(f.Get("code")), Name: f.Get("name"), RegionCode: f.Get("region_code"),
		Address: f.Get("address"), Hours: f.Get("hours"), Phone: f.Get("phone")}
	editing := f.Get("editing") == "1"
	fail := func(err error) error {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.centerForm(w, r, st, newForm(f, centerFields, err), editing)
		}
		return err
	}
	lat, lng := strings.TrimSpace(f.Get("lat")), strings.TrimSpace(f.Get("lng"))
	if lat != "" || lng != "" {
		la, errA := strconv.ParseFloat(lat, 64)
		ln, errB := strconv.ParseFloat(lng, 64)
		if errA != nil || errB != nil {
			return fail(errs.Invalid("location", "位置须填写纬度和经度两个数字（如 37.3835、118.0165），或都不填"))
		}
		c.Location = &network.Point{Lat: la, Lng: ln}
	}
	old, err := s.Network.Center(r.Context(), c.Code)
	switch {
	case err == nil && !editing:
		return fail(errs.Invalid("code", "中心编码 "+errs.Short(c.Code)+" 已被"+old.Name+"使用，请换一个编码，或在列表中修改该中心"))
	case err != nil && !errs.Is(err, errs.CodeNotFound):
		return err
	case err != nil && editing:
		return fail(errs.Invalid("code", "中心编码 "+errs.Short(c.Code)+" 不存在"))
	}
	if _, err := s.Network.PutCenter(r.Context(), actor(r), c); err != nil {
		return fail(err)
	}
	http.Redirect(w, r, done("/admin/network", "center", -1)+"#centers-title", http.StatusSeeOther)
	return nil
}

func (s *Server) editRegion(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.Network.Region(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	if err := s.mayEditIn(r, reg.Code); err != nil {
		return err
	}
	v := map[string][]string{"code": {reg.Code}, "name": {reg.Name}, "parent_code": {reg.Parent}}
	return s.regionForm(w, r, http.StatusOK, newForm(v, nil, nil), true)
}

// mayEditIn refuses the edit page of a center or region outside the admin's part of the network
// (network.Overseen), as saving it would be refused: a county's admin edits its county only.
func (s *Server) mayEditIn(r *http.Request, region string) error {
	scope, regions, _, err := s.Network.Overseen(r.Context(), actor(r))
	if err != nil {
		return err
	}
	if scope == "" || network.Oversees(scope, region) {
		return nil
	}
	name := scope
	for _, reg := range regions {
		if reg.Code == scope {
			name = reg.Name
		}
	}
	return errs.Forbidden(fmt.Sprintf("您只能修改%s及其下级的区划和中心", name))
}

// regionForm shows the region form with the regions the admin oversees as parents.
func (s *Server) regionForm(w http.ResponseWriter, r *http.Request, status int, f *form, editing bool) error {
	_, regions, _, err := s.Network.Overseen(r.Context(), actor(r))
	if err != nil {
		return err
	}
	var parents []network.Region
	for _, reg := range regions {
		if network.Rank(reg.Level) < network.Rank(network.Village) && reg.Code != f.Get("code") {
			parents = append(parents, reg)
		}
	}
	title := "新建区划"
	if editing {
		title = "修改区划：" + f.Get("name")
	}
	return s.renderStatus(w, r, status, "admin/network_region", title, map[string]any{"Title": title, "Form": f, "Editing": editing,
		"Parents": regionOptions(parents)})
}

func (s *Server) saveRegion(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	reg := network.Region{Code: strings.TrimSpace(f.Get("code")), Name: f.Get("name"), Parent: f.Get("parent_code")}
	editing := f.Get("editing") == "1"
	fail := func(err error) error {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.regionForm(w, r, st, newForm(f, regionFields, err), editing)
		}
		return err
	}
	old, err := s.Network.Region(r.Context(), reg.Code)
	switch {
	case err == nil && !editing:
		return fail(errs.Invalid("code", "区划代码 "+errs.Short(reg.Code)+" 已是"+old.Name+"，请在列表中修改该区划"))
	case err != nil && !errs.Is(err, errs.CodeNotFound):
		return err
	case err != nil && editing:
		return fail(errs.Invalid("code", "区划代码 "+errs.Short(reg.Code)+" 不存在"))
	}
	if err == nil {
		reg.Level = old.Level
	}
	if _, err := s.Network.PutRegion(r.Context(), actor(r), reg); err != nil {
		var e *errs.Error
		if errors.As(err, &e) && e.Code == errs.CodeConflict { // shown at its field, as an invalid input
			err = errs.Invalid("parent_code", e.Message)
		}
		return fail(err)
	}
	http.Redirect(w, r, done("/admin/network", "region", -1)+"#regions-title", http.StatusSeeOther)
	return nil
}
