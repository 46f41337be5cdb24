package catalog_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/store/storetest"
)

// phrases are what people type into the search box, each with what it must find among the
// first five items (or the bundles shown with them): every target; "a|b" accepts either;
// "一件事:" names a bundle.
var phrases = []struct{ q, want string }{
	{"营业执照", "企业设立登记"},
	{"开公司", "企业设立登记, 一件事:开办企业"},
	{"刻章", "公章刻制备案"},
	{"二手房过户", "不动产转移登记（存量房买卖）, 一件事:二手房转移登记（一窗办理）"},
	{"结婚", "内地居民婚姻登记"},
	{"给孩子上户口", "出生登记, 一件事:新生儿出生一件事"},
	{"身份证丢了", "居民身份证申领"},
	{"换驾照", "机动车驾驶证换证"},
	{"失业金", "失业保险金申领"},
	{"社保卡", "社会保障卡申领"},
	{"低保", "最低生活保障审核确认"},
	{"提取公积金", "住房公积金提取（购买住房）"},
	{"开饭店", "食品经营许可"},
	{"孩子上学", "学前教育、义务教育阶段入学办理|进城务工人员随迁子女接受义务教育入学申请办理"},
	{"gjj", "住房公积金提取（购买住房）"},
	{"gongjijin", "住房公积金提取（购买住房）"},
	{"退休", "城乡居民基本养老保险参保登记"},
	{"生孩子", "出生医学证明首次签发, 一件事:新生儿出生一件事"},
	{"办健康证", "食品经营许可"},
	{"开药店", "药品零售企业经营许可"},
	{"医保报销", "医疗费用手工（零星）报销"},
	{"买房贷款", "住房公积金个人住房贷款"},
	{"办护照", "普通护照签发"},
	{"出国", "普通护照签发"},
	{"离婚", "内地居民婚姻登记"},
	{"领结婚证", "内地居民婚姻登记"},
	{"迁户口", "市内户口迁移"},
	{"新车上牌", "机动车注册登记"},
	{"驾照到期了怎么办", "机动车驾驶证换证"},
	{"个税退税", "个人所得税综合所得汇算清缴"},
	{"开发票", "发票领用"},
	{"公司注销", "企业注销登记"},
	{"变更法人", "企业变更登记"},
	{"个体户", "个体工商户设立登记"},
	{"施工许可证", "建筑工程施工许可证核发"},
	{"环评", "建设项目环境影响报告表审批"},
	{"消防审查", "建设工程消防设计审查"},
	{"契税", "契税申报"},
	{"网签", "存量房买卖合同网签备案"},
	{"查房产", "不动产登记资料查询"},
	{"房屋抵押", "不动产抵押权登记"},
	{"残疾证", "残疾人证核发"},
	{"法律援助", "法律援助申请"},
	{"公证", "委托书公证"},
	{"异地就医", "异地就医备案"},
	{"交医保", "城乡居民基本医疗保险参保登记"},
	{"养老保险", "城乡居民基本养老保险参保登记"},
	{"失业登记", "就业失业登记"},
	{"公积金贷款", "住房公积金个人住房贷款"},
	{"公积金转移", "住房公积金个人账户转移"},
	{"水电气暖过户", "一件事:不动产登记与水电气暖过户联办"},
	{"燃气过户", "燃气过户"},
	{"暖气过户", "供热过户"},
	{"装电表", "低压用电报装"},
	{"出生证明", "出生医学证明首次签发"},
	{"开办企业", "一件事:开办企业"},
	{"工程建设项目", "一件事:工程建设项目审批"},
	{"项目立项", "企业投资项目备案"},
	{"人防", "结合民用建筑修建防空地下室审批"},
	{"医师执业", "医师执业注册"},
	{"开培训学校", "民办学校设立审批"},
	{"客运许可", "道路旅客运输经营许可"},
	{"社保卡丢了怎么补办", "社会保障卡申领"},
	{"我要办理营业执照需要什么材料", "企业设立登记"},
	{"身份证过期去哪里换", "居民身份证申领"},
	{"sbk", "社会保障卡申领"},
	{"yingyezhizhao", "企业设立登记"},
	{"不动产登记", "不动产转移登记（存量房买卖）|国有建设用地使用权及房屋所有权首次登记|不动产抵押权登记"},
	{"公安局", "居民身份证申领|市内户口迁移|出生登记|机动车驾驶证换证"},
	{"找工作", "就业失业登记"},
	{"选址意见书", "建设项目用地预审与选址意见书核发"},
	{"竣工验收", "建设工程竣工验收备案"},
	{"宝宝落户", "出生登记"},
	{"外地看病报销", "异地就医备案|医疗费用手工（零星）报销"},
	{"A370001", "企业设立登记"},
	{"怎么交社保", "城乡居民基本养老保险参保登记|单位社会保险登记"},
	{"买二手房", "不动产转移登记（存量房买卖）"},
	{"公司 变更 地址", "企业变更登记"},
	{"ＧＪＪ", "住房公积金提取（购买住房）"},
	{"生二胎", "出生登记, 一件事:新生儿出生一件事"},
	{"卖烟", "烟草专卖零售许可证新办"},
	{"结昏", "内地居民婚姻登记"},
	{"社报卡", "社会保障卡申领"},
	{"公基金", "住房公积金提取（购买住房）"},
	{"医宝", "城乡居民基本医疗保险参保登记"},
}

// misleading are phrases whose bundle (一件事) only shares a word with them: it must not be
// shown above the items, where it would be read as the answer.
var misleading = []struct{ q, bundle string }{
	{"sfz", "二手房转移登记（一窗办理）"},
	{"失业金", "开办企业"},
	{"找工作", "开办企业"},
	{"社保转移", "二手房转移登记（一窗办理）"},
	{"医保异地", "新生儿出生一件事"},
	{"孩子入学", "新生儿出生一件事"},
	{"税务登记", "不动产登记与水电气暖过户联办"},
	{"餐馆许可证", "工程建设项目审批"},
}

// unrelated are phrases that share only a common word (证明, 备案, 补办, 车辆) with an item: it
// must not be among the first five results nor the suggestions.
var unrelated = []struct{ q, item string }{
	{"死亡证明", "企业投资项目备案"},
	{"劳动合同", "公章刻制备案"},
	{"招聘备案", "公章刻制备案"},
	{"车辆年检", "普通护照签发"},
	{"GJJ", "对在河道管理范围内从事有关活动造成国家、集体、个人经济损失的裁决"},
	{"补办结婚证", "烟草专卖零售许可证补办"},
	{"生二胎", "国家二级和省重点保护水生野生动物猎捕许可"},
}

// TestSearchPhrases: the demo catalog as loaded, searched with the phrases people type; at
// least 90 % of them find what they must in the first five results.
func TestSearchPhrases(t *testing.T) {
	svc := demoCatalog(t)
	ctx := context.Background()
	if len(phrases) < 60 {
		t.Fatalf("only %d phrases", len(phrases))
	}
	found := 0
	for _, p := range phrases {
		res, err := svc.Search(ctx, catalog.Query{Q: p.q, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range res.Items {
			got = append(got, it.Name)
		}
		for _, b := range res.Bundles {
			got = append(got, "一件事:"+b.Name)
		}
		var missing []string
		for _, want := range strings.Split(p.want, ", ") {
			if !slices.ContainsFunc(strings.Split(want, "|"), func(w string) bool { return slices.Contains(got, w) }) {
				missing = append(missing, want)
			}
		}
		if len(missing) == 0 {
			found++
			continue
		}
		t.Logf("miss %q: wanted %s; got %s", p.q, strings.Join(missing, "、"), strings.Join(got, "、"))
	}
	for _, m := range misleading {
		res, err := svc.Search(ctx, catalog.Query{Q: m.q, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(res.Bundles, func(b catalog.BundleSummary) bool { return b.Name == m.bundle }) {
			t.Errorf("%q shows the bundle %s above its items", m.q, m.bundle)
		}
	}
	for _, u := range unrelated {
		res, err := svc.Search(ctx, catalog.Query{Q: u.q, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(append(res.Items, res.Suggestions...), func(s catalog.Summary) bool { return s.Name == u.item }) {
			t.Errorf("%q offers %s", u.q, u.item)
		}
	}
	recall := float64(found) / float64(len(phrases))
	t.Logf("recall@5: %d of %d phrases (%.1f %%)", found, len(phrases), recall*100)
	if recall < 0.9 {
		t.Errorf("recall@5 %.1f %% < 90 %%", recall*100)
	}
}

// TestSearchByWholeCode: a clerk or an integration may look an item up by its whole
// implementation code (API.md: q matches any part of the name or the code); every published demo
// item comes back, first, for its own code.
func TestSearchByWholeCode(t *testing.T) {
	svc := demoCatalog(t)
	ctx := context.Background()
	all, err := svc.Search(ctx, catalog.Query{Limit: catalog.MaxPage})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Items) == 0 {
		t.Fatal("no published items")
	}
	for _, it := range all.Items {
		res, err := svc.Search(ctx, catalog.Query{Q: it.Code, Limit: 5})
		if err != nil {
			t.Fatalf("search by code %s: %v", it.Code, err)
		}
		if len(res.Items) == 0 || res.Items[0].Code != it.Code {
			t.Errorf("search by code %s: first of %d results is %v", it.Code, res.Total, res.Items)
		}
	}
}

// demoCatalog is the real demo catalog imported into a fresh SQLite database.
func demoCatalog(t *testing.T) *catalog.Service {
	t.Helper()
	svc, _ := newServiceTB(t, storetest.SQLite(t))
	loadDemo(t, svc)
	return svc
}
