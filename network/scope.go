package network

// SupervisedRegion is the rule of what a supervisor or an admin oversees (区域分级监督): the
// region of the center their account belongs to and everything below it — a county center's
// account sees the county's centers and its townships', not another county's. "" means the
// whole installation: an account of no center or of an unknown one (it belongs to the main
// center), or of a center of the top region (the city's).
func SupervisedRegion(centers []Center, center string) string {
	if center == "" {
		return ""
	}
	for _, c := range centers {
		if c.Code != center {
			continue
		}
		if ValidCode(c.RegionCode) != nil || Rank(LevelOf(c.RegionCode)) <= Rank(City) {
			return ""
		}
		if m, ok := MainCenter(centers); ok && m.Code == c.Code {
			return ""
		}
		return c.RegionCode
	}
	return ""
}

// Oversees says whether the region code lies in what SupervisedRegion gave ("" oversees all).
func Oversees(scope, code string) bool {
	return scope == "" || code == scope || Within(code, scope)
}
