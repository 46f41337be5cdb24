package catalog

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"banhao/audit"
	"banhao/errs"
	"banhao/ids"
	"banhao/network"
	"banhao/store"
)

// checkStandard applies the standard's rules to a write of an implementing item: an item keeps
// the standard it was derived from (a write that leaves standard_code out keeps it; none may
// change it, so no import or API call can shed the rules), and every version but a retirement
// passes CheckDerived against the standard's published version.
func (s *Service) checkStandard(ctx context.Context, tx *store.Tx, it *Item, exists bool, head, status string) error {
	if exists {
		switch {
		case it.StandardCode == "":
			it.StandardCode = head
		case head == "":
			return errs.Invalid("standard_code", "已有事项不能改为实施事项：请从标准事项派生新的实施事项")
		case it.StandardCode != head:
			return errs.Invalid("standard_code", fmt.Sprintf("实施事项所依据的标准事项不能更改（原为 %s）", head))
		}
	}
	if it.StandardCode == "" || status == StatusRetired {
		return nil
	}
	std, err := s.loadItem(ctx, tx, it.StandardCode, `i.published_version`, true)
	if errs.Is(err, errs.CodeNotFound) {
		return errs.Invalid("standard_code", fmt.Sprintf("标准事项 %s 不存在或未发布", Excerpt(it.StandardCode)))
	}
	if err != nil {
		return err
	}
	return CheckDerived(std, *it)
}

// rebaseDerived carries a newly published standard into every item derived from it as a new
// draft version (an unchanged one makes none): the region reviews and publishes it. Retired
// derived items are left alone.
func (s *Service) rebaseDerived(ctx context.Context, tx *store.Tx, by audit.Actor, std Item) error {
	rows, err := tx.QueryContext(ctx, `SELECT code FROM items WHERE standard_code = ? AND status <> ? ORDER BY code`, std.Code, StatusRetired)
	if err != nil {
		return err
	}
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		codes = append(codes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range codes {
		cur, err := s.loadItem(ctx, tx, c, `i.latest_version`, false)
		if err != nil {
			return err
		}
		// The region's own limits are those it published (a draft's were clamped to an
		// earlier standard, not chosen); its other local fields are the newest.
		pub, err := s.loadItem(ctx, tx, c, `i.published_version`, true)
		if err == nil {
			cur.PromisedLimit, cur.Visits, cur.OnlineDepth = pub.PromisedLimit, pub.Visits, pub.OnlineDepth
		} else if !errs.Is(err, errs.CodeNotFound) {
			return err
		}
		if _, _, err := s.putItem(ctx, tx, by, Rebase(std, cur), StatusDraft); err != nil {
			return fmt.Errorf("标准事项 %s 更新到实施事项 %s：%w", std.Code, c, err)
		}
	}
	return nil
}

func mayEditCatalog(by audit.Actor) error {
	if by.Role != "admin" && by.Role != audit.System.Role {
		return errs.Forbidden("只有管理员可以派生实施事项")
	}
	return nil
}

// Derive makes a region's implementing item from a published standard item: the standard's
// guide with the region's local fields, checked by CheckDerived, stored as a draft unless
// local.Status says published. One implementing item per standard and region.
func (s *Service) Derive(ctx context.Context, by audit.Actor, standard string, local Local) (_ Item, err error) {
	defer errs.Wrap(&err, "catalog.Derive")
	if err := mayEditCatalog(by); err != nil {
		return Item{}, err
	}
	status := cmp.Or(local.Status, StatusDraft)
	if status != StatusDraft && status != StatusPublished {
		return Item{}, errs.Invalid("status", "状态须为草稿或已发布")
	}
	var out Item
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		std, err := s.loadItem(ctx, tx, standard, `i.published_version`, true)
		if err != nil {
			return err
		}
		if std.StandardCode != "" {
			return errs.Invalid("standard_code", fmt.Sprintf("事项 %s 本身是实施事项，请从标准事项 %s 派生", std.Code, std.StandardCode))
		}
		var v errs.Validation
		v.Check(local.Department != "", "department", "须指定实施部门")
		v.Check(local.ConsultPhone == "" || ids.ValidOfficePhone(local.ConsultPhone), "consult_phone", "咨询电话"+ids.OfficePhoneRule)
		v.Check(local.ComplaintPhone == "" || ids.ValidOfficePhone(local.ComplaintPhone), "complaint_phone", "投诉电话"+ids.OfficePhoneRule)
		if err := v.Err(); err != nil {
			return err
		}
		var dept Department
		err = tx.QueryRowContext(ctx, `SELECT code, name, region_code, credit_code, phone, status FROM departments WHERE code = ?`, local.Department).
			Scan(&dept.Code, &dept.Name, &dept.RegionCode, &dept.CreditCode, &dept.Phone, &dept.Status)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Invalid("department", fmt.Sprintf("部门 %q 不存在", Excerpt(local.Department)))
		}
		if err != nil {
			return err
		}
		region := cmp.Or(local.RegionCode, dept.RegionCode)
		if dept.RegionCode != region {
			return errs.Invalid("department", fmt.Sprintf("部门 %s 不属于区划 %s", dept.Code, Excerpt(region)))
		}
		if err := deriveScope(ctx, tx, by, region); err != nil {
			return err
		}
		var regionName string
		err = tx.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = ?`, region).Scan(&regionName)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Invalid("region_code", fmt.Sprintf("区划 %q 不存在", Excerpt(region)))
		}
		if err != nil {
			return err
		}
		var other string
		err = tx.QueryRowContext(ctx, `SELECT code FROM items WHERE standard_code = ? AND region_code = ?`, std.Code, region).Scan(&other)
		if err == nil {
			return errs.Conflict(fmt.Sprintf("%s已有标准事项 %s 的实施事项 %s", regionName, std.Code, other))
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		base := std
		base.Code = cmp.Or(local.Code, DerivedCode(std.Code, region, dept.CreditCode))
		base.RegionCode, base.Department, base.Level, base.Group = region, Ref{Code: dept.Code}, "", ""
		base.ConsultPhone = cmp.Or(local.ConsultPhone, dept.Phone, std.ConsultPhone)
		base.ComplaintPhone = cmp.Or(local.ComplaintPhone, std.ComplaintPhone)
		base.Where, base.Hours = local.Where, local.Hours
		if base.Where == "" || base.Hours == "" {
			var name, address, hours string
			err := tx.QueryRowContext(ctx, `SELECT name, address, hours FROM centers WHERE region_code = ? ORDER BY code LIMIT 1`, region).Scan(&name, &address, &hours)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if base.Where == "" && name != "" {
				base.Where = name + "（" + address + "）"
			}
			base.Hours = cmp.Or(base.Hours, hours)
		}
		if local.Delivery != nil {
			base.DeliveryMethods = local.Delivery
		}
		d := Rebase(std, base)
		// What the region asked for is kept as asked: a looser limit is refused, never clamped.
		if local.PromisedLimit != nil {
			d.PromisedLimit, d.Handling = *local.PromisedLimit, ""
			d.Steps = fitSteps(d.Steps, d.PromisedLimit)
		}
		if local.Visits != nil {
			d.Visits = *local.Visits
		}
		if local.OnlineDepth != nil {
			d.OnlineDepth = *local.OnlineDepth
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE code = ?`, d.Code).Scan(&exists); err != nil {
			return err
		}
		if exists > 0 {
			return &errs.Error{Code: errs.CodeConflict, Message: fmt.Sprintf("实施编码 %s 已被另一事项使用", d.Code),
				Fields: []errs.FieldError{{Field: "code", Message: "实施编码已存在"}}}
		}
		out, _, err = s.putItem(ctx, tx, by, d, status)
		if err != nil {
			return err
		}
		// Names without a fresh snapshot: a batch of derivations (the demo's) reloads nothing.
		out.Department.Name = dept.Name
		if out.Section.Code != "" {
			if err := tx.QueryRowContext(ctx, `SELECT name FROM sections WHERE code = ?`, out.Section.Code).Scan(&out.Section.Name); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, by, "item.derive", "item", out.Code, nil,
			map[string]string{"standard_code": std.Code, "region_code": region, "department": dept.Code, "status": status})
	})
	s.invalidate()
	if err != nil {
		return Item{}, err
	}
	return out, nil
}

// MayChange is who changes which item (create, edit, publish, 废止, derive): an admin whose
// center supervises scope (network.SupervisedRegion: a county's or a township's center) only
// items of that region and below; scope "" (the city's admins, accounts of no center) every
// item. An item's region is its RegionCode; one with none is the city's.
func MayChange(scope, region string) bool { return network.Oversees(scope, region) }

// ChangeRefusal is MayChange's refusal, naming the item's region and the admin's.
func ChangeRefusal(scopeName, regionName string) error {
	return errs.Forbidden(fmt.Sprintf("该事项属于%s，%s的管理员只能修改%s及其下辖区划的事项", regionName, scopeName, scopeName))
}

// Scope is the region whose items the actor may change (MayChange): "" for every region.
func (s *Service) Scope(ctx context.Context, by audit.Actor) (_ string, err error) {
	defer errs.Wrap(&err, "catalog.Scope")
	return actorScope(ctx, s.db, by)
}

func actorScope(ctx context.Context, q store.Querier, by audit.Actor) (string, error) {
	if by.Center == "" {
		return "", nil
	}
	rows, err := q.QueryContext(ctx, `SELECT code, region_code, level, is_main FROM centers`)
	if err != nil {
		return "", fmt.Errorf("catalog: scope: centers: %w", err)
	}
	defer rows.Close()
	var centers []network.Center
	for rows.Next() {
		var c network.Center
		var main int
		if err := rows.Scan(&c.Code, &c.RegionCode, &c.Level, &main); err != nil {
			return "", fmt.Errorf("catalog: scope: centers: %w", err)
		}
		c.Main = main == 1
		centers = append(centers, c)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("catalog: scope: centers: %w", err)
	}
	return network.SupervisedRegion(centers, by.Center), nil
}

// regionName is a region's name, its code when unknown, 全市 for none.
func regionName(ctx context.Context, q store.Querier, code string) string {
	if code == "" {
		return "全市"
	}
	name := code
	_ = q.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = ?`, code).Scan(&name)
	return name
}

// checkScope refuses a change of an item of region the actor may not change (MayChange).
func checkScope(ctx context.Context, q store.Querier, by audit.Actor, region string) error {
	scope, err := actorScope(ctx, q, by)
	if err != nil {
		return err
	}
	if MayChange(scope, region) {
		return nil
	}
	return ChangeRefusal(regionName(ctx, q, scope), regionName(ctx, q, region))
}

// deriveScope is who derives for which region: MayChange's rule, refused on the department
// chosen (沾化区's admin for 沾化区, not for 惠民县).
func deriveScope(ctx context.Context, tx *store.Tx, by audit.Actor, region string) error {
	scope, err := actorScope(ctx, tx, by)
	if err != nil {
		return err
	}
	if MayChange(scope, region) {
		return nil
	}
	return errs.Invalid("department", fmt.Sprintf("您只能为%s及其下辖区划派生实施事项，所选部门不在其中", regionName(ctx, tx, scope)))
}

// DerivedItem is one implementing item of a standard, in the staff list.
type DerivedItem struct {
	StaffItem
}

// Derived lists the implementing items derived from a standard item, every status.
func (s *Service) Derived(ctx context.Context, standard string) (_ []DerivedItem, err error) {
	defer errs.Wrap(&err, "catalog.Derived")
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, type, department_code, status, latest_version, COALESCE(published_version, 0), region_code
		FROM items WHERE standard_code = ? ORDER BY region_code, code`, standard)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DerivedItem{}
	for rows.Next() {
		var d DerivedItem
		if err := rows.Scan(&d.Code, &d.Name, &d.Type, &d.Department, &d.Status, &d.LatestVersion, &d.PublishedVersion, &d.RegionCode); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// List kinds: the full implementing list and the 一次办好 list (at most one visit).
const (
	ListAll  = "all"
	ListOnce = "once"
)

// ListTitles name the published lists.
var ListTitles = map[string]string{ListAll: "政务服务事项实施清单", ListOnce: "“一次办好”事项清单"}

// PublishedList is a region's published list: its items (published versions, in public order:
// by section, then code) and its 公布日期, the day of its newest published version.
type PublishedList struct {
	RegionCode string    `json:"region_code"`
	Kind       string    `json:"kind"`
	Count      int       `json:"count"`
	Date       time.Time `json:"date"`
	Items      []Item    `json:"items"`
}

// RegionList is the published list of a region: every item it implements (its own and those
// derived for it), or only those needing at most one visit (一次办好).
func (s *Service) RegionList(ctx context.Context, region, kind string) (_ PublishedList, err error) {
	defer errs.Wrap(&err, "catalog.RegionList")
	if kind != ListAll && kind != ListOnce {
		return PublishedList{}, errs.Invalid("kind", "清单须为实施清单（all）或“一次办好”清单（once）")
	}
	idx, err := s.index(ctx)
	if err != nil {
		return PublishedList{}, err
	}
	l := PublishedList{RegionCode: region, Kind: kind, Items: []Item{}}
	for _, it := range idx.published {
		if it.RegionCode != region || kind == ListOnce && !OnceOnly(it) {
			continue
		}
		it.Department.Name = idx.depts[it.Department.Code].Name
		it.Section.Name = idx.sections[it.Section.Code].Name
		l.Items = append(l.Items, it)
		if it.UpdatedAt.After(l.Date) {
			l.Date = it.UpdatedAt
		}
	}
	sortKey := func(it Item) int {
		if sec, ok := idx.sections[it.Section.Code]; ok {
			return sec.Sort
		}
		return 1 << 30
	}
	slices.SortFunc(l.Items, func(a, b Item) int {
		return cmp.Or(cmp.Compare(sortKey(a), sortKey(b)), cmp.Compare(a.Section.Code, b.Section.Code), cmp.Compare(a.Code, b.Code))
	})
	l.Count = len(l.Items)
	return l, nil
}
