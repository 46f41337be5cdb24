package demo

// The demo center is modelled on a Binzhou-style municipal hall: 10 sections, 53 departments.

// RegionCode is the demo city's 12-digit area code (滨州市).
const RegionCode = "371600000000"

var sections = []struct{ code, name, desc string }{
	{"S01", "商事服务", "企业开办、变更、注销，食品药品经营许可"},
	{"S02", "投资建设审批", "项目立项、用地规划、工程建设、施工许可、竣工验收"},
	{"S03", "不动产交易登记", "存量房交易、税费、不动产登记一窗办理"},
	{"S04", "社会综合事务", "民政、教育、卫生健康、残联等社会事务"},
	{"S05", "公安服务", "户籍、身份证、出入境、车驾管"},
	{"S06", "税务服务", "税务登记、发票、申报"},
	{"S07", "人力资源和社会保障", "就业、社会保险、社会保障卡"},
	{"S08", "医疗保障", "参保登记、异地就医、医疗费用报销"},
	{"S09", "住房公积金", "缴存、提取、贷款"},
	{"S10", "综合便民服务", "水电气暖、公证、法律援助、交通运输等"},
}

// departments: code, name, default section. The credit code is generated with valid check
// characters (GB 11714 and GB 32100) from the list position.
var departments = []struct{ code, name, section string }{
	{"XZSP", "滨州市行政审批服务局", "S01"},
	{"SCJG", "滨州市市场监督管理局", "S01"},
	{"SWJ", "国家税务总局滨州市税务局", "S06"},
	{"GAJ", "滨州市公安局", "S05"},
	{"JJZD", "滨州市公安局交通警察支队", "S05"},
	{"CRJ", "滨州市公安局出入境管理支队", "S05"},
	{"RSJ", "滨州市人力资源和社会保障局", "S07"},
	{"SBZX", "滨州市社会保险事业中心", "S07"},
	{"YBJ", "滨州市医疗保障局", "S08"},
	{"GJJ", "滨州市住房公积金管理中心", "S09"},
	{"ZRZY", "滨州市自然资源和规划局", "S02"},
	{"BDC", "滨州市不动产登记中心", "S03"},
	{"ZJJ", "滨州市住房和城乡建设局", "S02"},
	{"FGW", "滨州市发展和改革委员会", "S02"},
	{"JYJ", "滨州市教育局", "S04"},
	{"KJJ", "滨州市科学技术局", "S04"},
	{"GXJ", "滨州市工业和信息化局", "S02"},
	{"MZJ", "滨州市民政局", "S04"},
	{"SFJ", "滨州市司法局", "S10"},
	{"CZJ", "滨州市财政局", "S04"},
	{"STHJ", "滨州市生态环境局", "S02"},
	{"JTYS", "滨州市交通运输局", "S10"},
	{"SLJ", "滨州市水利局", "S02"},
	{"NYNC", "滨州市农业农村局", "S10"},
	{"SWU", "滨州市商务局", "S01"},
	{"WHLY", "滨州市文化和旅游局", "S04"},
	{"WJW", "滨州市卫生健康委员会", "S04"},
	{"TYJR", "滨州市退役军人事务局", "S04"},
	{"YJJ", "滨州市应急管理局", "S02"},
	{"TJJ", "滨州市统计局", "S04"},
	{"CGJ", "滨州市城市管理局", "S10"},
	{"YCJ", "滨州市烟草专卖局", "S01"},
	{"QXJ", "滨州市气象局", "S02"},
	{"XFZD", "滨州市消防救援支队", "S02"},
	{"CLJ", "滨州市残疾人联合会", "S04"},
	{"DAG", "滨州市档案馆", "S10"},
	{"RFB", "滨州市人民防空办公室", "S02"},
	{"DZJ", "滨州市地震局", "S02"},
	{"YZJ", "滨州市邮政管理局", "S10"},
	{"GDGS", "国网滨州供电公司", "S10"},
	{"SWJT", "滨州市水务集团", "S10"},
	{"RQGS", "滨州市燃气公司", "S10"},
	{"RLGS", "滨州市热力公司", "S10"},
	{"GZC", "滨州市公证处", "S10"},
	{"FLYZ", "滨州市法律援助中心", "S10"},
	{"DSJ", "滨州市大数据局", "S10"},
	{"TYJ", "滨州市体育局", "S04"},
	{"MZZJ", "滨州市民族宗教事务局", "S04"},
	{"WSB", "滨州市外事办公室", "S05"},
	{"ZFBZ", "滨州市住房保障服务中心", "S03"},
	{"HYYY", "滨州市海洋发展和渔业局", "S10"},
	{"GGZY", "滨州市公共资源交易中心", "S02"},
	{"LYJ", "滨州市林业发展中心", "S10"},
}

// realDepartments maps the district departments of shared/data/real-district-items.csv to the
// demo city's; their items fill the demo catalog up to a real hall's size.
var realDepartments = map[string]string{
	"区行政审批局": "XZSP", "区人社局": "RSJ", "区交通运输局": "JTYS", "广安区税务局": "SWJ", "区住建局": "ZJJ",
	"区自然资源和规划局": "ZRZY", "区公安分局": "GAJ", "区医疗保障局": "YBJ", "区文广旅局": "WHLY", "区教科体局": "JYJ",
	"区农业农村局": "NYNC", "区司法局": "SFJ", "区卫健局": "WJW", "区民政局": "MZJ", "区市监局": "SCJG", "区林业局": "LYJ",
	"区生态环境局": "STHJ", "区残联": "CLJ", "区水务局": "SLJ", "区应急管理局": "YJJ", "区政府办": "RFB", "区烟草专卖局": "YCJ",
	"区退役军人事务局": "TYJR", "区气象局": "QXJ", "区财政局": "CZJ", "区委办": "DAG", "区综合执法局": "CGJ", "区发改局": "FGW",
	"区公管办": "GGZY", "区委统战部": "MZZJ", "区商务局": "SWU", "区统计局": "TJJ", "区经信局": "GXJ", "区消防大队": "XFZD",
}

// spec is one fully specified item in a compact form: limits are "N" working days, "Nn"
// natural days or "0" for 即办; materials are "name|flags" with flags r (required),
// d (deferrable, 容缺), s (shared data), c=TYPE (an e-certificate); a "p" flag marks a paper-only
// original to be checked at the window.
type spec struct {
	key, name, typ, dept, section string
	legal, promised               string
	visits, depth                 int
	visitsReason                  string
	fee, feeBasis                 string
	ext, special                  bool
	terminateMissed               bool
	result                        string
	materials                     []string
	basis, conditions             string
}

const (
	reasonOriginal  = "需现场核验原件"
	reasonBiometric = "需现场采集人像、指纹"
	reasonSite      = "需现场勘验"
)

var fullItems = []spec{
	// 商事服务
	{key: "A0001", name: "企业设立登记", typ: "行政许可", dept: "XZSP", section: "S01", legal: "15", promised: "1", visits: 0, depth: 4,
		result: "营业执照", basis: "《中华人民共和国市场主体登记管理条例》第三条、第十九条",
		conditions: "申请人提交的材料齐全、符合法定形式；名称、住所、经营范围等登记事项符合法律法规规定。",
		materials: []string{"公司登记（备案）申请书|r", "公司章程|r", "股东的主体资格证明或自然人身份证件|r,c=居民身份证", "法定代表人、董事、监事和经理的任职文件|r",
			"住所使用相关文件|r,d", "名称自主申报告知书|r,s"}},
	{key: "A0002", name: "企业变更登记", typ: "行政许可", dept: "XZSP", section: "S01", legal: "15", promised: "1", visits: 0, depth: 4,
		result: "营业执照", basis: "《中华人民共和国市场主体登记管理条例》第二十四条",
		materials: []string{"公司变更登记申请书|r", "依法作出的变更决议或决定|r", "营业执照正副本|r,c=营业执照", "修改后的公司章程或章程修正案|o"}},
	{key: "A0003", name: "企业注销登记", typ: "行政许可", dept: "XZSP", section: "S01", legal: "15", promised: "1", visits: 0, depth: 4,
		result: "准予注销登记通知书", basis: "《中华人民共和国市场主体登记管理条例》第三十一条",
		materials: []string{"注销登记申请书|r", "依法作出解散的决议或决定|r", "清算报告|r", "清税证明|r,s"}},
	{key: "A0004", name: "个体工商户设立登记", typ: "行政许可", dept: "XZSP", section: "S01", legal: "15", promised: "0", visits: 0, depth: 4,
		result: "营业执照", basis: "《促进个体工商户发展条例》",
		materials: []string{"个体工商户登记（备案）申请书|r", "经营者身份证件|r,c=居民身份证", "经营场所使用证明|r"}},
	{key: "A0005", name: "食品经营许可", typ: "行政许可", dept: "XZSP", section: "S01", legal: "20", promised: "5", visits: 0, depth: 3,
		special: true, result: "食品经营许可证", basis: "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
		materials: []string{"食品经营许可申请书|r", "营业执照|r,c=营业执照", "与食品经营相适应的主要设备设施、经营布局、操作流程等文件|r", "食品安全管理制度目录|r,d"}},
	{key: "A0006", name: "药品零售企业经营许可", typ: "行政许可", dept: "XZSP", section: "S01", legal: "30", promised: "10", visits: 1, depth: 3, visitsReason: reasonSite,
		special: true, ext: true, result: "药品经营许可证", basis: "《中华人民共和国药品管理法》第五十一条",
		materials: []string{"药品经营许可证申请表|r", "营业执照|r,c=营业执照", "执业药师注册证|r,c=执业药师注册证", "经营场所、仓库平面布置图及房屋产权或使用权证明|r", "质量管理制度文件|r,d"}},
	{key: "Z0007", name: "公章刻制备案", typ: "其他行政权力", dept: "GAJ", section: "S01", legal: "1", promised: "0", visits: 0, depth: 4,
		result: "印章备案信息", basis: "《国务院关于第一批清理规范89项国务院部门行政审批中介服务事项的决定》；《印铸刻字业暨印章业治安管理办法》",
		materials: []string{"营业执照|r,c=营业执照", "法定代表人身份证件|r,c=居民身份证", "印章刻制申请表|r"}},
	{key: "Z0008", name: "发票领用", typ: "其他行政权力", dept: "SWJ", section: "S06", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "发票", basis: "《中华人民共和国发票管理办法》第十五条",
		materials: []string{"经办人身份证件|r,c=居民身份证", "发票领用申请|r,s"}},
	{key: "G0009", name: "税务登记信息确认", typ: "行政确认", dept: "SWJ", section: "S06", legal: "1", promised: "0", visits: 0, depth: 4,
		result: "税务登记信息", basis: "《中华人民共和国税收征收管理法》第十五条",
		materials: []string{"营业执照|r,c=营业执照", "财务负责人、办税人员身份证件|r,c=居民身份证", "银行账户信息|o,s"}},
	{key: "G0010", name: "单位社会保险登记", typ: "行政确认", dept: "SBZX", section: "S07", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "社会保险登记信息", basis: "《中华人民共和国社会保险法》第五十七条",
		materials: []string{"营业执照|r,c=营业执照", "社会保险登记表|r,s"}},
	{key: "C0011", name: "住房公积金单位缴存登记", typ: "公共服务", dept: "GJJ", section: "S09", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "单位公积金账户", basis: "《住房公积金管理条例》第十四条",
		materials: []string{"住房公积金单位缴存登记表|r", "营业执照|r,c=营业执照", "经办人身份证件|r,c=居民身份证"}},
	// 投资建设审批
	{key: "Z0012", name: "企业投资项目备案", typ: "其他行政权力", dept: "FGW", section: "S02", legal: "3", promised: "1", visits: 0, depth: 4,
		result: "项目备案证明", basis: "《企业投资项目核准和备案管理条例》第十三条",
		materials: []string{"项目备案信息表|r", "营业执照|r,c=营业执照"}},
	{key: "A0013", name: "建设项目用地预审与选址意见书核发", typ: "行政许可", dept: "ZRZY", section: "S02", legal: "20", promised: "7", visits: 1, depth: 3, visitsReason: reasonSite,
		special: true, result: "建设项目用地预审与选址意见书", basis: "《中华人民共和国土地管理法》第五十二条；《中华人民共和国城乡规划法》第三十六条",
		materials: []string{"建设项目用地预审与选址申请表|r", "建设项目用地预审与选址申请报告|r", "项目建议书或备案证明|r,c=项目备案证明", "标注项目用地范围的土地利用总体规划图|r,d"}},
	{key: "A0014", name: "建设用地规划许可证核发", typ: "行政许可", dept: "ZRZY", section: "S02", legal: "20", promised: "5", visits: 0, depth: 3,
		result: "建设用地规划许可证", basis: "《中华人民共和国城乡规划法》第三十七条、第三十八条",
		materials: []string{"建设用地规划许可申请表|r", "建设项目用地预审与选址意见书|r,c=建设项目用地预审与选址意见书", "国有土地使用权出让合同|r", "宗地图|r,d"}},
	{key: "A0015", name: "建设工程规划许可证核发", typ: "行政许可", dept: "ZRZY", section: "S02", legal: "20", promised: "5", visits: 0, depth: 3,
		special: true, result: "建设工程规划许可证", basis: "《中华人民共和国城乡规划法》第四十条",
		materials: []string{"建设工程规划许可申请表|r", "不动产权证书（土地）|r,c=不动产权证书", "建设工程设计方案|r", "建设工程设计方案审查意见|r,d"}},
	{key: "A0016", name: "建筑工程施工许可证核发", typ: "行政许可", dept: "ZJJ", section: "S02", legal: "7", promised: "3", visits: 0, depth: 4, terminateMissed: true,
		result: "建筑工程施工许可证", basis: "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》",
		materials: []string{"建筑工程施工许可证申请表|r", "建设工程规划许可证|r,c=建设工程规划许可证", "施工合同|r", "施工图设计文件审查合格书|r,d", "建设资金落实承诺书|r"}},
	{key: "A0017", name: "建设工程消防设计审查", typ: "行政许可", dept: "ZJJ", section: "S02", legal: "15", promised: "10", visits: 0, depth: 4,
		special: true, ext: true, result: "消防设计审查意见书", basis: "《中华人民共和国消防法》第十一条；《建设工程消防设计审查验收管理暂行规定》",
		materials: []string{"消防设计审查申请表|r", "消防设计文件|r", "依法需要批准的临时性建筑的批准文件|o"}},
	{key: "Z0018", name: "建设工程竣工验收备案", typ: "其他行政权力", dept: "ZJJ", section: "S02", legal: "15", promised: "5", visits: 1, depth: 3, visitsReason: reasonOriginal,
		result: "竣工验收备案证明", basis: "《建设工程质量管理条例》第四十九条",
		materials: []string{"竣工验收备案表|r", "工程竣工验收报告|r", "建筑工程施工许可证|r,c=建筑工程施工许可证", "消防验收意见或备案凭证|r,d", "施工单位签署的工程质量保修书|r"}},
	{key: "A0019", name: "建设项目环境影响报告表审批", typ: "行政许可", dept: "STHJ", section: "S02", legal: "30", promised: "10", visits: 0, depth: 4,
		special: true, result: "环境影响报告表批复", basis: "《中华人民共和国环境影响评价法》第二十二条",
		materials: []string{"建设项目环境影响报告表审批申请|r", "环境影响报告表|r", "项目备案证明|r,c=项目备案证明"}},
	{key: "A0020", name: "结合民用建筑修建防空地下室审批", typ: "行政许可", dept: "RFB", section: "S02", legal: "20", promised: "5", visits: 0, depth: 4,
		result: "防空地下室审批意见", basis: "《中华人民共和国人民防空法》第二十二条",
		materials: []string{"防空地下室审批申请表|r", "建设工程规划许可证|r,c=建设工程规划许可证", "防空地下室设计文件|r"}},
	// 不动产交易登记
	{key: "G0021", name: "不动产转移登记（存量房买卖）", typ: "行政确认", dept: "BDC", section: "S03", legal: "30", promised: "5", visits: 1, depth: 3, visitsReason: "需买卖双方现场核验身份并签字",
		fee: "住宅80元/件", feeBasis: "《国家发展改革委 财政部关于不动产登记收费有关政策问题的通知》（发改价格规〔2016〕2559号）",
		result: "不动产权证书", basis: "《不动产登记暂行条例》第二十条",
		materials: []string{"不动产登记申请书|r", "申请人身份证明|r,c=居民身份证", "不动产权属证书|r,c=不动产权证书", "存量房买卖合同|r,s", "完税凭证|r,s", "婚姻状况证明|o,c=结婚证"}},
	{key: "G0022", name: "国有建设用地使用权及房屋所有权首次登记", typ: "行政确认", dept: "BDC", section: "S03", legal: "30", promised: "5", visits: 2, depth: 3, visitsReason: "申请时须现场核验原件；登簿后须本人到窗口领取不动产权证书",
		fee: "住宅80元/件，非住宅550元/件", feeBasis: "发改价格规〔2016〕2559号", special: true,
		result: "不动产权证书", basis: "《不动产登记暂行条例实施细则》第三十五条",
		materials: []string{"不动产登记申请书|r", "申请人身份证明|r,c=营业执照", "不动产权籍调查成果|r", "建设工程竣工验收备案证明|r,c=竣工验收备案证明", "土地出让价款缴纳凭证|r,d"}},
	{key: "G0023", name: "不动产抵押权登记", typ: "行政确认", dept: "BDC", section: "S03", legal: "30", promised: "1", visits: 0, depth: 4,
		fee: "80元/件", feeBasis: "发改价格规〔2016〕2559号", result: "不动产登记证明", basis: "《不动产登记暂行条例实施细则》第六十五条",
		materials: []string{"不动产登记申请书|r", "不动产权证书|r,c=不动产权证书", "主债权合同及抵押合同|r", "申请人身份证明|r,c=居民身份证"}},
	{key: "Z0024", name: "存量房买卖合同网签备案", typ: "其他行政权力", dept: "ZFBZ", section: "S03", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "网签备案合同", basis: "《城市房地产管理法》；《房屋交易合同网签备案业务规范（试行）》",
		materials: []string{"买卖双方身份证明|r,c=居民身份证", "不动产权证书|r,c=不动产权证书", "存量房买卖合同|r"}},
	{key: "Z0025", name: "契税申报", typ: "其他行政权力", dept: "SWJ", section: "S03", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "契税完税凭证", basis: "《中华人民共和国契税法》第九条",
		materials: []string{"契税纳税申报表|r,s", "网签备案合同|r,s", "承受方身份证明|r,c=居民身份证"}},
	{key: "C0026", name: "不动产登记资料查询", typ: "公共服务", dept: "BDC", section: "S03", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "不动产登记资料查询结果", basis: "《不动产登记资料查询暂行办法》",
		materials: []string{"不动产登记资料查询申请书|r", "查询人身份证明|r,c=居民身份证"}},
	// 社会综合事务
	{key: "G0027", name: "内地居民婚姻登记", typ: "行政确认", dept: "MZJ", section: "S04", legal: "1", promised: "0", visits: 1, depth: 2, visitsReason: "婚姻登记须双方亲自到场",
		fee: "9元（结婚证工本费）", feeBasis: "《国家发展改革委 财政部关于降低部分行政事业性收费标准的通知》",
		result: "结婚证", basis: "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》",
		materials: []string{"本人居民身份证|r,c=居民身份证", "本人户口簿|r,c=居民户口簿", "本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明|r"}},
	{key: "C0028", name: "出生医学证明首次签发", typ: "公共服务", dept: "WJW", section: "S04", legal: "5", promised: "1", visits: 0, depth: 4,
		result: "出生医学证明", basis: "《中华人民共和国母婴保健法》第二十三条",
		materials: []string{"出生医学证明首次签发登记表|r", "父母亲有效身份证件|r,c=居民身份证", "婴儿出生信息|r,s"}},
	{key: "A0029", name: "医师执业注册", typ: "行政许可", dept: "WJW", section: "S04", legal: "20", promised: "5", visits: 0, depth: 4,
		result: "医师执业证书", basis: "《中华人民共和国医师法》第十三条",
		materials: []string{"医师执业注册申请审核表|r", "医师资格证书|r,c=医师资格证书", "健康体检证明|r,d", "拟执业机构的聘用证明|r"}},
	{key: "A0030", name: "民办学校设立审批", typ: "行政许可", dept: "JYJ", section: "S04", legal: "90n", promised: "60n", visits: 1, depth: 3, visitsReason: reasonSite,
		special: true, result: "办学许可证", basis: "《中华人民共和国民办教育促进法》第十二条、第十七条",
		materials: []string{"申办报告|r", "举办者资格证明文件|r", "拟任校长和教师资格证明|r", "资产及经费来源的证明文件|r", "学校章程|r,d"}},
	{key: "B0031", name: "最低生活保障审核确认", typ: "行政给付", dept: "MZJ", section: "S04", legal: "30", promised: "20", visits: 0, depth: 3,
		special: true, result: "最低生活保障金", basis: "《社会救助暂行办法》第十一条",
		materials: []string{"最低生活保障申请书|r", "家庭成员身份证件|r,c=居民身份证", "家庭经济状况核对授权书|r", "收入及财产状况声明|r,s"}},
	{key: "C0032", name: "残疾人证核发", typ: "公共服务", dept: "CLJ", section: "S04", legal: "30", promised: "15", visits: 1, depth: 2, visitsReason: "需到指定医院进行残疾评定",
		special: true, result: "中华人民共和国残疾人证", basis: "《中华人民共和国残疾人保障法》；《中华人民共和国残疾人证管理办法》",
		materials: []string{"残疾人证申请表|r", "申请人居民身份证|r,c=居民身份证", "近期免冠照片|r"}},
	// 公安服务
	{key: "G0033", name: "居民身份证申领", typ: "行政确认", dept: "GAJ", section: "S05", legal: "60n", promised: "20n", visits: 1, depth: 2, visitsReason: reasonBiometric,
		fee: "20元（工本费）", feeBasis: "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》",
		result: "居民身份证", basis: "《中华人民共和国居民身份证法》第八条",
		materials: []string{"居民户口簿|r,c=居民户口簿", "居民身份证申领登记表|r,s"}},
	{key: "G0034", name: "市内户口迁移", typ: "行政确认", dept: "GAJ", section: "S05", legal: "5", promised: "0", visits: 1, depth: 3, visitsReason: reasonOriginal,
		result: "居民户口簿", basis: "《中华人民共和国户口登记条例》第十条",
		materials: []string{"迁移人居民户口簿|r,c=居民户口簿", "迁入地合法稳定住所证明|r,c=不动产权证书", "户口迁移申请表|r"}},
	{key: "G0035", name: "出生登记", typ: "行政确认", dept: "GAJ", section: "S05", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "居民户口簿（户口登记）", basis: "《中华人民共和国户口登记条例》第七条",
		materials: []string{"出生医学证明|r,c=出生医学证明", "父母居民户口簿|r,c=居民户口簿", "父母结婚证|o,c=结婚证"}},
	{key: "A0036", name: "机动车驾驶证换证", typ: "行政许可", dept: "JJZD", section: "S05", legal: "1", promised: "0", visits: 0, depth: 4,
		fee: "10元（工本费）", feeBasis: "《国家发展改革委 财政部关于公安部门收取证照工本费有关问题的通知》",
		result: "机动车驾驶证", basis: "《中华人民共和国道路交通安全法》第二十条；《机动车驾驶证申领和使用规定》",
		materials: []string{"机动车驾驶人身份证明|r,c=居民身份证", "身体条件证明|r,s"}},
	{key: "A0037", name: "机动车注册登记", typ: "行政许可", dept: "JJZD", section: "S05", legal: "2", promised: "0", visits: 1, depth: 2, visitsReason: "需现场查验机动车",
		fee: "号牌100元、行驶证10元", feeBasis: "《国家发展改革委 财政部关于公安部门收取证照工本费有关问题的通知》",
		result: "机动车登记证书、号牌、行驶证", basis: "《中华人民共和国道路交通安全法》第八条、第九条",
		materials: []string{"机动车注册登记申请表|r", "机动车所有人身份证明|r,c=居民身份证", "购车发票|r,s", "机动车交通事故责任强制保险凭证|r,s", "车辆购置税完税证明|r,s"}},
	{key: "A0038", name: "普通护照签发", typ: "行政许可", dept: "CRJ", section: "S05", legal: "7", promised: "5", visits: 1, depth: 2, visitsReason: reasonBiometric,
		fee: "120元", feeBasis: "《国家发展改革委 财政部关于降低部分行政事业性收费标准的通知》（发改价格〔2019〕914号）",
		result: "普通护照", basis: "《中华人民共和国护照法》第五条、第六条",
		materials: []string{"中国公民出入境证件申请表|r,s", "居民身份证|r,c=居民身份证"}},
	// 税务服务
	{key: "Z0039", name: "个人所得税综合所得汇算清缴", typ: "其他行政权力", dept: "SWJ", section: "S06", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "完税证明", basis: "《中华人民共和国个人所得税法》第十一条",
		materials: []string{"个人所得税年度自行纳税申报表|r,s", "纳税人身份证件|r,c=居民身份证"}},
	// 人力资源和社会保障
	{key: "C0040", name: "就业失业登记", typ: "公共服务", dept: "RSJ", section: "S07", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "就业创业证", basis: "《就业服务与就业管理规定》第六十一条",
		materials: []string{"居民身份证|r,c=居民身份证", "就业失业登记表|r,s"}},
	{key: "B0041", name: "失业保险金申领", typ: "行政给付", dept: "SBZX", section: "S07", legal: "20", promised: "5", visits: 0, depth: 4,
		result: "失业保险金", basis: "《中华人民共和国社会保险法》第四十五条；《失业保险条例》",
		materials: []string{"居民身份证|r,c=居民身份证", "终止或解除劳动关系证明|r,s", "失业保险金申领登记表|r"}},
	{key: "C0042", name: "社会保障卡申领", typ: "公共服务", dept: "RSJ", section: "S07", legal: "15", promised: "5", visits: 0, depth: 4,
		result: "社会保障卡", basis: "《社会保障卡管理办法》",
		materials: []string{"居民身份证或户口簿|r,c=居民身份证", "近期免冠照片|r,s"}},
	{key: "C0043", name: "城乡居民基本养老保险参保登记", typ: "公共服务", dept: "SBZX", section: "S07", legal: "5", promised: "3", visits: 0, depth: 4,
		result: "参保信息", basis: "《国务院关于建立统一的城乡居民基本养老保险制度的意见》",
		materials: []string{"居民身份证|r,c=居民身份证", "城乡居民基本养老保险参保登记表|r"}},
	// 医疗保障
	{key: "C0044", name: "城乡居民基本医疗保险参保登记", typ: "公共服务", dept: "YBJ", section: "S08", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "参保信息", basis: "《中华人民共和国社会保险法》第二十五条",
		materials: []string{"居民身份证或户口簿|r,c=居民户口簿", "参保登记表|r,s"}},
	{key: "C0045", name: "异地就医备案", typ: "公共服务", dept: "YBJ", section: "S08", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "备案信息", basis: "《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》",
		materials: []string{"异地就医备案登记表|r", "参保人身份证件|r,c=居民身份证"}},
	{key: "B0046", name: "医疗费用手工（零星）报销", typ: "行政给付", dept: "YBJ", section: "S08", legal: "30", promised: "20", visits: 0, depth: 3,
		result: "医疗费用报销款", basis: "《中华人民共和国社会保险法》第二十九条",
		materials: []string{"医疗费用报销申请表|r", "医疗费用票据|r", "费用明细清单|r", "出院记录|r,d", "参保人身份证件|r,c=居民身份证"}},
	// 住房公积金
	{key: "C0047", name: "住房公积金提取（购买住房）", typ: "公共服务", dept: "GJJ", section: "S09", legal: "3", promised: "0", visits: 0, depth: 4,
		result: "公积金提取到账", basis: "《住房公积金管理条例》第二十四条",
		materials: []string{"住房公积金提取申请表|r", "身份证件|r,c=居民身份证", "购房合同或不动产权证书|r,c=不动产权证书", "本人银行卡|r,s"}},
	{key: "C0048", name: "住房公积金个人住房贷款", typ: "公共服务", dept: "GJJ", section: "S09", legal: "15", promised: "5", visits: 1, depth: 3, visitsReason: "需面签借款合同",
		result: "公积金贷款", basis: "《住房公积金管理条例》第二十六条",
		materials: []string{"个人住房公积金贷款申请表|r", "借款人身份证件|r,c=居民身份证", "婚姻状况证明|r,c=结婚证", "购房合同|r,s", "首付款证明|r,d"}},
	{key: "C0049", name: "住房公积金个人账户转移", typ: "公共服务", dept: "GJJ", section: "S09", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "账户转移到账", basis: "《住房公积金管理条例》",
		materials: []string{"身份证件|r,c=居民身份证", "转移申请|r,s"}},
	// 综合便民服务
	{key: "C0050", name: "低压用电报装", typ: "公共服务", dept: "GDGS", section: "S10", legal: "10", promised: "3", visits: 0, depth: 4,
		result: "供电合同及接电", basis: "《供电营业规则》",
		materials: []string{"用电申请书|r", "用电人身份证明|r,c=居民身份证", "用电地址产权证明|r,c=不动产权证书"}},
	{key: "C0051", name: "供水过户", typ: "公共服务", dept: "SWJT", section: "S10", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "用水户名变更", basis: "《城市供水条例》",
		materials: []string{"不动产权证书|r,c=不动产权证书", "新户主身份证件|r,c=居民身份证"}},
	{key: "C0052", name: "燃气过户", typ: "公共服务", dept: "RQGS", section: "S10", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "燃气户名变更", basis: "《城镇燃气管理条例》",
		materials: []string{"不动产权证书|r,c=不动产权证书", "新户主身份证件|r,c=居民身份证"}},
	{key: "C0053", name: "供热过户", typ: "公共服务", dept: "RLGS", section: "S10", legal: "5", promised: "0", visits: 0, depth: 4,
		result: "供热户名变更", basis: "《山东省供热条例》",
		materials: []string{"不动产权证书|r,c=不动产权证书", "新户主身份证件|r,c=居民身份证"}},
	{key: "C0054", name: "委托书公证", typ: "公共服务", dept: "GZC", section: "S10", legal: "15", promised: "5", visits: 1, depth: 2, visitsReason: "公证须当事人到场签字",
		fee: "200元/件", feeBasis: "《山东省公证服务收费标准》",
		result: "公证书", basis: "《中华人民共和国公证法》第十一条",
		materials: []string{"公证申请表|r", "申请人身份证件|r,c=居民身份证", "委托事项相关证明材料|r,d"}},
	{key: "B0055", name: "法律援助申请", typ: "行政给付", dept: "FLYZ", section: "S10", legal: "7", promised: "3", visits: 0, depth: 3,
		result: "给予法律援助决定书", basis: "《中华人民共和国法律援助法》第四十三条",
		materials: []string{"法律援助申请表|r", "申请人身份证件|r,c=居民身份证", "经济困难状况说明表|r,s", "与所申请法律援助事项有关的材料|r,d"}},
	{key: "A0056", name: "道路旅客运输经营许可", typ: "行政许可", dept: "JTYS", section: "S10", legal: "20", promised: "10", visits: 0, depth: 4,
		ext: true, result: "道路运输经营许可证", basis: "《中华人民共和国道路运输条例》第十条",
		materials: []string{"道路旅客运输经营申请表|r", "营业执照|r,c=营业执照", "企业章程文本|r", "安全生产管理制度文本|r,d"}},
	// 投资项目审批提速（issue 16）：企业投资项目核准和政府投资项目可行性研究报告审批由法定 20 个工作日
	// 压缩至 3 个工作日，用地预审与选址意见书等前置文件可容缺受理、承诺后补。
	{key: "A0057", name: "企业投资项目核准", typ: "行政许可", dept: "FGW", section: "S02", legal: "20", promised: "3", visits: 0, depth: 3,
		result: "项目核准文件", basis: "《企业投资项目核准和备案管理条例》第六条至第十条；《企业投资项目核准和备案管理办法》",
		conditions: "项目属于《政府核准的投资项目目录》所列、由市级核准的项目；符合国家法律法规和国民经济和社会发展规划、产业政策，合理开发并有效利用资源，不影响国家安全和生态安全，对公众利益特别是项目建设地的公众利益不产生重大不利影响。",
		materials:  []string{"项目申请报告|r", "营业执照|r,c=营业执照", "建设项目用地预审与选址意见书|r,d", "节能审查意见|r,d"}},
	{key: "A0058", name: "政府投资项目可行性研究报告审批", typ: "行政许可", dept: "FGW", section: "S02", legal: "20", promised: "3", visits: 0, depth: 3,
		result: "可行性研究报告批复", basis: "《政府投资条例》第九条、第十一条",
		conditions: "项目建议书已经批准（或列入规划、年度计划）；可行性研究报告对项目的必要性、技术经济可行性、社会效益及资金来源等作出分析论证，投资估算合理。",
		materials:  []string{"可行性研究报告审批申请文件|r", "可行性研究报告|r", "项目建议书批复文件|r", "建设项目用地预审与选址意见书|r,d", "社会稳定风险评估报告|r,d"}},
}

// demoUsers are the demo accounts, one or more per role, each with a person's name (as pages
// show the staff who acted).
var demoUsers = []struct{ username, name, role, dept, center string }{
	{"admin", "吴海燕", "admin", "", ""},
	{"clerk", "王敏", "clerk", "", ""},
	{"clerk_gjj", "孙丽", "clerk", "", ""}, // the 公积金 首席代表: finishes 住房公积金提取 at the window (OneStepGrants)
	{"approver", "李强", "approver", "XZSP", ""},
	{"approver_bdc", "张华", "approver", "BDC", ""},
	{"approver_gaj", "刘伟", "approver", "GAJ", ""},
	{"approver_swj", "陈晓雯", "approver", "SWJ", ""},
	{"approver_sbzx", "杨帆", "approver", "SBZX", ""},
	{"approver_gjj", "黄丽娟", "approver", "GJJ", ""},
	{"approver_zfbz", "赵志刚", "approver", "ZFBZ", ""},
	{"approver_zrzy", "郭静怡", "approver", "ZRZY", ""},
	{"approver_zjj", "马国庆", "approver", "ZJJ", ""},
	{"approver_fgw", "胡婷", "approver", "FGW", ""},
	{"agent", "赵磊", "agent", "", ""},
	{"hall", "陈静", "hall_manager", "", ""},
	{"supervisor", "刘洋", "supervisor", "", ""},
	{"hotline", "周芳", "hotline", "", ""},
	{"auditor", "孙伟", "auditor", "", ""},
	// 收受分离: a clerk at the 彭李街道 center accepts 全市通办 items of any county; the county's
	// department decides.
	{"clerk_pengli", "韩雪", "clerk", "", PengliCenter},
	{"clerk_zhanhua", "邢军", "clerk", "", "ZWFW-371603"},
	// a window clerk at every other center of the network, so a result sent anywhere can be handed out
	{"clerk_shizhong", "高洁", "clerk", "", ShizhongCenter},
	{"clerk_bincheng", "马超", "clerk", "", "ZWFW-371602"},
	{"clerk_huimin", "吕娜", "clerk", "", "ZWFW-371621"},
	{"clerk_yangxin", "石磊", "clerk", "", "ZWFW-371622"},
	{"clerk_wudi", "程雪", "clerk", "", "ZWFW-371623"},
	{"clerk_boxing", "魏东", "clerk", "", "ZWFW-371625"},
	{"clerk_zouping", "贾静", "clerk", "", "ZWFW-371681"},
	{"approver_gaj_zhanhua", "董建华", "approver", "GAJ-371603", "ZWFW-371603"},
	{"approver_rsj_zhanhua", "季红梅", "approver", "RSJ-371603", "ZWFW-371603"},
	{"approver_sbzx_zhanhua", "付晓", "approver", "SBZX-371603", "ZWFW-371603"}, // decides 沾化区's own 失业保险金申领
	{"approver_gaj_bincheng", "田志伟", "approver", "GAJ-371602", "ZWFW-371602"},
	{"approver_rsj_bincheng", "范丽", "approver", "RSJ-371602", "ZWFW-371602"},
	// 滨城区's supervisor: sees 滨城区's own center and its two township centers (市中街道, 彭李街道),
	// not the city's or another county's (统计：本区及下辖乡镇).
	{"supervisor_bincheng", "邵文", "supervisor", "", "ZWFW-371602"},
	// 沾化区's admin: derives 沾化区's implementing items from the city's standard (派生本地实施事项).
	{"admin_zhanhua", "沈兰", "admin", "", "ZWFW-371603"},
}

// DemoPassword is every demo account's password (printed by serve --demo).
const DemoPassword = "banhao-demo-2026"

// bundle is a demo 一件事: stages of item names, its limit and its merged form.
type bundle struct {
	code, name, desc string
	stages           [][2]any // {stage name, []item names}
	days             int
	deferrable       bool
	fields           []field
}

// field of a merged form; items "*" means every item of the bundle.
type field struct {
	key, label, typ string
	required        bool
	items           []string
	options         []string
}

var all = []string{"*"}

var demoBundles = []bundle{
	{code: "KBQY", name: "开办企业", desc: "营业执照、公章刻制、发票申领、社保登记、公积金缴存登记一表申请，3个工作日办结", days: 3,
		stages: [][2]any{{"并联办理", []string{"企业设立登记", "公章刻制备案", "发票领用", "单位社会保险登记", "住房公积金单位缴存登记"}}},
		fields: []field{
			{"company_name", "企业名称", "text", true, all, nil},
			{"company_kind", "企业类型", "choice", true, []string{"企业设立登记"}, []string{"有限责任公司", "股份有限公司", "个人独资企业", "合伙企业"}},
			{"capital", "注册资本（万元）", "number", true, []string{"企业设立登记"}, nil},
			{"business_scope", "经营范围", "text", true, []string{"企业设立登记", "发票领用"}, nil},
			{"address", "住所", "address", true, all, nil},
			{"legal_name", "法定代表人姓名", "text", true, all, nil},
			{"legal_id", "法定代表人身份证号", "id_number", true, all, nil},
			{"phone", "联系电话", "phone", true, all, nil},
			{"seal_kinds", "刻制印章", "choice", true, []string{"公章刻制备案"}, []string{"公章、财务章、发票章", "公章、财务章、发票章、合同章"}},
			{"employees", "参保职工人数", "number", false, []string{"单位社会保险登记", "住房公积金单位缴存登记"}, nil},
			{"bank_account", "基本存款账户", "text", false, []string{"发票领用", "单位社会保险登记", "住房公积金单位缴存登记"}, nil},
		}},
	{code: "ESFZY", name: "二手房转移登记（一窗办理）", desc: "网签备案、契税申报、不动产转移登记一窗受理，5个工作日办结", days: 5,
		stages: [][2]any{{"一窗受理并联办理", []string{"存量房买卖合同网签备案", "契税申报", "不动产转移登记（存量房买卖）"}}},
		fields: []field{
			{"seller_name", "出卖人", "text", true, all, nil},
			{"seller_id", "出卖人身份证号", "id_number", true, all, nil},
			{"buyer_name", "买受人", "text", true, all, nil},
			{"buyer_id", "买受人身份证号", "id_number", true, all, nil},
			{"buyer_phone", "买受人电话", "phone", true, all, nil},
			{"property_address", "房屋坐落", "address", true, all, nil},
			{"certificate_no", "不动产权证书号", "text", true, all, nil},
			{"price", "成交价格（元）", "number", true, []string{"存量房买卖合同网签备案", "契税申报"}, nil},
		}},
	{code: "GCJS", name: "工程建设项目审批", desc: "立项用地规划许可、工程建设许可、施工许可、竣工验收四个阶段，阶段内并联，全流程40个工作日", days: 40, deferrable: true,
		stages: [][2]any{
			{"立项用地规划许可", []string{"企业投资项目备案", "建设项目用地预审与选址意见书核发", "建设用地规划许可证核发"}},
			{"工程建设许可", []string{"建设工程规划许可证核发", "结合民用建筑修建防空地下室审批"}},
			{"施工许可", []string{"建设工程消防设计审查", "建筑工程施工许可证核发"}},
			{"竣工验收", []string{"建设工程竣工验收备案"}},
		},
		fields: []field{
			{"project_name", "项目名称", "text", true, all, nil},
			{"builder", "建设单位", "text", true, all, nil},
			{"builder_code", "建设单位统一社会信用代码", "credit_code", true, all, nil},
			{"contact_phone", "联系电话", "phone", true, all, nil},
			{"site", "建设地点", "address", true, all, nil},
			{"investment", "总投资（万元）", "number", true, []string{"企业投资项目备案", "建筑工程施工许可证核发"}, nil},
			{"land_area", "用地面积（平方米）", "number", true, []string{"建设项目用地预审与选址意见书核发", "建设用地规划许可证核发"}, nil},
			{"floor_area", "建筑面积（平方米）", "number", true, []string{"建设工程规划许可证核发", "结合民用建筑修建防空地下室审批", "建设工程消防设计审查", "建筑工程施工许可证核发", "建设工程竣工验收备案"}, nil},
		}},
	{code: "XSECS", name: "新生儿出生一件事", desc: "出生医学证明、户口登记、医保参保、社保卡申领一次办", days: 5,
		stages: [][2]any{{"出生医学证明", []string{"出生医学证明首次签发"}}, {"落户与参保", []string{"出生登记", "城乡居民基本医疗保险参保登记", "社会保障卡申领"}}},
		fields: []field{
			{"baby_name", "新生儿姓名", "text", true, all, nil},
			{"birth_date", "出生日期", "date", true, all, nil},
			{"baby_sex", "性别", "choice", true, all, []string{"男", "女"}},
			{"hospital", "出生医院", "text", true, []string{"出生医学证明首次签发"}, nil},
			{"mother_name", "母亲姓名", "text", true, all, nil},
			{"mother_id", "母亲身份证号", "id_number", true, all, nil},
			{"father_name", "父亲姓名", "text", false, all, nil},
			{"father_id", "父亲身份证号", "id_number", false, all, nil},
			{"phone", "联系电话", "phone", true, all, nil},
			{"household_address", "户籍地址", "address", true, []string{"出生登记"}, nil},
		}},
	{code: "BDCSDQN", name: "不动产登记与水电气暖过户联办", desc: "不动产转移登记与供水、燃气、供热过户一次申请", days: 5,
		stages: [][2]any{{"联办", []string{"不动产转移登记（存量房买卖）", "供水过户", "燃气过户", "供热过户"}}},
		fields: []field{
			{"buyer_name", "新户主（买受人）", "text", true, all, nil},
			{"buyer_id", "新户主身份证号", "id_number", true, all, nil},
			{"buyer_phone", "联系电话", "phone", true, all, nil},
			{"property_address", "房屋坐落", "address", true, all, nil},
			{"certificate_no", "不动产权证书号", "text", true, all, nil},
			{"water_account", "供水户号", "text", false, []string{"供水过户"}, nil},
			{"gas_account", "燃气户号", "text", false, []string{"燃气过户"}, nil},
			{"heat_account", "供热户号", "text", false, []string{"供热过户"}, nil},
		}},
}
