package demo

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"banhao/audit"
	"banhao/calendar"
	"banhao/certs"
	"banhao/errs"
	"banhao/identity"
	"banhao/ids"
)

// knownTypes gives the common certificate types their codes and validity; every other type a
// demo material or result names gets a numbered code.
var knownTypes = map[string]certs.Type{
	"营业执照":    {Code: "YYZZ", HolderKind: certs.Org},
	"居民身份证":   {Code: "JMSFZ", HolderKind: certs.Person, ValidYears: 20},
	"执业药师注册证": {Code: "ZYYSZC", HolderKind: certs.Person, ValidYears: 5},
	"食品经营许可证": {Code: "SPJYXK", HolderKind: certs.Org, ValidYears: 5},
	"不动产权证书":  {Code: "BDCQZS", HolderKind: certs.Person}, // the second-hand house's buyer is a person
	"药品经营许可证": {Code: "YPJYXK", HolderKind: certs.Org, ValidYears: 5},
}

// heldByPeople are the other types whose holder is a person (自然人): every type not here nor
// in knownTypes is held by organisations (法人和其他组织).
var heldByPeople = map[string]bool{
	"居民户口簿": true, "结婚证": true, "出生医学证明": true, "医师执业证书": true, "医师资格证书": true,
	"公证书": true, // 委托书公证 is a citizen's (its applicant shows a 居民身份证)
}

// isCertificateName says whether a result name is a certificate (证照) rather than a notice or
// a record.
func isCertificateName(name string) bool {
	for _, suffix := range []string{"执照", "许可证", "证书", "意见书", "备案证明", "注册证"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

// CertificateTypes are the demo's certificate types: every type a material of a fully
// specified item asks for, and every certificate such an item issues.
func CertificateTypes() []certs.Type {
	names := map[string]bool{}
	for _, s := range fullItems {
		if isCertificateName(s.result) {
			names[s.result] = true
		}
		for _, m := range s.materials {
			_, flags, _ := strings.Cut(m, "|")
			for _, fl := range strings.Split(flags, ",") {
				if n, ok := strings.CutPrefix(fl, "c="); ok {
					names[n] = true
				}
			}
		}
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var out []certs.Type
	for i, n := range sorted {
		t, ok := knownTypes[n]
		if !ok {
			t = certs.Type{Code: fmt.Sprintf("ZZ%03d", i+1), HolderKind: certs.Org}
			if heldByPeople[n] {
				t.HolderKind = certs.Person
			}
		}
		t.Name = n
		out = append(out, t)
	}
	return out
}

// A demo citizen and a demo company, with their accounts and certificates.
var (
	CitizenName  = "张明"
	CitizenID    = completeID("37160219850315002")
	CitizenPhone = "13805430001"
	CompanyName  = "滨州市黄河科技有限公司"
	CompanyCode  = completeCredit("91371600MA3C8HDT0")
	CompanyPhone = "13805430002"
)

func completeID(first17 string) string {
	c, _ := ids.IDNumberCheck(first17)
	return first17 + string(c)
}

func completeCredit(first17 string) string {
	c, ok := ids.CreditCodeCheck(first17)
	if !ok {
		panic("demo: bad credit code " + first17)
	}
	return first17 + string(c)
}

// LoadCertificates adds the certificate types, the demo citizen's and company's accounts and
// the certificates they hold: the company's business licence, the citizen's ID card and
// pharmacist registration.
func LoadCertificates(ctx context.Context, lib *certs.Service, people *identity.Applicants) (err error) {
	defer errs.Wrap(&err, "demo.LoadCertificates")
	for _, t := range CertificateTypes() {
		if err := lib.SaveType(ctx, audit.System, t); err != nil {
			return fmt.Errorf("demo certificate type %s: %w", t.Name, err)
		}
	}
	if _, err := people.Register(ctx, audit.System, identity.NewApplicant{Kind: identity.PersonApplicant, Name: CitizenName, IDNumber: CitizenID, Phone: CitizenPhone}); err != nil {
		return err
	}
	if _, err := people.Register(ctx, audit.System, identity.NewApplicant{Kind: identity.OrgApplicant, Name: CompanyName, IDNumber: CompanyCode,
		Phone: CompanyPhone, LegalRep: CitizenName}); err != nil {
		return err
	}
	xzsp, gaj, scj := creditCode(indexOf("XZSP")), creditCode(indexOf("GAJ")), creditCode(indexOf("SCJG"))
	d := calendar.MustDate
	for _, in := range []certs.Input{
		{Type: "营业执照", HolderName: CompanyName, HolderID: CompanyCode, IssuerCode: xzsp, IssuerName: departmentName("XZSP"), IssuedOn: ptr(d("2024-03-18")),
			Data: map[string]any{"法定代表人": CitizenName, "注册资本": "500 万元", "住所": "滨州市滨城区黄河五路 500 号", "经营范围": "软件开发；信息技术咨询服务"}},
		{Type: "居民身份证", HolderName: CitizenName, HolderID: CitizenID, IssuerCode: gaj, IssuerName: departmentName("GAJ"), IssuedOn: ptr(d("2019-06-01")),
			Data: map[string]any{"住址": "山东省滨州市滨城区黄河八路 100 号"}},
		{Type: "执业药师注册证", HolderName: CitizenName, HolderID: CitizenID, IssuerCode: scj, IssuerName: departmentName("SCJG"), IssuedOn: ptr(d("2023-09-01"))},
	} {
		if _, err := lib.Issue(ctx, audit.System, in); err != nil {
			return fmt.Errorf("demo certificate %s: %w", in.Type, err)
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func indexOf(dept string) int {
	for i, d := range departments {
		if d.code == dept {
			return i
		}
	}
	panic("demo: no department " + dept)
}

func departmentName(dept string) string { return departments[indexOf(dept)].name }
