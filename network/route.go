package network

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"banhao/errs"
)

// 收受分离: a case is accepted at one center, decided by the competent department of the region
// whose item it is, and handed out where the applicant chooses. These rules say which region
// decides and which of its departments.

// ByMail is the delivery place of a result sent by post (delivery_center "mail").
const ByMail = "mail"

// AncestorAt is the region of the given level that code lies in (371602005000 at 县 is
// 371602000000); ok is false when code is above that level or not a valid code.
func AncestorAt(code, level string) (string, bool) {
	if ValidCode(code) != nil || !ValidLevel(level) || Rank(LevelOf(code)) < Rank(level) {
		return "", false
	}
	n := prefixLen[level]
	return code[:n] + strings.Repeat("0", 12-n), true
}

// DecidedBelow reports whether an item is exercised below its own region (a city's standard
// item that each county decides: region 市, 行使层级 县). Such an item's case goes to the region
// at its level where the applicant belongs; any other item is decided by its own region.
func (s Scope) DecidedBelow() bool {
	return ValidCode(s.Region) == nil && Rank(s.level()) > Rank(LevelOf(s.Region))
}

// DecidingRegion is the region whose department decides a case of the item accepted at center
// at. chosen is the applicant's region the clerk picked ("" for the default):
//   - an item decided by its own region (a city-level item, 行使层级 市) is decided there, whatever
//     was chosen;
//   - an item exercised below its region is decided by the region at its level that the chosen
//     region lies in (a township picks its county) — by default the accepting center's own; the
//     item's own region itself may be chosen (市本级), and is the default when the accepting
//     center lies in none (a city center);
//   - without 通办 only the accepting center's own region may decide (Accepts has already said
//     the center may take it).
func DecidingRegion(s Scope, at Center, chosen string) (string, error) {
	chosen = strings.TrimSpace(chosen)
	if !s.DecidedBelow() {
		if chosen != "" && chosen != s.Region {
			return "", errs.Invalid("deciding_region", fmt.Sprintf("本事项由%s审批，不能另选申请人所属区划", cmp.Or(s.RegionName, s.Region)))
		}
		return s.Region, nil
	}
	level := s.level()
	own, ownOK := AncestorAt(at.RegionCode, level)
	ownOK = ownOK && Within(own, s.Region)
	if chosen == "" {
		if ownOK {
			return own, nil
		}
		return s.Region, nil
	}
	if ValidCode(chosen) != nil {
		return "", errs.Invalid("deciding_region", "申请人所属区划须为 12 位区划代码")
	}
	if chosen != s.Region {
		up, ok := AncestorAt(chosen, level)
		if !ok || !Within(up, s.Region) {
			return "", errs.Invalid("deciding_region", fmt.Sprintf("申请人所属区划须在%s之内", cmp.Or(s.RegionName, s.Region)))
		}
		chosen = up
	}
	if s.Tongban == TongbanNone && ownOK && chosen != own {
		return "", errs.Invalid("deciding_region", "该事项不通办，只能由受理中心所在区划审批")
	}
	return chosen, nil
}

// Dept is a department as routing sees it: its region and its kind (the county's 公安局 has the
// city's kind).
type Dept struct {
	Code, Name, Region, Kind string
}

// Competent is the department that decides a case of an item of department own (the item's
// department, in the item's region) when the region decides: the department of region with own's
// kind; when that region has none, the one of the nearest region above it that has one, up to
// the item's own department. fallback says the region itself had none.
func Competent(depts []Dept, own Dept, region string) (d Dept, fallback bool) {
	kind := own.Kind
	if kind == "" {
		kind = own.Code
	}
	for r := region; r != "" && r != own.Region; {
		i := slices.IndexFunc(depts, func(d Dept) bool { return d.Region == r && (d.Kind == kind || d.Kind == "" && d.Code == kind) })
		if i >= 0 {
			return depts[i], r != region
		}
		if ValidCode(r) != nil || !Within(r, own.Region) {
			break
		}
		r = parentCode(r)
	}
	return own, region != own.Region
}

// Choices are the regions a clerk may pick as the applicant's for an item exercised below its
// region: the item's own region (市本级) and each region at the item's level inside it, by code.
// An item decided by its own region offers none.
func Choices(regions []Region, s Scope) []Region {
	if !s.DecidedBelow() {
		return nil
	}
	var out []Region
	for _, r := range regions {
		if r.Code == s.Region || r.Level == s.level() && Within(r.Code, s.Region) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Region) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// Refusal is the message for an item a center does not accept: the centers that do, nearest
// first from the center (at most five named).
func Refusal(at Center, places []Place) string {
	if len(places) == 0 {
		return fmt.Sprintf("%s不受理该事项，也没有其他中心受理该事项", at.Name)
	}
	var names []string
	for i, p := range places {
		if i == 5 {
			names = append(names, fmt.Sprintf("等 %d 个中心", len(places)))
			break
		}
		n := p.Name
		if p.DistanceKM != nil {
			n += fmt.Sprintf("（约 %.1f 公里）", *p.DistanceKM)
		}
		names = append(names, n)
	}
	return fmt.Sprintf("该事项不在%s受理（不通办），请到以下中心办理：%s", at.Name, strings.Join(names, "、"))
}

// HomeRegion is the county-level region an applicant's number names (GB/T 2260, six digits): a
// person's ID number's first six (GB 11643), an organisation's unified credit code's third to
// eighth (GB 32100). "" when the number has no such digits or names no valid code; whether the
// region is in the tree is the caller's to check.
func HomeRegion(kind, number string) string {
	number = strings.ToUpper(strings.TrimSpace(number))
	var six string
	switch {
	case kind == "organization" && len(number) == 18:
		six = number[2:8]
	case kind != "organization" && len(number) == 18:
		six = number[:6]
	default:
		return ""
	}
	code := six + "000000"
	if ValidCode(code) != nil || LevelOf(code) != County {
		return ""
	}
	return code
}

// DefaultRegion is the region that decides when nobody chose one: the applicant's own (home, from
// HomeRegion, when it is in the tree) where DecidingRegion allows it for this item at this
// center, else DecidingRegion's own default — the accepting center's county, or the item's region
// at a center that lies in none (the city's, and the online hall).
func DefaultRegion(s Scope, at Center, home string) string {
	if home != "" {
		if r, err := DecidingRegion(s, at, home); err == nil {
			return r
		}
	}
	r, _ := DecidingRegion(s, at, "")
	return r
}

// Accepting is the center that accepts an application made on a channel: a window takes it at
// the clerk's center, a kiosk at its own center when that center accepts the item; online (and a
// kiosk of no center, or one whose center does not accept the item) at the main center, the
// online hall. here is the clerk's or the kiosk's center ("" for none).
func Accepting(centers []Center, channel, here string, s Scope) Center {
	main, _ := MainCenter(centers)
	i := slices.IndexFunc(centers, func(c Center) bool { return c.Code == here })
	switch {
	case i < 0 || here == "":
		return main
	case channel == "window":
		return centers[i]
	case channel == "kiosk" && Accepts(centers[i], s):
		return centers[i]
	}
	return main
}
