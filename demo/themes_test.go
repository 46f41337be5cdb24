package demo_test

import (
	"slices"
	"testing"

	"banhao/catalog"
	"banhao/demo"
)

// The themes of the demo catalog list what a person or a company looks for there: a person's
// theme holds no licence of a trade or an institution's item, 注销 no person's certificate, and
// every person's theme lists something.
func TestDemoThemesForPersonsAndCompanies(t *testing.T) {
	f, err := demo.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	misplaced := map[string][]string{
		"medical":         {"医疗用毒性药品购用审批", "麻醉药品和第一类精神药品购用许可新办审批", "执业兽医从事动物诊疗活动的执业注册", "医院评审", "零售药店申请定点协议管理"},
		"household":       {"开办互联网上网服务营业场所", "中国税收居民身份证明的开具"},
		"social_security": {"社会团体成立登记", "慈善组织认定", "民办非企业单位修改章程核准"},
		"birth":           {"母婴保健技术服务机构执业许可校验"},
		"company_setup":   {"筹备设立寺院、宫观、清真寺、教堂审批"},
		"deregistration":  {"残疾人证注销", "基层法律服务工作者执业注销"},
	}
	names := map[string]bool{}
	count := map[string]int{}
	for _, it := range f.Items {
		names[it.Name] = true
		for _, th := range it.Themes {
			count[th]++
			if slices.Contains(misplaced[th], it.Name) {
				t.Errorf("%s is in the theme %s", it.Name, th)
			}
		}
	}
	for _, b := range f.Bundles {
		for _, th := range b.Themes {
			count[th]++
		}
	}
	for th, list := range misplaced {
		for _, n := range list {
			if !names[n] {
				t.Errorf("%s (listed for %s) is not in the demo catalog: the check cannot fail", n, th)
			}
		}
	}
	for _, th := range catalog.Themes {
		if th.For == "person" && count[th.Code] == 0 {
			t.Errorf("the theme %s lists nothing", th.Name)
		}
	}
	if got := demo.DistrictThemes("残疾人证注销", "CLJ"); slices.Contains(got, "deregistration") {
		t.Errorf("残疾人证注销: %v", got)
	}
	if got := demo.DistrictThemes("食品小经营店备案注销", "SCJG"); !slices.Contains(got, "deregistration") {
		t.Errorf("食品小经营店备案注销: %v", got)
	}
}
