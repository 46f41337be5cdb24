package cases

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"banhao/audit"
	"banhao/catalog"
	"banhao/errs"
	"banhao/network"
)

// Route is where a case goes (收受分离): accepted at one center, decided by the competent
// department of a region, its result handed out at a center or by post.
type Route struct {
	AcceptedCenter, AcceptedName string
	AcceptedRegion               string // the accepting center's region
	// Chosen is the region the clerk picked for the applicant (ChosenName in words); Region is
	// the region that decides (the chosen one, or the one above it whose department decides
	// when the chosen region has none of the kind: Fallback).
	Chosen, ChosenName string
	Region, RegionName string
	Department         network.Dept
	Fallback           bool
	Delivery           string // a center's code or network.ByMail
	DeliveryName       string
	// DeliveryChosen: the applicant chose the 出件地; else it is the channel's default
	// (DefaultDelivery).
	DeliveryChosen bool
	// DecidingCenter is the center of the deciding region (its own, else the nearest one above
	// it): where the paper of the case goes to be decided (材料流转).
	DecidingCenter, DecidingCenterName string
	// Local is the deciding region's own implementing item of the standard item applied for (清单
	// 标准全域统一: derived for the region, or the nearest region above it, and published): the
	// case is made under it — its department decides, its promised limit sets the deadline, its
	// code and version are the case's. nil when the item itself decides (none derived there).
	Local *catalog.Item
}

// Competent is the item a case routed by r is made under: the deciding region's implementing
// item when it has one (Local), else item itself.
func (r Route) Competent(item catalog.Item) catalog.Item {
	if r.Local != nil {
		return *r.Local
	}
	return item
}

// HandOff reports whether the case leaves the accepting center's hands: another region decides
// (a township's center hands a county's item to the county), or the result goes elsewhere.
func (r Route) HandOff() bool {
	return r.Region != "" && r.Region != r.AcceptedRegion || r.Delivery != r.AcceptedCenter || r.Fallback
}

// Text is the route in words, as the timeline shows it:
// 受理地：彭李街道便民服务中心 → 审批地：沾化区 沾化区公安局 → 出件地：彭李街道便民服务中心.
func (r Route) Text() string {
	t := fmt.Sprintf("受理地：%s → 审批地：%s %s → 出件地：%s", r.AcceptedName, r.RegionName, r.Department.Name, r.DeliveryName)
	if r.Fallback {
		t += fmt.Sprintf("（%s未设该类部门，由%s审批）", r.ChosenName, r.Department.Name)
	}
	return t
}

// eventText is the words an event's detail carries ("text"), if any.
func eventText(detail string) string {
	if !strings.Contains(detail, `"text"`) {
		return ""
	}
	var d struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal([]byte(detail), &d)
	return d.Text
}

// selfAccepting says a clerk takes the application at a center's window.
func selfAccepting(channel string) bool { return channel == "window" }

// route works out where a new case of item goes: the center of the account (by.Center: the
// clerk's, or a kiosk's; the main center when none, and online) accepts it — a window refuses an
// item its center does not accept, naming the centers that do, nearest first; the region chosen
// (by default the applicant's own, from their ID number, else the center's) decides by its
// department of the item's department's kind (Competent); the result goes to the chosen center
// or by post (the accepting center by default). ok is false for an installation without
// centers: the case is the main center's as before.
func (s *Service) route(ctx context.Context, by audit.Actor, item catalog.Item, applicant Applicant, channel, chosen, delivery string) (r Route, ok bool, err error) {
	centers, err := s.net.CentersShared(ctx) // read only
	if err != nil || len(centers) == 0 {
		return r, false, err
	}
	byCode := func(code string) (network.Center, bool) {
		i := slices.IndexFunc(centers, func(c network.Center) bool { return c.Code == code })
		if i < 0 {
			return network.Center{}, false
		}
		return centers[i], true
	}
	scope := item.Scope()
	if reg, err := s.net.Region(ctx, scope.Region); err == nil {
		scope.RegionName = reg.Name // messages name the region, not its code
	}
	// A window takes it at the clerk's center, a kiosk at its own (when that center accepts the
	// item), online at the main center (the online hall).
	at := network.Accepting(centers, channel, by.Center, scope)
	list, own, err := s.routeDepts(ctx, item)
	if err != nil {
		return r, false, err
	}
	accepted := network.Accepts(at, scope)
	// At a window or a kiosk the center's region's own implementing item, where it published one,
	// is taken in place of the standard (CenterItemRegion, as the item picker shows: LocalItems).
	var here localRoute
	var herePicked bool
	if channel == "window" || channel == "kiosk" {
		if here, herePicked, err = s.localItem(ctx, item, CenterItemRegion(item, at, accepted), list); err != nil {
			return r, false, err
		}
	}
	if selfAccepting(channel) && !accepted && !herePicked {
		return r, false, errs.Conflict(network.Refusal(at, network.Nearest(centers, scope, at.Location)))
	}
	var region string
	if chosen = strings.TrimSpace(chosen); chosen != "" {
		if region, err = network.DecidingRegion(scope, at, chosen); err != nil {
			return r, false, err
		}
		// a code of the right shape may still name no region
		if _, err := s.net.Region(ctx, chosen); errs.Is(err, errs.CodeNotFound) {
			return r, false, errs.Invalid("deciding_region", fmt.Sprintf("申请人所属区划 %s 不存在，请从列表中选择", errs.Short(chosen)))
		} else if err != nil {
			return r, false, err
		}
	} else {
		// Nobody chose: the applicant's own region, by the number they apply with, when the tree
		// has it (a resident of 滨城区 online is 滨城区's), else the center's or the item's.
		// At the window of the city's own center the city's departments stationed in the hall
		// decide (市本级, as before: their 首席代表 finish 即办 items there); elsewhere the applicant's.
		home := ""
		if !selfAccepting(channel) || network.DefaultRegion(scope, at, "") != scope.Region {
			home = s.homeRegion(ctx, applicant)
		}
		region = network.DefaultRegion(scope, at, home)
	}
	r = Route{AcceptedCenter: at.Code, AcceptedName: at.Name, AcceptedRegion: at.RegionCode, Chosen: region}
	if region == "" {
		r.Department = own
	} else {
		r.Department, r.Fallback = network.Competent(list, own, region)
	}
	r.Region = region
	if r.Fallback {
		r.Region = r.Department.Region
	}
	// The deciding region's own implementing item, if it published one, decides in place of the
	// standard: its department and its (stricter) promised limit.
	if local, found, err := s.localItem(ctx, item, region, list); err != nil {
		return r, false, err
	} else if found {
		r.Local = &local.item
		r.Department, r.Fallback, r.Region = local.dept, false, local.item.RegionCode
	} else if herePicked {
		r.Local = &here.item
		r.Department, r.Fallback, r.Region, r.Chosen = here.dept, false, here.item.RegionCode, here.item.RegionCode
	}
	if dc, found := CenterOfRegion(centers, cmp.Or(r.Region, item.RegionCode)); found {
		r.DecidingCenter, r.DecidingCenterName = dc.Code, dc.Name
	}
	switch delivery = strings.TrimSpace(delivery); delivery {
	case "":
		r.Delivery, r.DeliveryName = at.Code, at.Name
		if DefaultDelivery(channel) == DeliverWhereDecided && r.DecidingCenter != "" {
			r.Delivery, r.DeliveryName = r.DecidingCenter, r.DecidingCenterName
		}
	case network.ByMail:
		r.Delivery, r.DeliveryName = network.ByMail, "邮寄送达"
	default:
		c, found := byCode(delivery)
		if !found {
			return r, false, errs.Invalid("delivery_center", fmt.Sprintf("出件中心“%s”不存在，请从列表中选择", errs.Short(delivery)))
		}
		r.Delivery, r.DeliveryName = c.Code, c.Name
	}
	r.DeliveryChosen = delivery != ""
	for _, code := range []string{r.Chosen, r.Region} {
		if code == "" {
			continue
		}
		reg, err := s.net.Region(ctx, code)
		if err != nil && !errs.Is(err, errs.CodeNotFound) {
			return r, false, err
		}
		name := reg.Name
		if name == "" {
			name = code
		}
		if code == r.Chosen {
			r.ChosenName = name
		}
		if code == r.Region {
			r.RegionName = name
		}
	}
	return r, true, nil
}

// Where a result is handed out when the applicant chose no 出件地 (DefaultDelivery).
const (
	DeliverWhereAccepted = "accepted" // the accepting center: the applicant stood there (window, kiosk)
	DeliverWhereDecided  = "decided"  // the deciding region's center: the paper result is made there (online, an agent)
)

// DefaultDelivery is the 出件地 of an application whose applicant chose none: at a window or a
// kiosk the center they stood at (its result travels there if decided elsewhere); online or by
// an agent the deciding region's center, where the paper result is made — the online hall is
// no place to collect it, and no paper travels unless the applicant asks for another center.
func DefaultDelivery(channel string) string {
	if channel == "window" || channel == "kiosk" {
		return DeliverWhereAccepted
	}
	return DeliverWhereDecided
}

// resultText is the last hand-off in words: the result goes from the deciding department to the
// 出件地 (or by post).
func resultText(c Case) string {
	if c.DeliveryCenter == network.ByMail {
		return fmt.Sprintf("结果由%s邮寄送达申请人", c.Department.Name)
	}
	return fmt.Sprintf("结果由%s送至出件地：%s", c.Department.Name, c.DeliveryCenterName)
}

// oneStepDelivery checks that a result finished at the window (一柜办结) is handed over where
// the route says: handed to the applicant at the window only when the 出件地 is the accepting
// center itself, posted only when the applicant chose the post. A result promised at another
// center cannot be handed over here and the case record say otherwise.
func oneStepDelivery(one *OneStepInput, r Route, routed bool) error {
	if one == nil || !routed {
		return nil
	}
	switch method := cmp.Or(one.Method, "window"); {
	case method == "window" && r.Delivery == network.ByMail:
		return errs.Invalid("delivery_center", fmt.Sprintf("当场办结须当场把结果交给申请人：出件地请选择%s；要邮寄送达的，请按一般流程受理", r.AcceptedName))
	case method != "electronic" && r.Delivery != network.ByMail && r.Delivery != r.AcceptedCenter:
		return errs.Invalid("delivery_center", fmt.Sprintf("当场办结须当场把结果交给申请人：出件地请选择%s；要在%s领取的，请按一般流程受理", r.AcceptedName, r.DeliveryName))
	}
	return nil
}

// homeRegion is the applicant's county by the number they apply with (network.HomeRegion) when
// the region tree has it, else "".
func (s *Service) homeRegion(ctx context.Context, a Applicant) string {
	home := network.HomeRegion(a.Type, a.IDNumber)
	if home == "" {
		return ""
	}
	if _, err := s.net.Region(ctx, home); err != nil {
		return ""
	}
	return home
}

// CenterItemRegion is the region whose published implementing item of the standard item a
// window (or a kiosk) at center at takes in place of it ("" for none; localItem looks in that
// region and the regions above it): the center's region, for a standard of a region above the
// center's that is not decided below (not 通办: the city's 不动产转移登记 at 沾化区's center is
// 沾化区's own — its department, limit and region), or one the center does not accept (accepted
// false). One rule for the item picker (LocalItems), the form's plan (RoutePlan) and the case
// made (route), wherever the clerk came from (the picker, a link, the API).
func CenterItemRegion(item catalog.Item, at network.Center, accepted bool) string {
	if item.StandardCode != "" || at.RegionCode == "" {
		return ""
	}
	if !accepted || at.RegionCode != item.RegionCode && !item.Scope().DecidedBelow() {
		return at.RegionCode
	}
	return ""
}

// localRoute is an implementing item as routing uses it, with its department.
type localRoute struct {
	item catalog.Item
	dept network.Dept
}

// localItem is region's published implementing item of the standard item (catalog.
// ImplementingItem), when the case is decided in a region other than the item's own.
func (s *Service) localItem(ctx context.Context, item catalog.Item, region string, depts []network.Dept) (localRoute, bool, error) {
	if item.StandardCode != "" || region == "" || region == item.RegionCode {
		return localRoute{}, false, nil
	}
	it, found, err := s.cat.ImplementingItem(ctx, item.Code, region)
	if err != nil {
		return localRoute{}, false, fmt.Errorf("route: the implementing item of %s for %s: %w", item.Code, region, err)
	}
	if !found || it.RegionCode == item.RegionCode || !it.PromisedLimit.IsSet() {
		return localRoute{}, false, nil
	}
	return localRoute{item: it, dept: ownDept(it, depts)}, true, nil
}

// routeDepts are the departments as routing sees them (kept while the catalog's snapshot is the
// same), and the item's own (deciding for the item's own region).
func (s *Service) routeDepts(ctx context.Context, item catalog.Item) ([]network.Dept, network.Dept, error) {
	depts, err := s.cat.Departments(ctx)
	if err != nil {
		return nil, ownDept(item, nil), err
	}
	kept := s.depts.Load()
	if kept == nil || !kept.from(depts) {
		kept = newKeptDepts(depts)
		s.depts.Store(kept)
	}
	return kept.list, ownDept(item, kept.list), nil
}

// keptDepts is the catalog's department list (a snapshot's slice, never changed in place) as
// routing sees it, kept while the catalog's snapshot is the same; callers only read it.
type keptDepts struct {
	src  []catalog.Department
	list []network.Dept
}

// newKeptDepts keeps depts and their routing list. The item's own department is not kept: it
// differs per item, and routeDepts finds it in the list.
func newKeptDepts(depts []catalog.Department) *keptDepts {
	return &keptDepts{src: depts, list: routeDeptList(depts)}
}

// from says whether l was made from depts: the same slice of the same catalog snapshot.
func (l *keptDepts) from(depts []catalog.Department) bool {
	return len(l.src) == len(depts) && (len(depts) == 0 || &l.src[0] == &depts[0])
}

// routeDeptList is the departments given as routing sees them: code, name, region and kind.
func routeDeptList(depts []catalog.Department) []network.Dept {
	list := make([]network.Dept, 0, len(depts))
	for _, d := range depts {
		list = append(list, network.Dept{Code: d.Code, Name: d.Name, Region: d.RegionCode, Kind: d.Kind})
	}
	return list
}

// ownDept is the item's own department as routing sees it: deciding for the item's own region.
func ownDept(item catalog.Item, list []network.Dept) network.Dept {
	own := network.Dept{Code: item.Department.Code, Name: item.Department.Name, Region: item.RegionCode, Kind: item.Department.Code}
	if i := slices.IndexFunc(list, func(d network.Dept) bool { return d.Code == item.Department.Code }); i >= 0 {
		own = list[i]
		own.Region = item.RegionCode
	}
	return own
}

// RegionChoice is a region an applicant may belong to for an item decided below its region, with
// the department that would decide there. Fallback: the region has no department of the kind and
// the one above it decides (FallbackText says so, before anything is submitted).
type RegionChoice struct {
	network.Region
	Department network.Dept
	Fallback   bool
	// Local is the region's own implementing item, deciding there in place of the standard.
	Local *catalog.Item
}

// FallbackText is the note a form shows next to a region without a department of the item's
// kind: 惠民县未设该类部门，由滨州市社会保险事业中心审批.
func (c RegionChoice) FallbackText() string {
	if !c.Fallback {
		return ""
	}
	return fmt.Sprintf("%s未设该类部门，由%s审批", c.Name, c.Department.Name)
}

// Plan is what an application form offers for 收受分离 before anything is submitted: the center
// that will accept it (受理地), the regions the applicant may belong to for an item each county
// decides (审批地) with the department deciding in each, the region deciding by default (the
// applicant's own when known), the centers where the result may be collected (出件地) or the
// post, and — at a window whose center does not accept the item — the refusal a post would get.
type Plan struct {
	Here    network.Center
	Regions []RegionChoice
	Default string
	// DefaultChoice is the entry of Regions that Default is (nil when the item offers no choice).
	DefaultChoice *RegionChoice
	// ByNumber: with nothing chosen the applicant's number decides the region (online, a kiosk,
	// a county's or a township's window); at the city center's window the city does.
	ByNumber bool
	Centers  []network.Center
	Refusal  string
	// Local is the center's region's implementing item the case will be made under in place of
	// the standard (CenterItemRegion; nil for none): its department, limit and region apply.
	Local *catalog.Item
}

// Chosen is the entry of Regions a form's 审批地 region stands for: region itself, or with none
// chosen the default where the number does not decide it (ByNumber false); nil when the item
// offers no choice or the number will decide.
func (p Plan) Chosen(region string) *RegionChoice {
	if region == "" && !p.ByNumber {
		region = p.Default
	}
	for i := range p.Regions {
		if region != "" && p.Regions[i].Code == region {
			return &p.Regions[i]
		}
	}
	return nil
}

// Applies is the department and the promised limit a case of item will follow when the region
// chosen is c (Chosen): the region's own implementing item's where it published one, else the
// competent department with the item's limit; the item's own with no choice (c nil).
func (c *RegionChoice) Applies(item catalog.Item) (department string, limit catalog.Limit) {
	switch {
	case c == nil:
		return item.Department.Name, item.PromisedLimit
	case c.Local != nil:
		return c.Local.Department.Name, c.Local.PromisedLimit
	}
	return cmp.Or(c.Department.Name, item.Department.Name), item.PromisedLimit
}

// RoutePlan is the Plan of an application of item made by by on channel (window, online,
// kiosk) for applicant (whose number may be empty: the window's form before it is typed). An
// installation without centers has an empty plan.
func (s *Service) RoutePlan(ctx context.Context, by audit.Actor, item catalog.Item, channel string, applicant Applicant) (_ Plan, err error) {
	defer errs.Wrap(&err, "cases.RoutePlan")
	var p Plan
	centers, err := s.net.Centers(ctx)
	if err != nil || len(centers) == 0 {
		return p, err
	}
	p.Centers = centers
	scope := item.Scope()
	if reg, err := s.net.Region(ctx, scope.Region); err == nil {
		scope.RegionName = reg.Name
	}
	p.Here = network.Accepting(centers, channel, by.Center, scope)
	list, own, err := s.routeDepts(ctx, item)
	if err != nil {
		return p, err
	}
	accepted := network.Accepts(p.Here, scope)
	if channel == "window" || channel == "kiosk" { // the center's region's own item, as route takes it
		if here, found, err := s.localItem(ctx, item, CenterItemRegion(item, p.Here, accepted), list); err != nil {
			return p, err
		} else if found {
			p.Local, accepted = &here.item, true
		}
	}
	if selfAccepting(channel) && !accepted {
		p.Refusal = network.Refusal(p.Here, network.Nearest(centers, scope, p.Here.Location))
	}
	if !scope.DecidedBelow() || p.Local != nil {
		return p, nil
	}
	regions, err := s.net.Regions(ctx)
	if err != nil {
		return p, err
	}
	for _, r := range network.Choices(regions, scope) {
		if _, err := network.DecidingRegion(scope, p.Here, r.Code); err != nil {
			continue // not 通办: only the accepting center's own region may decide
		}
		c := RegionChoice{Region: r, Department: own}
		if r.Code != own.Region {
			c.Department, c.Fallback = network.Competent(list, own, r.Code)
		}
		if local, found, err := s.localItem(ctx, item, r.Code, list); err != nil {
			return p, err
		} else if found { // the region's own implementing item decides there
			c.Department, c.Fallback, c.Local = local.dept, false, &local.item
		}
		p.Regions = append(p.Regions, c)
	}
	p.ByNumber = !selfAccepting(channel) || network.DefaultRegion(scope, p.Here, "") != scope.Region
	home := ""
	if p.ByNumber {
		home = s.homeRegion(ctx, applicant)
	}
	p.Default = network.DefaultRegion(scope, p.Here, home)
	for i := range p.Regions {
		if p.Regions[i].Code == p.Default {
			p.DefaultChoice = &p.Regions[i]
		}
	}
	return p, nil
}

// NotAcceptedAt says which of the items (by code) the window of by's center does not accept
// (not 通办 and not its own: network.Accepts), so the window's item picker marks them before a
// post is refused. An installation without centers accepts everything; an unknown code is left
// out.
func (s *Service) NotAcceptedAt(ctx context.Context, by audit.Actor, codes []string) (_ map[string]bool, err error) {
	defer errs.Wrap(&err, "cases.NotAcceptedAt")
	out := map[string]bool{}
	if len(codes) == 0 {
		return out, nil
	}
	centers, err := s.net.Centers(ctx)
	if err != nil || len(centers) == 0 {
		return out, err
	}
	for _, code := range codes {
		it, err := s.cat.Item(ctx, code)
		if err != nil {
			continue
		}
		scope := it.Scope()
		if at := network.Accepting(centers, "window", by.Center, scope); !network.Accepts(at, scope) {
			out[code] = true
		}
	}
	return out, nil
}

// FallbackNotes are the plan's regions without the item's kind of department in words, one note
// per department that decides for them: 滨城区、沾化区未设该类部门，由滨州市社会保险事业中心审批.
func (p Plan) FallbackNotes() []string {
	var order []string
	names := map[string][]string{}
	for _, c := range p.Regions {
		if !c.Fallback {
			continue
		}
		if _, seen := names[c.Department.Name]; !seen {
			order = append(order, c.Department.Name)
		}
		names[c.Department.Name] = append(names[c.Department.Name], c.Name)
	}
	out := make([]string, 0, len(order))
	for _, d := range order {
		out = append(out, fmt.Sprintf("%s未设该类部门，由%s审批", strings.Join(names[d], "、"), d))
	}
	return out
}
