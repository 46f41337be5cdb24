package cases

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
	"banhao/network"
	"banhao/store"
)

// Window authorisations (issue 16): a clerk authorised as 首席代表 or 授权窗口 for an item, or for
// every item of a department, decides its 即办 applications at the window in one step (一柜办结).

// Kinds of window authorisation.
const (
	GrantChief  = "chief"  // 首席代表
	GrantWindow = "window" // 授权窗口
)

// GrantKindNames are the kinds in words.
var GrantKindNames = map[string]string{GrantChief: "首席代表", GrantWindow: "授权窗口"}

// Grant is one window authorisation. Item "" covers every item of Department.
type Grant struct {
	ID         int64         `json:"id"`
	Username   string        `json:"username"`
	Department string        `json:"department"`
	Item       string        `json:"item"`
	ItemName   string        `json:"item_name,omitempty"` // the item's name, for people (Label)
	Kind       string        `json:"kind"`
	StartsOn   calendar.Date `json:"starts_on"`
	EndsOn     calendar.Date `json:"ends_on"`
	GrantedBy  string        `json:"granted_by"`
	CreatedAt  time.Time     `json:"created_at"`
	RevokedAt  *time.Time    `json:"revoked_at,omitempty"`
	RevokedBy  string        `json:"revoked_by,omitempty"`
	// Revocable: the viewer of WindowGrants may revoke it (not yet revoked; their department's, or
	// an admin's whose region oversees the department's) — the page offers 撤销 only then.
	Revocable bool `json:"revocable"`
}

// Covers reports whether the authorisation lets its holder decide item (of department) on day:
// not revoked, day within its dates, the item's department, and its item or every item.
func (g Grant) Covers(item, department string, day calendar.Date) bool {
	return g.RevokedAt == nil && g.StartsOn <= day && day <= g.EndsOn && g.Department == department && (g.Item == "" || g.Item == item)
}

// Label names the authorisation as the timeline and the audit log show it.
func (g Grant) Label() string {
	scope := "本部门全部即办事项"
	if g.ItemName != "" {
		scope = "“" + g.ItemName + "”"
	} else if g.Item != "" {
		scope = "事项 " + g.Item
	}
	return fmt.Sprintf("%s授权第 %d 号（%s，%s 至 %s）", GrantKindNames[g.Kind], g.ID, scope, g.StartsOn, g.EndsOn)
}

// CoveringGrant picks, among a clerk's authorisations, the one that covers item on day: one for
// the item before one for its whole department, then the latest granted.
func CoveringGrant(grants []Grant, item, department string, day calendar.Date) (Grant, bool) {
	var best Grant
	found := false
	for _, g := range grants {
		if !g.Covers(item, department, day) {
			continue
		}
		if !found || (g.Item != "" && best.Item == "") || ((g.Item != "") == (best.Item != "") && g.ID > best.ID) {
			best, found = g, true
		}
	}
	return best, found
}

// OneStepRule says whether a clerk may register, accept, decide and deliver an application of
// item at the window in one step: the item is 即办 and one of the clerk's authorisations covers
// it on day. The error names why not (the normal path remains).
func OneStepRule(role identity.Role, item catalog.Item, grants []Grant, day calendar.Date) (Grant, error) {
	if role != identity.Clerk {
		return Grant{}, errs.Forbidden("当场办结由获得授权的综合窗口人员办理")
	}
	if item.HandlingMode != catalog.ModeImmediate {
		return Grant{}, errs.Conflict(fmt.Sprintf("该事项的办理方式为%s，不能当场办结，请受理后转部门审批", item.HandlingModeName()))
	}
	g, ok := CoveringGrant(grants, item.Code, item.Department.Code, day)
	if !ok && item.StandardCode != "" {
		// an authorisation for the city's standard item covers the region's implementing item of it
		g, ok = CoveringGrant(grants, item.StandardCode, item.Department.Code, day)
	}
	if !ok {
		return Grant{}, errs.Forbidden("您没有该事项在今天有效的窗口授权（首席代表或授权窗口），请受理后转部门审批")
	}
	return g, nil
}

// GrantInput is a new authorisation.
type GrantInput struct {
	Username   string        `json:"username"`
	Department string        `json:"department"`
	Item       string        `json:"item"`
	Kind       string        `json:"kind"`
	StartsOn   calendar.Date `json:"starts_on"`
	EndsOn     calendar.Date `json:"ends_on"`
}

// GrantReach is the rule of whom a department may authorise (市县乡 one network): the clerks of
// the centers where its items are accepted — the centers of the department's region and of the
// regions below it (沾化区's 公安局 a 沾化区 clerk, not a 滨城区 one; the city's departments any
// clerk in the city). A department or a center without a region (a one-center installation)
// reaches every clerk. clerk names the clerk for the message.
func GrantReach(dept catalog.Department, regionName, clerk string, at network.Center) (err error) {
	defer errs.Wrap(&err, "cases.GrantReach")
	var v errs.Validation
	if msg := reach(dept.Name, dept.RegionCode, cmp.Or(regionName, dept.RegionCode), clerk, at); msg != "" {
		v.Add("username", msg)
	}
	return v.Forbidden()
}

// AdminGrantReach is GrantReach for an admin, the same rule: the admin of a county's or a
// township's center (region: what its center supervises, network.SupervisedRegion) authorises,
// as its region's departments do, only the clerks of the centers of its region and below, and
// only for departments of its region and below (admin_zhanhua neither a 滨城区 clerk nor the
// city's 公安局); region "" (the city's admins, accounts of no center) every clerk and department.
// A department not chosen (Code "") or a clerk not named ("") is not checked; both out of reach
// are refused together. Out of reach is forbidden (403), as the network's pages are.
func AdminGrantReach(region, regionName string, dept catalog.Department, clerk string, at network.Center) (err error) {
	defer errs.Wrap(&err, "cases.AdminGrantReach")
	if region == "" {
		return nil
	}
	regionName = cmp.Or(regionName, region)
	who := regionName + "的管理员"
	var v errs.Validation
	if dept.Code != "" && !network.Oversees(region, dept.RegionCode) {
		v.Add("department", fmt.Sprintf("%s只能为%s及其下辖区划的部门授权，%s不属于%s", who, regionName, dept.Name, regionName))
	}
	if clerk != "" {
		if msg := reach(who, region, regionName, clerk, at); msg != "" {
			v.Add("username", msg)
		}
	}
	return v.Forbidden()
}

// reach is the rule of GrantReach and AdminGrantReach: who (of region) authorises clerks of the
// centers of region and below only; the refusal in words, "" when within reach.
func reach(who, region, regionName, clerk string, at network.Center) string {
	if region == "" || at.RegionCode == "" || network.Oversees(region, at.RegionCode) {
		return ""
	}
	return fmt.Sprintf("%s只能授权%s及其下辖区划各中心的窗口人员，%s是%s的窗口人员", who, regionName, clerk, at.Name)
}

// GrantItemRule is the rule of which items a department may authorise one by one: the items it
// decides — its own, and a city's standard item exercised below (行使层级 县: 沾化区's 公安局 decides
// the city's 全市通办 居民身份证 items for 沾化区) whose competent department in the department's
// region is this one (network.Competent). depts are every department as routing sees them.
func GrantItemRule(it catalog.Item, dept network.Dept, depts []network.Dept) error {
	if it.Department.Code == dept.Code {
		return nil
	}
	if scope := it.Scope(); scope.DecidedBelow() {
		own := ownDept(it, depts)
		if up, ok := network.AncestorAt(dept.Region, scope.Level); ok && network.Within(up, scope.Region) {
			if d, _ := network.Competent(depts, own, up); d.Code == dept.Code {
				return nil
			}
		}
	}
	return errs.Invalid("item", fmt.Sprintf("“%s”不属于%s审批的事项，只能授权本部门审批的即办事项", it.Name, dept.Name))
}

// mayGrant: the department's approver or an admin.
func mayGrant(by audit.Actor, department, verb string) error {
	switch identity.Role(by.Role) {
	case identity.Admin:
		return nil
	case identity.Approver:
		if by.Department == department {
			return nil
		}
		return errs.Forbidden("只能" + verb + "本部门的窗口授权")
	}
	return errs.Forbidden("窗口授权由部门审批负责人或中心管理员办理")
}

const grantColumns = `id, username, department_code, item_code, kind, starts_on, ends_on, granted_by, created_at, revoked_at, revoked_by`

func scanGrant(row scanner) (Grant, error) {
	var g Grant
	var revoked sql.NullTime
	if err := row.Scan(&g.ID, &g.Username, &g.Department, &g.Item, &g.Kind, &g.StartsOn, &g.EndsOn, &g.GrantedBy, &g.CreatedAt, &revoked, &g.RevokedBy); err != nil {
		return g, err
	}
	if revoked.Valid {
		t := revoked.Time
		g.RevokedAt = &t
	}
	return g, nil
}

// GrantWindow authorises a clerk; the change is audited. Every error of the input is reported
// at once, each at its field: the dates, the clerk, the department and the item.
func (s *Service) GrantWindow(ctx context.Context, by audit.Actor, in GrantInput) (_ Grant, err error) {
	defer errs.Wrap(&err, "cases.GrantWindow")
	in.Username, in.Department, in.Item = strings.TrimSpace(in.Username), strings.TrimSpace(in.Department), strings.TrimSpace(in.Item)
	var v errs.Validation
	v.Check(in.Username != "", "username", "请选择被授权的窗口人员")
	v.Check(in.Department != "", "department", "请选择授权部门")
	_, kindOK := GrantKindNames[in.Kind]
	v.Check(kindOK, "kind", "授权类型须为首席代表或授权窗口")
	v.Check(in.StartsOn != 0, "starts_on", "请填写授权开始日期")
	v.Check(in.EndsOn != 0, "ends_on", "请填写授权结束日期")
	if in.StartsOn != 0 && in.EndsOn != 0 {
		v.Check(in.StartsOn <= in.EndsOn, "ends_on", "授权结束日期不能早于开始日期")
	}
	// one message per field: a past end date is said only when it is not before the start already
	v.Check(in.EndsOn == 0 || in.EndsOn >= s.today() || in.StartsOn != 0 && in.StartsOn > in.EndsOn, "ends_on", "授权结束日期已过，请填写今天或以后的日期")
	if in.Department != "" {
		if err := mayGrant(by, in.Department, "授予"); err != nil {
			return Grant{}, err
		}
	}
	var item catalog.Item
	itemOK := false
	if in.Item != "" {
		it, err := s.cat.LatestItem(ctx, in.Item)
		switch {
		case errs.Is(err, errs.CodeNotFound):
			v.Add("item", fmt.Sprintf("事项 %q 不存在", errs.Short(in.Item)))
		case err != nil:
			return Grant{}, fmt.Errorf("cases: window grant: item %s: %w", in.Item, err)
		default:
			item, itemOK = it, true
		}
	}
	catDepts, err := s.cat.Departments(ctx)
	if err != nil {
		return Grant{}, fmt.Errorf("cases: window grant: departments: %w", err)
	}
	g := Grant{Username: in.Username, Department: in.Department, Item: in.Item, ItemName: item.Name, Kind: in.Kind, StartsOn: in.StartsOn, EndsOn: in.EndsOn,
		GrantedBy: by.Username, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var role, name, center string
		clerkOK := false
		if in.Username != "" {
			err := tx.QueryRowContext(ctx, `SELECT role, display_name, center_code FROM users WHERE username = ?`+tx.ForUpdate(), in.Username).Scan(&role, &name, &center)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				v.Add("username", fmt.Sprintf("工作人员 %q 不存在", errs.Short(in.Username)))
			case err != nil:
				return err
			case identity.Role(role) != identity.Clerk:
				v.Add("username", "只能授权综合窗口人员")
			default:
				clerkOK = true
			}
		}
		var dept catalog.Department // Code "" until found
		if in.Department != "" {
			var d catalog.Department
			err := tx.QueryRowContext(ctx, `SELECT code, name, region_code, kind FROM departments WHERE code = ?`, in.Department).
				Scan(&d.Code, &d.Name, &d.RegionCode, &d.Kind)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				v.Add("department", fmt.Sprintf("部门 %q 不存在", errs.Short(in.Department)))
			case err != nil:
				return err
			default:
				dept = d
				if itemOK {
					if err := addFieldErrors(&v, GrantItemRule(item, network.Dept{Code: dept.Code, Name: dept.Name, Region: dept.RegionCode, Kind: dept.Kind}, routeDeptList(catDepts))); err != nil {
						return err
					}
				}
			}
		}
		// whom and for which department the granter may authorise (403), whichever of the two is
		// known: a clerk out of reach is said with no department chosen too
		var scope errs.Validation
		if clerk := ""; dept.Code != "" || clerkOK {
			if clerkOK {
				clerk = cmp.Or(name, in.Username)
			}
			if err := addFieldErrors(&scope, s.grantReach(ctx, by, dept, clerk, center)); err != nil {
				return err
			}
		}
		if itemOK && item.HandlingMode != catalog.ModeImmediate && !slices.ContainsFunc(v.Fields(), func(f errs.FieldError) bool { return f.Field == "item" }) {
			// an authorisation is for deciding at the window: 即办 only (said after whose item it is)
			v.Add("item", fmt.Sprintf("“%s”的办理方式为%s，不是即办，不能授权窗口当场办结", item.Name, item.HandlingModeName()))
		}
		if len(scope.Fields()) > 0 { // out of scope: 403, with every other error of the form
			for _, f := range v.Fields() {
				scope.Add(f.Field, f.Message)
			}
			return scope.Forbidden()
		}
		if err := v.Err(); err != nil {
			return err
		}
		// the same authorisation again (the clerk, the department and item, dates that overlap one
		// not revoked): refused, not a second identical grant (the clerk's row is locked above)
		dup, err := s.grants(ctx, tx, `SELECT `+grantColumns+` FROM window_grants WHERE username = ? AND department_code = ? AND item_code = ?
			AND revoked_at IS NULL AND starts_on <= ? AND ends_on >= ? ORDER BY id LIMIT 1`, g.Username, g.Department, g.Item, g.EndsOn, g.StartsOn)
		if err != nil {
			return err
		}
		if len(dup) > 0 {
			d := dup[0]
			msg := fmt.Sprintf("该人员已有同一授权（编号 %d，%s 至 %s，%s），日期重叠，不能重复授予；如需调整日期请先撤销原授权", d.ID, d.StartsOn, d.EndsOn, GrantKindNames[d.Kind])
			return &errs.Error{Code: errs.CodeConflict, Message: msg, Fields: []errs.FieldError{{Field: "starts_on", Message: msg}}}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO window_grants (username, department_code, item_code, kind, starts_on, ends_on, granted_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, g.Username, g.Department, g.Item, g.Kind, g.StartsOn, g.EndsOn, g.GrantedBy, g.CreatedAt).Scan(&g.ID); err != nil {
			return fmt.Errorf("window grant: %w", err)
		}
		return s.audit.Record(ctx, tx, by, "window_grant.add", "window_grant", fmt.Sprint(g.ID), nil, g)
	})
	if err != nil {
		return Grant{}, fmt.Errorf("cases: window grant for %s: %w", in.Username, err)
	}
	return g, nil
}

// addFieldErrors adds the field errors of err (a refusal naming its fields: invalid or out of
// scope) to v; any other error is returned.
func addFieldErrors(v *errs.Validation, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := errs.As(err); ok && (e.Code == errs.CodeInvalid || e.Code == errs.CodeForbidden) && len(e.Fields) > 0 {
		for _, f := range e.Fields {
			v.Add(f.Field, f.Message)
		}
		return nil
	}
	return err
}

// grantReach applies GrantReach to a clerk of center (the main center when ""), and
// AdminGrantReach when by is an admin: to what is known, the department (Code "" when none) and
// the clerk ("" when none).
func (s *Service) grantReach(ctx context.Context, by audit.Actor, dept catalog.Department, clerk, center string) error {
	centers, err := s.net.Centers(ctx)
	if err != nil {
		return fmt.Errorf("centers: %w", err)
	}
	at, ok := network.Center{}, false
	if center == "" {
		at, ok = network.MainCenter(centers)
	} else if i := slices.IndexFunc(centers, func(c network.Center) bool { return c.Code == center }); i >= 0 {
		at, ok = centers[i], true
	}
	if identity.Role(by.Role) == identity.Admin {
		region, name := s.adminRegion(ctx, centers, by)
		if err := AdminGrantReach(region, name, dept, clerk, at); err != nil {
			return err
		}
	}
	if !ok || clerk == "" || dept.Code == "" || dept.RegionCode == "" {
		return nil
	}
	regionName := ""
	if r, err := s.net.Region(ctx, dept.RegionCode); err == nil {
		regionName = r.Name
	}
	return GrantReach(dept, regionName, clerk, at)
}

// adminRegion is the region an admin's grants are limited to (network.SupervisedRegion: "" for
// the city's admins) with its name.
func (s *Service) adminRegion(ctx context.Context, centers []network.Center, by audit.Actor) (code, name string) {
	code = network.SupervisedRegion(centers, by.Center)
	if code == "" {
		return "", ""
	}
	if r, err := s.net.Region(ctx, code); err == nil {
		name = r.Name
	}
	return code, name
}

// RevokeWindowGrant ends an authorisation at once; the change is audited.
func (s *Service) RevokeWindowGrant(ctx context.Context, by audit.Actor, id int64) (_ Grant, err error) {
	defer errs.Wrap(&err, "cases.RevokeWindowGrant")
	var g Grant
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		g, err = scanGrant(tx.QueryRowContext(ctx, `SELECT `+grantColumns+` FROM window_grants WHERE id = ?`+tx.ForUpdate(), id))
		g.ItemName = s.grantItemName(ctx, g.Item)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("窗口授权", fmt.Sprint(id))
		} else if err != nil {
			return err
		}
		var deptRegion string
		if err := tx.QueryRowContext(ctx, `SELECT region_code FROM departments WHERE code = ?`, g.Department).
			Scan(&deptRegion); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		region, name, err := s.revokerRegion(ctx, by)
		if err != nil {
			return err
		}
		if err := RevokeRule(by, g.Department, deptRegion, region, name); err != nil {
			return err
		}
		if g.RevokedAt != nil {
			return errs.Conflict("该授权已撤销")
		}
		before := g
		now := s.now().UTC().Truncate(time.Microsecond)
		g.RevokedAt, g.RevokedBy = &now, by.Username
		if _, err := tx.ExecContext(ctx, `UPDATE window_grants SET revoked_at = ?, revoked_by = ? WHERE id = ?`, now, by.Username, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "window_grant.revoke", "window_grant", fmt.Sprint(id), before, g)
	})
	return g, err
}

// WindowGrants lists authorisations, newest first: an admin sees every one, an approver their
// department's, a clerk their own.
func (s *Service) WindowGrants(ctx context.Context, viewer audit.Actor) (_ []Grant, err error) {
	defer errs.Wrap(&err, "cases.WindowGrants")
	where, arg := "", any(nil)
	switch identity.Role(viewer.Role) {
	case identity.Admin:
	case identity.Approver:
		where, arg = ` WHERE department_code = ?`, viewer.Department
	case identity.Clerk:
		where, arg = ` WHERE username = ?`, viewer.Username
	default:
		return nil, errs.Forbidden("无权查看窗口授权")
	}
	args := []any{}
	if arg != nil {
		args = append(args, arg)
	}
	list, err := s.grants(ctx, s.db, `SELECT `+grantColumns+` FROM window_grants`+where+` ORDER BY id DESC`, args...)
	if err != nil || identity.Role(viewer.Role) == identity.Clerk {
		return list, err
	}
	region, name, err := s.revokerRegion(ctx, viewer)
	if err != nil {
		return nil, err
	}
	depts, err := s.cat.Departments(ctx)
	if err != nil {
		return nil, err
	}
	deptRegion := map[string]string{}
	for _, d := range depts {
		deptRegion[d.Code] = d.RegionCode
	}
	for i, g := range list {
		list[i].Revocable = g.RevokedAt == nil && RevokeRule(viewer, g.Department, deptRegion[g.Department], region, name) == nil
	}
	return list, nil
}

// RevokeRule is who may revoke an authorisation of department (in deptRegion): the department's
// approver, or an admin — a county's or a township's (region, named regionName: what its center
// supervises) only for the departments of its region and below; region "" every department.
func RevokeRule(by audit.Actor, department, deptRegion, region, regionName string) (err error) {
	defer errs.Wrap(&err, "cases.RevokeRule")
	if err := mayGrant(by, department, "撤销"); err != nil {
		return err
	}
	if identity.Role(by.Role) == identity.Admin && region != "" && !network.Oversees(region, deptRegion) {
		return errs.Forbidden(fmt.Sprintf("%s的管理员只能撤销%s及其下辖区划部门的窗口授权", regionName, regionName))
	}
	return nil
}

// revokerRegion is the region an admin's revocations are limited to, with its name ("" for the
// city's admins and for anyone not an admin).
func (s *Service) revokerRegion(ctx context.Context, by audit.Actor) (region, name string, err error) {
	if identity.Role(by.Role) != identity.Admin {
		return "", "", nil
	}
	centers, err := s.net.Centers(ctx)
	if err != nil {
		return "", "", err
	}
	region, name = s.adminRegion(ctx, centers, by)
	return region, name, nil
}

func (s *Service) grants(ctx context.Context, q store.Querier, query string, args ...any) ([]Grant, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Grant{}
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, err
		}
		g.ItemName = s.grantItemName(ctx, g.Item)
		out = append(out, g)
	}
	return out, rows.Err()
}

// grantItemName is the name of a grant's item for people ("" for a whole department's grant or an
// item no longer in the catalog: Label then falls back to the code).
func (s *Service) grantItemName(ctx context.Context, code string) string {
	if code == "" {
		return ""
	}
	it, err := s.cat.LatestItem(ctx, code)
	if err != nil {
		return ""
	}
	return it.Name
}

// OneStepGrant is the authorisation under which by may finish item at the window today, or the
// reason it may not (the window page offers 当场办结 only when there is one).
func (s *Service) OneStepGrant(ctx context.Context, by audit.Actor, item catalog.Item) (_ Grant, err error) {
	defer errs.Wrap(&err, "cases.OneStepGrant")
	// The department that decides by default at the clerk's center (沾化区's 管理部 for a
	// 沾化区 clerk) is the one whose authorisation counts.
	if r, routed, err := s.route(ctx, by, item, Applicant{}, "window", "", ""); err == nil && routed {
		item = r.Competent(item) // the region's implementing item, when it has one
		item.Department = catalog.Ref{Code: r.Department.Code, Name: r.Department.Name}
	}
	gs, err := s.grants(ctx, s.db, `SELECT `+grantColumns+` FROM window_grants WHERE username = ? AND revoked_at IS NULL`, by.Username)
	if err != nil {
		return Grant{}, err
	}
	return OneStepRule(identity.Role(by.Role), item, gs, s.today())
}

// oneStep accepts, decides and delivers a case just registered, as one person under the
// window authorisation that covers its item today: the existing actions in order, in the
// registration's transaction (either all happen or none).
func (s *Service) oneStep(ctx context.Context, tx *store.Tx, by audit.Actor, number string, item catalog.Item, in CreateInput, cal *calendar.Calendar, pass *passedOn) error {
	gs, err := s.grants(ctx, tx, `SELECT `+grantColumns+` FROM window_grants WHERE username = ? AND revoked_at IS NULL`, by.Username)
	if err != nil {
		return err
	}
	g, err := OneStepRule(identity.Role(by.Role), item, gs, s.today())
	if err != nil {
		return err
	}
	accept := AcceptInput{}
	if in.Accept != nil {
		accept = *in.Accept
	}
	decision := in.OneStep.Decision
	if decision == "" {
		decision = "approved"
	}
	method := in.OneStep.Method
	if method == "" {
		method = "window"
	}
	if err := s.actTxOn(ctx, tx, by, number, pass, accept, cal, &g); err != nil {
		return err
	}
	if err := s.actTxAs(ctx, tx, by, number, DecisionInput{Decision: decision, Reason: in.OneStep.Reason}, cal, &g); err != nil {
		return err
	}
	return s.actTxAs(ctx, tx, by, number, DeliveryInput{Method: method, TrackingNumber: in.OneStep.TrackingNumber}, cal, &g)
}

// GrantClerk is a clerk as the authorisation form offers them: 姓名（中心）.
type GrantClerk struct {
	Username, Name, Center, CenterName string
}

// Label is the clerk with their center: 韩雪（彭李街道便民服务中心）.
func (c GrantClerk) Label() string {
	name := cmp.Or(c.Name, c.Username)
	if c.CenterName == "" {
		return name
	}
	return name + "（" + c.CenterName + "）"
}

// GrantChoices are what the authorisation form offers a viewer: the departments they may grant
// for (an approver: their own; a county's admin: its region's), the clerks those departments
// reach (GrantReach, AdminGrantReach; the city's admin: every clerk), the 即办 items they decide
// (GrantItemRule; the city's admin: every one), and every clerk's label by username for the list.
type GrantChoices struct {
	Departments []catalog.Department
	Clerks      []GrantClerk
	Items       []catalog.Item
	Labels      map[string]string
	// Deciders names, by item code, the department that decides the item among those offered:
	// for a county's admin the county's (沾化区公安局 for the city's 居民身份证申领), else the item's.
	Deciders map[string]string
}

// GrantChoices reads the form's choices for viewer.
func (s *Service) GrantChoices(ctx context.Context, viewer audit.Actor) (_ GrantChoices, err error) {
	defer errs.Wrap(&err, "cases.GrantChoices")
	var out GrantChoices
	depts, err := s.cat.Departments(ctx)
	if err != nil {
		return out, fmt.Errorf("cases: grant choices: %w", err)
	}
	approver := identity.Role(viewer.Role) == identity.Approver
	centers, err := s.net.Centers(ctx)
	if err != nil {
		return out, fmt.Errorf("cases: grant choices: %w", err)
	}
	region := "" // a county's admin: its region's departments and clerks only (AdminGrantReach)
	if identity.Role(viewer.Role) == identity.Admin {
		region, _ = s.adminRegion(ctx, centers, viewer)
	}
	for _, d := range depts {
		if (!approver || d.Code == viewer.Department) && (region == "" || network.Oversees(region, d.RegionCode)) {
			out.Departments = append(out.Departments, d)
		}
	}
	main, _ := network.MainCenter(centers)
	rows, err := s.db.QueryContext(ctx, `SELECT username, display_name, center_code FROM users WHERE role = ? AND disabled = 0 ORDER BY username`, string(identity.Clerk))
	if err != nil {
		return out, fmt.Errorf("cases: grant choices: clerks: %w", err)
	}
	defer rows.Close()
	out.Labels = map[string]string{}
	for rows.Next() {
		var c GrantClerk
		if err := rows.Scan(&c.Username, &c.Name, &c.Center); err != nil {
			return out, err
		}
		at := main
		if i := slices.IndexFunc(centers, func(x network.Center) bool { return x.Code == c.Center }); i >= 0 {
			at = centers[i]
		}
		c.CenterName = at.Name
		out.Labels[c.Username] = c.Label()
		if approver && len(out.Departments) == 1 && GrantReach(out.Departments[0], "", c.Username, at) != nil {
			continue
		}
		if region != "" && (at.RegionCode == "" || !network.Oversees(region, at.RegionCode)) {
			continue
		}
		out.Clerks = append(out.Clerks, c)
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	res, err := s.cat.Search(ctx, catalog.Query{HandlingMode: catalog.ModeImmediate, Limit: catalog.MaxPage})
	if err != nil {
		return out, fmt.Errorf("cases: grant choices: items: %w", err)
	}
	list := routeDeptList(depts)
	out.Deciders = map[string]string{}
	for _, sum := range res.Items {
		it, err := s.cat.Item(ctx, sum.Code)
		if err != nil {
			return out, fmt.Errorf("cases: grant choices: item %s: %w", sum.Code, err)
		}
		decider := it.Department.Name
		if approver || region != "" { // an item one of the departments offered decides (GrantItemRule)
			i := slices.IndexFunc(out.Departments, func(d catalog.Department) bool {
				return GrantItemRule(it, network.Dept{Code: d.Code, Name: d.Name, Region: d.RegionCode, Kind: d.Kind}, list) == nil
			})
			if i < 0 {
				continue
			}
			decider = out.Departments[i].Name
		}
		out.Items = append(out.Items, it)
		out.Deciders[it.Code] = decider
	}
	return out, nil
}
