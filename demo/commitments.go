package demo

import "banhao/catalog"

// The demo's 告知承诺 items (issue 16) and their 承诺书: 食品经营许可 for low-risk retail (仅销售预包装
// 食品) and the district's 公众聚集场所投入使用、营业前消防安全检查. Each is checked afterwards within
// CommitmentPostCheckDays working days.

// CommitmentPostCheckDays is the demo's 事后核查时限 (working days).
const CommitmentPostCheckDays = 20

// FireCheckItemName is the district item the demo runs under 告知承诺.
const FireCheckItemName = "公众聚集场所投入使用、营业前消防安全检查"

var commitments = map[string]string{
	"A0005": "本人（单位）申请食品经营许可，仅从事预包装食品销售（含冷藏冷冻），不从事散装食品、特殊食品销售及餐饮服务。现郑重承诺：" +
		"一、经营场所、设施设备、食品安全管理制度和人员符合《中华人民共和国食品安全法》及《食品经营许可和备案管理办法》规定的条件；" +
		"二、所填信息和所交材料真实、准确、完整，复印件与原件一致；" +
		"三、自觉接受市场监管部门的事后核查，核查发现与承诺不符的，愿意承担许可被撤销的后果，并同意将失信情况记入信用记录。",
}

// commitmentScopes say what each 告知承诺 item's commitment path covers (catalog.Item.CommitmentScope).
var commitmentScopes = map[string]string{
	"A0005": "仅限从事预包装食品销售（含冷藏冷冻）的低风险经营者，不含散装食品、特殊食品销售和餐饮服务",
}

// fireCheckScope is what the fire check's commitment path covers.
const fireCheckScope = "仅限已依法通过消防验收或备案的公众聚集场所"

// fireCheckCommitment is the 承诺书 of 公众聚集场所投入使用、营业前消防安全检查.
const fireCheckCommitment = "本单位申请公众聚集场所投入使用、营业前消防安全检查，现郑重承诺：" +
	"一、场所已依法通过消防验收或备案，消防设施、器材和消防安全标志按国家标准、行业标准配置并保持完好有效；" +
	"二、疏散通道、安全出口、消防车通道畅通，室内装修材料符合消防技术标准；" +
	"三、已建立消防安全制度，确定消防安全管理人，员工经过消防安全培训；" +
	"四、所交材料真实有效，自觉接受消防救援机构的事后核查，承诺不实的，愿意承担许可被撤销的后果，并同意将失信情况记入信用记录。"

// commitmentMode puts a district item the demo runs under 告知承诺 in that mode.
func commitmentMode(it *catalog.Item) {
	if it.Name != FireCheckItemName {
		return
	}
	it.HandlingMode, it.ReformMode = catalog.ModeCommitment, catalog.ReformCommitment
	it.Commitment, it.PostCheckDays, it.CommitmentScope = fireCheckCommitment, CommitmentPostCheckDays, fireCheckScope
}
