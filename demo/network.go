package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"banhao/audit"
	"banhao/catalog"
	"banhao/network"
	"banhao/queue"
	"banhao/store"
)

// The demo network: 滨州市 with its seven county-level units (GB/T 2260 codes) and two
// township centers under 滨城区. The township digits (001 市中街道, 005 彭李街道), the county
// centers' addresses and every location are illustrative.
var demoRegions = []network.Region{
	{Code: RegionCode, Name: "滨州市", Level: network.City},
	{Code: "371602000000", Name: "滨城区", Parent: RegionCode},
	{Code: "371603000000", Name: "沾化区", Parent: RegionCode},
	{Code: "371621000000", Name: "惠民县", Parent: RegionCode},
	{Code: "371622000000", Name: "阳信县", Parent: RegionCode},
	{Code: "371623000000", Name: "无棣县", Parent: RegionCode},
	{Code: "371625000000", Name: "博兴县", Parent: RegionCode},
	{Code: "371681000000", Name: "邹平市", Parent: RegionCode},
	{Code: "371602001000", Name: "市中街道", Parent: "371602000000"},
	{Code: "371602005000", Name: "彭李街道", Parent: "371602000000"},
}

const (
	countyHours   = "周一至周五 9:00–12:00，13:30–17:00（法定节假日除外）；周六上午延时服务"
	townshipHours = "周一至周五 8:30–12:00，14:00–17:30（法定节假日除外）"
)

// Township centers with a hall of their own.
const (
	ShizhongCenter = "BMFW-371602001"
	PengliCenter   = "BMFW-371602005"
)

var demoCenters = []network.Center{
	{Code: CenterCode, Name: CenterName, RegionCode: RegionCode, Address: centerAddress, Hours: centerHours, Phone: consultPhone,
		Location: &network.Point{Lat: 37.3812, Lng: 117.9706}},
	{Code: "ZWFW-371602", Name: "滨城区政务服务中心", RegionCode: "371602000000", Address: "滨州市滨城区黄河十二路 566 号", Hours: countyHours,
		Phone: "0543-3216789", Location: &network.Point{Lat: 37.4045, Lng: 118.0215}},
	{Code: "ZWFW-371603", Name: "沾化区政务服务中心", RegionCode: "371603000000", Address: "滨州市沾化区富源四路 188 号", Hours: countyHours,
		Phone: "0543-7321234", Location: &network.Point{Lat: 37.6990, Lng: 118.1318}},
	{Code: "ZWFW-371621", Name: "惠民县政务服务中心", RegionCode: "371621000000", Address: "滨州市惠民县乐安大街 377 号", Hours: countyHours,
		Phone: "0543-5331234", Location: &network.Point{Lat: 37.4896, Lng: 117.5094}},
	{Code: "ZWFW-371622", Name: "阳信县政务服务中心", RegionCode: "371622000000", Address: "滨州市阳信县阳城四路 199 号", Hours: countyHours,
		Phone: "0543-8221234", Location: &network.Point{Lat: 37.6412, Lng: 117.5782}},
	{Code: "ZWFW-371623", Name: "无棣县政务服务中心", RegionCode: "371623000000", Address: "滨州市无棣县海丰十路 88 号", Hours: countyHours,
		Phone: "0543-6781234", Location: &network.Point{Lat: 37.7707, Lng: 117.6253}},
	{Code: "ZWFW-371625", Name: "博兴县政务服务中心", RegionCode: "371625000000", Address: "滨州市博兴县博城五路 456 号", Hours: countyHours,
		Phone: "0543-2321234", Location: &network.Point{Lat: 37.1503, Lng: 118.1103}},
	{Code: "ZWFW-371681", Name: "邹平市政务服务中心", RegionCode: "371681000000", Address: "滨州市邹平市黄山四路 17 号", Hours: countyHours,
		Phone: "0543-4261234", Location: &network.Point{Lat: 36.8634, Lng: 117.7431}},
	{Code: ShizhongCenter, Name: "市中街道便民服务中心", RegionCode: "371602001000", Address: "滨州市滨城区黄河五路 156 号（市中街道办事处一楼）", Hours: townshipHours,
		Phone: "0543-3181234", Location: &network.Point{Lat: 37.3771, Lng: 117.9948}},
	{Code: PengliCenter, Name: "彭李街道便民服务中心", RegionCode: "371602005000", Address: "滨州市滨城区渤海九路 515 号（彭李街道办事处一楼）", Hours: townshipHours,
		Phone: "0543-3391234", Location: &network.Point{Lat: 37.3952, Lng: 118.0442}},
}

// Regions and Centers are the demo network as Load writes it.
func Regions() []network.Region { return append([]network.Region(nil), demoRegions...) }

// Centers lists the demo centers.
func Centers() []network.Center { return append([]network.Center(nil), demoCenters...) }

// loadNetwork writes the demo's regions and centers.
func loadNetwork(ctx context.Context, db *store.DB) error {
	if err := network.Seed(ctx, db, demoRegions, demoCenters, time.Now()); err != nil {
		return fmt.Errorf("demo network: %w", err)
	}
	return nil
}

// townshipHalls are the halls of the township centers: one line for the everyday items and two
// windows each.
var townshipHalls = []struct{ id, center, name, short string }{
	{"shizhong", ShizhongCenter, "市中街道便民服务中心大厅", "市中街道"},
	{"pengli", PengliCenter, "彭李街道便民服务中心大厅", "彭李街道"},
}

// loadTownshipHalls sets up the township centers' halls.
func loadTownshipHalls(ctx context.Context, q *queue.Service) error {
	for _, h := range townshipHalls {
		if err := q.SaveHall(ctx, audit.System, queue.Hall{ID: h.id, Name: h.name, Center: h.center, RemindAhead: 3,
			RecallsBeforeNoShow: 2, CheckInBefore: 30, CheckInAfter: 15, BookingDays: 7}); err != nil {
			return fmt.Errorf("demo hall %s: %w", h.id, err)
		}
		code := "Q-" + h.id
		if err := q.SaveService(ctx, audit.System, queue.QueueService{Code: code, Hall: h.id, Name: "便民服务（全市通办）", Prefix: "A",
			RangeFrom: 1, RangeTo: 999, Opens: "00:00", Closes: "24:00", DailyLimit: 999, ServiceMinutes: 8,
			SlotMinutes: 30, SlotCapacity: 0, ApptFrom: "09:00", ApptTo: "17:00", Sections: []string{"S05", "S07", "S08", "S09", "S10"}}); err != nil {
			return fmt.Errorf("demo queue service %s: %w", code, err)
		}
		for i := 1; i <= 2; i++ {
			ctr := queue.Counter{ID: fmt.Sprintf("%s-%d", h.id, i), Hall: h.id, Name: fmt.Sprintf("%s%d号窗口", h.short, i), Rule: queue.LongestWait, Open: true,
				Profile: []queue.ProfileEntry{{Service: code}}}
			if err := q.SaveCounter(ctx, audit.System, ctr); err != nil {
				return fmt.Errorf("demo counter %s: %w", ctr.ID, err)
			}
		}
	}
	return nil
}

// countyKinds are the departments the counties have of the city's kinds (公安, 人社, 医保, 公积金,
// 不动产 in every county; a 社保中心 in 沾化区 only — in: the county's 6-digit area, "" for every
// one): a county-level 全市通办 item of such a department is decided by the applicant's county.
// The others stay the city's: their county items go up to the city (惠民县's 失业保险金申领 is
// decided by the city's 社保中心, 沾化区's by its own). Each department's credit code, and so its
// items' codes, follows its place here.
var countyKinds = []struct{ kind, name, in string }{
	{"GAJ", "%s公安局", ""}, {"RSJ", "%s人力资源和社会保障局", ""}, {"YBJ", "%s医疗保障局", ""},
	{"GJJ", "滨州市住房公积金管理中心%s管理部", ""}, {"BDC", "%s不动产登记中心", ""}, {"SBZX", "%s社会保险事业中心", "371603"},
}

// countyHas says whether the county of area (6 digits) has a department of kind.
func countyHas(kind, area string) bool {
	return slices.ContainsFunc(countyKinds, func(k struct{ kind, name, in string }) bool {
		return k.kind == kind && (k.in == "" || k.in == area)
	})
}

// localLimits are the stricter promised limits a county sets on its implementing item (清单标准
// 全域统一: only stricter), by the county's area code and the standard's key: 沾化区 pays
// 失业保险金 in 3 working days where the city's standard promises 5.
var localLimits = map[[2]string]catalog.Limit{
	{"371603", "B0041"}: {Value: 3, Unit: catalog.WorkingDay},
}

// countyDepartments are the departments of the seven counties: code KIND-<6-digit area>, the
// city department's kind.
func countyDepartments() []catalog.Department {
	var out []catalog.Department
	for _, r := range demoRegions {
		if r.Parent != RegionCode {
			continue
		}
		area := r.Code[:6]
		var phone string
		for _, c := range demoCenters {
			if c.RegionCode == r.Code {
				phone = c.Phone
			}
		}
		for i, k := range countyKinds {
			if !countyHas(k.kind, area) {
				continue
			}
			out = append(out, catalog.Department{Code: k.kind + "-" + area, Name: fmt.Sprintf(k.name, r.Name), Kind: k.kind,
				CreditCode: creditCodeIn(area, 100+i), RegionCode: r.Code, Phone: phone})
		}
	}
	return out
}

// countyLevel are the city departments whose 全市通办 items the counties decide (行使层级 县).
var countyLevel = map[string]bool{"GAJ": true, "RSJ": true, "SBZX": true, "YBJ": true, "GJJ": true, "BDC": true}

// itemLevel is a fully specified item's 行使层级: 县 for the 通办 items of the departments the
// counties have (居民身份证, 社保, 医保, 公积金, 不动产), else 市.
func itemLevel(s spec) string {
	if tongban[s.key] != "" && countyLevel[s.dept] {
		return network.County
	}
	return network.City
}

// loadImplementingLists derives each county's implementing items (清单标准全域统一) from the
// city's standard: every fully specified item of a department the county has (公安, 人社, 医保,
// 公积金, 不动产 — the 全市通办 居民身份证, 社保, 医保, 公积金 items among them —, and 沾化区's
// 社保中心), for the county's own department, published, so that each of the seven counties has
// its list; with the county's stricter limit where it set one (localLimits).
func loadImplementingLists(ctx context.Context, cat *catalog.Service, f *catalog.File) error {
	for _, r := range demoRegions {
		if r.Parent != RegionCode {
			continue
		}
		for i, it := range f.Items[:len(fullItems)] {
			if !countyHas(it.Department.Code, r.Code[:6]) {
				continue
			}
			local := catalog.Local{Department: it.Department.Code + "-" + r.Code[:6], Status: catalog.StatusPublished}
			if l, ok := localLimits[[2]string{r.Code[:6], fullItems[i].key}]; ok {
				local.PromisedLimit = &l
			}
			if _, err := cat.Derive(ctx, audit.System, it.Code, local); err != nil {
				return fmt.Errorf("demo implementing item %s in %s: %w", it.Name, r.Name, err)
			}
		}
	}
	return nil
}
