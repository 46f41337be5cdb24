package web

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"banhao/calendar"
	"banhao/certs"
	"banhao/pdfdoc"
)

// TestExpiredCertificateDoc: an expired certificate prints 已过期 across the page with the day
// it lapsed, no seal and never 同等法律效力 — a printout must not pass for a valid licence. A
// valid one keeps the sentence.
func TestExpiredCertificateDoc(t *testing.T) {
	t.Parallel()
	exp, _ := calendar.ParseDate("2026-06-30")
	c := certs.Certificate{ID: "1.2.156.3005.2.SPJY.X.00000001.1.A", Type: "食品经营许可证", Number: "JY13716030000001",
		HolderKind: certs.Org, HolderName: "滨州市示例超市有限公司", HolderID: "91371600MA3C000001",
		IssuerName: "滨州市行政审批服务局", IssuedOn: exp - 365*5, ExpiresOn: &exp,
		Status: certs.Expired, StatusName: certs.StatusNames[certs.Expired]}
	doc := certificateDoc(c, "滨州市政务服务中心", "https://example.org/v", time.UTC)
	if doc.Void != "已过期" || strings.Contains(doc.Note, "同等法律效力") || !strings.Contains(doc.Note, "2026年6月30日") ||
		!strings.Contains(doc.Note, "不再具有法律效力") {
		t.Errorf("expired certificate: void %q, note %q", doc.Void, doc.Note)
	}
	valid := c
	valid.Status, valid.StatusName = certs.Valid, certs.StatusNames[certs.Valid]
	if d := certificateDoc(valid, "滨州市政务服务中心", "https://example.org/v", time.UTC); d.Void != "" || !strings.Contains(d.Note, "同等法律效力") {
		t.Errorf("valid certificate: void %q, note %q", d.Void, d.Note)
	}

	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("BANHAO_TEST_BROWSER") != "" {
			t.Fatal("pdftotext (poppler-utils) is required")
		}
		return
	}
	var buf bytes.Buffer
	if err := pdfdoc.WriteCertificate(&buf, doc, time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "expired.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	if strings.Count(text, "已过期") < 3 || strings.Contains(text, "同等法律效力") || strings.Contains(text, "盖章") {
		t.Errorf("the expired certificate's PDF reads: %s", text)
	}
}
