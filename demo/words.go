package demo

import (
	"slices"
	"strings"

	"banhao/catalog"
)

// The words people really use for the demo items and bundles (别名/俗称), and the life-event
// themes they are browsed under. Items are named as in data.go.

type words struct {
	keywords []string
	themes   []string
}

func w(themes string, keywords ...string) words {
	return words{keywords: keywords, themes: strings.Fields(themes)}
}

var itemWords = map[string]words{
	// 商事服务
	"企业设立登记": w("company_setup employment", "营业执照", "开公司", "注册公司", "成立公司", "办执照", "办营业执照", "公司注册", "开办企业",
		"新办企业", "公司设立", "工商注册", "注册营业执照", "开厂", "办厂", "创业", "注册个公司"),
	"企业变更登记": w("company_setup", "公司变更", "变更法人", "换法人", "法人变更", "公司改名", "变更地址", "公司迁址", "增资", "变更经营范围",
		"营业执照变更", "股权变更", "变更股东", "换执照"),
	"企业注销登记": w("deregistration", "公司注销", "注销公司", "关闭公司", "营业执照注销", "公司不开了", "简易注销", "清算注销", "注销执照", "企业注销"),
	"个体工商户设立登记": w("company_setup employment", "个体户", "个体执照", "开店", "开小店", "个体营业执照", "摆摊", "开网店", "开超市", "开饭店",
		"开理发店", "小商店", "门面", "个体工商户营业执照", "做生意"),
	"食品经营许可": w("licences", "开饭店", "开餐馆", "开饭馆", "餐饮许可证", "食品经营许可证", "开超市", "卖食品", "开小吃店", "开奶茶店",
		"开面包店", "食堂", "餐饮", "食品许可证", "健康证", "开便利店", "外卖"),
	"药品零售企业经营许可": w("licences", "开药店", "药店许可证", "药品经营许可证", "开药房", "卖药", "零售药店", "药店"),
	"公章刻制备案":     w("company_setup", "刻章", "刻公章", "公章", "印章", "刻制印章", "财务章", "发票章", "合同章", "刻印章", "私章", "法人章"),
	"发票领用":       w("tax", "领发票", "申领发票", "开发票", "发票", "税控", "电子发票", "买发票", "发票申领", "代开发票"),
	"税务登记信息确认":   w("tax company_setup", "税务登记", "税务报到", "新办纳税人", "办税务", "报税", "纳税人登记", "税务"),
	"单位社会保险登记": w("human_resources company_setup", "单位社保开户", "公司交社保", "社保开户", "给员工交社保", "单位参保", "企业社保",
		"员工社保", "招人交社保", "社保登记"),
	"住房公积金单位缴存登记": w("human_resources", "公积金开户", "单位公积金", "给员工交公积金", "公积金缴存", "单位开户", "企业公积金"),
	// 投资建设
	"企业投资项目备案":         w("construction", "项目备案", "立项", "投资备案", "项目立项", "投资项目"),
	"企业投资项目核准":         w("construction", "项目核准", "投资项目核准", "核准", "重大项目审批"),
	"政府投资项目可行性研究报告审批":  w("construction", "可研批复", "可研审批", "可行性研究报告", "可研报告", "政府投资项目审批"),
	"建设项目用地预审与选址意见书核发": w("construction", "选址意见书", "用地预审", "项目选址", "选址"),
	"建设用地规划许可证核发":      w("construction", "用地规划许可证", "用地规划", "用地许可", "拿地"),
	"建设工程规划许可证核发":      w("construction", "工程规划许可证", "规划证", "规划许可证", "建房规划", "工程规划"),
	"建筑工程施工许可证核发":      w("construction", "施工许可证", "开工许可", "施工证", "盖楼审批", "开工", "施工许可", "建房"),
	"建设工程消防设计审查":       w("construction", "消防审查", "消防设计", "消防审批", "消防图审", "消防"),
	"建设工程竣工验收备案":       w("construction", "竣工验收", "竣工备案", "验收备案", "工程验收", "竣工"),
	"建设项目环境影响报告表审批":    w("construction", "环评", "环评审批", "环境影响评价", "环评报告", "环保审批"),
	"结合民用建筑修建防空地下室审批":  w("construction", "人防", "人防审批", "防空地下室", "人防工程"),
	// 不动产
	"不动产转移登记（存量房买卖）": w("housing", "二手房过户", "房屋过户", "过户", "买二手房", "卖房", "房产过户", "房产证过户", "买房过户",
		"办房产证", "不动产权证", "房本过户", "二手房交易", "二手房", "房子过户", "房产证"),
	"国有建设用地使用权及房屋所有权首次登记": w("housing construction", "新房办证", "新房房产证", "首次登记", "大产证", "初始登记", "房产证", "新房"),
	"不动产抵押权登记":            w("housing", "房屋抵押", "抵押登记", "房贷抵押", "抵押贷款", "房产抵押", "买房贷款", "抵押"),
	"存量房买卖合同网签备案":         w("housing", "网签", "二手房网签", "购房合同备案", "合同备案", "网签备案", "买卖合同"),
	"契税申报":                w("housing tax", "契税", "交契税", "买房交税", "房屋契税", "购房税", "买房税"),
	"不动产登记资料查询":           w("housing", "查房产", "查房子", "房产查询", "查档", "不动产查询", "有无房产证明", "无房证明", "房屋信息查询", "名下房产"),
	// 社会事务
	"内地居民婚姻登记":   w("marriage", "结婚", "结婚登记", "领证", "领结婚证", "结婚证", "离婚", "离婚登记", "补领结婚证", "婚姻登记", "离婚证"),
	"出生医学证明首次签发": w("birth medical", "出生证", "出生证明", "出生医学证明", "生孩子", "新生儿", "宝宝出生", "孩子出生", "生小孩", "生育", "生二胎", "二胎", "生三胎"),
	"医师执业注册":     w("medical licences", "医生执业", "医师注册", "医生注册", "执业证", "医师执业证", "行医"),
	"民办学校设立审批":   w("education licences", "办学校", "开学校", "民办学校", "开培训学校", "开幼儿园", "办学许可证", "培训机构", "开培训班"),
	"最低生活保障审核确认": w("social_security", "低保", "吃低保", "低保户", "困难补助", "生活困难", "救助", "最低生活保障", "贫困"),
	"残疾人证核发":     w("social_security medical", "残疾证", "办残疾证", "残疾人证", "残疾鉴定", "残疾补贴", "残疾"),
	// 公安
	"居民身份证申领": w("household", "身份证", "办身份证", "补办身份证", "身份证丢了", "身份证丢失", "身份证补领", "身份证过期", "换身份证",
		"身份证到期", "身份证换领", "首次申领身份证", "临时身份证", "身份证补办", "身份证掉了"),
	"市内户口迁移": w("household", "迁户口", "户口迁移", "落户", "转户口", "户口", "迁户", "户口本", "投靠落户", "买房落户", "户籍迁移", "户口迁出"),
	"出生登记":   w("birth household", "上户口", "报户口", "新生儿落户", "孩子落户", "孩子上户口", "宝宝落户", "新生儿上户口", "户口登记", "入户", "报出生", "生孩子", "生二胎", "二胎", "二胎上户口"),
	"机动车驾驶证换证": w("transport", "换驾照", "驾照到期", "驾照换证", "驾驶证到期", "驾驶证换证", "驾照过期", "补驾照", "驾照", "驾驶证",
		"驾驶证补领", "驾照丢了", "换驾驶证"),
	"机动车注册登记": w("transport", "上牌", "新车上牌", "车辆上牌", "买车上牌", "车牌", "机动车登记", "汽车登记", "上车牌", "买车", "新车"),
	"普通护照签发":  w("transport", "办护照", "护照", "出国", "出境", "护照过期", "换护照", "补办护照", "出国旅游", "护照到期"),
	// 税务、人社、医保、公积金
	"个人所得税综合所得汇算清缴": w("tax", "个税", "个税退税", "退税", "个人所得税", "汇算清缴", "年度汇算", "个税申报", "工资税"),
	"就业失业登记":        w("employment", "失业登记", "就业登记", "失业证", "就业创业证", "找工作", "失业了", "没工作", "灵活就业", "就业", "下岗"),
	"失业保险金申领":       w("employment social_security", "失业金", "领失业金", "失业保险", "失业补助", "失业保险金", "失业了", "失业补助金"),
	"社会保障卡申领": w("social_security", "社保卡", "办社保卡", "补办社保卡", "社保卡丢了", "社保卡挂失", "社保卡换卡", "领社保卡", "电子社保卡",
		"社保卡补办", "医保卡", "社保"),
	"城乡居民基本养老保险参保登记": w("social_security retirement", "养老保险", "交养老保险", "居民养老保险", "参保", "农村养老保险", "新农保",
		"养老金", "退休", "领养老金", "退休金", "社保", "交社保"),
	"城乡居民基本医疗保险参保登记": w("medical social_security", "医保", "交医保", "办医保", "居民医保", "新农合", "医疗保险", "医保参保", "孩子医保",
		"医保缴费", "合作医疗"),
	"异地就医备案": w("medical", "异地就医", "外地看病", "异地医保", "转诊", "异地备案", "外地住院", "医保异地", "异地住院", "转院"),
	"医疗费用手工（零星）报销": w("medical", "医保报销", "报销", "看病报销", "医药费报销", "住院报销", "零星报销", "垫付报销", "手工报销",
		"医疗报销", "看病"),
	"住房公积金提取（购买住房）": w("housing", "提取公积金", "公积金提取", "取公积金", "公积金", "买房提公积金", "提公积金", "公积金取钱", "取出公积金"),
	"住房公积金个人住房贷款":   w("housing", "公积金贷款", "买房贷款", "房贷", "贷款买房", "住房贷款", "公积金", "买房"),
	"住房公积金个人账户转移":   w("housing employment", "公积金转移", "公积金转出", "换工作公积金", "公积金异地转移", "转公积金", "公积金"),
	// 便民服务
	"低压用电报装":      w("housing", "用电", "开户用电", "通电", "装电表", "电表", "报装", "用电报装", "接电", "开电", "电费", "新装电"),
	"供水过户":        w("housing", "水费过户", "自来水过户", "水表过户", "用水过户", "水过户", "水电过户", "自来水"),
	"燃气过户":        w("housing", "天然气过户", "燃气户名", "煤气过户", "燃气", "天然气", "水电气过户"),
	"供热过户":        w("housing", "暖气过户", "供暖过户", "取暖过户", "暖气", "供暖"),
	"委托书公证":       w("housing", "公证", "委托公证", "办公证", "公证书", "委托书", "委托"),
	"法律援助申请":      w("social_security", "法律援助", "免费律师", "打官司", "请律师", "法援", "讨薪", "欠工资"),
	"烟草专卖零售许可证新办": w("licences", "卖烟", "烟草证", "烟草许可证", "烟草专卖许可证", "烟酒店", "开烟酒店", "零售卷烟"),
	"道路旅客运输经营许可":  w("licences", "客运许可", "客运经营", "跑客运", "道路运输许可证", "客运公司", "道路运输经营许可证"),
}

var bundleWords = map[string]words{
	"KBQY":    w("company_setup employment", "开公司", "开办企业", "注册公司", "营业执照", "新办企业", "企业开办", "创业", "开厂", "成立公司"),
	"ESFZY":   w("housing", "二手房过户", "卖房", "买二手房", "房屋过户", "二手房交易", "过户", "买房"),
	"GCJS":    w("construction", "工程建设", "盖楼", "项目审批", "施工许可", "建厂房", "工程审批", "建设项目"),
	"XSECS":   w("birth household medical", "生孩子", "新生儿", "孩子出生", "上户口", "出生证", "宝宝出生", "给孩子上户口", "生小孩", "出生一件事", "生二胎", "二胎"),
	"BDCSDQN": w("housing", "水电气暖过户", "水电过户", "房屋过户", "过户", "燃气过户", "暖气过户", "搬家"),
}

// districtThemes are the rules that give the items named from the district list their
// themes: a theme when the name holds one of its words, in order; the department's own theme
// when no word matched. Items may have several themes. A rule is for the items a person applies
// for ("person"), for those of an enterprise ("business"), or for any item.
var districtThemes = []struct {
	theme, of string
	words     []string
}{
	{"birth", "person", []string{"出生", "生育", "收养", "计划生育", "母婴", "新生儿", "独生子女", "孕"}},
	{"household", "person", []string{"户口", "户籍", "身份证", "居住证", "落户"}},
	{"marriage", "person", []string{"婚姻", "结婚", "离婚", "婚前"}},
	{"education", "person", []string{"入学", "学籍", "学校", "教师", "助学", "学前教育", "义务教育", "学生", "招生", "学历", "学位", "幼儿园", "保教费"}},
	{"employment", "person", []string{"就业", "失业", "创业", "职业指导", "职业技能", "求职", "人才", "见习", "技能鉴定"}},
	{"social_security", "person", []string{"社会保险", "养老保险", "工伤", "低保", "最低生活保障", "救助", "残疾", "特困", "孤儿", "抚养", "优待", "困难", "补贴", "津贴", "优抚", "供养", "扶助"}},
	{"medical", "person", []string{"医疗", "医保", "医师", "就医", "诊所", "医院", "卫生", "健康", "护士", "疫苗", "药师", "诊疗"}},
	{"housing", "person", []string{"不动产", "房屋", "住房", "公积金", "购房", "租赁", "物业", "燃气", "供水", "供热", "用电", "宅基地"}},
	{"transport", "person", []string{"驾驶证", "机动车驾驶", "机动车登记", "机动车注册", "护照", "出入境", "港澳", "台湾居民", "签证"}},
	{"retirement", "person", []string{"退休", "养老", "高龄", "老年", "待遇领取", "养老金"}},
	{"death", "person", []string{"死亡", "丧葬", "殡葬", "遗属", "抚恤", "火化", "公墓", "工亡", "牺牲", "注销户口", "户口注销"}},
	{"company_setup", "business", []string{"设立", "变更登记", "企业登记", "营业执照", "个体工商户", "公章", "名称", "分支机构", "子公司"}},
	{"deregistration", "business", []string{"注销", "歇业", "终止"}},
	{"tax", "", []string{"税", "发票", "缴费", "非税"}},
	{"human_resources", "", []string{"劳动", "用工", "人力资源", "工资", "职工", "劳务派遣", "职称", "社会保险"}},
	{"construction", "", []string{"建设工程", "建设项目", "建筑", "施工", "规划", "用地", "竣工", "消防", "环境影响", "水土保持", "人防", "公路建设",
		"公路工程", "工程建设", "工程", "土地", "采矿", "探矿", "勘查", "矿"}},
	{"licences", "", []string{"许可", "经营", "资质", "执业", "备案", "准营", "核发", "审批"}},
}

// themeUnless are words that rule a theme out although a rule word matched (中国税收居民身份证明
// is the tax office's, not an identity card).
var themeUnless = map[string][]string{"household": {"税收居民"}}

// institutionWords mark an item applied for by an institution, an enterprise or an
// organisation — a licence of a trade, a hospital's, a pharmacy's — never by a person for
// themselves: it gets no person theme.
var institutionWords = []string{"机构", "企业", "公司", "单位", "经营", "营业", "许可", "药品", "药店", "兽", "组织", "团体", "场所",
	"寺院", "宗教", "医院", "定点", "化学品", "辐射", "放射", "行业", "分支", "合伙", "股权", "民办"}

// businessWords mark an item of an enterprise or a trade (设立变更, 注销 are company themes; a
// society or a temple is neither).
var businessWords = []string{"企业", "公司", "个体工商户", "经营", "营业", "分支机构", "合伙", "许可证", "股权", "商户", "店", "执照", "子公司"}

// departmentThemes is the theme of a department's items when no rule word matched.
var departmentThemes = map[string]string{
	"JYJ": "education", "WJW": "medical", "YBJ": "medical", "MZJ": "social_security", "CLJ": "social_security", "RSJ": "employment",
	"SBZX": "social_security", "GJJ": "housing", "BDC": "housing", "ZFBZ": "housing", "ZJJ": "construction", "ZRZY": "construction",
	"JJZD": "transport", "CRJ": "transport", "GAJ": "household", "SWJ": "tax", "TYJR": "social_security", "XZSP": "licences", "SCJG": "licences",
}

// DistrictThemes gives an item named from the district list its themes, by its name and
// department: person themes only for what a person applies for, 设立变更 and 注销 only for an
// enterprise's; no theme rather than a wrong one.
func DistrictThemes(name, dept string) []string {
	has := func(words []string, s string) bool {
		return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(s, w) })
	}
	institution := has(institutionWords, name)
	business := has(businessWords, strings.ReplaceAll(name, "非企业", ""))
	applies := func(of string) bool {
		return of == "" || of == "person" && !institution || of == "business" && business
	}
	var out []string
	for _, r := range districtThemes {
		if len(out) == 2 { // a tile lists what belongs there, not everything that shares a word
			break
		}
		if applies(r.of) && has(r.words, name) && !has(themeUnless[r.theme], name) {
			out = append(out, r.theme)
		}
	}
	if len(out) == 0 {
		if t, ok := departmentThemes[dept]; ok {
			if th, _ := catalog.ThemeByCode(t); th.For == "company" || !institution {
				out = append(out, t)
			}
		}
	}
	return out
}

// addWords gives the catalog's items and bundles their words and themes: the fully specified
// items and the bundles their own, the items named from the district list themes by rule.
func addWords(f *catalog.File) {
	for i := range f.Items {
		it := &f.Items[i]
		if ws, ok := itemWords[it.Name]; ok {
			it.Keywords, it.Themes = ws.keywords, ws.themes
		} else if len(it.Themes) == 0 {
			it.Themes = DistrictThemes(it.Name, it.Department.Code)
		}
	}
	for i := range f.Bundles {
		b := &f.Bundles[i]
		if ws, ok := bundleWords[b.Code]; ok {
			b.Keywords, b.Themes = ws.keywords, ws.themes
		}
	}
}
