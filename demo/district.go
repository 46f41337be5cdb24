package demo

import (
	"encoding/csv"
	"fmt"
	"slices"
	"strings"

	"banhao/catalog"
)

// subjectRules send an item of a district department that serves many subjects (above all the
// district's 行政审批局) to the demo department competent for the item's subject: the first rule
// of the item's district department with a word that the item's name or group contains wins.
// Items no rule takes go to the district department's counterpart (realDepartments): an item of
// the 行政审批局 that no rule takes (enterprise registration, for one) stays with Binzhou's
// 行政审批服务局.
var subjectRules = []struct {
	from  string
	words []string
	to    string
}{
	{"区行政审批局", []string{"文旅类社会团体"}, "WHLY"},
	{"区行政审批局", []string{"民办职业培训学校", "劳务派遣", "人力资源服务", "不定时工作制"}, "RSJ"},
	{"区行政审批局", []string{"宗教", "民族成份"}, "MZZJ"},
	{"区行政审批局", []string{"慈善", "社会团体", "民办非企业", "公益性墓地"}, "MZJ"},
	{"区行政审批局", []string{"义务教育", "学校", "幼儿园", "校车", "教育机构", "校外培训"}, "JYJ"},
	{"区行政审批局", []string{"体育", "健身气功"}, "TYJ"},
	{"区行政审批局", []string{"文物", "广播", "电视", "电影", "出版物", "娱乐", "演出", "互联网上网服务", "准印证"}, "WHLY"},
	{"区行政审批局", []string{"渔业", "水产", "水生野生动物", "水域滩涂", "鱼类"}, "HYYY"},
	{"区行政审批局", []string{"毒性药品", "食品", "计量", "特种设备"}, "SCJG"},
	{"区行政审批局", []string{"医疗机构", "医师", "护士", "乡村医生", "母婴保健", "放射", "卫生许可", "中医诊所"}, "WJW"},
	{"区行政审批局", []string{"水利", "河道", "取水", "水库", "大坝", "洪水", "行洪", "灌溉", "提灌站", "水土保持"}, "SLJ"},
	{"区行政审批局", []string{"农药", "种子", "菌种", "兽药", "动物防疫", "动物诊疗", "种畜禽", "蚕种", "生鲜乳",
		"拖拉机", "联合收割机", "野生植物"}, "NYNC"},
	{"区行政审批局", []string{"公路", "超限运输", "护路林"}, "JTYS"},
	{"区行政审批局", []string{"城市道路", "占道", "户外广告", "宣传品", "生活垃圾", "环卫设施"}, "CGJ"},
	{"区行政审批局", []string{"危险化学品", "烟花爆竹"}, "YJJ"},
	{"区行政审批局", []string{"代理记账"}, "CZJ"},
	{"区行政审批局", []string{"技术改造项目除外"}, "FGW"},
	{"区行政审批局", []string{"技术改造"}, "GXJ"},
	{"区行政审批局", []string{"节能审查"}, "FGW"},
	{"区教科体局", []string{"体育", "运动员"}, "TYJ"},
	{"区教科体局", []string{"科技"}, "KJJ"},
	{"区自然资源和规划局", []string{"林", "草原", "伐区", "陆生野生动物", "种子"}, "LYJ"},
	{"区农业农村局", []string{"水产"}, "HYYY"},
	{"区应急管理局", []string{"地震"}, "DZJ"},
	{"区住建局", []string{"供气"}, "RQGS"},
	{"区住建局", []string{"供水报装"}, "SWJT"},
	{"区住建局", []string{"公租房", "公共租赁住房", "住房保障", "经济适用住房"}, "ZFBZ"},
	{"区发改局", []string{"供电"}, "GDGS"},
	{"区公安分局", []string{"外国人", "护照"}, "CRJ"},
	{"区司法局", []string{"公证业务", "公证（指引）"}, "GZC"},
	{"区司法局", []string{"法律援助"}, "FLYZ"},
	{"区人社局", []string{"保险", "养老", "工伤", "退休", "参保", "职业年金", "遗属", "抚恤金", "病残津贴"}, "SBZX"},
}

// binzhouDepartment names the demo department that a district item goes to, or "".
func binzhouDepartment(district, name, group string) string {
	for _, r := range subjectRules {
		if r.from != district {
			continue
		}
		for _, w := range r.words {
			if strings.Contains(name, w) || strings.Contains(group, w) {
				return r.to
			}
		}
	}
	return realDepartments[district]
}

// districtCode moves a district implementation code to the demo city: the basic code keeps its
// digits but not Sichuan's province prefix 51, the area code becomes the city's and the
// implementing body's credit code the demo department's. "" when the code has no area code.
func districtCode(code, credit string) string {
	parts := strings.Split(code, "-")
	i := slices.Index(parts, "511602000000")
	if i < 1 || len(parts) < i+5 {
		return ""
	}
	basic := strings.Join(parts[:i], "-")
	if strings.HasPrefix(basic, "51") {
		basic = "37" + basic[2:]
	}
	return basic + "-" + RegionCode + "-000-" + credit + "-" + strings.Join(parts[len(parts)-2:], "-")
}

// departmentItems are real items of departments the district list has nothing for (it has no
// 大数据局, 邮政管理局, 外事办公室) or only a consultation (科学技术局).
var departmentItems = []spec{
	{key: "C0057", name: "公共数据有条件开放申请", typ: "公共服务", dept: "DSJ", section: "S10", legal: "10", promised: "5", visits: 0, depth: 4,
		result: "公共数据开放答复", basis: "《山东省公共数据开放办法》（山东省人民政府令第344号）；《滨州市公共数据开放工作细则（试行）》",
		conditions: "申请人为依法登记的法人、非法人组织或者具有完全民事行为能力的自然人，申请的数据属于有条件开放的公共数据，用途明确、合法。",
		materials:  []string{"有条件开放数据申请表|r", "公共数据安全承诺书|r", "申请人身份证明|r,c=营业执照"}},
	{key: "Z0058", name: "快递末端网点备案", typ: "其他行政权力", dept: "YZJ", section: "S10", legal: "5", promised: "1", visits: 0, depth: 4,
		result: "快递末端网点备案信息", basis: "《快递暂行条例》；《快递末端网点备案暂行规定》",
		materials: []string{"快递末端网点备案表|r", "快递业务经营许可证|r", "营业执照|r,c=营业执照", "网点场所使用证明|r"}},
	{key: "C0059", name: "因公出国（境）护照、签证办理", typ: "公共服务", dept: "WSB", section: "S05", legal: "10", promised: "5", visits: 1, depth: 2,
		visitsReason: reasonBiometric, result: "因公护照及签证", basis: "《中华人民共和国护照法》第四条",
		materials: []string{"出国（境）任务批件|r", "因公临时出国人员备案表|r", "申请人居民身份证|r,c=居民身份证", "因公出入境证件数字照片回执|r"}},
	{key: "C0060", name: "技术合同认定登记", typ: "公共服务", dept: "KJJ", section: "S04", legal: "30n", promised: "7n", visits: 0, depth: 4,
		result: "技术合同登记证明", basis: "《技术合同认定登记管理办法》（国科发政字〔2000〕063号）",
		materials: []string{"技术合同文本|r", "技术合同认定登记申请表|r", "申请人身份证明|r,c=营业执照"}},
}

// twoVisits are the district items that truly take two trips to the hall, so the 一次办好 list
// leaves them out: the application with the originals checked, then — after the department's
// inspection on site — the licence signed for in person.
var twoVisits = map[string]string{
	"旅馆业特种行业许可证核发":    "申请时须现场核验原件；公安机关现场检查合格后，须本人到窗口领取许可证",
	"烟花爆竹经营（零售）许可证核发": "申请时须现场核验原件；现场核查合格后，须本人到窗口签收许可证并签订安全责任书",
	"危险废物经营许可申请":      "申请时须现场核验原件；专家现场核查合格后，须到窗口领取许可证并签收监管告知书",
}

// candidate is a district item ready for the demo catalog, with its place in the list.
type candidate struct {
	row   int
	item  catalog.Item
	admin bool
}

// districtCandidates reads the district list and gives, per demo department, the items it can
// take: names cleaned, codes moved to the city, rows that cannot be moved left out.
func districtCandidates(credit map[string]string) (map[string][]candidate, error) {
	recs, err := csv.NewReader(strings.NewReader(realDistrictCSV)).ReadAll()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	sectionOf := map[string]string{}
	for _, d := range departments {
		sectionOf[d.code] = d.section
	}
	out := map[string][]candidate{}
	for row, rec := range recs[1:] {
		name, ok := cleanDistrictName(rec[col["name"]])
		if !ok {
			continue
		}
		group, _ := cleanDistrictName(strings.ReplaceAll(rec[col["group"]], "未分类", ""))
		if SichuanText(group) != "" || NearDuplicate(group, name) {
			group = "" // a group of one item or one that speaks of a county says nothing
		}
		typ := rec[col["task_type_name"]]
		dept := binzhouDepartment(rec[col["department"]], name, group)
		code := districtCode(rec[col["item_code"]], credit[dept])
		if dept == "" || code == "" || !slices.Contains(catalog.Types, typ) {
			continue
		}
		lim := fillerLimits[typ]
		it := catalog.Item{
			Code: code, Name: name, Type: typ, Status: catalog.StatusPublished, RegionCode: RegionCode,
			Department: catalog.Ref{Code: dept}, Section: catalog.Ref{Code: sectionOf[dept]}, Group: group,
			Conditions: "申请人符合法定条件，申请材料齐全、符合法定形式。",
			LegalLimit: catalog.Limit{Value: lim[0], Unit: catalog.WorkingDay}, PromisedLimit: catalog.Limit{Value: lim[1], Unit: catalog.WorkingDay},
			Visits: 1, VisitsReason: reasonOriginal, OnlineDepth: 3,
			ResultName: name + "结果文书", ResultType: "批文", DeliveryMethods: []string{"window", "mail"},
			Where: CenterName + "（" + centerAddress + "）" + sectionName(sectionOf[dept]) + "版块综合窗口", Hours: centerHours,
			ConsultPhone: consultPhone, ComplaintPhone: complaintPhoneNum,
			Materials: []catalog.Material{
				{ID: "m1", Name: "申请书", Required: true, Source: catalog.SourceApplicant, Form: "both", Originals: 1},
				{ID: "m2", Name: "申请人身份证明", Required: true, Source: catalog.SourceCertificate, CertificateType: "居民身份证", Form: "electronic"},
			},
		}
		it.HandlingMode, it.ReformMode = modeOf(name, it.PromisedLimit)
		it.Steps = standardSteps(it.PromisedLimit, it.ResultName)
		commitmentMode(&it)
		it.Steps = modeSteps(it, it.Steps)
		out[dept] = append(out[dept], candidate{row: row, item: it, admin: catalog.IsAdministrativePower(typ)})
	}
	for d, cs := range out {
		// a plain name (the general item) before its variants with a bracketed qualifier
		slices.SortStableFunc(cs, func(a, b candidate) int {
			return boolInt(strings.Contains(a.item.Name, "（")) - boolInt(strings.Contains(b.item.Name, "（"))
		})
		out[d] = cs
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fillerItems fills the demo catalog with the departments' own items and the real district
// items, moved to the demo city, until it has its administrative-power and other items. The
// departments take turns, so every department has its items before any has many; an item that
// is a near-duplicate of one already taken (the fully specified items in taken, first) is left
// out.
func fillerItems(credit map[string]string, taken map[string]bool, wantAdmin, wantOther int) ([]catalog.Item, error) {
	names := make([]string, 0, len(taken))
	for n := range taken {
		names = append(names, n)
	}
	slices.Sort(names)
	codes := map[string]bool{}
	fits := func(it catalog.Item, admin bool) bool {
		if admin && wantAdmin == 0 || !admin && wantOther == 0 || codes[it.Code] {
			return false
		}
		for _, n := range names {
			if NearDuplicate(n, it.Name) {
				return false
			}
		}
		return true
	}
	take := func(it catalog.Item, admin bool) {
		names, codes[it.Code] = append(names, it.Name), true
		if admin {
			wantAdmin--
		} else {
			wantOther--
		}
	}
	var own []catalog.Item
	for _, s := range departmentItems {
		it, err := s.item(credit[s.dept])
		if err != nil {
			return nil, err
		}
		admin := catalog.IsAdministrativePower(it.Type)
		if fits(it, admin) {
			take(it, admin)
			own = append(own, it)
		}
	}
	pool, err := districtCandidates(credit)
	if err != nil {
		return nil, err
	}
	var chosen []candidate
	next := map[string]int{}
	for progress := true; progress && (wantAdmin > 0 || wantOther > 0); {
		progress = false
		for _, d := range departments {
			cs := pool[d.code]
			for next[d.code] < len(cs) {
				c := cs[next[d.code]]
				next[d.code]++
				if fits(c.item, c.admin) {
					take(c.item, c.admin)
					chosen, progress = append(chosen, c), true
					break
				}
			}
		}
	}
	if wantAdmin > 0 || wantOther > 0 {
		return nil, fmt.Errorf("demo: the district list ran out with %d administrative and %d other items still wanted", wantAdmin, wantOther)
	}
	slices.SortFunc(chosen, func(a, b candidate) int { return a.row - b.row })
	out := own
	for i, c := range chosen {
		it := c.item
		if (i+1)%3 == 0 { // every third district item is fully online
			it.Visits, it.VisitsReason, it.OnlineDepth, it.DeliveryMethods = 0, "", 4, []string{"mail", "electronic"}
		}
		if reason, ok := twoVisits[it.Name]; ok {
			it.Visits, it.VisitsReason, it.OnlineDepth, it.DeliveryMethods = 2, reason, 3, []string{"window"}
		}
		if err := catalog.Validate(&it, it.Status); err != nil {
			return nil, fmt.Errorf("demo district item %s: %w", it.Name, err)
		}
		out = append(out, it)
	}
	return out, nil
}
