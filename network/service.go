package network

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"banhao/audit"
	"banhao/errs"
	"banhao/store"
	"banhao/wiring"
)

// Service keeps the region tree and the centers. Both are small (a city has a few hundred
// regions and about a hundred centers) and read whole: reads come from an immutable snapshot
// held in memory, reloaded when the network generation (meta row 'network', moved by every
// write on any node) has changed — checked at most once per Staleness, as the catalog does.
// Every case's route reads the network, so intake asks the database nothing for it.
type Service struct {
	db    *store.DB
	audit *audit.Log
	now   func() time.Time
	// queues are the halls' queues, for 在哪里办 and the centers' statistics.
	queues Queues
	// staleness bounds how long a change made on another node takes to show here (WithStaleness).
	staleness time.Duration

	snap    atomic.Pointer[snapshot]
	checked atomic.Int64 // monotonic nanoseconds of the last generation check
	mu      sync.Mutex   // one reload at a time
}

// snapshot is the whole network as read at one generation; never changed once built.
type snapshot struct {
	gen     int64
	regions []Region // by code
	byCode  map[string]Region
	centers []Center // by region and code
}

// Option sets a setting of the service at construction.
type Option func(*Service)

// WithStaleness bounds how long a change made on another node takes to show here (default 1 s;
// 0: every read checks the database generation).
func WithStaleness(d time.Duration) Option { return func(s *Service) { s.staleness = d } }

// New returns the network service; now is the injected clock, queues the halls' queues (the
// hall service; NoQueues where there are none). Every argument is required.
func New(db *store.DB, log *audit.Log, now func() time.Time, queues Queues, opts ...Option) (_ *Service, err error) {
	defer errs.Wrap(&err, "network.New")
	if err := wiring.Require("network.New", wiring.Deps{"db": db, "log": log, "now": now, "queues": queues}); err != nil {
		return nil, err
	}
	s := &Service{db: db, audit: log, now: now, queues: queues, staleness: time.Second}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

var start = time.Now()

// generationSQL reads the network generation (0 before the first write made the row).
const generationSQL = `SELECT COALESCE(MAX(generation), 0) FROM meta WHERE name = 'network'`

// bump moves the network generation in the writing transaction: every node reloads.
func bump(ctx context.Context, tx *store.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (name, generation) VALUES ('network', 1)
		ON CONFLICT (name) DO UPDATE SET generation = meta.generation + 1`)
	return err
}

// invalidate drops this node's snapshot after a write here (the next read reloads at once).
func (s *Service) invalidate() { s.checked.Store(0); s.snap.Store(nil) }

// current is a snapshot no older than the service's staleness against the database generation.
func (s *Service) current(ctx context.Context) (*snapshot, error) {
	cur := s.snap.Load()
	nowMono := int64(time.Since(start))
	if cur != nil && nowMono-s.checked.Load() < int64(s.staleness) {
		return cur, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur = s.snap.Load()
	if cur != nil && nowMono-s.checked.Load() < int64(s.staleness) {
		return cur, nil
	}
	var gen int64
	if err := s.db.QueryRowContext(ctx, generationSQL).Scan(&gen); err != nil {
		return nil, fmt.Errorf("network generation: %w", err)
	}
	if cur == nil || cur.gen != gen {
		fresh, err := s.load(ctx, gen)
		if err != nil {
			return nil, err
		}
		cur = fresh
		s.snap.Store(cur)
	}
	s.checked.Store(nowMono)
	return cur, nil
}

func (s *Service) load(ctx context.Context, gen int64) (*snapshot, error) {
	regs, err := regions(ctx, s.db)
	if err != nil {
		return nil, err
	}
	cs, err := centers(ctx, s.db)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{gen: gen, regions: regs, centers: cs, byCode: make(map[string]Region, len(regs))}
	for _, r := range regs {
		snap.byCode[r.Code] = r
	}
	return snap, nil
}

// querier is the database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// Regions lists every region by code (a parent before its children).
func (s *Service) Regions(ctx context.Context) (_ []Region, err error) {
	defer errs.Wrap(&err, "network.Regions")
	snap, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clone(snap.regions), nil
}

func regions(ctx context.Context, q querier) ([]Region, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, name, level, parent_code FROM regions ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("network: regions: %w", err)
	}
	defer rows.Close()
	var out []Region
	for rows.Next() {
		var r Region
		if err := rows.Scan(&r.Code, &r.Name, &r.Level, &r.Parent); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Node is a region in the tree with its children, as GET /api/v1/regions gives it.
type Node struct {
	Code     string  `json:"code"`
	Name     string  `json:"name"`
	Level    string  `json:"level"`
	Children []*Node `json:"children"`
}

// Tree builds the region tree: the roots (regions without a parent in the list) and below each
// its children by code.
func Tree(list []Region) []*Node {
	nodes := make(map[string]*Node, len(list))
	for _, r := range list {
		nodes[r.Code] = &Node{Code: r.Code, Name: r.Name, Level: r.Level, Children: []*Node{}}
	}
	roots := []*Node{}
	sorted := slices.Clone(list)
	slices.SortFunc(sorted, func(a, b Region) int { return strings.Compare(a.Code, b.Code) })
	for _, r := range sorted {
		if p, ok := nodes[r.Parent]; ok && r.Parent != r.Code {
			p.Children = append(p.Children, nodes[r.Code])
		} else {
			roots = append(roots, nodes[r.Code])
		}
	}
	return roots
}

// Tree is the region tree of the installation (empty when it has no regions).
func (s *Service) Tree(ctx context.Context) (_ []*Node, err error) {
	defer errs.Wrap(&err, "network.Tree")
	list, err := s.Regions(ctx)
	if err != nil {
		return nil, err
	}
	return Tree(list), nil
}

// Region returns one region.
func (s *Service) Region(ctx context.Context, code string) (_ Region, err error) {
	defer errs.Wrap(&err, "network.Region")
	snap, err := s.current(ctx)
	if err != nil {
		return Region{}, err
	}
	r, ok := snap.byCode[code]
	if !ok {
		return r, errs.NotFound("区划", code)
	}
	return r, nil
}

func region(ctx context.Context, q querier, code string) (Region, error) {
	var r Region
	err := q.QueryRowContext(ctx, `SELECT code, name, level, parent_code FROM regions WHERE code = ?`, code).Scan(&r.Code, &r.Name, &r.Level, &r.Parent)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.NotFound("区划", code)
	}
	if err != nil {
		return r, fmt.Errorf("network: region %s: %w", code, err)
	}
	return r, nil
}

// PutRegion creates or renames a region. Its parent must exist already (load a tree from the
// top), and a region keeps its level and parent once it has children.
func (s *Service) PutRegion(ctx context.Context, by audit.Actor, r Region) (_ Region, err error) {
	defer errs.Wrap(&err, "network.PutRegion")
	r.Code, r.Name, r.Parent = strings.TrimSpace(r.Code), strings.TrimSpace(r.Name), strings.TrimSpace(r.Parent)
	if r.Level == "" && ValidCode(r.Code) == nil {
		r.Level = LevelOf(r.Code)
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if err := s.mayChange(ctx, tx, by, r.Code); err != nil {
			return err
		}
		var parent *Region
		if r.Parent != "" {
			p, err := region(ctx, tx, r.Parent)
			if err != nil && !errs.Is(err, errs.CodeNotFound) {
				return err
			}
			if err == nil {
				parent = &p
			}
		}
		if err := ValidateRegion(r, parent); err != nil {
			return err
		}
		if r.Parent == "" { // one tree: a second root (another province, a county without its city) is refused
			var root string
			err := tx.QueryRowContext(ctx, `SELECT code FROM regions WHERE parent_code = '' AND code <> ? LIMIT 1`, r.Code).Scan(&root)
			if err == nil {
				return errs.Invalid("parent_code", fmt.Sprintf("区划树只能有一个顶级区划（已有 %s），请填写上级区划", root))
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		before, err := region(ctx, tx, r.Code)
		if err != nil && !errs.Is(err, errs.CodeNotFound) {
			return err
		}
		var b any
		if err == nil {
			b = before
			if before.Parent != r.Parent || before.Level != r.Level {
				var children int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE parent_code = ?`, r.Code).Scan(&children); err != nil {
					return err
				}
				if children > 0 {
					return errs.Conflict(fmt.Sprintf("区划 %s 已有下级区划，不能改变层级或上级", r.Code))
				}
			}
		}
		if err := writeRegion(ctx, tx, r, s.now()); err != nil {
			return err
		}
		if err := bump(ctx, tx); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "region.put", "region", r.Code, b, r)
	})
	s.invalidate()
	return r, err
}

const centerColumns = `code, name, region_code, level, address, hours, phone, lat, lng, is_main`

func scanCenter(scan func(...any) error) (Center, error) {
	var c Center
	var lat, lng sql.NullFloat64
	var main int
	if err := scan(&c.Code, &c.Name, &c.RegionCode, &c.Level, &c.Address, &c.Hours, &c.Phone, &lat, &lng, &main); err != nil {
		return c, err
	}
	if lat.Valid && lng.Valid {
		c.Location = &Point{Lat: lat.Float64, Lng: lng.Float64}
	}
	c.Main = main == 1
	return c, nil
}

// Centers lists every center by region and code.
func (s *Service) Centers(ctx context.Context) (_ []Center, err error) {
	defer errs.Wrap(&err, "network.Centers")
	list, err := s.CentersShared(ctx)
	return slices.Clone(list), err
}

// CentersShared is Centers without the copy: the snapshot's own list, which the caller reads
// and never changes (nor its elements). For the paths run on every case (routing at intake),
// where the copy was half of what routing a case allocated.
func (s *Service) CentersShared(ctx context.Context) (_ []Center, err error) {
	defer errs.Wrap(&err, "network.CentersShared")
	snap, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return snap.centers, nil
}

func centers(ctx context.Context, q querier) ([]Center, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+centerColumns+` FROM centers ORDER BY region_code, code`)
	if err != nil {
		return nil, fmt.Errorf("network: centers: %w", err)
	}
	defer rows.Close()
	out := []Center{}
	for rows.Next() {
		c, err := scanCenter(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Center returns one center.
func (s *Service) Center(ctx context.Context, code string) (_ Center, err error) {
	defer errs.Wrap(&err, "network.Center")
	snap, err := s.current(ctx)
	if err != nil {
		return Center{}, err
	}
	if i := slices.IndexFunc(snap.centers, func(c Center) bool { return c.Code == code }); i >= 0 {
		return snap.centers[i], nil
	}
	return Center{}, errs.NotFound("中心", code)
}

func center(ctx context.Context, q querier, code string) (Center, error) {
	c, err := scanCenter(q.QueryRowContext(ctx, `SELECT `+centerColumns+` FROM centers WHERE code = ?`, code).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errs.NotFound("中心", code)
	}
	if err != nil {
		return c, fmt.Errorf("network: center %s: %w", code, err)
	}
	return c, nil
}

// Main is the main center (MainCenter); ok is false when the installation has none.
func (s *Service) Main(ctx context.Context) (c Center, ok bool, err error) {
	defer errs.Wrap(&err, "network.Main")
	list, err := s.Centers(ctx)
	if err != nil {
		return Center{}, false, err
	}
	c, ok = MainCenter(list)
	return c, ok, nil
}

// PutCenter creates or updates a center. Its region must be in the tree and gives its level.
func (s *Service) PutCenter(ctx context.Context, by audit.Actor, c Center) (_ Center, err error) {
	defer errs.Wrap(&err, "network.PutCenter")
	c.Code, c.Name, c.RegionCode = strings.TrimSpace(c.Code), strings.TrimSpace(c.Name), strings.TrimSpace(c.RegionCode)
	c.Address, c.Hours, c.Phone = strings.TrimSpace(c.Address), strings.TrimSpace(c.Hours), strings.TrimSpace(c.Phone)
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var reg *Region
		r, err := region(ctx, tx, c.RegionCode)
		switch {
		case err == nil:
			reg = &r
			if c.Level == "" {
				c.Level = r.Level
			}
		case !errs.Is(err, errs.CodeNotFound):
			return err
		}
		if err := ValidateCenter(c, reg); err != nil {
			return err
		}
		if err := s.mayChange(ctx, tx, by, c.RegionCode); err != nil {
			return err
		}
		before, err := center(ctx, tx, c.Code)
		if err != nil && !errs.Is(err, errs.CodeNotFound) {
			return err
		}
		if err == nil && before.RegionCode != c.RegionCode {
			if err := s.mayChange(ctx, tx, by, before.RegionCode); err != nil { // nor take one away from another county
				return err
			}
		}
		var b any
		if err == nil {
			b = before
		}
		if err := writeCenter(ctx, tx, c); err != nil {
			return err
		}
		if err := bump(ctx, tx); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "center.put", "center", c.Code, b, c)
	})
	s.invalidate()
	return c, err
}

// PointOf is where a region is on the map: the location of its main center, else of the
// nearest region above it that has a located center; nil when none has.
func PointOf(centers []Center, code string) *Point {
	for code != "" {
		var here []Center
		for _, c := range centers {
			if c.RegionCode == code && c.Location != nil {
				here = append(here, c)
			}
		}
		if m, ok := MainCenter(here); ok {
			return m.Location
		}
		if ValidCode(code) != nil || LevelOf(code) == Province {
			return nil
		}
		code = parentCode(code)
	}
	return nil
}

// parentCode is the code of the level above by shape (371602001000 → 371602000000).
func parentCode(code string) string {
	lvl := Rank(LevelOf(code))
	if lvl <= 0 {
		return ""
	}
	n := prefixLen[Levels[lvl-1]]
	return code[:n] + strings.Repeat("0", 12-n)
}

func writeRegion(ctx context.Context, tx *store.Tx, r Region, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO regions (code, name, level, parent_code, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, parent_code = excluded.parent_code, updated_at = excluded.updated_at`,
		r.Code, r.Name, r.Level, r.Parent, now.UTC()); err != nil {
		return fmt.Errorf("network: put region %s: %w", r.Code, err)
	}
	return nil
}

func writeCenter(ctx context.Context, tx *store.Tx, c Center) error {
	var lat, lng any
	if c.Location != nil {
		lat, lng = c.Location.Lat, c.Location.Lng
	}
	// The first center written is the main center, for good (is_main): a later one never takes its
	// place, whatever its level or code.
	if _, err := tx.ExecContext(ctx, `INSERT INTO centers (code, name, region_code, level, address, hours, phone, lat, lng, is_main)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN EXISTS (SELECT 1 FROM centers WHERE is_main = 1) THEN 0 ELSE 1 END)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, region_code = excluded.region_code, level = excluded.level, address = excluded.address,
		hours = excluded.hours, phone = excluded.phone, lat = excluded.lat, lng = excluded.lng`,
		c.Code, c.Name, c.RegionCode, c.Level, c.Address, c.Hours, c.Phone, lat, lng); err != nil {
		return fmt.Errorf("network: put center %s: %w", c.Code, err)
	}
	return nil
}

// Seed writes a whole network into an empty installation in one transaction, checked by the
// same rules as PutRegion and PutCenter (regions in order, parents first): what the demo and
// an installation's first setup load, as the catalog's import does, without an entry per row.
func Seed(ctx context.Context, db *store.DB, regions []Region, centers []Center, now time.Time) (err error) {
	defer errs.Wrap(&err, "network.Seed")
	return db.Tx(ctx, func(tx *store.Tx) error {
		known := map[string]*Region{}
		for _, r := range regions {
			if r.Level == "" && ValidCode(r.Code) == nil {
				r.Level = LevelOf(r.Code)
			}
			if err := ValidateRegion(r, known[r.Parent]); err != nil {
				return fmt.Errorf("network: region %s %s: %w", r.Code, r.Name, err)
			}
			if r.Parent == "" && len(known) > 0 {
				return fmt.Errorf("network: region %s %s: a second root", r.Code, r.Name)
			}
			if err := writeRegion(ctx, tx, r, now); err != nil {
				return err
			}
			known[r.Code] = &r
		}
		for _, c := range centers {
			reg := known[c.RegionCode]
			if c.Level == "" && reg != nil {
				c.Level = reg.Level
			}
			if err := ValidateCenter(c, reg); err != nil {
				return fmt.Errorf("network: center %s %s: %w", c.Code, c.Name, err)
			}
			if err := writeCenter(ctx, tx, c); err != nil {
				return err
			}
		}
		return bump(ctx, tx)
	})
}

// mayChange is the rule of whose regions and centers an admin changes: those of the region they
// oversee (SupervisedRegion: a county center's admin its county and the townships below; the
// city's, or an account of no center, all).
func (s *Service) mayChange(ctx context.Context, tx *store.Tx, by audit.Actor, code string) error {
	if by.Center == "" {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+centerColumns+` FROM centers`)
	if err != nil {
		return fmt.Errorf("network: centers: %w", err)
	}
	var list []Center
	for rows.Next() {
		c, err := scanCenter(rows.Scan)
		if err != nil {
			rows.Close()
			return err
		}
		list = append(list, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	scope := SupervisedRegion(list, by.Center)
	if Oversees(scope, code) {
		return nil
	}
	name := scope
	if r, err := region(ctx, tx, scope); err == nil {
		name = r.Name
	}
	return errs.Forbidden(fmt.Sprintf("您只能修改%s及其下级的区划和中心", name))
}

// Overseen is the part of the network by oversees (SupervisedRegion): the regions and centers of
// its region and below, and that region ("" for the whole installation, whose lists are all).
// The admin page of a county's admin shows its subtree, as PutRegion and PutCenter let it
// change only that.
func (s *Service) Overseen(ctx context.Context, by audit.Actor) (scope string, regions []Region, centers []Center, err error) {
	defer errs.Wrap(&err, "network.Overseen")
	if regions, err = s.Regions(ctx); err != nil {
		return "", nil, nil, err
	}
	if centers, err = s.Centers(ctx); err != nil {
		return "", nil, nil, err
	}
	if scope = SupervisedRegion(centers, by.Center); scope == "" {
		return "", regions, centers, nil
	}
	regions = slices.DeleteFunc(regions, func(r Region) bool { return !Oversees(scope, r.Code) })
	centers = slices.DeleteFunc(centers, func(c Center) bool { return !Oversees(scope, c.RegionCode) })
	return scope, regions, centers, nil
}
