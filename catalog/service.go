package catalog

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"banhao/audit"
	"banhao/errs"
	"banhao/store"
	"banhao/wiring"
)

// Service is the catalog capability.
type Service struct {
	db    *store.DB
	audit *audit.Log
	now   func() time.Time
	idx   indexHolder
	// versions caches item versions: a version never changes once written.
	versions sync.Map // "code\x00version" → Item
	// staleness bounds how long a change made on another node takes to show here (WithStaleness).
	staleness time.Duration
}

// Option sets a setting of the service at construction.
type Option func(*Service)

// WithStaleness bounds how long a change made on another node takes to show here (default 1 s;
// 0: every read checks the database generation).
func WithStaleness(d time.Duration) Option { return func(s *Service) { s.staleness = d } }

// NewService returns the catalog service; now is the injected clock. Every argument is required.
func NewService(db *store.DB, log *audit.Log, now func() time.Time, opts ...Option) (_ *Service, err error) {
	defer errs.Wrap(&err, "catalog.NewService")
	if err := wiring.Require("catalog.NewService", wiring.Deps{"db": db, "log": log, "now": now}); err != nil {
		return nil, err
	}
	s := &Service{db: db, audit: log, now: now, staleness: time.Second}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Sections lists the active sections with their count of published items.
func (s *Service) Sections(ctx context.Context) (_ []Section, err error) {
	defer errs.Wrap(&err, "catalog.Sections")
	idx, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	return idx.sectionList, nil
}

// Departments lists the active departments with their count of published items.
func (s *Service) Departments(ctx context.Context) (_ []Department, err error) {
	defer errs.Wrap(&err, "catalog.Departments")
	idx, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	return idx.deptList, nil
}

// Section returns one section (any status).
func (s *Service) Section(ctx context.Context, code string) (_ Section, err error) {
	defer errs.Wrap(&err, "catalog.Section")
	var sec Section
	err = s.db.QueryRowContext(ctx, `SELECT code, name, description, sort, status FROM sections WHERE code = ?`, code).
		Scan(&sec.Code, &sec.Name, &sec.Description, &sec.Sort, &sec.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return sec, errs.NotFound("版块", code)
	}
	return sec, err
}

// Department returns one department (any status).
func (s *Service) Department(ctx context.Context, code string) (_ Department, err error) {
	defer errs.Wrap(&err, "catalog.Department")
	var d Department
	err = s.db.QueryRowContext(ctx, `SELECT code, name, credit_code, region_code, kind, phone, status FROM departments WHERE code = ?`, code).
		Scan(&d.Code, &d.Name, &d.CreditCode, &d.RegionCode, &d.Kind, &d.Phone, &d.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return d, errs.NotFound("部门", code)
	}
	return d, err
}

// AllSections lists every section, retired ones too (admin pages).
func (s *Service) AllSections(ctx context.Context) (_ []Section, err error) {
	defer errs.Wrap(&err, "catalog.AllSections")
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, description, sort, status,
		(SELECT COUNT(*) FROM items i WHERE i.section_code = s.code) FROM sections s ORDER BY sort, code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Section
	for rows.Next() {
		var sec Section
		if err := rows.Scan(&sec.Code, &sec.Name, &sec.Description, &sec.Sort, &sec.Status, &sec.ItemCount); err != nil {
			return nil, err
		}
		out = append(out, sec)
	}
	return out, rows.Err()
}

// AllDepartments lists every department, retired ones too (admin pages).
func (s *Service) AllDepartments(ctx context.Context) (_ []Department, err error) {
	defer errs.Wrap(&err, "catalog.AllDepartments")
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, credit_code, region_code, kind, phone, status,
		(SELECT COUNT(*) FROM items i WHERE i.department_code = d.code) FROM departments d ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Department
	for rows.Next() {
		var d Department
		if err := rows.Scan(&d.Code, &d.Name, &d.CreditCode, &d.RegionCode, &d.Kind, &d.Phone, &d.Status, &d.ItemCount); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// PutSection creates or updates a section.
func (s *Service) PutSection(ctx context.Context, by audit.Actor, sec Section) (_ Section, err error) {
	defer errs.Wrap(&err, "catalog.PutSection")
	err = s.db.Tx(ctx, func(tx *store.Tx) error { return s.putSection(ctx, tx, by, &sec) })
	s.invalidate()
	return sec, err
}

func (s *Service) putSection(ctx context.Context, tx *store.Tx, by audit.Actor, sec *Section) error {
	if sec.Status == "" {
		sec.Status = "active"
	}
	if err := validateSection(*sec); err != nil {
		return err
	}
	if sec.Status != "active" && sec.Status != StatusRetired {
		return errs.Invalid("status", "版块状态须为启用或停用")
	}
	before, err := s.Section(ctx, sec.Code)
	if err != nil && !errs.Is(err, errs.CodeNotFound) {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sections (code, name, description, sort, status, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, description = excluded.description, sort = excluded.sort,
		status = excluded.status, updated_at = excluded.updated_at`, sec.Code, sec.Name, sec.Description, sec.Sort, sec.Status, s.now().UTC()); err != nil {
		return fmt.Errorf("put section %s: %w", sec.Code, err)
	}
	var b any
	if before.Code != "" {
		b = before
	}
	if err := s.audit.Record(ctx, tx, by, "section.put", "section", sec.Code, b, sec); err != nil {
		return err
	}
	return bumpGeneration(ctx, tx)
}

// PutDepartment creates or updates a department.
func (s *Service) PutDepartment(ctx context.Context, by audit.Actor, d Department) (_ Department, err error) {
	defer errs.Wrap(&err, "catalog.PutDepartment")
	err = s.db.Tx(ctx, func(tx *store.Tx) error { return s.putDepartment(ctx, tx, by, &d) })
	s.invalidate()
	return d, err
}

func (s *Service) putDepartment(ctx context.Context, tx *store.Tx, by audit.Actor, d *Department) error {
	if d.Status == "" {
		d.Status = "active"
	}
	if err := validateDepartment(*d); err != nil {
		return err
	}
	if d.Status != "active" && d.Status != StatusRetired {
		return errs.Invalid("status", "部门状态须为启用或停用")
	}
	var before Department
	err := tx.QueryRowContext(ctx, `SELECT code, name, credit_code, region_code, kind, phone, status FROM departments WHERE code = ?`, d.Code).
		Scan(&before.Code, &before.Name, &before.CreditCode, &before.RegionCode, &before.Kind, &before.Phone, &before.Status)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if d.Kind == "" { // a department keeps its kind; a new one is of its own kind
		d.Kind = cmp.Or(before.Kind, d.Code)
	}
	var other string
	err = tx.QueryRowContext(ctx, `SELECT code FROM departments WHERE region_code = ? AND kind = ? AND code <> ?`, d.RegionCode, d.Kind, d.Code).Scan(&other)
	if err == nil {
		return &errs.Error{Code: errs.CodeConflict, Message: fmt.Sprintf("区划 %s 已有类别为 %s 的部门（%s）", d.RegionCode, d.Kind, other),
			Fields: []errs.FieldError{{Field: "kind", Message: "本区划已有同类部门"}}}
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if d.Status == StatusRetired && before.Status != StatusRetired {
		var live int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE department_code = ? AND status = ?`, d.Code, StatusPublished).Scan(&live); err != nil {
			return err
		}
		if live > 0 {
			return errs.Conflict(fmt.Sprintf("部门 %s 仍有 %d 个已发布事项，请先调整或废止这些事项", d.Code, live))
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO departments (code, name, credit_code, region_code, kind, phone, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, credit_code = excluded.credit_code, region_code = excluded.region_code,
		kind = excluded.kind, phone = excluded.phone, status = excluded.status, updated_at = excluded.updated_at`,
		d.Code, d.Name, d.CreditCode, d.RegionCode, d.Kind, d.Phone, d.Status, s.now().UTC())
	if store.IsUniqueViolation(err) {
		return &errs.Error{Code: errs.CodeConflict, Message: fmt.Sprintf("部门名称 %q 已被另一个部门使用", d.Name),
			Fields: []errs.FieldError{{Field: "name", Message: "部门名称已存在"}}}
	}
	if err != nil {
		return fmt.Errorf("put department %s: %w", d.Code, err)
	}
	var b any
	if before.Code != "" {
		b = before
	}
	if err := s.audit.Record(ctx, tx, by, "department.put", "department", d.Code, b, d); err != nil {
		return err
	}
	return bumpGeneration(ctx, tx)
}

func bumpGeneration(ctx context.Context, tx *store.Tx) error {
	_, err := tx.ExecContext(ctx, `UPDATE catalog_meta SET generation = generation + 1 WHERE id = 1`)
	return err
}

// Item returns the published guide of an item: what the public sees. It comes from the
// catalog snapshot (a change made on another node shows within the service's staleness, as in search).
func (s *Service) Item(ctx context.Context, code string) (_ Item, err error) {
	defer errs.Wrap(&err, "catalog.Item")
	if idx, err := s.index(ctx); err == nil {
		if it, ok := idx.published[code]; ok {
			return s.named(ctx, it)
		}
	}
	it, err := s.loadItem(ctx, s.db, code, `i.published_version`, true)
	if err != nil {
		return it, err
	}
	return s.named(ctx, it)
}

// LatestItem returns the newest version of an item, draft or not (staff pages).
func (s *Service) LatestItem(ctx context.Context, code string) (_ Item, err error) {
	defer errs.Wrap(&err, "catalog.LatestItem")
	it, err := s.loadItem(ctx, s.db, code, `i.latest_version`, false)
	if err != nil {
		return it, err
	}
	return s.named(ctx, it)
}

// ItemVersion returns one version of an item, as a case made under it sees it.
func (s *Service) ItemVersion(ctx context.Context, code string, version int) (_ Item, err error) {
	defer errs.Wrap(&err, "catalog.ItemVersion")
	key := code + "\x00" + strconv.Itoa(version)
	if v, ok := s.versions.Load(key); ok {
		return s.named(ctx, v.(Item))
	}
	var doc string
	var created time.Time
	err = s.db.QueryRowContext(ctx, `SELECT doc, created_at FROM item_versions WHERE code = ? AND version = ?`, code, version).Scan(&doc, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, errs.NotFound("事项版本", fmt.Sprintf("%s v%d", code, version))
	}
	if err != nil {
		return Item{}, err
	}
	var it Item
	if err := json.Unmarshal([]byte(doc), &it); err != nil {
		return it, fmt.Errorf("item %s v%d: %w", code, version, err)
	}
	it.legacy()
	it.Version, it.UpdatedAt = version, created
	s.versions.Store(key, it)
	return s.named(ctx, it)
}

func (s *Service) loadItem(ctx context.Context, q store.Querier, code, versionCol string, public bool) (Item, error) {
	where := ""
	if public {
		where = ` AND i.status = 'published'`
	}
	var doc string
	var updated time.Time
	var version int
	err := q.QueryRowContext(ctx, `SELECT v.doc, v.created_at, v.version FROM items i JOIN item_versions v ON v.code = i.code AND v.version = `+versionCol+`
		WHERE i.code = ?`+where, code).Scan(&doc, &updated, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, errs.NotFound("事项", code)
	}
	if err != nil {
		return Item{}, err
	}
	var it Item
	if err := json.Unmarshal([]byte(doc), &it); err != nil {
		return it, fmt.Errorf("item %s: %w", code, err)
	}
	it.legacy()
	it.UpdatedAt, it.Version = updated, version
	return it, nil
}

// named fills department and section names from the current catalog.
func (s *Service) named(ctx context.Context, it Item) (Item, error) {
	idx, err := s.index(ctx)
	if err != nil {
		return it, err
	}
	if d, ok := idx.depts[it.Department.Code]; ok {
		it.Department.Name = d.Name
	}
	if sec, ok := idx.sections[it.Section.Code]; ok {
		it.Section.Name = sec.Name
	}
	return it, nil
}

// ItemVersionInfo describes one stored version.
type ItemVersionInfo struct {
	Version   int       `json:"version"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Versions lists an item's versions, newest first.
func (s *Service) Versions(ctx context.Context, code string) (_ []ItemVersionInfo, err error) {
	defer errs.Wrap(&err, "catalog.Versions")
	rows, err := s.db.QueryContext(ctx, `SELECT version, status, created_at, created_by FROM item_versions WHERE code = ? ORDER BY version DESC`, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ItemVersionInfo
	for rows.Next() {
		var v ItemVersionInfo
		if err := rows.Scan(&v.Version, &v.Status, &v.CreatedAt, &v.CreatedBy); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errs.NotFound("事项", code)
	}
	return out, rows.Err()
}

// PutItem validates an item and stores it as a new version with status (draft, published or
// retired). An unchanged item makes no new version.
func (s *Service) PutItem(ctx context.Context, by audit.Actor, it Item, status string) (_ Item, err error) {
	defer errs.Wrap(&err, "catalog.PutItem")
	var out Item
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		out, _, err = s.putItem(ctx, tx, by, it, status)
		return err
	})
	s.invalidate()
	if err != nil {
		return Item{}, err
	}
	return s.named(ctx, out)
}

type putOutcome int

const (
	putCreated putOutcome = iota
	putUpdated
	putUnchanged
)

func (s *Service) putItem(ctx context.Context, tx *store.Tx, by audit.Actor, it Item, status string) (Item, putOutcome, error) {
	it.Normalize()
	if status == "" {
		status = StatusPublished
	}
	if err := Validate(&it, status); err != nil {
		return it, 0, err
	}
	if err := resolveRefs(ctx, tx, &it); err != nil {
		return it, 0, err
	}
	it.Status, it.Version, it.UpdatedAt = status, 0, time.Time{}

	var latest int
	var published sql.NullInt64
	var headStatus, headStandard, headRegion string
	err := tx.QueryRowContext(ctx, `SELECT latest_version, published_version, status, standard_code, region_code FROM items WHERE code = ?`+tx.ForUpdate(), it.Code).
		Scan(&latest, &published, &headStatus, &headStandard, &headRegion)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return it, 0, err
	}
	// A county's admin changes only their region's items (MayChange): the item as it is and as
	// it would be.
	if exists {
		if err := checkScope(ctx, tx, by, headRegion); err != nil {
			return it, 0, err
		}
	}
	if err := checkScope(ctx, tx, by, it.RegionCode); err != nil {
		return it, 0, err
	}
	if err := s.checkStandard(ctx, tx, &it, exists, headStandard, status); err != nil {
		return it, 0, err
	}
	doc, err := json.Marshal(storedDoc(it))
	if err != nil {
		return it, 0, err
	}
	var before any
	if exists {
		var prev string
		if err := tx.QueryRowContext(ctx, `SELECT doc FROM item_versions WHERE code = ? AND version = ?`, it.Code, latest).Scan(&prev); err != nil {
			return it, 0, err
		}
		if prev == string(doc) {
			it.Version = latest
			return it, putUnchanged, nil
		}
		before = json.RawMessage(prev)
	}
	if err := s.checkRulesLimit(ctx, tx, it, status, before); err != nil {
		return it, 0, err
	}

	it.Version = latest + 1
	now := s.now().UTC()
	if _, err := tx.ExecContext(ctx, `INSERT INTO items (code, name, type, department_code, section_code, region_code, tongban, level, status, latest_version, updated_at, standard_code)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, type = excluded.type, department_code = excluded.department_code,
		section_code = excluded.section_code, region_code = excluded.region_code, tongban = excluded.tongban, level = excluded.level,
		latest_version = excluded.latest_version, updated_at = excluded.updated_at`,
		it.Code, it.Name, it.Type, it.Department.Code, nullable(it.Section.Code), it.RegionCode, it.Tongban, it.Level, status, it.Version, now, it.StandardCode); err != nil {
		return it, 0, fmt.Errorf("put item %s: %w", it.Code, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO item_versions (code, version, status, doc, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)`,
		it.Code, it.Version, status, string(doc), now, by.Username); err != nil {
		return it, 0, fmt.Errorf("put item %s version: %w", it.Code, err)
	}
	// What the public sees: a new draft leaves the published version in place.
	switch status {
	case StatusPublished:
		_, err = tx.ExecContext(ctx, `UPDATE items SET status = ?, published_version = ? WHERE code = ?`, StatusPublished, it.Version, it.Code)
	case StatusRetired:
		_, err = tx.ExecContext(ctx, `UPDATE items SET status = ? WHERE code = ?`, StatusRetired, it.Code)
	case StatusDraft:
		if !published.Valid || headStatus != StatusPublished {
			_, err = tx.ExecContext(ctx, `UPDATE items SET status = ? WHERE code = ?`, StatusDraft, it.Code)
		}
	}
	if err != nil {
		return it, 0, err
	}
	if err := s.audit.Record(ctx, tx, by, "item.put", "item", it.Code, before, json.RawMessage(doc)); err != nil {
		return it, 0, err
	}
	it.UpdatedAt = now
	outcome := putCreated
	if exists {
		outcome = putUpdated
	}
	if it.StandardCode == "" && status == StatusPublished {
		if err := s.rebaseDerived(ctx, tx, by, it); err != nil {
			return it, 0, err
		}
	}
	return it, outcome, bumpGeneration(ctx, tx)
}

// checkRulesLimit applies CheckRulesLimit with the limits kept as they were: the stored
// version's (prev, nil for a new item) and, for a derived item, its standard's published one.
func (s *Service) checkRulesLimit(ctx context.Context, tx *store.Tx, it Item, status string, prev any) error {
	if CheckRulesLimit(it, status) == nil {
		return nil
	}
	var kept []Limit
	if raw, ok := prev.(json.RawMessage); ok {
		var old Item
		if err := json.Unmarshal(raw, &old); err != nil {
			return err
		}
		kept = append(kept, old.PromisedLimit)
	}
	if it.StandardCode != "" {
		std, err := s.loadItem(ctx, tx, it.StandardCode, `i.published_version`, true)
		if err != nil && !errs.Is(err, errs.CodeNotFound) {
			return err
		}
		if err == nil {
			kept = append(kept, std.PromisedLimit)
		}
	}
	return CheckRulesLimit(it, status, kept...)
}

// storedDoc is the version document: references by code only, names come from the catalog.
func storedDoc(it Item) Item {
	it.Department = Ref{Code: it.Department.Code}
	it.Section = Ref{Code: it.Section.Code}
	return it
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// resolveRefs checks that the department and section exist and are active, accepting a
// department given by name only.
func resolveRefs(ctx context.Context, tx *store.Tx, it *Item) error {
	var v errs.Validation
	var status string
	switch {
	case it.Department.Code != "":
		err := tx.QueryRowContext(ctx, `SELECT status FROM departments WHERE code = ?`, it.Department.Code).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			v.Add("department", fmt.Sprintf("部门 %q 不存在", it.Department.Code))
		} else if err != nil {
			return err
		}
	default:
		err := tx.QueryRowContext(ctx, `SELECT code, status FROM departments WHERE name = ?`, it.Department.Name).Scan(&it.Department.Code, &status)
		if errors.Is(err, sql.ErrNoRows) {
			v.Add("department", fmt.Sprintf("部门 %q 不存在", it.Department.Name))
		} else if err != nil {
			return err
		}
	}
	if status == StatusRetired {
		v.Add("department", fmt.Sprintf("部门 %q 已撤销", it.Department.Code))
	}
	if it.Section.Code != "" {
		var secStatus string
		err := tx.QueryRowContext(ctx, `SELECT status FROM sections WHERE code = ?`, it.Section.Code).Scan(&secStatus)
		if errors.Is(err, sql.ErrNoRows) {
			v.Add("section", fmt.Sprintf("版块 %q 不存在", it.Section.Code))
		} else if err != nil {
			return err
		} else if secStatus == StatusRetired {
			v.Add("section", fmt.Sprintf("版块 %q 已撤销", it.Section.Code))
		}
	}
	return v.Err()
}

// Publish makes the latest version public (after the full published-item rules); Retire hides
// the item from the public. Both are audited.
func (s *Service) Publish(ctx context.Context, by audit.Actor, code string) (_ Item, err error) {
	defer errs.Wrap(&err, "catalog.Publish")
	it, err := s.LatestItem(ctx, code)
	if err != nil {
		return it, err
	}
	return s.PutItem(ctx, by, it, StatusPublished)
}

// Retire withdraws an item from the public catalog (废止); its versions stay for the record.
func (s *Service) Retire(ctx context.Context, by audit.Actor, code string) (_ Item, err error) {
	defer errs.Wrap(&err, "catalog.Retire")
	it, err := s.LatestItem(ctx, code)
	if err != nil {
		return it, err
	}
	if it.Status == StatusRetired {
		return it, errs.Conflict("事项已废止")
	}
	return s.PutItem(ctx, by, it, StatusRetired)
}

// StaffQuery filters the staff item list.
type StaffQuery struct {
	Q, Status, Department string
	Limit, Offset         int
}

// StaffItem is one row of the staff item list.
type StaffItem struct {
	Code             string `json:"code"`
	Name             string `json:"name"`
	Type             string `json:"type"`
	Department       string `json:"department"`
	Status           string `json:"status"`
	LatestVersion    int    `json:"latest_version"`
	PublishedVersion int    `json:"published_version"`
	// RegionCode is the item's region, which says who may change it (MayChange).
	RegionCode string `json:"region_code"`
}

// StaffItems lists items of every status (admin pages).
func (s *Service) StaffItems(ctx context.Context, q StaffQuery) (_ []StaffItem, _ int, err error) {
	defer errs.Wrap(&err, "catalog.StaffItems")
	where, args := "1=1", []any{}
	if q.Q != "" {
		where += " AND (name LIKE ? OR code LIKE ?)"
		like := "%" + escapeLike(q.Q) + "%"
		args = append(args, like, like)
	}
	if q.Status != "" {
		where += " AND status = ?"
		args = append(args, q.Status)
	}
	if q.Department != "" {
		where += " AND department_code = ?"
		args = append(args, q.Department)
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, type, department_code, status, latest_version, COALESCE(published_version, 0), region_code
		FROM items WHERE `+where+` ORDER BY code LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []StaffItem
	for rows.Next() {
		var it StaffItem
		if err := rows.Scan(&it.Code, &it.Name, &it.Type, &it.Department, &it.Status, &it.LatestVersion, &it.PublishedVersion, &it.RegionCode); err != nil {
			return nil, 0, err
		}
		out = append(out, it)
	}
	return out, total, rows.Err()
}

func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' {
			continue // wildcards from users are dropped rather than interpreted
		}
		out = append(out, r)
	}
	return string(out)
}
