package catalog_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"banhao/catalog"
	"banhao/demo"
	"banhao/store/storetest"
)

// BenchmarkSearch5000 searches a 5,000-item catalog with keywords and pinyin the way citizens
// do (parts of names and codes, everyday words and phrases, pinyin and initials) and reports the
// median and 99th percentile latency. Target (issues 2 and 12): p99 < 5 ms in-process.
func BenchmarkSearch5000(b *testing.B) {
	db := storetest.SQLite(b)
	svc, _ := newServiceTB(b, db)
	f, err := demo.SyntheticCatalog(5000)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.Import(ctx, admin, f); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Search(ctx, catalog.Query{Q: "x"}); err != nil { // load the snapshot
		b.Fatal(err)
	}
	queries := []string{"营业执照", "公积金", "不动产", "许可", "登记", "驾驶", "社会保险", "医疗", "3716", "施工", "",
		"给孩子上户口", "身份证丢了", "我要办理营业执照需要什么材料", "gjj", "gongjijin", "开饭店", "二手房过户", "老人去世了要办什么", "qwerty"}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t := time.Now()
		if _, err := svc.Search(ctx, catalog.Query{Q: queries[i%len(queries)], Limit: 20}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
