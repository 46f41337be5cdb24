// Package network is the 市县乡 network of service centers: the region tree (12-digit area codes,
// GB/T 2260 for the first six digits), the centers of each region with their address, hours and
// location, and which centers accept an item (通办范围 and 行使层级), nearest first.
package network

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"banhao/errs"
	"banhao/ids"
)

// Levels of a region, from the top. A center has its region's level.
const (
	Province = "省"
	City     = "市"
	County   = "县"
	Township = "乡"
	Village  = "村"
)

// Levels lists the levels from the top.
var Levels = []string{Province, City, County, Township, Village}

// LevelNames are the levels as a page shows them (行使层级).
var LevelNames = map[string]string{Province: "省级", City: "市级", County: "县级", Township: "乡镇（街道）级", Village: "村（社区）级"}

// Rank is a level's depth (省 0 … 村 4); -1 for an unknown level.
func Rank(level string) int { return slices.Index(Levels, level) }

// ValidLevel reports whether level is one of Levels.
func ValidLevel(level string) bool { return Rank(level) >= 0 }

// 通办范围 (Item.Tongban): where beyond its own region an item is accepted.
const (
	TongbanNone     = ""
	TongbanCity     = "city"
	TongbanProvince = "province"
	TongbanNational = "national"
)

// Tongbans lists the scopes, narrowest first.
var Tongbans = []string{TongbanNone, TongbanCity, TongbanProvince, TongbanNational}

// TongbanNames are the scopes in words, as the guide shows them.
var TongbanNames = map[string]string{TongbanNone: "不通办", TongbanCity: "全市通办", TongbanProvince: "全省通办", TongbanNational: "跨省通办"}

// ParseTongban reads a scope from its code or its words (全市通办…; 否 or 不通办 for none).
func ParseTongban(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for code, name := range TongbanNames {
		if s == code || s == name {
			return code, true
		}
	}
	switch s {
	case "否", "无", "none", "false":
		return TongbanNone, true
	case "是", "true": // the old citywide column
		return TongbanCity, true
	}
	return "", false
}

// provinces are the first two digits GB/T 2260 gives to provinces, autonomous regions,
// municipalities and the special administrative regions.
var provinces = []string{"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
	"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"}

// prefixLen is how many digits of a code name a region of the level: 省 2, 市 4, 县 6, 乡 9, 村 12.
var prefixLen = map[string]int{Province: 2, City: 4, County: 6, Township: 9, Village: 12}

// ValidCode checks an area code's shape: 12 digits, a GB/T 2260 province, and the level it
// names (the digits below the level all zero, those of the level not).
func ValidCode(code string) error {
	if len(code) != 12 || strings.Trim(code, "0123456789") != "" {
		return errs.Invalid("code", "区划代码须为 12 位数字")
	}
	if !slices.Contains(provinces, code[:2]) {
		return errs.Invalid("code", fmt.Sprintf("区划代码前两位 %s 不是 GB/T 2260 的省级代码", code[:2]))
	}
	return nil
}

// LevelOf is the level a valid area code names by its shape: 371600000000 is a 市,
// 371602000000 a 县, 371602001000 a 乡, 371602001001 a 村.
func LevelOf(code string) string {
	switch {
	case code[2:] == "0000000000":
		return Province
	case code[4:] == "00000000":
		return City
	case code[6:] == "000000":
		return County
	case code[9:] == "000":
		return Township
	}
	return Village
}

// Prefix is the part of a region's code that its descendants share (3716 for 滨州市).
func Prefix(code string) string {
	if ValidCode(code) != nil {
		return code
	}
	return code[:prefixLen[LevelOf(code)]]
}

// Within reports whether the region code lies in ancestor's region (or is it).
func Within(code, ancestor string) bool {
	if ValidCode(code) != nil || ValidCode(ancestor) != nil {
		return code == ancestor
	}
	return strings.HasPrefix(code, Prefix(ancestor))
}

// Region is one node of the region tree.
type Region struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Level  string `json:"level"`
	Parent string `json:"parent_code"`
}

// ValidateRegion checks a region against the rules of the tree: a valid code whose shape is its
// level, and a parent (none only for the root) of a higher level whose prefix the code has.
func ValidateRegion(r Region, parent *Region) error {
	var v errs.Validation
	codeOK := ValidCode(r.Code) == nil
	if err := ValidCode(r.Code); err != nil {
		v.Add("code", err.(*errs.Error).Message)
	} else {
		v.Check(r.Level == LevelOf(r.Code), "level", fmt.Sprintf("区划代码 %s 是%s代码，层级须为“%s”", r.Code, LevelNames[LevelOf(r.Code)], LevelOf(r.Code)))
	}
	v.Check(strings.TrimSpace(r.Name) != "", "name", "区划名称不能为空")
	v.Check(len([]rune(r.Name)) <= 50, "name", "区划名称不能超过 50 字")
	v.Check(plainName(r.Name), "name", "区划名称不能含有 < > 或控制、方向控制等不可见字符")
	if codeOK || r.Level != "" { // a form that derives the level from a bad code has none to judge
		v.Check(ValidLevel(r.Level), "level", "层级须为 省、市、县、乡 或 村")
	}
	switch {
	case r.Parent == "":
	case parent == nil || parent.Code != r.Parent:
		v.Add("parent_code", fmt.Sprintf("上级区划 %s 不存在", r.Parent))
	default:
		// Exactly one level up: a 乡 under its 县, never straight under the 市.
		v.Check(!ValidLevel(r.Level) || Rank(parent.Level) == Rank(r.Level)-1, "parent_code", fmt.Sprintf("上级区划须恰好高一级：%s是%s，%s的上级须为%s",
			parent.Name, LevelNames[parent.Level], LevelNames[r.Level], LevelNames[levelAbove(r.Level)]))
		v.Check(ValidCode(r.Code) != nil || Within(r.Code, parent.Code), "code", fmt.Sprintf("区划代码须在上级区划 %s 之下（以 %s 开头）", parent.Code, Prefix(parent.Code)))
	}
	return v.Err()
}

// Point is a place on the map in degrees (WGS 84).
type Point struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// earthRadiusKM is the mean radius of the earth (IUGG).
const earthRadiusKM = 6371.0088

// Distance is the great-circle distance between a and b in kilometres (haversine).
func Distance(a, b Point) float64 {
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dLat, dLng := rad(b.Lat-a.Lat), rad(b.Lng-a.Lng)
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(rad(a.Lat))*math.Cos(rad(b.Lat))*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusKM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Center is a service center (政务服务中心, 便民服务中心) of one region.
type Center struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
	Level      string `json:"level"`
	Address    string `json:"address"`
	Hours      string `json:"hours"`
	Phone      string `json:"phone,omitempty"`
	Location   *Point `json:"location,omitempty"`
	// Main says this is the main center: set on the first center written, never by a request.
	Main bool `json:"main,omitempty"`
}

// MainCenter is the main center: the one flagged Main (the first center the installation
// had), else — centers never written with the flag — the one of the highest level, ties by code.
// It is where accounts and cases belong unless said otherwise. ok is false when there is no
// center.
func MainCenter(centers []Center) (Center, bool) {
	if len(centers) == 0 {
		return Center{}, false
	}
	return slices.MinFunc(centers, func(a, b Center) int {
		return cmp.Or(-cmp.Compare(b2i(a.Main), b2i(b.Main)), cmp.Compare(levelKey(a.Level), levelKey(b.Level)), cmp.Compare(a.Code, b.Code))
	}), true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func levelKey(level string) int {
	if r := Rank(level); r >= 0 {
		return r
	}
	return len(Levels)
}

// mainCenterOrder is MainCenter's order in SQL.
const mainCenterOrder = `is_main DESC, CASE level WHEN '省' THEN 0 WHEN '市' THEN 1 WHEN '县' THEN 2 WHEN '乡' THEN 3 ELSE 4 END, code`

// MainCenterSQL is a scalar subquery giving the main center's code, or ” when there is none.
const MainCenterSQL = `COALESCE((SELECT code FROM centers ORDER BY ` + mainCenterOrder + ` LIMIT 1), '')`

// MainRegionSQL is a scalar subquery giving the main center's region code, or ”.
const MainRegionSQL = `COALESCE((SELECT region_code FROM centers ORDER BY ` + mainCenterOrder + ` LIMIT 1), '')`

var centerCodeRe = func(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, r := range s {
		ok := r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || i > 0 && (r == '.' || r == '_' || r == '-')
		if !ok {
			return false
		}
	}
	return true
}

// ValidateCenter checks a center against its region (nil when the region is not in the tree).
func ValidateCenter(c Center, region *Region) error {
	var v errs.Validation
	v.Check(centerCodeRe(c.Code), "code", "中心编码须为 1–64 位字母、数字或 . _ -")
	v.Check(c.Code != ByMail, "code", "中心编码不能为 mail（出件地“邮寄送达”的代号）")
	v.Check(strings.TrimSpace(c.Name) != "", "name", "中心名称不能为空")
	v.Check(len([]rune(c.Name)) <= 100, "name", "中心名称不能超过 100 字")
	v.Check(plainName(c.Name), "name", "中心名称不能含有 < > 或控制、方向控制等不可见字符")
	v.Check(c.Phone == "" || ids.ValidOfficePhone(c.Phone), "phone", "电话"+ids.OfficePhoneRule)
	v.Check(plainText(c.Address), "address", "地址不能含有控制、方向控制等不可见字符")
	v.Check(plainText(c.Hours), "hours", "办公时间不能含有控制、方向控制等不可见字符")
	if region == nil {
		v.Add("region_code", fmt.Sprintf("区划 %s 不在区划树中", c.RegionCode))
	} else {
		v.Check(c.Level == region.Level, "level", fmt.Sprintf("中心的层级须与其区划（%s，%s）一致", region.Name, region.Level))
	}
	if p := c.Location; p != nil {
		v.Check(p.Lat >= -90 && p.Lat <= 90 && p.Lng >= -180 && p.Lng <= 180 && !(p.Lat == 0 && p.Lng == 0), "location", "位置须为有效的经纬度")
	}
	v.Check(len([]rune(c.Address)) <= 200, "address", "地址不能超过 200 字")
	v.Check(len([]rune(c.Hours)) <= 200, "hours", "办公时间不能超过 200 字")
	return v.Err()
}

// Scope is what decides where an item is accepted: its region (the competent one, where it is
// decided), its 行使层级 and its 通办范围.
type Scope struct {
	Region  string // the item's region code; "" for an installation without regions
	Level   string // 行使层级; "" means the level of its region
	Tongban string
	// RegionName is the region's name for messages (the code when unknown).
	RegionName string
}

// ScopeRegion is the prefix of the area codes whose centers accept the item: the item's own
// region without 通办, its city, its province, or "" (everywhere) for 跨省通办.
func (s Scope) ScopeRegion() string {
	if ValidCode(s.Region) != nil {
		return s.Region
	}
	switch s.Tongban {
	case TongbanCity:
		return s.Region[:4]
	case TongbanProvince:
		return s.Region[:2]
	case TongbanNational:
		return ""
	}
	return Prefix(s.Region)
}

// Accepts reports whether a center accepts applications for the item. A 通办 item is accepted
// at every center in its scope, whatever their level. An item without 通办 is accepted at every
// center inside its region at or below its 行使层级 (收受分离 within the region): a city item (市级)
// at every center of the city, townships' too, and decided by the city; a county's item at that
// county's center and its townships', not at another county's; a standard item the city defines
// for its counties (region 市, level 县) at every county's center and below, not at the city's
// (which lies in no county to decide it). An installation without regions (empty codes) has one
// center that accepts everything.
func Accepts(c Center, s Scope) bool {
	if s.Region == "" || c.RegionCode == "" {
		return true
	}
	if ValidCode(c.RegionCode) != nil || ValidCode(s.Region) != nil {
		return c.RegionCode == s.Region
	}
	if s.Tongban != TongbanNone {
		return strings.HasPrefix(c.RegionCode, s.ScopeRegion())
	}
	return Within(c.RegionCode, s.Region) && ValidLevel(c.Level) && Rank(c.Level) >= Rank(s.level())
}

// level is the 行使层级, or the level of the item's region when none is set.
func (s Scope) level() string {
	if s.Level != "" || ValidCode(s.Region) != nil {
		return s.Level
	}
	return LevelOf(s.Region)
}

// ValidItemLevel checks an item's 行使层级 against its region: a known level, not above the
// region's own (a county cannot exercise a city's power; a city may define an item its counties
// or townships exercise).
func ValidItemLevel(level, region string) error {
	if level == "" {
		return nil
	}
	if !ValidLevel(level) {
		return errs.Invalid("level", "行使层级须为 省、市、县、乡 或 村")
	}
	if ValidCode(region) == nil && Rank(level) < Rank(LevelOf(region)) {
		return errs.Invalid("level", fmt.Sprintf("行使层级（%s）不能高于事项所属区划的层级（%s）", LevelNames[level], LevelNames[LevelOf(region)]))
	}
	return nil
}

// Place is a center that accepts an item, with its distance from where the applicant is.
type Place struct {
	Center
	// DistanceKM is nil when either place has no location.
	DistanceKM *float64 `json:"distance_km,omitempty"`
	// Waiting is how many people wait in the center's halls now; nil for a center without halls
	// (Service.Where).
	Waiting *int `json:"waiting,omitempty"`
}

// Nearest orders the centers that accept the item: nearest first from `from` (those without a
// location last), then by level (the higher first) and code; without `from`, by level and code.
func Nearest(centers []Center, s Scope, from *Point) []Place {
	var out []Place
	for _, c := range centers {
		if !Accepts(c, s) {
			continue
		}
		p := Place{Center: c}
		if from != nil && c.Location != nil {
			d := math.Round(Distance(*from, *c.Location)*10) / 10
			p.DistanceKM = &d
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b Place) int {
		if (a.DistanceKM == nil) != (b.DistanceKM == nil) {
			if a.DistanceKM == nil {
				return 1
			}
			return -1
		}
		if a.DistanceKM != nil {
			if c := cmp.Compare(*a.DistanceKM, *b.DistanceKM); c != 0 {
				return c
			}
		}
		return cmp.Or(cmp.Compare(levelKey(a.Level), levelKey(b.Level)), cmp.Compare(a.Code, b.Code))
	})
	return out
}

// levelAbove is the level one up (县 for 乡); "" for the top.
func levelAbove(level string) string {
	if r := Rank(level); r > 0 {
		return Levels[r-1]
	}
	return ""
}

// plainText: no control characters other than line breaks and tabs, and no invisible format
// characters (Unicode Cf: bidi overrides such as U+202E turn a name around on screen, zero-width
// ones make two names look alike).
func plainText(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r == utf8.RuneError || unicode.IsControl(r) && r != '\t' && r != '\r' && r != '\n' || unicode.Is(unicode.Cf, r)
	}) < 0
}

// plainName is plainText on one line, without the characters of markup.
func plainName(s string) bool {
	return plainText(s) && !strings.ContainsAny(s, "<>\r\n\t")
}
