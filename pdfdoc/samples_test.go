package pdfdoc_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"banhao/catalog"
	"banhao/demo"
	"banhao/pdfdoc"
)

var printedAt = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// demoCatalog is the demo catalog with the department and section names filled in, as the
// catalog service hands items out.
func demoCatalog(t testing.TB) []catalog.Item {
	t.Helper()
	f, err := demo.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	depts, sections := map[string]string{}, map[string]string{}
	for _, d := range f.Departments {
		depts[d.Code] = d.Name
	}
	for _, s := range f.Sections {
		sections[s.Code] = s.Name
	}
	for i := range f.Items {
		f.Items[i].Department.Name = depts[f.Items[i].Department.Code]
		f.Items[i].Section.Name = sections[f.Items[i].Section.Code]
		f.Items[i].Version = 1
	}
	return f.Items
}

// sampleLetter is a 容缺受理通知书 as cases.Letter composes it.
func sampleLetter() pdfdoc.Letter {
	return pdfdoc.Letter{Center: "滨州市政务服务中心", Title: "容缺受理通知书", Number: "编号：BZ20261125000123-D4F2A91",
		To:   "滨州市某某科技有限公司",
		Body: []string{"你（单位）于 2026年11月24日 提出的「企业设立登记」申请，经审查，申请材料齐全、符合法定形式（或按容缺受理规定可先行受理），本机关决定予以受理。"},
		Facts: [][2]string{{"办件编号", "BZ20261125000123"}, {"申请事项", "企业设立登记"}, {"申请人", "滨州市某某科技有限公司"},
			{"申请日期", "2026年11月24日"}, {"受理日期", "2026年11月25日"}, {"承诺时限", "3个工作日（受理当日不计算在内，法定节假日顺延）"}, {"承诺办结日期", "2026年11月28日"}},
		ListTitle: "容缺材料及承诺补交日期", ListHead: []string{"材料", "承诺补交日期", "状态"}, ListWeights: []float64{5, 3, 2},
		List: [][]string{{"住所使用相关文件", "2026年12月2日", "待补交"}},
		Closing: []string{"申请人承诺在上述日期前补齐容缺材料。容缺材料补齐前，本机关不作出审批决定；逾期未补齐的，将依照规定终止办理，已提交材料退还申请人。",
			"本人已知晓并同意上述容缺受理承诺事项。", "可凭办件编号和手机号后四位在政务服务中心网站或自助终端查询办理进度。"},
		Signature: []string{"申请人（签字）：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿＿＿＿＿"},
		Issuer:    "滨州市行政审批服务局", IssuedOn: "2026年11月25日",
		VerifyURL: "http://127.0.0.1:8080/api/v1/verify/D4F2A91C00112233AABB", VerifyTip: "扫码核验真伪 D4F2A91C00112233AABB"}
}

// sampleCertificate is a person's certificate as the web prints it.
func sampleCertificate() pdfdoc.Certificate {
	return pdfdoc.Certificate{Center: "滨州市政务服务中心", Title: "执业药师注册证", Number: "ZYYS-2023-000117", Holder: "张明",
		HolderIDLabel: "公民身份号码", HolderID: "3716**********0012",
		Fields:   [][2]string{{"执业类别", "药学"}, {"执业范围", "药品经营"}, {"执业单位", "滨州市某某大药房连锁有限公司黄河五路店"}},
		Validity: "2023年9月1日 至 2028年8月31日", Status: "有效", Issuer: "滨州市市场监督管理局", IssuedOn: "2023年9月1日",
		Identifier: "1.2.156.3005.2.ZYYSZC.11371600MB0000117X.0001.K", VerifyURL: "http://127.0.0.1:8080/api/v1/verify/1.2.156.3005.2.ZYYSZC.11371600MB0000117X.0001.K",
		Note: "本电子证照由发证机关签发，与纸质证照具有同等法律效力。扫描左下角二维码或访问核验地址，可核验其真伪和当前状态。"}
}

// TestWriteSamples writes one of every document kind into $BANHAO_PDF_SAMPLES, to look at
// (pdftoppm -r 60 -png). Without the variable it only checks that each renders.
func TestWriteSamples(t *testing.T) {
	items := demoCatalog(t)
	docs := map[string]func(*bytes.Buffer) error{
		"notice.pdf": func(b *bytes.Buffer) error {
			return pdfdoc.Notice(b, items[0], "滨州市政务服务中心", "http://127.0.0.1:8080/items/"+items[0].Code, printedAt)
		},
		"notice-longest.pdf": func(b *bytes.Buffer) error {
			it := longest(items)
			return pdfdoc.Notice(b, it, "滨州市政务服务中心", "http://127.0.0.1:8080/items/"+it.Code, printedAt)
		},
		"guidebook.pdf": func(b *bytes.Buffer) error {
			return pdfdoc.GuideBook(b, items, "滨州市政务服务中心", printedAt)
		},
		"letter.pdf":      func(b *bytes.Buffer) error { return pdfdoc.WriteLetter(b, sampleLetter(), printedAt) },
		"certificate.pdf": func(b *bytes.Buffer) error { return pdfdoc.WriteCertificate(b, sampleCertificate(), printedAt) },
	}
	dir := os.Getenv("BANHAO_PDF_SAMPLES")
	for name, write := range docs {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// longest is the fully specified item with the most to print.
func longest(items []catalog.Item) catalog.Item {
	best, size := items[0], 0
	for _, it := range items {
		n := len(it.Conditions) + len(it.LegalBasis) + len(it.Fee.Standard) + len(it.Fee.Basis) + len(it.VisitsReason)
		for _, m := range it.Materials {
			n += len(m.Name) + 200
		}
		if n > size {
			best, size = it, n
		}
	}
	return best
}
