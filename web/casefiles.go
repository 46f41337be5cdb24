package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"unicode"

	"banhao/cases"
	"banhao/files"
)

// Materials in the back office: staff working on a case open its uploaded materials — PDFs and
// images inline in the case page, anything as a download. Who may is cases.MayReadMaterials;
// every read goes on the applicant's data-access list (cases.ReadMaterial).

// inlineTypes are the content types a browser may show in the page: its PDF viewer and images
// (never SVG, which is a document that can carry script).
var inlineTypes = map[string]string{"application/pdf": "pdf", "image/png": "image", "image/jpeg": "image", "image/gif": "image", "image/webp": "image"}

// fileCSP sandboxes a served material: an opaque origin, no script, no plugin, no form, no
// request anywhere; only this site's pages may frame it.
const fileCSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'"

func (s *Server) registerCaseFiles() {
	s.handle("GET", "/api/v1/cases/{number}/files/{file_id}", API, roles(cases.MaterialReaders...), s.caseFile)
	s.handle("GET", "/cases/{number}/files/{file_id}", Page, roles(cases.MaterialReaders...), s.caseFile)
}

// caseFile serves a material's bytes with its stored content type. It opens inline only when
// the type is a PDF or an image and the bytes still sniff as that type; anything else, or when
// ?download=1 asks for it, is an attachment.
func (s *Server) caseFile(w http.ResponseWriter, r *http.Request) error {
	f, m, err := s.Cases.ReadMaterial(r.Context(), actor(r), r.PathValue("number"), r.PathValue("file_id"))
	if err != nil {
		return err
	}
	rc, err := s.Files.Open(f)
	if err != nil {
		return fmt.Errorf("open material %s: %w", f.ID, err)
	}
	defer rc.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	head = head[:n]
	_, known := inlineTypes[f.ContentType]
	inline := known && sniffed(head) == f.ContentType && r.URL.Query().Get("download") == ""
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", contentDisposition(inline, materialFileName(m.Name, f)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", fileCSP)
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "private, no-store") // each look is a read, and on the applicant's list
	h.Set("Content-Length", fmt.Sprint(f.Size))
	_, err = io.Copy(w, io.MultiReader(bytes.NewReader(head), rc))
	return err
}

// sniffed is the content type the bytes show, without parameters.
func sniffed(head []byte) string {
	ct := http.DetectContentType(head)
	if i := strings.Index(ct, ";"); i > 0 {
		ct = ct[:i]
	}
	return ct
}

// materialFileName names a material's file for the person saving it: the material's name and
// the extension of its type (or of the uploaded name).
func materialFileName(material string, f files.File) string {
	ext := files.Allowed[f.ContentType]
	if ext == "" {
		ext = strings.ToLower(filepath.Ext(f.Name))
	}
	name := strings.TrimSpace(material)
	if name == "" {
		name = strings.TrimSuffix(f.Name, filepath.Ext(f.Name))
	}
	return name + ext
}

// contentDisposition is the RFC 6266 header for a file name: an ASCII fallback in filename= and
// the name itself, UTF-8 and percent-encoded, in filename* (RFC 8187). Neither can break out of the header: control
// characters, quotes, backslashes and path separators are replaced.
func contentDisposition(inline bool, name string) string {
	kind := "attachment"
	if inline {
		kind = "inline"
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`"\/:*?<>|`, r) || r == unicode.ReplacementChar {
			return '_'
		}
		return r
	}, name)
	if strings.Trim(name, "._ ") == "" {
		name = "material"
	}
	ascii := []rune{}
	for _, r := range name {
		if r < 0x20 || r > 0x7e {
			r = '_'
		}
		ascii = append(ascii, r)
	}
	fallback := string(ascii)
	if strings.Trim(strings.TrimSuffix(fallback, filepath.Ext(fallback)), "_") == "" {
		fallback = "material" + filepath.Ext(fallback)
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, kind, fallback, pctEncode(name))
}

// pctEncode keeps RFC 8187's attr-char and percent-encodes every other byte.
func pctEncode(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attrChar, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// fileLink is how the case page offers a material's file.
type fileLink struct {
	URL, Download string
	Kind          string // pdf or image when it opens in the page; "" for a download only
	Name          string // the uploaded file's name
	Size          string
}

// caseFileLinks are the links to a case's files, by file id, for a viewer who may open them.
func caseFileLinks(c cases.Case) map[string]fileLink {
	out := map[string]fileLink{}
	for _, m := range c.Materials {
		if m.FileID == "" {
			continue
		}
		u := "/cases/" + url.PathEscape(c.Number) + "/files/" + url.PathEscape(m.FileID)
		out[m.FileID] = fileLink{URL: u, Download: u + "?download=1", Kind: inlineTypes[m.ContentType], Name: m.FileName, Size: humanSize(m.Size)}
	}
	return out
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+1023)>>10)
	}
	return fmt.Sprintf("%d 字节", n)
}
